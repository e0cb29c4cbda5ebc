// The applier over LinuxHost, real links read back through netlink, inside
// the private namespace root_main.cc entered.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

#include "netsetup/applier.h"
#include "hostnet/linux_host.h"
#include "plans.h"

using namespace vklab;
using namespace vklab::netsetup;
using namespace vklab::hostnet;
using namespace vklab::netsetup::testing;
using topology::NetworkMode;

namespace {

std::unique_ptr<LinuxHost> open_host() {
  auto h = LinuxHost::open();
  REQUIRE(h.ok());
  return std::move(h).value();
}

std::map<std::string, LinkInfo> links(Host& h) {
  auto all = h.list();
  REQUIRE(all.ok());
  std::map<std::string, LinkInfo> out;
  for (LinkInfo& l : *all)
    if (l.name != "lo") out[l.name] = std::move(l);
  return out;
}

ApplyOptions opts(const std::string& lab, NetworkMode mode) {
  ApplyOptions o;
  o.lab = lab;
  o.network = mode;
  return o;
}

/// Delegates to a real host and fails the k-th mutating call (from 0).
class FailAt final : public Host {
 public:
  FailAt(Host& h, int k) : h_(h), k_(k) {}
  Status check_modules() override { return h_.check_modules(); }
  Status load_module(const std::string& m) override { return tick(m) ? h_.load_module(m) : err(m); }
  Status enable_vkernel() override { return tick("sysctl") ? h_.enable_vkernel() : err("sysctl"); }
  Status create_bridge(const std::string& n, const std::string& t) override {
    return tick(n) ? h_.create_bridge(n, t) : err(n);
  }
  Status create_tap(const std::string& n, const std::string& t) override {
    return tick(n) ? h_.create_tap(n, t) : err(n);
  }
  Status add_member(const std::string& b, const std::string& m) override {
    return tick(m) ? h_.add_member(b, m) : err(m);
  }
  Status remove_member(const std::string& b, const std::string& m) override {
    return h_.remove_member(b, m);
  }
  Status set_up(const std::string& n, bool up) override { return tick(n) ? h_.set_up(n, up) : err(n); }
  Status add_address(const std::string& n, const Ipv4Prefix& a) override {
    return tick(n) ? h_.add_address(n, a) : err(n);
  }
  Status add_address6(const std::string& n, const IpPrefix& a) override {
    return tick(n) ? h_.add_address6(n, a) : err(n);
  }
  Result<bool> add_route(const IpPrefix& to, const IpAddr& via) override {
    if (!tick(to.str())) return err(to.str());
    return h_.add_route(to, via);
  }
  Status del_route(const IpPrefix& to, const IpAddr& via) override { return h_.del_route(to, via); }
  Result<bool> forwarding(int f) override { return h_.forwarding(f); }
  Status set_forwarding(int f, bool on) override { return tick("forwarding") ? h_.set_forwarding(f, on) : err("forwarding"); }
  Status destroy(const std::string& n) override { return h_.destroy(n); }
  Result<std::optional<LinkInfo>> find(const std::string& n) override { return h_.find(n); }
  Result<std::vector<LinkInfo>> list() override { return h_.list(); }
  bool tags_links() const override { return h_.tags_links(); }
  Result<int> destroy_tagged(const std::string& t) override { return h_.destroy_tagged(t); }

 private:
  bool tick(const std::string&) { return n_++ != k_; }
  Error err(const std::string& o) { return make_error(o + ": injected failure"); }
  Host& h_;
  int k_, n_ = 0;
};

}  // namespace

TEST_CASE("root: the triangle, read back through netlink, then torn down twice") {
  auto h = open_host();
  PlanShape tri = triangle();
  Applier a(*h, opts("tri", NetworkMode::Isolated));
  Status s = a.apply(setup_steps(tri));
  REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().message));

  auto now = links(*h);
  CHECK(now.size() == 18);
  for (int i = 0; i < 6; ++i) {
    const LinkInfo& b = now.at("bridge" + std::to_string(i));
    CHECK(b.kind == "bridge");
    CHECK(b.alias == "vklab:tri");
    CHECK(b.up);
    CHECK(b.addresses.size() == (i == 0 ? 1u : 0u));
  }
  CHECK(now.at("bridge0").addresses[0] == *Ipv4Prefix::parse("10.1.0.254/24"));
  for (const auto& [tap, bridge] : tri.taps) {
    const LinkInfo& t = now.at(tap);
    CHECK(t.kind == "tun");
    CHECK(t.master == bridge);
    CHECK(t.up);
    CHECK(t.alias == "vklab:tri");
    CHECK(t.addresses.empty());
  }

  const std::vector<CreatedObject> state = a.created();
  REQUIRE(teardown(*h, state, {"tri"}).ok());
  CHECK(links(*h).empty());
  REQUIRE(teardown(*h, state, {"tri"}).ok());
  CHECK(links(*h).empty());
}

