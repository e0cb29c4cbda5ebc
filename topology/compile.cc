#include "topology/compile.h"

#include <set>

#include <filesystem>

#include "common/text.h"

namespace vklab::topology {
namespace {

using Op = HostStep::Op;

HostStep step(Op op, std::string ifname, std::string origin) {
  HostStep s;
  s.op = op;
  s.ifname = std::move(ifname);
  s.origin = std::move(origin);
  return s;
}

std::string resolve_path(const std::string& base, const std::string& p) {
  if (p.empty() || p.front() == '/' || base.empty() || base == ".") return p;
  return base.back() == '/' ? base + p : base + "/" + p;
}

/// An absolute path for the guest: relative ones from the lab file's
/// folder, made lexically normal (no I/O).
std::string guest_path(const std::string& base, const std::string& p) {
  return std::filesystem::path(resolve_path(base, p)).lexically_normal().string();
}

/// What makes a bundled guest a machine of its own (vkernel/cmdline.h):
/// -e variables and the plan files they name.
void machine_env(const Lab& lab, const GuestDecl& g, const CompileOptions& opts, Plan& plan,
                 GuestLaunch& gl) {
  auto& env = gl.cmdline.env;
  if (g.root) env.emplace_back(vkernel::kEnvRoot, guest_path(opts.base_dir, g.root->value));
  if (!g.files_dir.empty()) env.emplace_back(vkernel::kEnvFiles, g.files_dir);
  if (!lab.shared_dir.empty()) env.emplace_back(vkernel::kEnvShared, lab.shared_dir);
  env.emplace_back(vkernel::kEnvLayer, plan.state_dir + "/" + g.name + ".layer");
  if (g.ifname.value != kDefaultIfname) env.emplace_back(vkernel::kEnvIfname, g.ifname.value);
  if (!g.sysctls.empty()) {
    std::string text;
    for (const auto& s : g.sysctls) text += s.value.first + "=" + s.value.second + "\n";
    std::string path = plan.state_dir + "/" + g.name + ".sysctl";
    plan.files.push_back({path, text, 0644});
    env.emplace_back(vkernel::kEnvSysctl, path);
  }
  if (!g.files_dir.empty()) gl.files_dir = g.files_dir;
  else if (!opts.base_dir.empty() && opts.base_dir.front() == '/')
    gl.files_dir = guest_path(opts.base_dir, g.name);
}

/// A real vkernel boots from its image: say what of the lab it misses.
std::string machine_note(const Lab& lab, const GuestDecl& g) {
  std::vector<std::string> what;
  if (g.root) what.push_back("root: " + g.root->value);
  if (!g.files_dir.empty()) what.push_back("its folder " + g.files_dir);
  if (!lab.shared_dir.empty()) what.push_back("the shared folder " + lab.shared_dir);
  if (g.ifname.value != kDefaultIfname) what.push_back("ifname: " + g.ifname.value);
  if (!g.sysctls.empty())
    what.push_back("sysctl: " + std::to_string(g.sysctls.size()) +
                   (g.sysctls.size() == 1 ? " parameter" : " parameters"));
  if (what.empty()) return "";
  return g.name + ": " + join(what, "; ") +
         " — not used by a real vkernel, which boots from its -r/-c image; put them in the image";
}

/// Interface names for `count` objects of `prefix`: `kept(k)` when it
/// names one (from CompileOptions::keep_names), else the lowest unit
/// neither kept nor in `reserved`.
template <class Kept>
std::vector<std::string> unit_names(const std::string& prefix, size_t count, Kept kept,
                                    std::set<std::string> reserved) {
  std::vector<std::string> out(count);
  for (size_t k = 0; k < count; ++k)
    if (auto n = kept(k); !n.empty()) out[k] = n, reserved.insert(n);
  int unit = 0;
  for (auto& n : out) {
    if (!n.empty()) continue;
    while (reserved.count(prefix + std::to_string(unit))) ++unit;
    n = prefix + std::to_string(unit++);
  }
  return out;
}

/// The links file of a bundled guest (always, so that `vklab impair` and
/// `vklab link` reach every interface at run time), or a note where the
/// kernel cannot take one.
void add_links(Plan& plan, GuestLaunch& gl, Target target) {
  std::vector<vkernel::LinkConfig> links;
  std::vector<std::string> shaped;
  for (const auto& i : gl.ifaces) {
    links.push_back({i.index, true, i.impair});
    if (i.impair) shaped.push_back("vke" + std::to_string(i.index));
  }
  if (gl.ifaces.empty()) return;
  if (gl.bundled) {
    std::string path = plan.state_dir + "/" + gl.name + ".links";
    plan.files.push_back({path, vkernel::format_links(links), 0644});
    gl.cmdline.env.emplace_back(vkernel::kEnvLinks, path);
  } else if (!shaped.empty() && target == Target::DragonFly) {
    plan.notes.push_back(gl.name + ": impair: of " + join(shaped, ", ") +
                         " is rendered as dummynet pipes in the script (vklab plan --format sh); "
                         "they need ipfw and dummynet loaded (kldload ipfw dummynet) and, for bridged taps, "
                         "sysctl net.link.bridge.ipfw=1; jitter, corrupt, duplicate and reorder have no "
                         "dummynet equivalent and are left out");
  } else if (!shaped.empty()) {
    plan.notes.push_back(gl.name + ": impair: of " + join(shaped, ", ") +
                         " is not applied: only the bundled guest (kernel: auto) shapes its interfaces");
  }
}

}  // namespace

std::string default_state_dir(Target target, const std::string& lab) {
  return (target == Target::Linux ? "/run/vklab/" : "/var/run/vklab/") + lab;
}

Plan compile(const Lab& lab, const CompileOptions& opts) {
  Plan plan;
  plan.lab = lab.name.value;
  plan.description = lab.description;
  plan.meta = lab.meta;
  plan.target = opts.target;
  // DragonFly has no network namespaces: the host's network (validate()
  // refuses an explicit `network: isolated` there).
  plan.network = opts.target == Target::DragonFly ? NetworkMode::Host : lab.network.value;
  plan.state_dir = opts.state_dir.empty() ? default_state_dir(opts.target, plan.lab) : opts.state_dir;
  plan.checks = lab.checks;
  const bool linux_target = opts.target == Target::Linux;
  const std::string auto_kernel = !opts.auto_kernel.empty() ? opts.auto_kernel
                                  : linux_target            ? kDefaultLinuxKernel
                                                            : kDefaultDragonFlyKernel;

  // Modules first: kldload on DragonFly, a support check on Linux.
  for (const char* m : linux_target ? std::vector<const char*>{"bridge", "tun"}
                                    : std::vector<const char*>{"if_bridge", "if_tap"}) {
    HostStep s = step(Op::LoadModule, "", "host");
    s.module = m;
    plan.setup.push_back(s);
  }
  if (!linux_target) plan.setup.push_back(step(Op::EnableVkernel, "", "host"));
  // `host: forwarding:`: IPv4 always, IPv6 only when the lab uses IPv6 (on
  // a host, IPv6 forwarding also stops the host taking router adverts).
  if (lab.host.forwarding)
    for (int family : lab.uses_ipv6() ? std::vector<int>{4, 6} : std::vector<int>{4}) {
      HostStep s = step(Op::SetForwarding, "", "host forwarding");
      s.family = family;
      s.enable = lab.host.forwarding->value;
      plan.setup.push_back(s);
    }

  // Interface names: bridges by declaration order, taps by guest
  // declaration order then interface order (or kept, see keep_names).
  const Plan* prev = opts.keep_names;
  std::set<std::string> prev_bridges, prev_taps;
  if (prev) {
    for (const auto& s : prev->setup) {
      if (s.op == Op::CreateBridge) prev_bridges.insert(s.ifname);
      if (s.op == Op::CreateTap) prev_taps.insert(s.ifname);
    }
  }
  auto kept_bridge = [&](size_t i) -> std::string {
    if (!prev) return "";
    for (const auto& s : prev->setup)
      if (s.op == Op::CreateBridge && s.origin == "bridge " + lab.bridges[i].name) return s.ifname;
    return "";
  };
  const std::vector<std::string> bridge_names = unit_names("bridge", lab.bridges.size(), kept_bridge, prev_bridges);
  auto bridge_if = [&](size_t i) { return bridge_names[i]; };
  std::vector<std::pair<std::string, size_t>> tap_keys;  // (guest, vkeN) in numbering order
  for (const auto& g : lab.guests)
    for (size_t n = 0; n < g.interfaces.size(); ++n) tap_keys.emplace_back(g.name, n);
  auto kept_tap = [&](size_t k) -> std::string {
    const GuestLaunch* pg = prev ? prev->find_guest(tap_keys[k].first) : nullptr;
    if (pg)
      for (const auto& i : pg->ifaces)
        if (i.index == static_cast<int>(tap_keys[k].second)) return pg->tap(i);
    return "";
  };
  const std::vector<std::string> tap_names = unit_names("tap", tap_keys.size(), kept_tap, prev_taps);

  std::vector<HostStep> addresses, uplinks, taps, members, ups;
  for (size_t i = 0; i < lab.bridges.size(); ++i) {
    const auto& b = lab.bridges[i];
    const std::string origin = "bridge " + b.name;
    plan.setup.push_back(step(Op::CreateBridge, bridge_if(i), origin));
    if (b.address) {
      HostStep s = step(Op::AddAddress, bridge_if(i), origin);
      s.address = b.address->value;
      addresses.push_back(s);
    }
    for (const auto& a : b.addresses6) {
      HostStep s = step(Op::AddAddress, bridge_if(i), origin);
      s.prefix = a.value;
      addresses.push_back(s);
    }
    if (b.uplink) {
      HostStep s = step(Op::AddMember, bridge_if(i), origin);
      s.member = b.uplink->value;
      s.foreign = true;
      uplinks.push_back(s);
    }
    ups.push_back(step(Op::LinkUp, bridge_if(i), origin));
  }

  // Taps are numbered in guest declaration order, then interface order.
  std::vector<GuestLaunch> launches;  // by guest index
  launches.reserve(lab.guests.size());
  int tap_unit = 0;
  for (const auto& g : lab.guests) {
    GuestLaunch gl;
    gl.name = g.name;
    const bool bundled = g.kernel.value == "auto" && linux_target;
    gl.bundled = bundled;
    gl.console_log = plan.state_dir + "/" + g.name + ".console.log";
    gl.stop_timeout = g.stop_timeout.value;
    gl.ready_timeout = g.ready_timeout.value;
    for (const auto& d : g.depends_on) gl.depends_on.push_back(d.value);
    gl.startup_sources = g.startup_sources;

    auto& c = gl.cmdline;
    c.kernel = g.kernel.value == "auto" ? auto_kernel : g.kernel.value;
    c.memory = g.memory.value;
    if (g.cpus) c.ncpus = std::to_string(g.cpus->value);
    c.single_user = g.single_user;
    c.verbose = g.verbose;
    c.writable_kernel = g.writable_kernel;
    for (const auto& d : g.disks)
      c.disks.push_back({vkernel::Disk::Kind::ReadWrite, resolve_path(opts.base_dir, d.value), ""});
    for (const auto& d : g.cdroms)
      c.disks.push_back({vkernel::Disk::Kind::Cdrom, resolve_path(opts.base_dir, d.value), ""});
    c.env = g.env;
    if (!bundled && (!g.startup.empty() || !g.shutdown.empty()))
      plan.notes.push_back(g.name + ": startup/shutdown commands are not passed to this kernel; "
                           "put them in the guest image (/etc/rc.local, /etc/rc.shutdown.local)");
    if (!bundled)
      if (auto note = machine_note(lab, g); !note.empty()) plan.notes.push_back(note);
    if (bundled) {
      c.env.emplace_back(vkernel::kEnvHostname, g.name);
      if (!g.startup.empty()) {
        std::string path = plan.state_dir + "/" + g.name + ".rc";
        plan.files.push_back({path, g.startup, 0644});
        c.env.emplace_back(vkernel::kEnvRc, path);
      }
      if (!g.shutdown.empty()) {
        std::string path = plan.state_dir + "/" + g.name + ".rc.shutdown";
        plan.files.push_back({path, g.shutdown, 0644});
        c.env.emplace_back(vkernel::kEnvRcShutdown, path);
      }
      machine_env(lab, g, opts, plan, gl);
    }
    std::string addrs;  // "vkeN ADDR/LEN" lines for kEnvAddrs

    for (size_t n = 0; n < g.interfaces.size(); ++n) {
      const auto& ifc = g.interfaces[n];
      const std::string tap = tap_names[static_cast<size_t>(tap_unit++)];
      const std::string origin = g.name + " vke" + std::to_string(n);
      GuestIface gi;
      gi.index = static_cast<int>(n);
      vkernel::NetIf ni;
      ni.iface = tap;
      if (ifc.address) {
        ni.addr2 = ifc.address->value.addr;
        ni.netmask = ifc.address->value.len;
      }
      if (ifc.mac) ni.mac = ifc.mac->value;
      for (const auto& a : ifc.addresses6) {
        gi.addresses6.push_back(a.value);
        addrs += "vke" + std::to_string(n) + " " + a.value.str() + "\n";
      }
      plan.setup.push_back(step(Op::CreateTap, tap, origin));
      if (ifc.kind == InterfaceDecl::Kind::Bridge) {
        int bi = lab.bridge_index(ifc.bridge.value);
        ni.bridge = bridge_if(static_cast<size_t>(bi < 0 ? 0 : bi));
        gi.bridge_decl = ifc.bridge.value;
        HostStep m = step(Op::AddMember, ni.bridge, origin);
        m.member = tap;
        members.push_back(m);
      } else if (ifc.tap_host) {
        ni.addr1 = ifc.tap_host->value;
      }
      if (ifc.impair) {
        gi.impair = ifc.impair->value;
      } else if (ifc.kind == InterfaceDecl::Kind::Bridge) {
        if (const BridgeDecl* b = lab.find_bridge(ifc.bridge.value); b && b->impair) gi.impair = b->impair->value;
      }
      ups.push_back(step(Op::LinkUp, tap, origin));
      c.netifs.push_back(ni);
      gl.ifaces.push_back(gi);
    }
    if (!addrs.empty() && bundled) {
      std::string path = plan.state_dir + "/" + g.name + ".addrs";
      plan.files.push_back({path, addrs, 0644});
      c.env.emplace_back(vkernel::kEnvAddrs, path);
    } else if (!addrs.empty()) {
      std::string list;
      for (const auto& gi : gl.ifaces)
        for (const auto& a : gi.addresses6) list += (list.empty() ? "" : ", ") + ("vke" + std::to_string(gi.index)) + " " + a.str();
      plan.notes.push_back(g.name + ": IPv6 addresses are not passed to this kernel (-I is IPv4 only); "
                           "configure them in the guest image: " + list);
    }
    add_links(plan, gl, opts.target);
    c.pidfile = plan.state_dir + "/" + g.name + ".pid";
    launches.push_back(std::move(gl));
  }

  // Reorder: CreateTap steps were appended after CreateBridge above; keep the
  // documented phase order: bridges, bridge addresses, uplinks, taps, members, ups.
  std::vector<HostStep> ordered;
  std::vector<HostStep> tap_creates;
  for (auto& s : plan.setup) (s.op == Op::CreateTap ? tap_creates : ordered).push_back(s);
  // Host routes last: their gateways are reachable once the links are up.
  std::vector<HostStep> routes;
  for (const auto& r : lab.host.routes) {
    HostStep s = step(Op::AddRoute, "", "host route");
    s.prefix = r.to.value;
    s.via = r.via.value;
    routes.push_back(s);
  }
  for (auto* group : {&addresses, &uplinks, &tap_creates, &members, &ups, &routes})
    ordered.insert(ordered.end(), group->begin(), group->end());
  plan.setup = std::move(ordered);

  plan.guests.reserve(launches.size());
  if (lab.launch_order.size() == lab.guests.size()) {
    for (size_t i : lab.launch_order) plan.guests.push_back(std::move(launches[i]));
  } else {
    for (auto& gl : launches) plan.guests.push_back(std::move(gl));
  }

  // Teardown: host routes removed and forwarding turned off first (for
  // a rendered script; labd restores what it recorded, see applier.h), then
  // uplink memberships released, then taps and bridges destroyed,
  // each in reverse creation order. Addresses and memberships of our own
  // links go with the links.
  for (auto it = routes.rbegin(); it != routes.rend(); ++it) {
    HostStep s = *it;
    s.op = Op::DelRoute;
    plan.teardown.push_back(s);
  }
  for (const auto& f : plan.setup)
    if (f.op == Op::SetForwarding && f.enable) {
      HostStep s = f;
      s.enable = false;
      plan.teardown.push_back(s);
    }
  for (auto it = uplinks.rbegin(); it != uplinks.rend(); ++it) {
    HostStep s = *it;
    s.op = Op::RemoveMember;
    plan.teardown.push_back(s);
  }
  for (auto it = tap_creates.rbegin(); it != tap_creates.rend(); ++it)
    plan.teardown.push_back(step(Op::DestroyLink, it->ifname, it->origin));
  for (size_t i = lab.bridges.size(); i-- > 0;)
    plan.teardown.push_back(step(Op::DestroyLink, bridge_if(i), "bridge " + lab.bridges[i].name));
  return plan;
}

const GuestLaunch* Plan::find_guest(const std::string& name) const {
  for (const auto& g : guests)
    if (g.name == name) return &g;
  return nullptr;
}

namespace {
const vkernel::NetIf* netif(const vkernel::Cmdline& c, const GuestIface& i) {
  return i.index >= 0 && static_cast<size_t>(i.index) < c.netifs.size() ? &c.netifs[i.index] : nullptr;
}
}  // namespace

std::string GuestLaunch::tap(const GuestIface& i) const {
  const auto* n = netif(cmdline, i);
  return n ? n->tap_name() : "";
}

std::string GuestLaunch::bridge(const GuestIface& i) const {
  const auto* n = netif(cmdline, i);
  return n ? n->bridge : "";
}

std::optional<Ipv4Prefix> GuestLaunch::address(const GuestIface& i) const {
  const auto* n = netif(cmdline, i);
  if (!n || !n->addr2) return std::nullopt;
  return Ipv4Prefix{*n->addr2, n->netmask.value_or(32)};
}

std::optional<Ipv4> GuestLaunch::host_address(const GuestIface& i) const {
  const auto* n = netif(cmdline, i);
  return n ? n->addr1 : std::nullopt;
}

}  // namespace vklab::topology
