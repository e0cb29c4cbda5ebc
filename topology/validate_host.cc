// IPv6 addresses (subnet6, addresses6, `auto6`), the lab's host side
// (`host:` forwarding and routes) and the address checks that span the
// whole lab (one guest's own duplicates, overlapping bridge subnets,
// check targets nobody holds).
#include <algorithm>
#include <map>
#include <set>

#include "common/text.h"
#include "topology/validate_internal.h"

namespace vklab::topology::detail {

namespace {

struct Holder {
  std::string who;
  SourceLoc loc;
};

/// Prefix length 1..128, not the network (Subnet-Router anycast) address.
bool check_v6(const Located<IpPrefix>& p, const std::string& what, Diagnostics& d) {
  if (p.value.len < 1) {
    d.error(p.loc, "invalid prefix length /0 in " + what + " " + p.value.str());
    return false;
  }
  if (p.value.len < 127 && p.value.is_network()) {
    d.error(p.loc, what + " " + p.value.str() +
                       " is the subnet's own (Subnet-Router anycast) address; use a host address");
    return false;
  }
  return true;
}

void check_in_subnet6(const Located<IpPrefix>& p, const std::string& what, const BridgeDecl& b,
                      Diagnostics& d) {
  if (!b.subnet6) return;
  const IpPrefix& s = b.subnet6->value;
  if (!s.contains(p.value.addr))
    d.error(p.loc, what + " " + p.value.str() + " is outside subnet6 " + s.str() + " of bridge " +
                       quoted(b.name));
  else if (p.value.len != s.len)
    d.error(p.loc, what + " " + p.value.str() + " has prefix length /" + std::to_string(p.value.len) +
                       " but subnet6 " + s.str() + " of bridge " + quoted(b.name) + " is /" +
                       std::to_string(s.len));
}

void hold(std::map<IpAddr, Holder>& held, const IpAddr& a, Holder h, const std::string& clash,
          Diagnostics& d) {
  auto [it, fresh] = held.emplace(a, h);
  if (!fresh)
    d.error(h.loc, clash + " (first by " + it->second.who + " at " + line_col(it->second.loc) + ")");
}

IpPrefix to_ip(const Ipv4Prefix& p) { return IpPrefix{IpAddr::v4(p.addr.value), p.len}; }

/// A subnet the lab's host side is on, with the host's own address in it.
struct HostNet {
  IpPrefix net;
  IpAddr self;
};

std::vector<HostNet> host_nets(const Lab& lab) {
  std::vector<HostNet> out;
  for (const auto& b : lab.bridges) {
    if (b.address) out.push_back({to_ip(b.address->value).network(), IpAddr::v4(b.address->value.addr.value)});
    for (const auto& a : b.addresses6) out.push_back({a.value.network(), a.value.addr});
  }
  for (const auto& g : lab.guests)
    for (const auto& i : g.interfaces)
      if (i.kind == InterfaceDecl::Kind::Tap && i.address && i.tap_host)
        out.push_back({to_ip(i.address->value).network(), IpAddr::v4(i.tap_host->value.value)});
  return out;
}

void check_routes(const Lab& lab, Diagnostics& d) {
  const auto nets = host_nets(lab);
  std::map<IpPrefix, SourceLoc> seen;
  for (const auto& r : lab.host.routes) {
    const IpPrefix& to = r.to.value;
    const IpAddr& via = r.via.value;
    if (!to.is_network()) {
      d.error(r.to.loc, "route destination " + to.str() + " has host bits set; did you mean " +
                            to.network().str() + "?");
      continue;
    }
    if (to.addr.family != via.family) {
      d.error(r.via.loc, std::string("gateway ") + via.str() + " is " + (via.v6() ? "IPv6" : "IPv4") +
                             " but the destination " + to.str() + " is " + (to.addr.v6() ? "IPv6" : "IPv4"));
      continue;
    }
    auto [it, fresh] = seen.emplace(to, r.to.loc);
    if (!fresh)
      d.error(r.to.loc, "a second host route to " + to.str() + " (first at " + line_col(it->second) + ")");
    bool onlink = false, self = false;
    for (const auto& n : nets) {
      if (!n.net.contains(via)) continue;
      onlink = true;
      self = self || n.self == via;
    }
    if (self)
      d.error(r.via.loc, "gateway " + via.str() + " is the host side's own address; name a guest's address");
    else if (!onlink)
      d.error(r.via.loc, "gateway " + via.str() +
                             " is in no subnet the host side is on (a bridge's host address or a tap link); "
                             "the kernel could not reach it");
  }
}

/// Every address a guest or the host side holds, for check targets.
std::set<IpAddr> lab_addresses(const Lab& lab) {
  std::set<IpAddr> out;
  for (const auto& b : lab.bridges) {
    if (b.address) out.insert(IpAddr::v4(b.address->value.addr.value));
    for (const auto& a : b.addresses6) out.insert(a.value.addr);
  }
  for (const auto& g : lab.guests)
    for (const auto& i : g.interfaces) {
      if (i.address) out.insert(IpAddr::v4(i.address->value.addr.value));
      if (i.tap_host) out.insert(IpAddr::v4(i.tap_host->value.value));
      for (const auto& a : i.addresses6) out.insert(a.value.addr);
    }
  return out;
}

}  // namespace

void check_ipv6(const Lab& lab, Target target, Diagnostics& d) {
  std::vector<std::map<IpAddr, Holder>> segments(lab.bridges.size());
  std::map<IpAddr, Holder> host_side;
  for (size_t b = 0; b < lab.bridges.size(); ++b) {
    const BridgeDecl& bd = lab.bridges[b];
    if (lab.bridge_index(bd.name) != static_cast<int>(b)) continue;
    if (bd.subnet6) {
      const IpPrefix& s = bd.subnet6->value;
      if (s.len < 1 || s.len > 127)
        d.error(bd.subnet6->loc, "invalid prefix length /" + std::to_string(s.len) + " in subnet6 " + s.str() +
                                     ": must be /1../127");
      else if (!s.is_network())
        d.error(bd.subnet6->loc, "subnet6 " + s.str() + " has host bits set; did you mean " + s.network().str() + "?");
    }
    for (const auto& a : bd.addresses6) {
      if (!check_v6(a, "host address", d)) continue;
      check_in_subnet6(a, "host address", bd, d);
      Holder h{"bridge " + quoted(bd.name), a.loc};
      hold(host_side, a.value.addr, h, "host address " + a.value.addr.str() + " is used twice", d);
      hold(segments[b], a.value.addr, h,
           "address " + a.value.addr.str() + " is used twice on bridge " + quoted(bd.name), d);
    }
  }
  for (const auto& g : lab.guests) {
    const bool real_kernel = g.kernel.value != "auto" || target != Target::Linux;
    bool warned = false;
    for (size_t n = 0; n < g.interfaces.size(); ++n) {
      const InterfaceDecl& i = g.interfaces[n];
      const std::string who = iface_name(g, n);
      if (real_kernel && !warned && (!i.addresses6.empty() || i.address6_auto)) {
        warned = true;
        d.warning(i.addresses6.empty() ? i.address6_auto_loc : i.addresses6.front().loc,
                  "guest " + quoted(g.name) + ": IPv6 addresses are not passed to a real vkernel "
                  "(-I is IPv4 only); the plan notes them, configure them in the guest image");
      }
      const BridgeDecl* bridge = nullptr;
      int b = -1;
      if (i.kind == InterfaceDecl::Kind::Bridge) {
        b = lab.bridge_index(i.bridge.value);
        if (b >= 0) bridge = &lab.bridges[static_cast<size_t>(b)];
      }
      if (i.address6_auto && (!bridge || !bridge->subnet6))
        d.error(i.address6_auto_loc, bridge ? "address: auto6 needs a subnet6 on bridge " + quoted(bridge->name)
                                            : std::string("address: auto6 needs a bridge with a subnet6"));
      for (const auto& a : i.addresses6) {
        if (!check_v6(a, "address", d)) continue;
        if (!bridge) continue;
        check_in_subnet6(a, "address", *bridge, d);
        hold(segments[static_cast<size_t>(b)], a.value.addr, {who, a.loc},
             "address " + a.value.addr.str() + " is used twice on bridge " + quoted(bridge->name), d);
      }
    }
  }
}

void assign_auto6(Lab& lab, Diagnostics& d) {
  std::set<IpAddr> taken = lab_addresses(lab);
  for (auto& g : lab.guests)
    for (auto& i : g.interfaces) {
      if (!i.address6_auto || i.kind != InterfaceDecl::Kind::Bridge) continue;
      const BridgeDecl* b = lab.find_bridge(i.bridge.value);
      if (!b || !b->subnet6 || b->subnet6->value.len < 1 || b->subnet6->value.len > 127) continue;
      const IpPrefix s = b->subnet6->value.network();
      // The first free address after the subnet's own (::1, ::2, …); a
      // lab holds far fewer than 2^16 interfaces, so the search is short.
      std::optional<IpAddr> pick;
      IpAddr a = s.addr;
      for (int tries = 0; tries < 65536; ++tries) {
        for (int k = 15; k >= 0; --k)
          if (++a.bytes[static_cast<size_t>(k)] != 0) break;
        if (!s.contains(a)) break;
        if (!taken.count(a)) {
          pick = a;
          break;
        }
      }
      if (!pick) {
        d.error(i.address6_auto_loc, "no free address left in subnet6 " + s.str() + " of bridge " + quoted(b->name));
        continue;
      }
      taken.insert(*pick);
      i.addresses6.push_back({IpPrefix{*pick, s.len}, i.address6_auto_loc});
    }
}

void check_host_side(const Lab& lab, Diagnostics& d) { check_routes(lab, d); }

void check_lab_addresses(const Lab& lab, Diagnostics& d) {
  // One guest holding an address twice (on two of its interfaces).
  for (const auto& g : lab.guests) {
    std::map<IpAddr, Holder> own;
    for (size_t n = 0; n < g.interfaces.size(); ++n) {
      const InterfaceDecl& i = g.interfaces[n];
      std::vector<Located<IpAddr>> addrs;
      if (i.address && !i.address_auto) addrs.push_back({IpAddr::v4(i.address->value.addr.value), i.address->loc});
      for (const auto& a : i.addresses6)
        if (!(i.address6_auto && a.loc == i.address6_auto_loc)) addrs.push_back({a.value.addr, a.loc});
      for (const auto& a : addrs) {
        auto [it, fresh] = own.emplace(a.value, Holder{iface_name(g, n), a.loc});
        if (!fresh && it->second.who != iface_name(g, n))
          d.error(a.loc, "address " + a.value.str() + " is on two interfaces of guest " + quoted(g.name) +
                             " (first on " + it->second.who + " at " + line_col(it->second.loc) + ")");
      }
    }
  }

  // Subnets of different bridges that overlap: a /24 and a /25 inside it
  // make routing to either ambiguous. A warning: separate sites may reuse
  // a private range on purpose.
  struct Net {
    IpPrefix net;
    std::string who;
    SourceLoc loc;
  };
  std::vector<Net> nets;
  for (size_t b = 0; b < lab.bridges.size(); ++b) {
    const BridgeDecl& bd = lab.bridges[b];
    std::optional<Net> n;
    if (bd.subnet) n = Net{to_ip(bd.subnet->value).network(), "bridge " + quoted(bd.name), bd.subnet->loc};
    else {
      // Without a subnet: the first member address says it; the others must agree.
      const Located<Ipv4Prefix>* first = nullptr;
      std::string first_who;
      for (const auto& g : lab.guests)
        for (size_t k = 0; k < g.interfaces.size(); ++k) {
          const auto& i = g.interfaces[k];
          if (i.kind != InterfaceDecl::Kind::Bridge || i.bridge.value != bd.name || !i.address) continue;
          if (!first) {
            first = &*i.address;
            first_who = iface_name(g, k);
            continue;
          }
          const Ipv4Prefix& a = i.address->value;
          const Ipv4Prefix& f = first->value;
          if (a.len != f.len || a.network() != f.network())
            d.warning(i.address->loc, "address " + a.str() + " of " + iface_name(g, k) + " and " + f.str() + " of " +
                                          first_who + " (at " + line_col(first->loc) + ") are in different subnets on bridge " +
                                          quoted(bd.name) + "; give the bridge a subnet, or fix the prefix length");
        }
      if (first) n = Net{to_ip(first->value).network(), "bridge " + quoted(bd.name), first->loc};
    }
    if (n) nets.push_back(*n);
    if (bd.subnet6) nets.push_back({bd.subnet6->value.network(), "bridge " + quoted(bd.name), bd.subnet6->loc});
  }
  for (size_t a = 0; a < nets.size(); ++a)
    for (size_t b = a + 1; b < nets.size(); ++b)
      if (nets[a].who != nets[b].who && nets[a].net.overlaps(nets[b].net))
        d.warning(nets[b].loc, "subnet " + nets[b].net.str() + " of " + nets[b].who + " overlaps " + nets[a].net.str() +
                                   " of " + nets[a].who + " at " + line_col(nets[a].loc) +
                                   "; a router on both could not tell them apart");

  // Check targets (ping, tcp) that no guest or host side holds.
  const auto held = lab_addresses(lab);
  for (const auto& c : lab.checks) {
    if (c.kind != CheckDecl::Kind::Ping && c.kind != CheckDecl::Kind::Tcp) continue;
    auto a = IpAddr::parse(c.target.value);
    if (!a || held.count(*a)) continue;
    d.warning(c.target.loc, std::string(kind_name(c.kind)) + " target " + a->str() +
                                " is no address of this lab (no guest interface or bridge holds it)");
  }
}

}  // namespace vklab::topology::detail
