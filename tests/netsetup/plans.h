// Hand-built plans for the netsetup tests (the compiler's output shape:
// modules, bridges, bridge addresses, uplinks, taps, members, ups).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "topology/plan.h"

namespace vklab::netsetup::testing {

using topology::HostStep;
using Op = HostStep::Op;

inline HostStep make_step(Op op, std::string ifname, std::string member = "",
                          std::string origin = "") {
  HostStep s;
  s.op = op;
  s.ifname = std::move(ifname);
  s.member = std::move(member);
  s.origin = std::move(origin);
  return s;
}

struct PlanShape {
  topology::Target target = topology::Target::Linux;
  int bridges = 0;
  std::vector<std::pair<std::string, std::string>> taps;             ///< tap, bridge
  std::vector<std::pair<std::string, std::string>> bridge_addresses;  ///< bridge, A/N
  std::vector<std::pair<std::string, std::string>> uplinks;           ///< bridge, NIC
};

inline std::vector<HostStep> setup_steps(const PlanShape& p) {
  std::vector<HostStep> out;
  const bool lx = p.target == topology::Target::Linux;
  for (const char* m : lx ? std::vector<const char*>{"bridge", "tun"}
                          : std::vector<const char*>{"if_bridge", "if_tap"}) {
    HostStep s = make_step(Op::LoadModule, "", "", "host");
    s.module = m;
    out.push_back(s);
  }
  if (!lx) out.push_back(make_step(Op::EnableVkernel, "", "", "host"));
  for (int i = 0; i < p.bridges; ++i) out.push_back(make_step(Op::CreateBridge, "bridge" + std::to_string(i)));
  for (const auto& [b, a] : p.bridge_addresses) {
    HostStep s = make_step(Op::AddAddress, b);
    s.address = *Ipv4Prefix::parse(a);
    out.push_back(s);
  }
  for (const auto& [b, nic] : p.uplinks) {
    HostStep s = make_step(Op::AddMember, b, nic);
    s.foreign = true;
    out.push_back(s);
  }
  for (const auto& [t, b] : p.taps) out.push_back(make_step(Op::CreateTap, t));
  for (const auto& [t, b] : p.taps) out.push_back(make_step(Op::AddMember, b, t));
  for (int i = 0; i < p.bridges; ++i) out.push_back(make_step(Op::LinkUp, "bridge" + std::to_string(i)));
  for (const auto& [t, b] : p.taps) out.push_back(make_step(Op::LinkUp, t));
  return out;
}

/// examples/labs/triangle.yaml as the compiler numbers it (bridges lan1,
/// lan2, lan3, r1-r2, r1-r3, r2-r3 = bridge0..5; taps in guest order),
/// plus a host address on bridge0 so addresses are exercised too.
inline PlanShape triangle(topology::Target target = topology::Target::Linux) {
  PlanShape p;
  p.target = target;
  p.bridges = 6;
  const char* tap_bridges[] = {"bridge0", "bridge3", "bridge4",   // r1
                               "bridge1", "bridge3", "bridge5",   // r2
                               "bridge2", "bridge4", "bridge5",   // r3
                               "bridge0", "bridge1", "bridge2"};  // pc1..pc3
  for (int i = 0; i < 12; ++i) p.taps.emplace_back("tap" + std::to_string(i), tap_bridges[i]);
  p.bridge_addresses.emplace_back("bridge0", "10.1.0.254/24");
  return p;
}

}  // namespace vklab::netsetup::testing
