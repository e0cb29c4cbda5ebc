#include "vkernel/cmdline.h"

#include <cerrno>
#include <cstdlib>

namespace vklab::vkernel {
namespace {

constexpr std::string_view kOptString = "c:hsvztTl:m:n:r:R:e:i:p:I:Ud";
constexpr int kMaxCpus = 256;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// strtol base 0 over the whole text; nullopt on junk, sign or overflow.
std::optional<long> whole_number(std::string_view s) {
  if (s.empty() || !is_digit(s[0])) return std::nullopt;
  std::string z(s);
  errno = 0;
  char* end = nullptr;
  long v = std::strtol(z.c_str(), &end, 0);
  if (errno != 0 || *end != '\0') return std::nullopt;
  return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    auto p = s.find(sep);
    out.push_back(s.substr(0, p));
    if (p == std::string_view::npos) return out;
    s.remove_prefix(p + 1);
  }
}

bool valid_ifname(std::string_view n) {
  if (n.empty() || n.size() > 15) return false;
  for (char c : n)
    if (c <= ' ' || c == '/' || c == ':' || c == '=' || c == '"' || c == '\'' || c == 0x7f)
      return false;
  return true;
}

Status check_ncpus(std::string_view spec) {
  auto parts = split(spec, ':');
  if (parts.size() > 3) return make_error("Bad ncpus, expected ncpus[:lbits[:cbits]]");
  auto n = whole_number(parts[0]);
  if (!n || *n < 1 || *n > kMaxCpus)
    return make_error("Bad ncpus, valid range is 1-" + std::to_string(kMaxCpus));
  for (size_t i = 1; i < parts.size(); ++i)
    if (auto b = whole_number(parts[i]); !b || *b > 64)
      return make_error("Bad cpu topology bits '" + std::string(parts[i]) + "'");
  return {};
}

Status check_sched(std::string_view spec) {
  if (spec == "any" || spec == "map") return {};
  std::string_view cpu = spec;
  if (spec.starts_with("map,")) cpu.remove_prefix(4);
  if (!whole_number(cpu)) return make_error("Bad target CPU number at '" + std::string(cpu) + "'");
  return {};
}

/// One -e argument → name=value items, with the kernel's quoting rules.
Result<std::vector<std::pair<std::string, std::string>>> parse_env(std::string_view arg) {
  std::vector<std::string> items(1);
  int quoted = 0;
  for (char c : arg) {
    if (c == '"') quoted ^= 1;
    else if (c == '\'') quoted ^= 2;
    else if (c == ':' && quoted == 0) items.emplace_back();
    else items.back() += c;
  }
  if (quoted != 0) return make_error("unterminated quote");
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& item : items) {
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      return make_error("'" + item + "': expected name=value");
    out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  return out;
}

std::string render_env(const std::string& name, const std::string& value) {
  std::string item = name + "=" + value;
  if (item.find(':') != std::string::npos) return "\"" + item + "\"";
  return item;
}

Result<Disk> parse_disk(char opt, std::string_view arg) {
  Disk d;
  d.kind = opt == 'r' ? Disk::Kind::ReadWrite
           : opt == 'R' ? Disk::Kind::CopyOnWrite
                        : Disk::Kind::Cdrom;
  if (d.kind != Disk::Kind::Cdrom) {
    if (auto colon = arg.find(':'); colon != std::string_view::npos) {
      d.serno = std::string(arg.substr(colon + 1));
      arg = arg.substr(0, colon);
      if (d.serno.empty()) return make_error("empty serial number");
    }
  }
  if (arg.empty()) return make_error("empty disk image path");
  d.path = std::string(arg);
  return d;
}

std::string disk_arg(const Disk& d) {
  return d.serno.empty() ? d.path : d.path + ":" + d.serno;
}

const char* disk_opt(Disk::Kind k) {
  switch (k) {
    case Disk::Kind::ReadWrite: return "-r";
    case Disk::Kind::CopyOnWrite: return "-R";
    case Disk::Kind::Cdrom: return "-c";
  }
  return "-r";
}

std::string prog_name(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0].empty()) return "vkernel";
  auto slash = argv[0].rfind('/');
  std::string base = slash == std::string::npos ? argv[0] : argv[0].substr(slash + 1);
  return base.empty() ? "vkernel" : base;
}

}  // namespace

Result<uint64_t> parse_memory(std::string_view spec) {
  const Error bad_option = make_error("Bad maxmem option");
  if (spec.empty() || !is_digit(spec[0])) return bad_option;
  std::string z(spec);
  errno = 0;
  char* suffix = nullptr;
  unsigned long long n = std::strtoull(z.c_str(), &suffix, 0);
  if (errno != 0) return bad_option;
  int shift = 0;
  switch (*suffix) {
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    default: return bad_option;
  }
  if (suffix[1] != '\0') return bad_option;
  if (n > (~0ull >> shift)) return bad_option;
  uint64_t bytes = static_cast<uint64_t>(n) << shift;
  if (bytes < kMinMemory || bytes % kMemoryGranule != 0)
    return make_error("Bad maxmem specification: 64MB minimum, multiples of 2MB only");
  return bytes;
}

