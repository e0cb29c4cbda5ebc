#include "topology/validate.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "common/text.h"
#include "topology/validate_internal.h"
#include "vkernel/cmdline.h"

namespace vklab::topology {

// Names: guests and bridges live in separate namespaces. A bridge is only
// ever named by an interface's `bridge:`, a guest only by depends_on, checks
// and the CLI, and on the host both become numbered interfaces (bridgeN,
// tapN), so a guest and a bridge may share a name (a point-to-point
// segment named after its router is common).

namespace detail {

std::string line_col(const SourceLoc& loc) {
  return std::to_string(loc.line) + ":" + std::to_string(loc.col);
}

std::string iface_name(const GuestDecl& g, size_t index) {
  return g.name + " " + g.ifname.value + std::to_string(index);
}

}  // namespace detail

namespace {

using detail::line_col;

constexpr int kMinCpus = 1;
constexpr int kMaxCpus = 256;


bool is_lower_alpha(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// 1..max of [a-z0-9] plus `extra`, starting with a letter.
bool valid_name(const std::string& s, size_t max, std::string_view extra) {
  if (s.empty() || s.size() > max || !is_lower_alpha(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return is_lower_alpha(c) || is_digit(c) || extra.find(c) != std::string_view::npos;
  });
}

void check_name(Diagnostics& d, const SourceLoc& loc, const std::string& kind,
                const std::string& name, size_t max, std::string_view extra,
                const std::string& charset) {
  if (valid_name(name, max, extra)) return;
  if (name.size() > max) {
    d.error(loc, kind + " name " + quoted(name) + " is too long (" + std::to_string(name.size()) +
                     " characters; at most " + std::to_string(max) + ")");
    return;
  }
  d.error(loc, "invalid " + kind + " name " + quoted(name) + ": 1-" + std::to_string(max) +
                   " of " + charset + ", starting with a letter");
}

void check_names(const Lab& lab, Diagnostics& d) {
  if (lab.name.loc.line > 0)  // a missing name was reported by the loader
    check_name(d, lab.name.loc, "lab", lab.name.value, kMaxLabName, "-", "a-z, 0-9 and '-'");
  std::map<std::string, SourceLoc> seen;
  for (const auto& b : lab.bridges) {
    check_name(d, b.loc, "bridge", b.name, kMaxObjectName, "_-", "a-z, 0-9, '_' and '-'");
    auto [it, fresh] = seen.emplace(b.name, b.loc);
    if (!fresh)
      d.error(b.loc, "duplicate bridge " + quoted(b.name) + " (first at " + line_col(it->second) + ")");
  }
  seen.clear();
  for (const auto& g : lab.guests) {
    check_name(d, g.loc, "guest", g.name, kMaxObjectName, "_-", "a-z, 0-9, '_' and '-'");
    auto [it, fresh] = seen.emplace(g.name, g.loc);
    if (!fresh)
      d.error(g.loc, "duplicate guest " + quoted(g.name) + " (first at " + line_col(it->second) + ")");
  }
}

std::vector<std::string> bridge_names(const Lab& lab) {
  std::vector<std::string> v;
  for (const auto& b : lab.bridges) v.push_back(b.name);
  return v;
}

std::vector<std::string> guest_names(const Lab& lab) {
  std::vector<std::string> v;
  for (const auto& g : lab.guests) v.push_back(g.name);
  return v;
}

void check_references(const Lab& lab, Diagnostics& d) {
  auto bridges = bridge_names(lab);
  auto guests = guest_names(lab);
  for (const auto& g : lab.guests) {
    for (const auto& i : g.interfaces) {
      // An empty name comes from an item the loader already reported.
      if (i.kind != InterfaceDecl::Kind::Bridge || i.bridge.value.empty()) continue;
      if (lab.bridge_index(i.bridge.value) < 0)
        d.error(i.bridge.loc, "unknown bridge " + quoted(i.bridge.value) +
                                  did_you_mean_suffix(i.bridge.value, bridges));
    }
    for (size_t k = 0; k < g.depends_on.size(); ++k) {
      const auto& dep = g.depends_on[k];
      if (!lab.find_guest(dep.value)) {
        d.error(dep.loc, "unknown guest " + quoted(dep.value) + " in depends_on of " +
                             quoted(g.name) + did_you_mean_suffix(dep.value, guests));
        continue;
      }
      // Harmless for the order, but likely a typo for another name.
      for (size_t j = 0; j < k; ++j)
        if (g.depends_on[j].value == dep.value) {
          d.warning(dep.loc, quoted(dep.value) + " is listed twice in depends_on of " + quoted(g.name) +
                                 " (first at line " + std::to_string(g.depends_on[j].loc.line) + ")");
          break;
        }
    }
  }
  for (const auto& c : lab.checks) {
    if (!lab.find_guest(c.from.value))
      d.error(c.from.loc, "unknown guest " + quoted(c.from.value) + " in check" +
                              did_you_mean_suffix(c.from.value, guests));
  }
}

void check_memory(const GuestDecl& g, Diagnostics& d) {
  auto m = vkernel::parse_memory(g.memory.value);
  if (m) return;
  bool spec = m.error().message.starts_with("Bad maxmem specification");
  d.error(g.memory.loc, "bad memory " + quoted(g.memory.value) + ": " +
                            (spec ? "at least 64m and a multiple of 2m"
                                  : "a number with a k, m or g suffix is required, e.g. 128m"));
}

bool has_quote(const std::string& s) { return s.find_first_of("\"'") != std::string::npos; }

void check_env(const GuestDecl& g, Diagnostics& d) {
  for (const auto& [name, value] : g.env) {
    if (name.empty() || name.find_first_of("=: \t\n") != std::string::npos || has_quote(name))
      d.error(g.env_loc, "invalid env name " + quoted(name) + " in guest " + quoted(g.name) +
                             ": no '=', ':', blanks or quotes");
    else if (has_quote(value))
      d.error(g.env_loc, "env " + quoted(name) + " of guest " + quoted(g.name) +
                             ": quote characters cannot pass through -e");
  }
}

void check_guest(const GuestDecl& g, Diagnostics& d) {
  check_memory(g, d);
  if (g.cpus && (g.cpus->value < kMinCpus || g.cpus->value > kMaxCpus))
    d.error(g.cpus->loc, "cpus must be " + std::to_string(kMinCpus) + ".." +
                             std::to_string(kMaxCpus) + ", found " + std::to_string(g.cpus->value));
  if (g.stop_timeout.value.count() <= 0)
    d.error(g.stop_timeout.loc, "stop_timeout must be longer than 0s");
  if (g.ready_timeout.value.count() <= 0)
    d.error(g.ready_timeout.loc, "ready_timeout must be longer than 0s");
  if (g.kernel.value.empty()) d.error(g.kernel.loc, "kernel must be \"auto\" or a path");
  else if (g.kernel.value != "auto" && (!g.startup.empty() || !g.shutdown.empty()))
    d.warning(g.kernel.loc, "guest " + quoted(g.name) +
                                ": startup and shutdown commands are run only by the bundled guest "
                                "(kernel: auto); this kernel must run them from its own image");
  if (g.interfaces.size() > static_cast<size_t>(vkernel::kMaxNetIfs))
    d.error(g.interfaces[vkernel::kMaxNetIfs].loc,
            "guest " + quoted(g.name) + " has " + std::to_string(g.interfaces.size()) +
                " interfaces; at most " + std::to_string(vkernel::kMaxNetIfs) + " (vke0..vke" +
                std::to_string(vkernel::kMaxNetIfs - 1) + ")");
  size_t images = g.disks.size() + g.cdroms.size();
  if (images > static_cast<size_t>(vkernel::kMaxDisks)) {
    size_t k = static_cast<size_t>(vkernel::kMaxDisks);
    const SourceLoc& at = k < g.disks.size() ? g.disks[k].loc : g.cdroms[k - g.disks.size()].loc;
    d.error(at, "guest " + quoted(g.name) + " has " + std::to_string(images) +
                    " disks and cdroms; at most " + std::to_string(vkernel::kMaxDisks));
  }
  for (const auto& disk : g.disks)
    if (disk.value.empty()) d.error(disk.loc, "a disk needs a path");
  for (const auto& cd : g.cdroms)
    if (cd.value.empty()) d.error(cd.loc, "a cdrom needs a path");
  check_env(g, d);
}

/// A read/write disk image is locked exclusively by the vkernel using it.
void check_shared_disks(const Lab& lab, Diagnostics& d) {
  std::map<std::string, const GuestDecl*> owner;
  for (const auto& g : lab.guests) {
    for (const auto& disk : g.disks) {
      auto [it, fresh] = owner.emplace(disk.value, &g);
      if (!fresh && it->second != &g)
        d.error(disk.loc, "disk " + quoted(disk.value) + " is also used by guest " +
                              quoted(it->second->name) +
                              "; a disk image is locked by one guest at a time");
    }
  }
}

bool valid_ifname(const std::string& s) {
  return !s.empty() && s.size() <= kMaxObjectName &&
         s.find_first_of("/: \t\n") == std::string::npos;
}

/// DragonFly has no network namespaces: its labs always use the host's
/// network (compile() plans them so); a file that asks for isolation is
/// told so rather than silently given the host's network.
void check_network(const Lab& lab, Target target, Diagnostics& d) {
  if (target != Target::DragonFly || lab.network.loc.line == 0 || lab.network.value != NetworkMode::Isolated) return;
  d.error(lab.network.loc, "`network: isolated` needs Linux (a network namespace of the lab's own); DragonFly has "
                           "none: its labs use the host's network (write `network: host`, or leave the key out)");
}

void check_uplinks(const Lab& lab, Target target, Diagnostics& d) {
  std::map<std::string, const BridgeDecl*> used;
  for (const auto& b : lab.bridges) {
    if (!b.uplink) continue;
    const auto& u = *b.uplink;
    if (lab.network.value != NetworkMode::Host && target != Target::DragonFly) {
      d.error(u.loc, "uplink " + quoted(u.value) +
                         " needs `network: host`: an isolated lab cannot reach host NICs");
      continue;
    }
    if (!valid_ifname(u.value)) {
      d.error(u.loc, "invalid uplink " + quoted(u.value) + ": a host interface name of 1-15 characters");
      continue;
    }
    auto [it, fresh] = used.emplace(u.value, &b);
    if (!fresh)
      d.error(u.loc, "uplink " + quoted(u.value) + " is already a member of bridge " +
                         quoted(it->second->name) + " (at " + line_col(it->second->uplink->loc) +
                         "); a NIC joins one bridge");
  }
}

/// Room for two digits after the prefix: vke15 fits IFNAMSIZ.
constexpr size_t kMaxIfnamePrefix = kMaxObjectName - 2;

void check_ifname(const GuestDecl& g, Diagnostics& d) {
  const std::string& p = g.ifname.value;
  bool ok = !p.empty() && p.size() <= kMaxIfnamePrefix && is_lower_alpha(p[0]) && !is_digit(p.back()) &&
            std::all_of(p.begin(), p.end(), [](char c) {
              return is_lower_alpha(c) || is_digit(c) || c == '_' || c == '-';
            });
  if (!ok)
    d.error(g.ifname.loc, "invalid ifname " + quoted(p) + ": an interface name prefix of 1-" +
                              std::to_string(kMaxIfnamePrefix) +
                              " of a-z, 0-9, '_' and '-', starting with a letter and not ending "
                              "with a digit (the interfaces are PREFIX0, PREFIX1, ...)");
}

/// Kernel parameters a guest can set: the network ones (per namespace);
/// the rest of /proc/sys is the host's, read-only in a guest.
void check_sysctls(const GuestDecl& g, Diagnostics& d) {
  std::map<std::string, SourceLoc> seen;
  for (const auto& s : g.sysctls) {
    const auto& [key, value] = s.value;
    bool name_ok = key.starts_with("net.") && key.find("..") == std::string::npos && key.back() != '.' &&
                   std::all_of(key.begin(), key.end(), [](char c) {
                     return is_lower_alpha(c) || is_digit(c) || (c >= 'A' && c <= 'Z') || c == '_' ||
                            c == '-' || c == '.';
                   });
    if (!name_ok) {
      d.error(s.loc, "sysctl " + quoted(key) + ": only network parameters (net.…, of a-z, 0-9, '.', "
                     "'_' and '-') can be set in a guest; the others belong to the host");
      continue;
    }
    bool value_ok = !value.empty() && std::none_of(value.begin(), value.end(), [](char c) {
      auto u = static_cast<unsigned char>(c);
      return (u < 0x20 && c != '\t') || u == 0x7f;
    });
    if (!value_ok) d.error(s.loc, "sysctl " + quoted(key) + " needs a value on one line");
    auto [it, fresh] = seen.emplace(key, s.loc);
    if (!fresh)
      d.warning(s.loc, "sysctl " + quoted(key) + " is set twice in guest " + quoted(g.name) +
                           " (first at " + line_col(it->second) + "); the last one wins");
  }
}

/// What only the bundled Linux guest does, on a guest that is a real
/// vkernel (the DragonFly target, or `kernel:` a path).
void check_machine_keys(const Lab& lab, const GuestDecl& g, Target target, Diagnostics& d) {
  if (g.kernel.value == "auto" && target == Target::Linux) return;
  std::vector<std::string> what;
  const SourceLoc* at = nullptr;
  auto add = [&](std::string w, const SourceLoc* l) {
    what.push_back(std::move(w));
    if (!at && l) at = l;
  };
  if (g.root) add("root:", &g.root->loc);
  if (g.files) add("files:", &g.files->loc);
  else if (!g.files_dir.empty()) add("its folder " + g.name + "/", nullptr);
  if (g.ifname.value != kDefaultIfname) add("ifname:", &g.ifname.loc);
  if (!g.sysctls.empty()) add("sysctl:", &g.sysctls.front().loc);
  if (!lab.shared_dir.empty()) add("shared/", nullptr);
  if (what.empty()) return;
  d.warning(at ? *at : g.loc, "guest " + quoted(g.name) + ": " + join(what, ", ") +
                                  (what.size() == 1 ? " applies" : " apply") +
                                  " only to the bundled Linux guest; a real vkernel boots from its "
                                  "-r/-c image");
}

/// Drops repeated diagnostics (a default written once is checked once per
/// guest) keeping the first.
void dedupe(Diagnostics& diags) {
  std::set<std::tuple<std::string, int, int, int, std::string>> seen;
  Diagnostics out;
  for (const auto& x : diags.items()) {
    if (seen.emplace(x.loc.file, x.loc.line, x.loc.col, static_cast<int>(x.severity), x.message).second)
      out.add(x);
  }
  diags = std::move(out);
}

}  // namespace

void validate(Lab& lab, Diagnostics& diags, Target target) {
  check_names(lab, diags);
  check_references(lab, diags);
  for (const auto& g : lab.guests) {
    check_guest(g, diags);
    check_ifname(g, diags);
    check_sysctls(g, diags);
    check_machine_keys(lab, g, target, diags);
  }
  check_shared_disks(lab, diags);
  check_network(lab, target, diags);
  check_uplinks(lab, target, diags);
  detail::check_addresses(lab, diags);
  detail::check_ipv6(lab, target, diags);
  detail::check_host_side(lab, diags);
  detail::assign_auto(lab, diags);
  detail::assign_auto6(lab, diags);
  detail::check_lab_addresses(lab, diags);
  detail::order_launch(lab, diags);
  detail::check_graph(lab, diags);
  dedupe(diags);
  diags.sort();
}

}  // namespace vklab::topology
