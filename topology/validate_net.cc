// Addresses: prefix lengths, subnets, duplicates, tap links, MACs, and the
// resolution of `address: auto`.
#include <algorithm>
#include <map>
#include <set>

#include "common/text.h"
#include "topology/validate_internal.h"

namespace vklab::topology::detail {

namespace {

constexpr int kMinPrefixLen = 1;
constexpr int kMaxPrefixLen = 31;


/// Who holds an address, for "(first by … at L:C)".
struct Holder {
  std::string who;
  SourceLoc loc;
};

/// Prefix length 1..31 (vkernel rejects /0 and /32: "Invalid netmask len").
bool check_len(const Located<Ipv4Prefix>& p, const std::string& what, Diagnostics& d) {
  if (p.value.len >= kMinPrefixLen && p.value.len <= kMaxPrefixLen) return true;
  d.error(p.loc, "invalid prefix length /" + std::to_string(p.value.len) + " in " + what + " " +
                     p.value.str() + ": must be /1../31");
  return false;
}

/// Not the network or broadcast address of its own prefix.
bool check_host(const Located<Ipv4Prefix>& p, const std::string& what, Diagnostics& d) {
  if (p.value.is_host_address()) return true;
  const char* which = p.value.addr == p.value.network() ? "network" : "broadcast";
  d.error(p.loc, what + " " + p.value.str() + " is the " + which +
                     " address of its subnet; use a host address");
  return false;
}

/// Inside the bridge's subnet, with the subnet's prefix length.
void check_in_subnet(const Located<Ipv4Prefix>& p, const std::string& what, const BridgeDecl& b,
                     Diagnostics& d) {
  if (!b.subnet) return;
  const Ipv4Prefix& s = b.subnet->value;
  if (!s.contains(p.value.addr))
    d.error(p.loc, what + " " + p.value.str() + " is outside subnet " + s.str() + " of bridge " +
                       quoted(b.name));
  else if (p.value.len != s.len)
    d.error(p.loc, what + " " + p.value.str() + " has prefix length /" +
                       std::to_string(p.value.len) + " but subnet " + s.str() + " of bridge " +
                       quoted(b.name) + " is /" + std::to_string(s.len));
}

/// Records `a` in `held`; reports when someone already holds it.
void hold(std::map<uint32_t, Holder>& held, Ipv4 a, Holder h, const std::string& clash,
          Diagnostics& d) {
  auto [it, fresh] = held.emplace(a.value, h);
  if (!fresh)
    d.error(h.loc, clash + " (first by " + it->second.who + " at " + line_col(it->second.loc) + ")");
}

bool valid_subnet(const BridgeDecl& b) {
  return b.subnet && b.subnet->value.len >= kMinPrefixLen && b.subnet->value.len <= kMaxPrefixLen;
}

void check_bridge(const BridgeDecl& b, std::map<uint32_t, Holder>& segment,
                  std::map<uint32_t, Holder>& host_side, Diagnostics& d) {
  if (b.subnet && check_len(*b.subnet, "subnet", d)) {
    const Ipv4Prefix& s = b.subnet->value;
    if (s.addr != s.network())
      d.error(b.subnet->loc, "subnet " + s.str() + " has host bits set; did you mean " +
                                 Ipv4Prefix{s.network(), s.len}.str() + "?");
  }
  if (!b.address) return;
  std::string what = "host address";
  if (!check_len(*b.address, what, d) || !check_host(*b.address, what, d)) return;
  check_in_subnet(*b.address, what, b, d);
  Holder h{"bridge " + quoted(b.name), b.address->loc};
  std::string a = b.address->value.addr.str();
  hold(host_side, b.address->value.addr, h, "host address " + a + " is used twice", d);
  hold(segment, b.address->value.addr, h,
       "address " + a + " is used twice on bridge " + quoted(b.name), d);
}

void check_tap_link(const GuestDecl& g, size_t n, std::map<uint32_t, Holder>& host_side,
                    Diagnostics& d) {
  const InterfaceDecl& i = g.interfaces[n];
  if (i.address_auto) {
    d.error(i.loc, "address: auto needs a bridge with a subnet; a tap link needs an explicit address");
    return;
  }
  if (!i.address) {
    d.error(i.loc, "tap link " + iface_name(g, n) +
                       " needs an address for the guest side (address: A.B.C.D/N)");
    return;
  }
  if (!i.tap_host) return;  // malformed; reported by the loader
  const Ipv4Prefix& guest = i.address->value;
  Ipv4 host = i.tap_host->value;
  std::string h = "host address " + host.str();
  Ipv4Prefix net{guest.network(), guest.len};
  if (!guest.contains(host))
    d.error(i.tap_host->loc, h + " is outside " + net.str() + ", the subnet of this tap link");
  else if (host == guest.addr)
    d.error(i.tap_host->loc, h + " is the guest side's address too");
  else if (!Ipv4Prefix{host, guest.len}.is_host_address())
    d.error(i.tap_host->loc, h + " is the " + (host == guest.network() ? "network" : "broadcast") +
                                 " address of " + net.str());
  hold(host_side, host, {"the host end of " + iface_name(g, n), i.tap_host->loc},
       h + " is used twice", d);
}

/// One subnet reachable from the lab's host side (a bridge's host address
/// or a tap link): the host routes to each, so no two may overlap.
struct HostSubnet {
  Ipv4Prefix net;
  Ipv4 host;  ///< the host's own address in it
  Holder holder;
};

void check_host_overlaps(std::vector<HostSubnet> nets, Diagnostics& d) {
  std::stable_sort(nets.begin(), nets.end(), [](const HostSubnet& a, const HostSubnet& b) {
    return a.net.network() < b.net.network() ||
           (a.net.network() == b.net.network() && a.net.len < b.net.len);
  });
  const HostSubnet* widest = nullptr;  // the earlier subnet reaching furthest
  for (const auto& n : nets) {
    if (widest && n.net.network() <= widest->net.broadcast()) {
      if (n.host == widest->host) continue;  // reported as "used twice"
      d.error(n.holder.loc, "host-side subnet " + n.net.str() + " of " + n.holder.who +
                                " overlaps " + widest->net.str() + " of " + widest->holder.who +
                                " at " + line_col(widest->holder.loc) +
                                "; the host could not route to both");
      continue;
    }
    if (!widest || n.net.broadcast() > widest->net.broadcast()) widest = &n;
  }
}

}  // namespace

void check_addresses(const Lab& lab, Diagnostics& d) {
  std::vector<std::map<uint32_t, Holder>> segments(lab.bridges.size());
  std::map<uint32_t, Holder> host_side;
  std::map<Mac, Holder> macs;
  std::vector<HostSubnet> host_nets;
  for (size_t b = 0; b < lab.bridges.size(); ++b) {
    const BridgeDecl& bd = lab.bridges[b];
    if (lab.bridge_index(bd.name) != static_cast<int>(b)) continue;
    check_bridge(bd, segments[b], host_side, d);
    if (bd.address && bd.address->value.len >= kMinPrefixLen && bd.address->value.len <= kMaxPrefixLen)
      host_nets.push_back({{bd.address->value.network(), bd.address->value.len},
                           bd.address->value.addr,
                           {"bridge " + quoted(bd.name), bd.address->loc}});
  }

  for (const auto& g : lab.guests) {
    for (size_t n = 0; n < g.interfaces.size(); ++n) {
      const InterfaceDecl& i = g.interfaces[n];
      std::string who = iface_name(g, n);
      if (i.mac) {
        if (i.mac->value.is_multicast())
          d.error(i.mac->loc, "MAC " + i.mac->value.str() + " is a multicast address; a vke needs a unicast MAC");
        else if (i.mac->value == Mac{})
          d.error(i.mac->loc, "MAC 00:00:00:00:00:00 is not a valid address");
        auto [it, fresh] = macs.emplace(i.mac->value, Holder{who, i.mac->loc});
        if (!fresh)
          d.error(i.mac->loc, "MAC " + i.mac->value.str() + " is used twice (first by " +
                                  it->second.who + " at " + line_col(it->second.loc) + ")");
      }
      if (i.kind == InterfaceDecl::Kind::Tap) {
        if (i.address && (!check_len(*i.address, "address", d) || !check_host(*i.address, "address", d)))
          continue;
        check_tap_link(g, n, host_side, d);
        if (i.address && i.tap_host)
          host_nets.push_back({{i.address->value.network(), i.address->value.len},
                               i.tap_host->value,
                               {"tap link " + who, i.tap_host->loc}});
        continue;
      }
      int b = lab.bridge_index(i.bridge.value);
      if (b < 0) continue;  // unknown bridge: reported by check_references
      const BridgeDecl& bridge = lab.bridges[static_cast<size_t>(b)];
      if (i.address_auto) {
        if (!bridge.subnet)
          d.error(i.loc, "address: auto needs a subnet on bridge " + quoted(bridge.name));
        continue;
      }
      if (!i.address) continue;
      if (!check_len(*i.address, "address", d) || !check_host(*i.address, "address", d)) continue;
      check_in_subnet(*i.address, "address", bridge, d);
      hold(segments[static_cast<size_t>(b)], i.address->value.addr, {who, i.address->loc},
           "address " + i.address->value.addr.str() + " is used twice on bridge " + quoted(bridge.name),
           d);
    }
  }
  check_host_overlaps(std::move(host_nets), d);
}

void assign_auto(Lab& lab, Diagnostics& d) {
  std::set<uint32_t> taken;
  for (const auto& b : lab.bridges)
    if (b.address) taken.insert(b.address->value.addr.value);
  for (const auto& g : lab.guests)
    for (const auto& i : g.interfaces) {
      if (i.address && !i.address_auto) taken.insert(i.address->value.addr.value);
      if (i.tap_host) taken.insert(i.tap_host->value.value);
    }

  for (auto& g : lab.guests) {
    for (auto& i : g.interfaces) {
      if (!i.address_auto || i.kind != InterfaceDecl::Kind::Bridge) continue;
      const BridgeDecl* b = lab.find_bridge(i.bridge.value);
      if (!b || !valid_subnet(*b)) continue;  // reported by check_addresses
      const Ipv4Prefix& s = b->subnet->value;
      uint32_t first = s.network().value, last = s.broadcast().value;
      if (s.len < 31) ++first, --last;
      std::optional<uint32_t> pick;
      for (uint64_t a = first; a <= last; ++a) {
        if (!taken.count(static_cast<uint32_t>(a))) {
          pick = static_cast<uint32_t>(a);
          break;
        }
      }
      if (!pick) {
        d.error(i.loc, "no free address left in subnet " + s.str() + " of bridge " + quoted(b->name));
        continue;
      }
      taken.insert(*pick);
      i.address = Located<Ipv4Prefix>{Ipv4Prefix{Ipv4{*pick}, s.len}, i.loc};
    }
  }
}

}  // namespace vklab::topology::detail
