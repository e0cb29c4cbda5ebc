// bench_json_check NAMES_FILE < output: every line of the output is a JSON
// object {"name": string, "value": number, "unit": string, "runs": int ≥ 1,
// optional "baseline"/"ratio" numbers, always together}, and every name
// listed in NAMES_FILE (one a line, '#' comments) appears exactly once.
// Exit 0 when all holds; otherwise each problem on stderr, exit 1.
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: bench_json_check NAMES_FILE < output\n";
    return 2;
  }
  std::ifstream nf(argv[1]);
  if (!nf) {
    std::cerr << "bench_json_check: cannot read " << argv[1] << "\n";
    return 2;
  }
  std::vector<std::string> want;
  for (std::string l; std::getline(nf, l);)
    if (!l.empty() && l[0] != '#') want.push_back(l);

  int problems = 0;
  auto bad = [&](int line, const std::string& what) {
    std::cerr << "line " << line << ": " << what << "\n";
    ++problems;
  };
  std::map<std::string, int> seen;
  int n = 0;
  for (std::string l; std::getline(std::cin, l);) {
    ++n;
    auto j = nlohmann::json::parse(l, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      bad(n, "not a JSON object: " + l);
      continue;
    }
    if (!j.contains("name") || !j["name"].is_string()) {
      bad(n, "no string \"name\": " + l);
      continue;
    }
    const std::string name = j["name"];
    ++seen[name];
    if (!j.contains("value") || !j["value"].is_number()) bad(n, name + ": \"value\" is not a number");
    if (!j.contains("unit") || !j["unit"].is_string()) bad(n, name + ": no string \"unit\"");
    if (!j.contains("runs") || !j["runs"].is_number_integer() || j["runs"].get<long>() < 1)
      bad(n, name + ": \"runs\" is not an integer ≥ 1");
    if (j.contains("baseline") != j.contains("ratio")) bad(n, name + ": \"baseline\" without \"ratio\" or the reverse");
    for (const char* k : {"baseline", "ratio"})
      if (j.contains(k) && !j[k].is_number()) bad(n, name + ": \"" + k + "\" is not a number");
  }
  for (const auto& w : want) {
    int c = seen.count(w) ? seen[w] : 0;
    if (c != 1) {
      std::cerr << w << ": printed " << c << " times, want once\n";
      ++problems;
    }
  }
  if (n == 0) {
    std::cerr << "bench_json_check: no output\n";
    ++problems;
  }
  std::cout << "bench_json_check: " << n << " lines, " << want.size() << " names expected, " << problems
            << " problem(s)\n";
  return problems ? 1 : 0;
}
