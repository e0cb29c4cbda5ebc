// The applier over FakeHost: order, records, ownership, rollback, host-mode
// renaming, teardown.
#include <doctest/doctest.h>

#include <algorithm>

#include "netsetup/applier.h"
#include "hostnet/fake_host.h"
#include "plans.h"

using namespace vklab;
using namespace vklab::netsetup;
using namespace vklab::hostnet;
using namespace vklab::netsetup::testing;
using topology::NetworkMode;

namespace {

const std::string kTag = "vklab:tri";

ApplyOptions opts(NetworkMode mode = NetworkMode::Isolated) {
  ApplyOptions o;
  o.lab = "tri";
  o.network = mode;
  return o;
}

LinkInfo foreign(const std::string& name, const std::string& kind, const std::string& addr = "") {
  LinkInfo l;
  l.name = name;
  l.kind = kind;
  l.up = true;
  if (!addr.empty()) l.addresses.push_back(*Ipv4Prefix::parse(addr));
  return l;
}

size_t count_tagged(const FakeHost& h) {
  return std::count_if(h.links.begin(), h.links.end(),
                       [](const auto& kv) { return kv.second.alias == kTag; });
}

}  // namespace

TEST_CASE("apply: the triangle gives exactly the planned links, members, addresses") {
  FakeHost h;
  std::vector<CreatedObject> journal;
  ApplyOptions o = opts();
  o.on_created = [&](const CreatedObject& c) {
    journal.push_back(c);
    return Status{};
  };
  Applier a(h, o);
  auto steps = setup_steps(triangle());
  REQUIRE(a.apply(steps).ok());

  CHECK(h.calls.front() == "check_modules");
  CHECK(h.links.size() == 18);
  for (int i = 0; i < 6; ++i) {
    const LinkInfo& b = h.links.at("bridge" + std::to_string(i));
    CHECK(b.kind == "bridge");
    CHECK(b.alias == kTag);
    CHECK(b.up);
  }
  for (const auto& [tap, bridge] : triangle().taps) {
    const LinkInfo& t = h.links.at(tap);
    CHECK(t.kind == "tun");
    CHECK(t.master == bridge);
    CHECK(t.up);
  }
  CHECK(h.links.at("bridge0").addresses == std::vector{*Ipv4Prefix::parse("10.1.0.254/24")});
  CHECK(h.links.at("bridge1").addresses.empty());

  REQUIRE(a.created().size() == 18);
  CHECK(a.created()[0] == CreatedObject{CreatedObject::Kind::Bridge, "bridge0", "", "bridge0"});
  CHECK(a.created()[6] == CreatedObject{CreatedObject::Kind::Tap, "tap0", "", "tap0"});
  CHECK(journal == a.created());
  CHECK(a.names().at("tap11") == "tap11");
  CHECK_FALSE(a.failed_step());
}

TEST_CASE("apply: a failure at any step leaves nothing behind") {
  auto steps = setup_steps(triangle());
  FakeHost ok_run;
  REQUIRE(Applier(ok_run, opts()).apply(steps).ok());
  const std::vector<std::string> all = ok_run.mutations();
  REQUIRE(all.size() == steps.size());  // one host call per step

  for (size_t k = 0; k < all.size(); ++k) {
    CAPTURE(all[k]);
    FakeHost h;
    h.add_foreign(foreign("eth0", "", "192.0.2.1/24"));
    h.fail_on = {all[k]};
    int created = 0, removed = 0;
    ApplyOptions o = opts();
    o.on_created = [&](const CreatedObject&) {
      ++created;
      return Status{};
    };
    o.on_removed = [&](const CreatedObject&) { ++removed; };
    Applier a(h, o);
    Status s = a.apply(steps);
    REQUIRE_FALSE(s.ok());
    CHECK(a.failed_step() == k);
    CHECK(s.error().message.rfind("step " + std::to_string(k + 1) + " (", 0) == 0);
    CHECK(s.error().message.find("injected failure") != std::string::npos);
    CHECK(h.links.size() == 1);
    CHECK(h.links.count("eth0"));
    CHECK(a.created().empty());
    CHECK(created == removed);
  }
}