TEST_CASE("root: a failure injected at step k leaves nothing behind") {
  auto h = open_host();
  auto steps = setup_steps(triangle());
  // Every mutating step but the two module checks: 6 bridges, 1 address,
  // 12 taps, 12 members, 18 ups.
  for (int k : {0, 1, 2, 5, 6, 7, 12, 18, 19, 25, 30, 31, 40, 48}) {
    CAPTURE(k);
    FailAt f(*h, k + 2);
    Applier a(f, opts("tri", NetworkMode::Isolated));
    Status s = a.apply(steps);
    REQUIRE_FALSE(s.ok());
    CHECK(a.failed_step() == size_t(k + 2));
    CHECK(links(*h).empty());
  }
}

TEST_CASE("root: a conflicting foreign name fails the apply and is left untouched") {
  auto h = open_host();
  REQUIRE(h->create_tap("tap5", "").ok());
  auto addr = *Ipv4Prefix::parse("10.77.0.1/24");
  REQUIRE(h->add_address("tap5", addr).ok());
  const LinkInfo before = **h->find("tap5");

  Applier a(*h, opts("tri", NetworkMode::Isolated));
  Status s = a.apply(setup_steps(triangle()));
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("tap5: exists and is not ours (no tag)") != std::string::npos);
  auto now = links(*h);
  REQUIRE(now.size() == 1);
  CHECK(now.at("tap5") == before);
  REQUIRE(h->destroy("tap5").ok());
}

TEST_CASE("root: host mode beside a foreign bridge0 with an address, with an uplink") {
  auto h = open_host();
  REQUIRE(h->create_bridge("bridge0", "").ok());
  auto addr = *Ipv4Prefix::parse("192.0.2.1/24");
  REQUIRE(h->add_address("bridge0", addr).ok());
  REQUIRE(h->create_tap("eth9", "").ok());  // stands in for a host NIC
  REQUIRE(h->set_up("eth9", true).ok());
  const LinkInfo br0 = **h->find("bridge0");

  PlanShape p = triangle();
  p.uplinks = {{"bridge2", "eth9"}};
  std::vector<CreatedObject> state;
  ApplyOptions o = opts("hosty", NetworkMode::Host);
  o.on_created = [&](const CreatedObject& c) {
    state.push_back(c);
    return Status{};
  };
  Applier a(*h, o);
  Status s = a.apply(setup_steps(p));
  REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().message));
  CHECK(a.names().at("bridge0") == "bridge1");
  CHECK(a.names().at("bridge5") == "bridge6");
  auto now = links(*h);
  CHECK(now.at("bridge0") == br0);
  CHECK(now.at("bridge1").addresses == std::vector{*Ipv4Prefix::parse("10.1.0.254/24")});
  CHECK(now.at("eth9").master == "bridge3");
  CHECK(now.at("tap0").master == "bridge1");
  CHECK(tagged(*h->list(), "vklab:hosty").size() == 18);
  CHECK(now.at("bridge1").group == link_group("vklab:hosty"));

  // Teardown from the recorded list alone, with a fresh host object.
  auto h2 = open_host();
  REQUIRE(teardown(*h2, state, {"hosty"}).ok());
  now = links(*h2);
  CHECK(now.size() == 2);
  CHECK(now.at("bridge0") == br0);
  CHECK(now.at("eth9").master.empty());
  CHECK(now.at("eth9").up);
  REQUIRE(teardown(*h2, state, {"hosty"}).ok());
  CHECK(links(*h2).size() == 2);
  REQUIRE(h2->destroy("eth9").ok());
  REQUIRE(h2->destroy("bridge0").ok());
}
