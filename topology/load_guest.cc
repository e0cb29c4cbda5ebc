#include "topology/load_guest.h"

#include "common/text.h"

#include <algorithm>

#include "topology/load_impair.h"

namespace vklab::topology::detail {

namespace {

const std::vector<std::string> kGuestKeys = {
    "kernel",     "memory",  "cpus",     "disks",        "cdroms",     "env",
    "single_user", "verbose", "writable_kernel", "interfaces", "startup", "shutdown",
    "stop_timeout", "ready_timeout", "depends_on", "root", "files", "ifname", "sysctl", "image"};

/// Keys that describe one guest's wiring and make no sense as defaults.
const std::vector<std::string> kPerGuestOnly = {"interfaces", "depends_on", "files"};

const std::vector<std::string> kInterfaceKeys = {"bridge", "tap", "address", "addresses", "mac", "impair"};

/// One `address:` value or `addresses:` item: auto, auto6, IPv4 or IPv6.
void read_address(Reader& r, const Entry& e, const std::string& what, InterfaceDecl& d) {
  if (e.value.IsScalar() && e.value.Scalar() == "auto") {
    if (d.address_auto || d.address) r.error(e.loc, what + ": a second IPv4 address; vkeN has one (use alias addresses inside the guest)");
    d.address_auto = true;
    return;
  }
  if (e.value.IsScalar() && e.value.Scalar() == "auto6") {
    if (d.address6_auto) r.error(e.loc, what + ": auto6 is written twice");
    d.address6_auto = true;
    d.address6_auto_loc = e.loc;
    return;
  }
  auto p = r.ip_prefix(e, what);
  if (!p) return;
  if (p->value.addr.v6()) {
    d.addresses6.push_back(*p);
    return;
  }
  if (d.address_auto || d.address) {
    r.error(e.loc, what + ": a second IPv4 address " + p->value.str() +
                       "; vkeN has one IPv4 address (-I), add more inside the guest");
    return;
  }
  d.address = Located<Ipv4Prefix>{*Ipv4Prefix::parse(p->value.str()), p->loc};
}


InterfaceDecl read_interface(Reader& r, const YAML::Node& item, size_t index,
                             const std::string& guest) {
  InterfaceDecl d;
  d.loc = r.loc(item);
  std::string iface = "interface vke" + std::to_string(index) + " of guest " + quoted(guest);
  if (item.IsScalar()) {
    d.bridge = {item.Scalar(), d.loc};
    if (item.Scalar().empty()) r.error(d.loc, iface + " names no bridge");
    return d;
  }
  if (!item.IsMap()) {
    r.wrong_type(d.loc, iface, "a bridge name or a mapping {bridge or tap, address, mac}", item);
    return d;
  }
  std::string ctx = "in " + iface;
  bool has_bridge = false, has_tap = false, has_address = false, has_addresses = false;
  r.for_each(item, kInterfaceKeys, ctx, [&](const Entry& e) {
    std::string what = subject(e.key, ctx);
    if (e.key == "bridge") {
      has_bridge = true;
      if (auto s = r.string(e, what)) {
        d.bridge = {*s, e.loc};
        if (s->empty()) r.error(e.loc, iface + " names no bridge");
      }
    } else if (e.key == "tap") {
      has_tap = true;
      d.kind = InterfaceDecl::Kind::Tap;
      d.tap_host = r.address(e, what);
    } else if (e.key == "address") {
      if (has_addresses) r.error(e.loc, iface + " has both \"address\" and \"addresses\"; list them all in \"addresses\"");
      has_address = true;
      read_address(r, e, what, d);
    } else if (e.key == "addresses") {
      if (has_address) r.error(e.loc, iface + " has both \"address\" and \"addresses\"; list them all in \"addresses\"");
      has_addresses = true;
      if (!r.is_list(e, what)) return;
      for (const auto& item : e.value) read_address(r, Entry{e.key, e.key_loc, item, r.loc(item)}, what, d);
    } else if (e.key == "mac") {
      d.mac = r.mac(e, what);
    } else if (e.key == "impair") {
      d.impair = read_impair(r, e, ctx);
    }
  });
  if (has_bridge && has_tap) {
    r.error(d.loc, iface + " has both \"bridge\" and \"tap\"; an interface is one or the other");
  } else if (!has_bridge && !has_tap) {
    r.error(d.loc, iface + " needs \"bridge\" or \"tap\"");
  }
  return d;
}

/// `sysctl: ["net.ipv4.ip_forward=1", …]`: each item split at its first
/// '='; the validator checks names and values.
void read_sysctls(Reader& r, const Entry& e, const std::string& what, GuestDecl& g) {
  g.sysctls.clear();
  for (const auto& item : r.string_list(e, what)) {
    auto eq = item.value.find('=');
    if (eq == std::string::npos || eq == 0) {
      r.error(item.loc, "a sysctl item must be \"name=value\" (e.g. net.ipv4.ip_forward=1), found \"" +
                            item.value + "\"");
      continue;
    }
    g.sysctls.push_back({{item.value.substr(0, eq), item.value.substr(eq + 1)}, item.loc});
  }
}

void read_field(Reader& r, const Entry& e, const std::string& what, const std::string& guest,
                GuestDecl& g) {
  const std::string& k = e.key;
  if (k == "kernel") {
    if (auto s = r.string(e, what)) g.kernel = {*s, e.loc};
  } else if (k == "memory") {
    if (auto s = r.string(e, what)) g.memory = {*s, e.loc};
  } else if (k == "cpus") {
    if (auto n = r.integer(e, what)) g.cpus = Located<int>{*n, e.loc};
  } else if (k == "disks") {
    g.disks = r.string_list(e, what);
  } else if (k == "cdroms") {
    g.cdroms = r.string_list(e, what);
  } else if (k == "env") {
    g.env_loc = e.loc;
    if (!r.is_map(e, what)) return;
    std::string ctx = "in env" + (guest.empty() ? std::string(" of defaults") : " of guest " + quoted(guest));
    r.for_each(e.value, {}, ctx, [&](const Entry& v) {
      if (auto s = r.string(v, subject(v.key, ctx))) g.env.emplace_back(v.key, *s);
    });
  } else if (k == "single_user") {
    if (auto b = r.boolean(e, what)) g.single_user = *b;
  } else if (k == "verbose") {
    if (auto b = r.boolean(e, what)) g.verbose = *b;
  } else if (k == "writable_kernel") {
    if (auto b = r.boolean(e, what)) g.writable_kernel = *b;
  } else if (k == "interfaces") {
    g.interfaces_loc = e.loc;
    if (!r.is_list(e, what)) return;
    for (const auto& item : e.value)
      g.interfaces.push_back(read_interface(r, item, g.interfaces.size(), guest));
  } else if (k == "startup") {
    if (auto s = r.string(e, what)) {
      g.startup = *s;
      // A block (`startup: |`) starts on the line after its indicator, a
      // one-line value on its own line (yaml-cpp marks the value's start).
      const bool block = s->find('\n') != std::string::npos;
      g.startup_sources = {{1, e.loc.file, e.loc.line + (block ? 1 : 0)}};
    }
  } else if (k == "shutdown") {
    if (auto s = r.string(e, what)) g.shutdown = *s;
  } else if (k == "stop_timeout") {
    if (auto d = r.duration(e, what)) g.stop_timeout = *d;
  } else if (k == "ready_timeout") {
    if (auto d = r.duration(e, what)) g.ready_timeout = *d;
  } else if (k == "depends_on") {
    g.depends_on = r.string_list(e, what);
  } else if (k == "root") {
    if (auto s = r.string(e, what)) g.root = Located<std::string>{*s, e.loc};
  } else if (k == "files") {
    if (auto s = r.string(e, what)) g.files = Located<std::string>{*s, e.loc};
  } else if (k == "ifname") {
    if (auto s = r.string(e, what)) g.ifname = {*s, e.loc};
  } else if (k == "sysctl") {
    read_sysctls(r, e, what, g);
  } else if (k == "image") {
    if (auto s = r.string(e, what)) g.image = *s;
  }
}

}  // namespace

GuestFields read_guest(Reader& r, const Entry& e, const std::string& name) {
  GuestFields out;
  out.decl.name = name;
  out.decl.loc = e.key_loc;
  bool defaults = name.empty();
  std::string ctx = defaults ? "in defaults" : "in guest " + quoted(name);
  if (e.value.IsNull()) return out;  // `r3:` alone: a guest with every default
  if (!e.value.IsMap()) {
    r.wrong_type(e.loc, defaults ? "\"defaults\"" : "guest " + quoted(name), "a mapping", e.value);
    return out;
  }
  r.for_each(e.value, kGuestKeys, ctx, [&](const Entry& f) {
    if (defaults && std::find(kPerGuestOnly.begin(), kPerGuestOnly.end(), f.key) != kPerGuestOnly.end()) {
      r.error(f.key_loc, "\"" + f.key + "\" cannot be a default: it is set per guest");
      return;
    }
    out.written.insert(f.key);
    read_field(r, f, subject(f.key, ctx), name, out.decl);
  });
  return out;
}

void apply_defaults(const GuestFields& defaults, GuestFields& guest) {
  const GuestDecl& d = defaults.decl;
  GuestDecl& g = guest.decl;
  for (const auto& k : defaults.written) {
    if (guest.written.count(k)) continue;
    if (k == "kernel") g.kernel = d.kernel;
    else if (k == "memory") g.memory = d.memory;
    else if (k == "cpus") g.cpus = d.cpus;
    else if (k == "disks") g.disks = d.disks;
    else if (k == "cdroms") g.cdroms = d.cdroms;
    else if (k == "env") g.env = d.env, g.env_loc = d.env_loc;
    else if (k == "single_user") g.single_user = d.single_user;
    else if (k == "verbose") g.verbose = d.verbose;
    else if (k == "writable_kernel") g.writable_kernel = d.writable_kernel;
    else if (k == "startup") g.startup = d.startup, g.startup_sources = d.startup_sources;
    else if (k == "shutdown") g.shutdown = d.shutdown;
    else if (k == "stop_timeout") g.stop_timeout = d.stop_timeout;
    else if (k == "ready_timeout") g.ready_timeout = d.ready_timeout;
    else if (k == "root") g.root = d.root;
    else if (k == "ifname") g.ifname = d.ifname;
    else if (k == "sysctl") g.sysctls = d.sysctls;
    else if (k == "image") g.image = d.image;
  }
}

}  // namespace vklab::topology::detail