bool NetIf::is_socket() const {
  return iface.find('/') != std::string::npos && !iface.starts_with("/dev/");
}

std::string NetIf::tap_name() const {
  if (iface.starts_with("/dev/")) return iface.substr(5);
  return iface;
}

std::string NetIf::str() const {
  std::string s = iface;
  if (!bridge.empty()) s += ":" + bridge;
  else if (addr1) s += ":" + addr1->str();
  if (addr2) s += ":" + addr2->str();
  if (netmask) s += "/" + std::to_string(*netmask);
  if (mac) s += "=" + mac->str();
  return s;
}

Result<NetIf> NetIf::parse(std::string_view arg) {
  auto fail = [&](std::string_view why) {
    return make_error(std::string(arg) + ": " + std::string(why));
  };
  NetIf n;
  std::string_view head = arg;
  if (auto eq = head.find('='); eq != std::string_view::npos) {
    auto mac = Mac::parse(head.substr(eq + 1));
    if (!mac) return fail("Invalid MAC address");
    if (mac->is_multicast()) return fail("MAC address must be unicast");
    if (*mac == Mac{}) return fail("Invalid MAC address");
    n.mac = mac;
    head = head.substr(0, eq);
  }
  auto colon = head.find(':');
  std::string_view name = head.substr(0, colon);
  if (name.empty()) return fail("Invalid netif format: missing interface");
  n.iface = std::string(name);
  if (!n.is_auto() && !n.is_socket() && !valid_ifname(n.tap_name()))
    return fail("Invalid tap device name");
  if (colon == std::string_view::npos) return n;
  std::string_view rest = head.substr(colon + 1);
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    auto len = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (len.empty() || len.size() > 2 || !is_digit(len[0]) || (len.size() == 2 && !is_digit(len[1])))
      return fail("Invalid netmask len");
    int v = std::atoi(std::string(len).c_str());
    if (v < 1 || v > 31) return fail("Invalid netmask len");
    n.netmask = v;
  }
  auto fields = split(rest, ':');
  if (fields.size() > 2)
    return fail("Invalid netif format (IPv4 only: interface[:address1[:address2]][/netmask][=MAC])");
  if (fields[0].starts_with("bridge")) {
    if (!valid_ifname(fields[0])) return fail("Invalid bridge name");
    n.bridge = std::string(fields[0]);
  } else {
    auto a = Ipv4::parse(fields[0]);
    if (!a) return fail("Invalid address '" + std::string(fields[0]) + "' (IPv4 only)");
    n.addr1 = a;
  }
  if (fields.size() == 2) {
    auto b = Ipv4::parse(fields[1]);
    if (!b) return fail("Invalid address '" + std::string(fields[1]) + "' (IPv4 only)");
    n.addr2 = b;
  }
  if (n.netmask && !n.addr1 && !n.addr2) return fail("netmask without an address");
  return n;
}

std::vector<std::string> Cmdline::argv() const {
  std::vector<std::string> v{kernel};
  auto opt = [&](const char* o, const std::string& val) {
    if (!val.empty()) {
      v.push_back(o);
      v.push_back(val);
    }
  };
  auto flag = [&](const char* o, bool on) {
    if (on) v.push_back(o);
  };
  opt("-m", memory);
  opt("-n", ncpus);
  opt("-l", sched);
  flag("-s", single_user);
  flag("-v", verbose);
  flag("-U", writable_kernel);
  flag("-d", no_vmm);
  flag("-t", precise_timer);
  flag("-T", flag_T);
  flag("-z", prezero);
  opt("-i", memimage);
  for (const auto& d : disks) {
    v.push_back(disk_opt(d.kind));
    v.push_back(disk_arg(d));
  }
  for (const auto& [name, value] : env) {
    v.push_back("-e");
    v.push_back(render_env(name, value));
  }
  for (const auto& n : netifs) {
    v.push_back("-I");
    v.push_back(n.str());
  }
  opt("-p", pidfile);
  flag("-h", help);
  return v;
}

