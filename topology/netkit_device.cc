#include "topology/netkit_device.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "common/text.h"

namespace vklab::topology::detail {

const std::vector<std::string> kNetkitOptions = {
    "image", "mem",  "cpus",  "sysctl",     "env",  "ipv6",   "exec",      "shell",
    "bridged", "port", "num_terms", "ulimit", "entrypoint", "args", "volume", "privileged"};

namespace {

std::string dq(const std::string& s) { return "\"" + s + "\""; }

bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

/// Python's strtobool, which Kathará uses for ipv6 and bridged.
std::optional<bool> strtobool(const std::string& v) {
  std::string s = lower(v);
  for (const char* t : {"y", "yes", "t", "true", "on", "1"})
    if (s == t) return true;
  for (const char* f : {"n", "no", "f", "false", "off", "0"})
    if (s == f) return false;
  return std::nullopt;
}

/// Kathará's mem ("512m", "1g", "300" = MiB, "1048576b") as MiB; nullopt
/// when it is not a number with an optional b/k/m/g unit.
std::optional<uint64_t> mem_mib(const std::string& v) {
  if (v.empty()) return std::nullopt;
  char unit = static_cast<char>(std::tolower(static_cast<unsigned char>(v.back())));
  std::string digits = std::isdigit(static_cast<unsigned char>(unit)) ? v : v.substr(0, v.size() - 1);
  if (!std::isdigit(static_cast<unsigned char>(unit)) && unit != 'b' && unit != 'k' && unit != 'm' && unit != 'g')
    return std::nullopt;
  if (digits.empty() || digits.size() > 12 || !std::all_of(digits.begin(), digits.end(), ::isdigit))
    return std::nullopt;
  uint64_t n = std::stoull(digits);
  switch (unit) {
    case 'b': return (n + (1 << 20) - 1) >> 20;
    case 'k': return (n + 1023) >> 10;
    case 'g': return n << 10;
    default: return n;  // 'm' or no unit
  }
}

/// net.X.Y...=VALUE, as Kathará accepts it (only the net. namespace).
bool parse_sysctl(const std::string& v, std::string& key, std::string& val) {
  size_t eq = v.find('=');
  if (eq == std::string::npos || v.find('=', eq + 1) != std::string::npos) return false;
  key = trim(v.substr(0, eq));
  val = trim(v.substr(eq + 1));
  if (!key.starts_with("net.")) return false;
  size_t parts = 0;
  for (size_t s = 0; s <= key.size(); ++parts) {
    size_t dot = key.find('.', s);
    if (dot == std::string::npos) dot = key.size();
    if (dot == s) return false;
    for (size_t i = s; i < dot; ++i)
      if (!is_word(key[i]) && key[i] != '-') return false;
    s = dot + 1;
  }
  return parts >= 3;
}

void set_sysctl(GuestDecl& g, const std::string& key, const std::string& val, const SourceLoc& loc) {
  for (auto& s : g.sysctls)
    if (s.value.first == key) {
      s.value.second = val;
      s.loc = loc;
      return;
    }
  g.sysctls.push_back({{key, val}, loc});
}

/// Options vklab accepts and does nothing with, and why.
const std::map<std::string, std::string> kIgnored = {
    {"num_terms", "vklab opens no terminals; use `vklab console DEV`"},
    {"ulimit", "guest processes keep the host's limits"},
    {"entrypoint", "a vklab guest boots its own init, not an image's entrypoint"},
    {"args", "a vklab guest boots its own init, not an image's entrypoint"},
    {"privileged", "a vklab guest has the capabilities network labs need"},
};

}  // namespace

DeviceExtras apply_options(const std::vector<const ConfOption*>& opts, GuestDecl& g, Diagnostics& d) {
  DeviceExtras x;
  std::map<std::string, int> line_of;  // single-valued option -> line it was set on
  std::vector<Located<std::pair<std::string, std::string>>> sysctls;
  for (const ConfOption* o : opts) {
    const std::string& name = o->name.value;
    const std::string& v = o->value.value;
    const SourceLoc& at = o->value.loc;
    const std::string what = g.name + "[" + name + "]";
    bool repeatable = name == "sysctl" || name == "env" || name == "exec" || name == "port" ||
                      name == "ulimit" || name == "volume";
    if (!repeatable && std::find(kNetkitOptions.begin(), kNetkitOptions.end(), name) != kNetkitOptions.end()) {
      auto [it, fresh] = line_of.emplace(name, o->name.loc.line);
      if (!fresh) {
        d.warning(o->name.loc, what + " is set again (first at line " + std::to_string(it->second) +
                                   "); as in Kathará, this value replaces it");
        it->second = o->name.loc.line;
      }
    }
    if (name == "image") {
      g.image = v;
    } else if (name == "mem") {
      auto mib = mem_mib(v);
      if (!mib) {
        d.error(at, "bad " + what + " " + dq(v) + ": a number of MiB, or a number with a b, k, m or g unit");
        continue;
      }
      uint64_t m = std::max<uint64_t>(*mib, 64);
      m += m % 2;
      if (m != *mib)
        d.note(at, what + " " + dq(v) + " is " + std::to_string(m) +
                       "m in vklab (a guest's memory is at least 64m, in steps of 2m)");
      g.memory = {std::to_string(m) + "m", at};
    } else if (name == "cpus") {
      char* end = nullptr;
      double c = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != 0 || !(c > 0) || c > 256) {
        d.error(at, "bad " + what + " " + dq(v) + ": a number of CPUs above 0, e.g. 1 or 0.5");
        continue;
      }
      int n = static_cast<int>(std::ceil(c));
      if (n != c)
        d.note(at, what + " " + dq(v) + " is " + std::to_string(n) + " in vklab (whole CPUs)");
      g.cpus = Located<int>{n, at};
    } else if (name == "sysctl") {
      std::string key, val;
      if (!parse_sysctl(v, key, val)) {
        d.error(at, "bad " + what + " " + dq(v) + ": write net.KEY=VALUE (Kathará allows only net. keys)");
        continue;
      }
      sysctls.push_back({{key, val}, at});
    } else if (name == "env") {
      size_t eq = v.find('=');
      std::string key = eq == std::string::npos ? "" : trim(v.substr(0, eq));
      if (key.empty() || !std::all_of(key.begin(), key.end(), is_word)) {
        d.error(at, "bad " + what + " " + dq(v) + ": write NAME=VALUE (NAME: letters, digits, '_')");
        continue;
      }
      auto it = std::find_if(g.env.begin(), g.env.end(), [&](const auto& e) { return e.first == key; });
      if (it != g.env.end()) it->second = trim(v.substr(eq + 1));
      else g.env.emplace_back(key, trim(v.substr(eq + 1)));
      if (g.env_loc.line == 0) g.env_loc = at;
    } else if (name == "ipv6") {
      auto b = strtobool(v);
      if (!b) {
        d.error(at, "bad " + what + " " + dq(v) + ": true or false");
        continue;
      }
      x.ipv6 = *b;
    } else if (name == "exec") {
      x.exec.push_back(v);
    } else if (name == "shell") {
      if (v != "/bin/bash" && v != "bash")
        d.note(at, what + " " + dq(v) +
                       ": vklab runs startup files with the guest's /bin/bash as Kathará does (/bin/sh "
                       "without it) and reports each failing command by its line");
    } else if (name == "bridged") {
      auto b = strtobool(v);
      if (!b) {
        d.error(at, "bad " + what + " " + dq(v) + ": true or false");
        continue;
      }
      if (*b)
        d.warning(at, what + " is not supported: a vklab lab has its own network namespace and no "
                             "path to the host's network; give the guest a `tap:` interface in YAML "
                             "(vklab convert) to reach the lab's host side");
    } else if (name == "port") {
      d.warning(at, what + " " + dq(v) + " is not supported: no host port is forwarded into a guest "
                                              "(reach it with `vklab exec` or a `tap:` interface)");
    } else if (name == "volume") {
      d.warning(at, what + " " + dq(v) + " is not supported: a guest sees only its root, its "
                                              "folder and shared/ (put the files in DEV/ or shared/)");
    } else if (auto ig = kIgnored.find(name); ig != kIgnored.end()) {
      d.note(at, what + " is accepted and ignored: " + ig->second);
    } else {
      d.warning(o->name.loc, "unknown option " + dq(name) + " of device " + dq(g.name) +
                                 did_you_mean_suffix(name, kNetkitOptions) + "; it is ignored");
    }
  }
  add_kathara_sysctls(g, x.ipv6);
  for (const auto& s : sysctls) set_sysctl(g, s.value.first, s.value.second, s.loc);
  return x;
}