TEST_CASE("apply: a foreign link with a planned name is an error and is left alone") {
  FakeHost h;
  h.add_foreign(foreign("tap3", "tun", "10.9.9.1/24"));
  const LinkInfo before = h.links.at("tap3");
  Applier a(h, opts());
  Status s = a.apply(setup_steps(triangle()));
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("create tap tap3): tap3: exists and is not ours (no tag)") !=
        std::string::npos);
  CHECK(h.links.size() == 1);
  CHECK(h.links.at("tap3") == before);
  for (const std::string& c : h.calls) CHECK(c.find("tap3") == std::string::npos);
}

TEST_CASE("apply: another lab's link is not ours either") {
  FakeHost h;
  LinkInfo other = foreign("bridge2", "bridge");
  other.alias = "vklab:other";
  h.add_foreign(other);
  Status s = Applier(h, opts()).apply(setup_steps(triangle()));
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("bridge2: exists and is not ours (tagged \"vklab:other\")") !=
        std::string::npos);
  CHECK(h.links.size() == 1);
}

TEST_CASE("apply: a link that exists and is ours counts as done") {
  FakeHost h;
  LinkInfo mine = foreign("bridge0", "bridge");
  mine.alias = kTag;
  h.add_foreign(mine);
  Applier a(h, opts());
  REQUIRE(a.apply(setup_steps(triangle())).ok());
  CHECK(std::count(h.calls.begin(), h.calls.end(), "create_bridge bridge0 " + kTag) == 0);
  CHECK(a.created().size() == 18);
  CHECK(a.created()[0].name == "bridge0");
}

TEST_CASE("apply: resume from an earlier record treats recorded links as ours") {
  FakeHost h;
  h.tags = false;
  h.add_foreign(foreign("bridge0", "bridge"));
  ApplyOptions o = opts();
  o.resume = {{CreatedObject::Kind::Bridge, "bridge0", "", "bridge0", ""}};
  Applier a(h, o);
  REQUIRE(a.apply(setup_steps(triangle())).ok());
  CHECK(a.created().size() == 18);
}

TEST_CASE("apply: a failed later apply (up --apply) undoes only its own links") {
  using Op = topology::HostStep::Op;
  FakeHost h;
  Applier a(h, opts());
  REQUIRE(a.apply(setup_steps(triangle())).ok());
  const size_t before = a.created().size();
  REQUIRE(h.links.size() == 18);
  // A new tap joined to an existing bridge, then a step that fails.
  std::vector<topology::HostStep> more(3);
  more[0].op = Op::CreateTap;
  more[0].ifname = "tap99";
  more[1].op = Op::AddMember;
  more[1].ifname = "bridge0";
  more[1].member = "tap99";
  more[2].op = Op::LinkUp;
  more[2].ifname = "tap99";
  h.fail_on = {"set_up tap99 1"};
  Status s = a.apply(more);
  REQUIRE_FALSE(s.ok());
  CHECK(a.failed_step() == 2);
  CHECK(h.links.size() == 18);  // the lab's links stay; tap99 is gone
  CHECK_FALSE(h.links.count("tap99"));
  CHECK(h.links.count("bridge0"));
  CHECK(a.created().size() == before);
  // The same Applier still knows the lab's links as its own.
  h.fail_on.clear();
  REQUIRE(a.apply(more).ok());
  CHECK(h.links.at("tap99").master == "bridge0");
}

TEST_CASE("apply: resumed links survive a failed apply") {
  using Op = topology::HostStep::Op;
  FakeHost h;
  REQUIRE(Applier(h, opts()).apply(setup_steps(triangle())).ok());
  ApplyOptions o = opts();
  o.resume = {{CreatedObject::Kind::Bridge, "bridge0", "", "bridge0", ""}};
  Applier a(h, o);
  std::vector<topology::HostStep> more(2);
  more[0].op = Op::CreateTap;
  more[0].ifname = "tap99";
  more[1].op = Op::AddMember;
  more[1].ifname = "bridge7";  // not the lab's: refused
  more[1].member = "tap99";
  REQUIRE_FALSE(a.apply(more).ok());
  CHECK(h.links.size() == 18);
  CHECK_FALSE(h.links.count("tap99"));
  CHECK(a.created().size() == 1);
}

