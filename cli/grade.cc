#include "cli/grade.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <algorithm>
#include <map>

#include "common/text.h"

namespace vklab::cli {
namespace {

namespace fs = std::filesystem;

std::string csv(const std::string& raw) {
  std::string s = valid_utf8(raw);
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string stem_of(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  fs::path f(p);
  std::string name = f.filename().string();
  std::error_code ec;
  if (!fs::is_directory(f, ec)) {
    if (name == "lab.yaml" || name == "lab.yml") {
      name = f.parent_path().filename().string();
      if (name.empty() || name == ".") name = fs::absolute(f, ec).parent_path().filename().string();
    } else if (name.ends_with(".yaml")) {
      name.resize(name.size() - 5);
    } else if (name.ends_with(".yml")) {
      name.resize(name.size() - 4);
    }
  } else if (name == "." || name == "..") {
    name = fs::weakly_canonical(fs::absolute(f, ec), ec).filename().string();
  }
  std::string out;
  for (char c : name)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') ? c : '_';
  while (!out.empty() && out.front() == '.') out.erase(0, 1);  // no hidden files, no ".."
  return out.empty() ? "lab" : out;
}

std::string pct(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", std::floor(v));
  return buf;
}

}  // namespace

const char* grade_status_name(GradeStatus s) {
  switch (s) {
    case GradeStatus::Graded: return "graded";
    case GradeStatus::NotALab: return "not-a-lab";
    case GradeStatus::Invalid: return "invalid";
    case GradeStatus::NotUp: return "not-up";
    case GradeStatus::Busy: return "busy";
    case GradeStatus::Interrupted: return "interrupted";
  }
  return "graded";
}

int GradeResult::passed() const {
  if (status != GradeStatus::Graded) return 0;
  int n = 0;
  for (const auto& r : results) n += r.ok();
  return n;
}

double GradeResult::score() const {
  if (results.empty()) return 0;
  return 100.0 * passed() / static_cast<double>(results.size());
}

std::vector<std::string> student_names(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  std::map<std::string, int> seen;
  for (const auto& p : paths) {
    std::string s = stem_of(p);
    int n = ++seen[s];
    std::string name = n == 1 ? s : s + "-" + std::to_string(n);
    while (std::find(out.begin(), out.end(), name) != out.end()) name += "_";
    out.push_back(name);
  }
  return out;
}

std::vector<CheckResult> ungraded(const std::vector<CheckDecl>& key, const std::string& reason) {
  std::vector<CheckResult> out;
  for (const auto& c : key) {
    CheckResult r;
    r.check = c;
    r.got = Got::Error;
    r.error = reason;
    out.push_back(std::move(r));
  }
  return out;
}

std::string grade_line(const GradeResult& g, size_t width, size_t failures) {
  std::string s = g.student;
  if (s.size() < width) s += std::string(width - s.size(), ' ');
  std::string lab = g.lab.empty() ? "-" : g.lab;
  s += "  " + lab + std::string(lab.size() < 16 ? 16 - lab.size() : 0, ' ');
  std::string frac = std::to_string(g.passed()) + "/" + std::to_string(g.total());
  s += "  " + frac + std::string(frac.size() < 7 ? 7 - frac.size() : 0, ' ');
  std::string p = pct(g.score());
  s += std::string(p.size() < 5 ? 5 - p.size() : 0, ' ') + p;
  if (g.status != GradeStatus::Graded) return s + "  " + grade_status_name(g.status) + ": " + g.reason;
  std::vector<std::string> fails;
  size_t failed = 0;
  for (const auto& r : g.results) {
    if (r.ok()) continue;
    if (++failed <= failures) fails.push_back(check_label(r.check) + ": " + failure_text(r));
  }
  if (!fails.empty()) s += "  " + join(fails, "; ");
  if (failed > failures) s += "; +" + std::to_string(failed - failures) + " more";
  if (!g.down_note.empty()) s += "  (down: " + g.down_note + ")";
  return s;
}

nlohmann::json grade_json(const GradeResult& g) {
  nlohmann::json j = {{"student", g.student},
                      {"path", valid_utf8(g.path)},
                      {"lab", g.lab},
                      {"status", grade_status_name(g.status)},
                      {"reason", valid_utf8(g.reason)},
                      {"score", std::round(g.score() * 10) / 10},
                      {"passed", g.passed()},
                      {"total", g.total()},
                      {"ms", g.elapsed.count()},
                      {"checks", checks_json(g.results)}};
  if (!g.diagnostics.empty()) j["diagnostics"] = valid_utf8(g.diagnostics);
  if (!g.down_note.empty()) j["down"] = valid_utf8(g.down_note);
  return j;
}

void write_summary_csv(std::ostream& out, const std::vector<GradeResult>& all) {
  out << "student,path,lab,status,passed,total,score,reason,failing\n";
  for (const auto& g : all) {
    std::vector<std::string> failing;
    if (g.status == GradeStatus::Graded)
      for (const auto& r : g.results)
        if (!r.ok()) failing.push_back(check_label(r.check));
    char score[16];
    std::snprintf(score, sizeof score, "%.1f", g.score());
    out << csv(g.student) << "," << csv(g.path) << "," << csv(g.lab) << "," << grade_status_name(g.status) << ","
        << g.passed() << "," << g.total() << "," << score << "," << csv(g.reason) << "," << csv(join(failing, "; "))
        << "\n";
  }
}

Suite grade_suite(const GradeResult& g) {
  Suite s{g.student, g.results, std::nullopt, g.elapsed};
  if (g.status != GradeStatus::Graded) s.reason = std::string(grade_status_name(g.status)) + ": " + g.reason;
  return s;
}

}  // namespace vklab::cli