void add_kathara_sysctls(GuestDecl& g, bool ipv6) {
  const SourceLoc at = g.loc;
  auto put = [&](const std::string& k, const std::string& v) { set_sysctl(g, k, v, at); };
  put("net.ipv4.ip_forward", "1");
  for (const char* i : {"all", "default", "lo"}) put(std::string("net.ipv4.conf.") + i + ".rp_filter", "0");
  put("net.ipv4.icmp_ratelimit", "0");
  if (ipv6) {
    put("net.ipv6.conf.all.disable_ipv6", "0");
    put("net.ipv6.conf.default.disable_ipv6", "0");
    put("net.ipv6.conf.all.forwarding", "1");
    put("net.ipv6.conf.all.accept_ra", "0");
    put("net.ipv6.icmp.ratelimit", "0");
  } else {
    put("net.ipv6.conf.all.disable_ipv6", "1");
    put("net.ipv6.conf.default.disable_ipv6", "1");
    put("net.ipv6.conf.all.forwarding", "0");
    put("net.ipv6.conf.default.forwarding", "0");
  }
  // Last, so the defaults every device shares form a common prefix.
  for (size_t n = 0; n < g.interfaces.size(); ++n)
    put("net.ipv4.conf." + g.ifname.value + std::to_string(n) + ".rp_filter", "0");
}

