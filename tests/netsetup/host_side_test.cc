// The lab's host side (`host:` forwarding and routes) and IPv6 bridge
// addresses through the applier, over FakeHost: what is set, what is
// recorded, what teardown restores, and what is never touched.
#include <doctest/doctest.h>

#include <algorithm>

#include "hostnet/fake_host.h"
#include "netsetup/applier.h"
#include "plans.h"

using namespace vklab;
using namespace vklab::netsetup;
using namespace vklab::hostnet;
using namespace vklab::netsetup::testing;

namespace {

HostStep forwarding(int family, bool on) {
  HostStep s = make_step(Op::SetForwarding, "", "", "host forwarding");
  s.family = family;
  s.enable = on;
  return s;
}

HostStep route(const char* to, const char* via, Op op = Op::AddRoute) {
  HostStep s = make_step(op, "", "", "host route");
  s.prefix = IpPrefix::parse(to);
  s.via = IpAddr::parse(via);
  return s;
}

std::vector<HostStep> host_side_plan() {
  std::vector<HostStep> steps = {forwarding(4, true), forwarding(6, true),
                                 make_step(Op::CreateBridge, "bridge0", "", "bridge wan")};
  HostStep a6 = make_step(Op::AddAddress, "bridge0", "", "bridge wan");
  a6.prefix = IpPrefix::parse("2001:db8::1/64");
  steps.push_back(a6);
  steps.push_back(make_step(Op::LinkUp, "bridge0", "", "bridge wan"));
  steps.push_back(route("10.2.0.0/24", "10.0.0.2"));
  steps.push_back(route("2001:db8:2::/64", "2001:db8::2"));
  return steps;
}

ApplyOptions host_mode() {
  ApplyOptions o;
  o.lab = "v6";
  o.network = topology::NetworkMode::Host;
  return o;
}

}  // namespace

TEST_CASE("host side: forwarding and routes are set and recorded; teardown restores them") {
  FakeHost h;
  h.forward[6] = true;  // already on: left as it is, nothing to restore
  Applier a(h, host_mode());
  REQUIRE(a.apply(host_side_plan()).ok());
  CHECK(h.forward[4]);
  CHECK(h.routes == std::set<std::string>{"10.2.0.0/24 via 10.0.0.2", "2001:db8:2::/64 via 2001:db8::2"});
  CHECK(h.addresses6.at("bridge0") == std::vector<IpPrefix>{*IpPrefix::parse("2001:db8::1/64")});
  auto muts = h.mutations();
  CHECK(std::count(muts.begin(), muts.end(), "set_forwarding 6 1") == 0);

  std::vector<std::string> rec;
  for (const auto& o : a.created()) rec.push_back(to_string(o));
  CHECK(rec == std::vector<std::string>{"IPv4 forwarding (was 0)", "bridge bridge0",
                                        "route 10.2.0.0/24 via 10.0.0.2", "route 2001:db8:2::/64 via 2001:db8::2"});

  h.calls.clear();
  REQUIRE(teardown(h, a.created(), {"v6"}).ok());
  CHECK(h.routes.empty());
  CHECK_FALSE(h.forward[4]);
  CHECK(h.forward[6]);  // never ours
  CHECK(h.links.empty());
  // Routes go first (before their links), forwarding is restored last.
  auto first_route = std::find(h.calls.begin(), h.calls.end(), "del_route 2001:db8:2::/64 via 2001:db8::2");
  auto restore = std::find(h.calls.begin(), h.calls.end(), "set_forwarding 4 0");
  auto destroy = std::find(h.calls.begin(), h.calls.end(), "destroy_tagged vklab:v6");
  REQUIRE(first_route != h.calls.end());
  REQUIRE(restore != h.calls.end());
  CHECK(first_route < destroy);
  CHECK(destroy < restore);
}

TEST_CASE("host side: a route the host already has is not this lab's: refused, never removed") {
  FakeHost h;
  h.routes.insert("10.2.0.0/24 via 192.168.1.1");
  Applier a(h, host_mode());
  Status s = a.apply(host_side_plan());
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("route to 10.2.0.0/24: the host has one already") != std::string::npos);
  CHECK(h.routes == std::set<std::string>{"10.2.0.0/24 via 192.168.1.1"});
  CHECK_FALSE(h.forward[4]);  // rolled back
  CHECK(h.links.empty());
}

TEST_CASE("host side: a failing route rolls back forwarding and links") {
  FakeHost h;
  h.fail_on.insert("add_route 2001:db8:2::/64 via 2001:db8::2");
  Applier a(h, host_mode());
  REQUIRE_FALSE(a.apply(host_side_plan()).ok());
  CHECK(h.routes.empty());
  CHECK_FALSE(h.forward[4]);
  CHECK(h.links.empty());
  CHECK(a.created().empty());
}

TEST_CASE("host side: DelRoute removes only a recorded route") {
  FakeHost h;
  h.routes.insert("10.9.0.0/16 via 10.0.0.9");
  Applier a(h, host_mode());
  CHECK_FALSE(a.apply({route("10.9.0.0/16", "10.0.0.9", Op::DelRoute)}).ok());
  CHECK(h.routes.size() == 1);
}