Result<Cmdline> Cmdline::parse(const std::vector<std::string>& argv) {
  const std::string prog = prog_name(argv);
  auto fail = [&](const std::string& msg) { return make_error(prog + ": " + msg); };
  auto fail_opt = [&](char o, std::string_view val, const std::string& msg) {
    return fail(std::string("-") + o + " " + std::string(val) + ": " + msg);
  };

  Cmdline c;
  if (!argv.empty()) c.kernel = argv[0];
  size_t i = 1;
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a.size() < 2 || a[0] != '-') break;
    for (size_t k = 1; k < a.size(); ++k) {
      char o = a[k];
      auto pos = o == ':' ? std::string_view::npos : kOptString.find(o);
      if (pos == std::string_view::npos) return fail(std::string("illegal option -- ") + o);
      bool takes_arg = pos + 1 < kOptString.size() && kOptString[pos + 1] == ':';
      if (!takes_arg) {
        switch (o) {
          case 'h': c.help = true; break;
          case 's': c.single_user = true; break;
          case 'v': c.verbose = true; break;
          case 'z': c.prezero = true; break;
          case 't': c.precise_timer = true; break;
          case 'T': c.flag_T = true; break;
          case 'U': c.writable_kernel = true; break;
          case 'd': c.no_vmm = true; break;
        }
        continue;
      }
      std::string val;
      if (k + 1 < a.size()) {
        val = a.substr(k + 1);
      } else if (i + 1 < argv.size()) {
        val = argv[++i];
      } else {
        return fail(std::string("option requires an argument -- ") + o);
      }
      switch (o) {
        case 'm': {
          if (auto m = parse_memory(val); !m) return fail_opt(o, val, m.error().message);
          c.memory = val;
          break;
        }
        case 'n':
          if (auto s = check_ncpus(val); !s) return fail_opt(o, val, s.error().message);
          c.ncpus = val;
          break;
        case 'l':
          if (auto s = check_sched(val); !s) return fail_opt(o, val, s.error().message);
          c.sched = val;
          break;
        case 'r':
        case 'R':
        case 'c': {
          auto d = parse_disk(o, val);
          if (!d) return fail_opt(o, val, d.error().message);
          if (c.disks.size() >= static_cast<size_t>(kMaxDisks))
            return fail_opt(o, val, "too many disk images (at most " +
                                        std::to_string(kMaxDisks) + " -r/-R/-c)");
          c.disks.push_back(std::move(d).value());
          break;
        }
        case 'e': {
          auto e = parse_env(val);
          if (!e) return fail_opt(o, val, e.error().message);
          for (auto& kv : e.value()) c.env.push_back(std::move(kv));
          break;
        }
        case 'i':
          c.memimage = val;
          break;
        case 'p':
          c.pidfile = val;
          break;
        case 'I': {
          auto n = NetIf::parse(val);
          if (!n) return fail("-I " + n.error().message);
          if (c.netifs.size() >= static_cast<size_t>(kMaxNetIfs))
            return fail_opt(o, val, "too many network interfaces (at most " +
                                        std::to_string(kMaxNetIfs) + " -I)");
          c.netifs.push_back(std::move(n).value());
          break;
        }
      }
      break;  // the value consumed the rest of this argument
    }
  }
  if (i < argv.size()) return fail("unexpected argument '" + argv[i] + "'");
  if (!c.help && c.memory.empty() && c.memimage.empty())
    return fail("Cannot create a new memory file unless system memory size is specified with -m");
  return c;
}

std::optional<std::string> Cmdline::getenv(std::string_view name) const {
  for (auto it = env.rbegin(); it != env.rend(); ++it)
    if (it->first == name) return it->second;
  return std::nullopt;
}

std::string usage(std::string_view prog) {
  std::string p(prog);
  return "usage: " + p +
         " [-hsUvdtTz] [-c file] [-e name=value:name=value:...] [-i file]\n"
         "       [-I interface[:address1[:address2]][/netmask][=mac]] [-l any|map[,start]|cpu]\n"
         "       [-m size] [-n ncpus[:lbits[:cbits]]] [-p pidfile] [-r file[:serno]] [-R file[:serno]]\n"
         "\n"
         "  -c file   read-only CD-ROM image (vcd0, vcd1, ...)\n"
         "  -d        disable vmm(4) (accepted)\n"
         "  -e env    environment for init: name=value:name=value (quote ':' with \" or ')\n"
         "  -h        this help\n"
         "  -i file   memory image file\n"
         "  -I if     network interface vke0, vke1, ... (at most 16): tap device or auto,\n"
         "            address1 = tap address or bridgeX, address2 = vkeN address\n"
         "  -l mode   cpu pinning: any, map[,start] or a cpu number (accepted)\n"
         "  -m size   memory with a k/m/g suffix, at least 64m, a multiple of 2m\n"
         "  -n cpus   number of cpus 1-256 (accepted)\n"
         "  -p file   pidfile, kept locked while running\n"
         "  -r file   read/write disk image, locked (vkd0, vkd1, ...; at most 16 disks)\n"
         "  -R file   copy-on-write disk image\n"
         "  -s        single user: no startup commands\n"
         "  -t -T -z  timer/memory knobs (accepted)\n"
         "  -U        writable kernel memory (accepted)\n"
         "  -v        verbose boot\n";
}

}  // namespace vklab::vkernel