namespace {

struct ImageNeed {
  const char* image;    ///< without registry tag
  const char* path;     ///< what the host must have
  const char* install;  ///< what to do about it
};

const ImageNeed kImageNeeds[] = {
    {"kathara/frr", "/usr/lib/frr/zebra", "install frr (apt-get install frr)"},
    {"kathara/quagga", "/usr/sbin/zebra",
     "install quagga (Debian 12 has no package; FRR reads most Quagga configurations: use kathara/frr)"},
    {"kathara/bind", "/usr/sbin/named", "install bind9 (apt-get install bind9)"},
    {"kathara/p4", "/usr/bin/simple_switch", "install the P4 behavioral model (bmv2)"},
    {"kathara/sdn", "/usr/bin/ovs-vsctl", "install openvswitch-switch"},
    {"kathara/pox", "/usr/bin/pox", "install POX"},
};

}  // namespace

void check_image(const std::string& image, const SourceLoc& at,
                 const std::function<bool(const std::string&)>& host_has, Diagnostics& d) {
  std::string base = image.substr(0, image.find(':'));
  if (base == "kathara/base") return;
  for (const auto& n : kImageNeeds)
    if (base == n.image) {
      if (!host_has(n.path))
        d.warning(at, "image " + dq(image) + ": vklab guests run this host's software and it has no " +
                          n.path + ": " + n.install);
      return;
    }
  d.note(at, "image " + dq(image) + " is recorded only: vklab guests run this host's software "
                                        "(or a `root:` tree), so install what the image would bring");
}

}  // namespace vklab::topology::detail
