#include "guest/addrs.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace vklab::vkernel {

Result<std::vector<IfAddr>> parse_addrs(const std::string& text, const std::string& name) {
  std::vector<IfAddr> out;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string vke, addr, extra;
    words >> vke >> addr >> extra;
    auto bad = [&] { return make_error(name + ":" + std::to_string(n) + ": expected vkeN ADDR/LEN, found '" + line + "'"); };
    if (!extra.empty() || vke.size() < 4 || vke.rfind("vke", 0) != 0 || vke.size() > 7) return bad();
    int idx = 0;
    for (char c : vke.substr(3)) {
      if (c < '0' || c > '9') return bad();
      idx = idx * 10 + (c - '0');
    }
    auto p = IpPrefix::parse(addr);
    if (!p || p->len == 0) return bad();
    out.emplace_back(idx, *p);
  }
  return out;
}

Result<std::vector<IfAddr>> read_addrs(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path + ": " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  return parse_addrs(s.str(), path);
}

}  // namespace vklab::vkernel