TEST_CASE("apply: a journal that cannot record stops and rolls back") {
  FakeHost h;
  ApplyOptions o = opts();
  int n = 0;
  o.on_created = [&](const CreatedObject&) {
    return ++n == 3 ? Status{make_error("state.json: No space left on device")} : Status{};
  };
  Applier a(h, o);
  Status s = a.apply(setup_steps(triangle()));
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("bridge2: cannot record it: state.json: No space left on device") !=
        std::string::npos);
  CHECK(h.links.empty());
}

TEST_CASE("apply: only the lab's own links are changed") {
  FakeHost h;
  h.add_foreign(foreign("br-x", "bridge"));
  auto steps = setup_steps(triangle());
  HostStep bad = make_step(Op::AddAddress, "br-x");
  bad.address = *Ipv4Prefix::parse("10.0.0.1/24");
  steps.push_back(bad);
  Status s = Applier(h, opts()).apply(steps);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("br-x: not created by this lab; refusing to change it") !=
        std::string::npos);
  CHECK(h.links.at("br-x").addresses.empty());
}

TEST_CASE("host mode: first free units beside a foreign bridge0, names mapped") {
  FakeHost h;
  h.add_foreign(foreign("bridge0", "bridge", "192.0.2.1/24"));
  h.add_foreign(foreign("tap1", "tun"));
  const LinkInfo before = h.links.at("bridge0");
  Applier a(h, opts(NetworkMode::Host));
  REQUIRE(a.apply(setup_steps(triangle())).ok());
  CHECK(a.names().at("bridge0") == "bridge1");
  CHECK(a.names().at("bridge5") == "bridge6");
  CHECK(a.names().at("tap0") == "tap0");
  CHECK(a.names().at("tap1") == "tap2");
  CHECK(a.names().at("tap11") == "tap12");
  CHECK(h.links.at("bridge0") == before);
  CHECK(h.links.at("bridge1").addresses == std::vector{*Ipv4Prefix::parse("10.1.0.254/24")});
  CHECK(h.links.at("tap2").master == "bridge4");  // plan tap1 → plan bridge3

  REQUIRE(teardown(h, a.created(), {"tri"}).ok());
  CHECK(h.links.size() == 2);
  CHECK(h.links.at("bridge0") == before);
  CHECK(h.links.count("tap1"));
}

TEST_CASE("host mode: an uplink gains and loses only its membership") {
  FakeHost h;
  h.add_foreign(foreign("eth0", "", "198.51.100.7/24"));
  PlanShape p;
  p.bridges = 1;
  p.taps = {{"tap0", "bridge0"}};
  p.uplinks = {{"bridge0", "eth0"}};
  Applier a(h, opts(NetworkMode::Host));
  REQUIRE(a.apply(setup_steps(p)).ok());
  CHECK(h.links.at("eth0").master == "bridge0");
  const CreatedObject uplink{CreatedObject::Kind::Membership, "eth0", "bridge0", "bridge0"};
  CHECK(std::count(a.created().begin(), a.created().end(), uplink) == 1);
  h.calls.clear();
  REQUIRE(teardown(h, a.created(), {"tri"}).ok());
  CHECK(h.calls.front() == "remove_member bridge0 eth0");
  CHECK(h.links.size() == 1);
  CHECK(h.links.at("eth0").master.empty());
  CHECK(h.links.at("eth0").addresses.size() == 1);
}

TEST_CASE("host mode: an uplink already in someone else's bridge is refused") {
  FakeHost h;
  LinkInfo eth = foreign("eth0", "");
  eth.master = "br-other";
  h.add_foreign(foreign("br-other", "bridge"));
  h.add_foreign(eth);
  PlanShape p;
  p.bridges = 1;
  p.uplinks = {{"bridge0", "eth0"}};
  Status s = Applier(h, opts(NetworkMode::Host)).apply(setup_steps(p));
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("eth0: already a member of br-other") != std::string::npos);
  CHECK(h.links.at("eth0").master == "br-other");
  CHECK(h.links.size() == 2);
}

TEST_CASE("teardown: twice is harmless, and works from the record alone") {
  FakeHost h;
  h.add_foreign(foreign("eth0", ""));
  std::vector<CreatedObject> state;  // what labd would have in state.json
  {
    ApplyOptions o = opts();
    o.on_created = [&](const CreatedObject& c) {
      state.push_back(c);
      return Status{};
    };
    Applier a(h, o);
    REQUIRE(a.apply(setup_steps(triangle())).ok());
  }
  CHECK(count_tagged(h) == 18);
  REQUIRE(teardown(h, state, {"tri"}).ok());
  CHECK(h.links.size() == 1);
  REQUIRE(teardown(h, state, {"tri"}).ok());
  CHECK(h.links.size() == 1);
}

TEST_CASE("teardown: without tags (DragonFly) it goes link by link, in reverse") {
  FakeHost h;
  h.tags = false;
  PlanShape p;
  p.bridges = 1;
  p.taps = {{"tap0", "bridge0"}, {"tap1", "bridge0"}};
  Applier a(h, opts());
  REQUIRE(a.apply(setup_steps(p)).ok());
  h.calls.clear();
  REQUIRE(teardown(h, a.created(), {"tri"}).ok());
  CHECK(h.calls == std::vector<std::string>{"destroy tap1", "destroy tap0", "destroy bridge0"});
  CHECK(h.links.empty());
}

TEST_CASE("teardown: a recorded name now held by someone else is left alone") {
  FakeHost h;
  LinkInfo squatter = foreign("tap0", "tun");
  squatter.alias = "vklab:other";
  h.add_foreign(squatter);
  std::vector<CreatedObject> state = {{CreatedObject::Kind::Tap, "tap0", "", "tap0"}};
  Status s = teardown(h, state, {"tri"});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message == "tap0: not ours (tagged \"vklab:other\"), left alone");
  CHECK(h.links.count("tap0"));
}

TEST_CASE("rewrite_launch maps -I taps and bridges through the host-mode names") {
  topology::GuestLaunch g;
  g.cmdline.kernel = "/k";
  g.cmdline.memory = "64m";
  vkernel::NetIf a;
  a.iface = "tap0";
  a.bridge = "bridge0";
  a.addr2 = *Ipv4::parse("10.1.0.1");
  a.netmask = 24;
  vkernel::NetIf b;
  b.iface = "/dev/tap1";
  b.addr1 = *Ipv4::parse("10.9.0.1");
  b.addr2 = *Ipv4::parse("10.9.0.2");
  b.netmask = 30;
  g.cmdline.netifs = {a, b};
  g.ifaces = {{0, "lan1", {}, std::nullopt}, {1, "", {}, std::nullopt}};
  NameMap names = {{"bridge0", "bridge1"}, {"tap0", "tap2"}, {"tap1", "tap3"}};
  rewrite_launch(g, names);
  CHECK(g.cmdline.netifs[0].iface == "tap2");
  CHECK(g.cmdline.netifs[0].bridge == "bridge1");
  CHECK(g.cmdline.netifs[1].iface == "/dev/tap3");
  CHECK(g.cmdline.netifs[1].bridge.empty());
  CHECK(g.tap(g.ifaces[0]) == "tap2");
  CHECK(g.bridge(g.ifaces[0]) == "bridge1");
  CHECK(g.tap(g.ifaces[1]) == "tap3");
  CHECK(g.host_address(g.ifaces[1]) == Ipv4::parse("10.9.0.1"));
  CHECK(g.address(g.ifaces[1]) == Ipv4Prefix::parse("10.9.0.2/30"));
  auto argv = g.cmdline.argv();
  CHECK(std::find(argv.begin(), argv.end(), "tap2:bridge1:10.1.0.1/24") != argv.end());
}
