// plan_diff: the changes `vklab up FILE --apply` would make, and
// compile's keep_names that keeps a running lab's interface names.
#include <doctest/doctest.h>

#include <algorithm>

#include "topology/compile.h"
#include "topology/plan_diff.h"
#include "valid_lab.h"

using namespace vklab::topology;
using vklab::topology::testing::valid_lab;

namespace {

const char* kBase = R"(name: d
bridges:
  lan: {subnet: 10.0.0.0/24}
  wan: {subnet: 10.1.0.0/24}
guests:
  r1:
    interfaces: [{bridge: lan, address: 10.0.0.1/24}, {bridge: wan, address: 10.1.0.1/24}]
    startup: |
      ip route add 192.0.2.0/24 via 10.0.0.2
  h1:
    interfaces: [{bridge: lan, address: 10.0.0.2/24}]
  h2:
    interfaces: [{bridge: wan, address: 10.1.0.2/24}]
)";

Plan plan_of(const std::string& text, const Plan* keep = nullptr) {
  CompileOptions o;
  o.state_dir = "/run/vklab/d";
  o.auto_kernel = "/k";
  o.keep_names = keep;
  return compile(valid_lab(text), o);
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("plan_diff: the same plan has no changes") {
  Plan a = plan_of(kBase);
  PlanDiff d = plan_diff(a, plan_of(kBase, &a));
  CHECK(d.size() == 0);
  CHECK(describe(d).empty());
}

TEST_CASE("plan_diff: a guest added in the middle renames nothing; one changed is named with what changed") {
  Plan a = plan_of(kBase);
  std::string text = replaced(kBase, "  h1:\n", "  h3:\n    interfaces: [{bridge: lan, address: 10.0.0.3/24}]\n  h1:\n");
  text = replaced(text, "via 10.0.0.2", "via 10.0.0.3");
  Plan b = plan_of(text, &a);
  PlanDiff d = plan_diff(a, b);
  CHECK(d.guests_added == std::vector<std::string>{"h3"});
  CHECK(d.guests_changed == std::vector<std::string>{"r1 (startup)"});
  CHECK(d.changed_names() == std::vector<std::string>{"r1"});
  CHECK(d.guests_removed.empty());
  // h3 takes the first tap no running guest has; h1 and h2 keep theirs.
  CHECK(d.links_added == std::vector<std::string>{"h3 vke0 (tap4)"});
  CHECK(*b.find_guest("h1") == *a.find_guest("h1"));
  CHECK(*b.find_guest("h2") == *a.find_guest("h2"));
  CHECK(d.size() == 3);
  CHECK(describe(d) == std::vector<std::string>{"+ guest h3", "+ link h3 vke0 (tap4)", "~ guest r1 (startup)"});
  // Without keep_names, h3 would take tap3 and h1, h2 would move.
  PlanDiff moved = plan_diff(a, plan_of(text));
  CHECK(moved.guests_changed.size() == 3);
}

TEST_CASE("plan_diff: guests, links and bridges removed; an interface added to a guest") {
  Plan a = plan_of(kBase);
  std::string text = replaced(kBase, "  wan: {subnet: 10.1.0.0/24}\n", "  dmz: {subnet: 10.2.0.0/24}\n");
  text = replaced(text, "{bridge: wan, address: 10.1.0.1/24}", "{bridge: dmz, address: 10.2.0.1/24}");
  text = replaced(text, "  h2:\n    interfaces: [{bridge: wan, address: 10.1.0.2/24}]\n", "");
  text = replaced(text, "[{bridge: lan, address: 10.0.0.2/24}]", "[{bridge: lan, address: 10.0.0.2/24}, {bridge: dmz, address: 10.2.0.2/24}]");
  Plan b = plan_of(text, &a);
  PlanDiff d = plan_diff(a, b);
  CHECK(d.bridges_added == std::vector<std::string>{"dmz"});
  CHECK(d.bridges_removed == std::vector<std::string>{"wan"});
  CHECK(d.guests_removed == std::vector<std::string>{"h2"});
  CHECK(d.changed_names() == std::vector<std::string>{"r1", "h1"});
  CHECK(d.links_added == std::vector<std::string>{"h1 vke1 (tap4)"});
  CHECK(d.links_removed == std::vector<std::string>{"h2 vke0 (tap3)"});
  // dmz takes bridge2: wan's bridge1 is still there until the apply removes it.
  const GuestLaunch* r1 = b.find_guest("r1");
  REQUIRE(r1);
  CHECK(r1->bridge(r1->ifaces[1]) == "bridge2");
  CHECK(d.unsupported.empty());
}

TEST_CASE("plan_diff: what --apply cannot make is listed as unsupported") {
  Plan a = plan_of(kBase);
  std::string text = replaced(kBase, "  lan: {subnet: 10.0.0.0/24}", "  lan: {subnet: 10.0.0.0/24, address: 10.0.0.254/24}");
  text = replaced(text, "guests:", "host:\n  forwarding: true\nguests:");
  PlanDiff d = plan_diff(a, plan_of(text, &a));
  CHECK(d.unsupported == std::vector<std::string>{"bridge lan: address or uplink changed",
                                                  "host: forwarding or routes changed"});
  CHECK(describe(d).back() == "! host: forwarding or routes changed (not applied by --apply: down and up again)");
}

TEST_CASE("plan_diff: stop_timeout, depends_on and memory count as changes") {
  Plan a = plan_of(kBase);
  std::string text = replaced(kBase, "  h2:\n    interfaces:", "  h2:\n    memory: 128m\n    stop_timeout: 3s\n    depends_on: [r1]\n    interfaces:");
  PlanDiff d = plan_diff(a, plan_of(text, &a));
  CHECK(d.guests_changed == std::vector<std::string>{"h2 (command line, stop_timeout, depends_on)"});
}

TEST_CASE("apply_steps: new links before the stops, moved and removed ones after") {
  using Op = HostStep::Op;
  Plan a = plan_of(kBase);
  // h3 added on a new bridge dmz; h2 moves from wan to dmz; h1 removed.
  std::string text = replaced(kBase, "  h1:\n    interfaces: [{bridge: lan, address: 10.0.0.2/24}]\n", "");
  text = replaced(text, "  wan: {subnet: 10.1.0.0/24}\n", "  wan: {subnet: 10.1.0.0/24}\n  dmz: {subnet: 10.2.0.0/24}\n");
  text = replaced(text, "{bridge: wan, address: 10.1.0.2/24}", "{bridge: dmz, address: 10.2.0.2/24}");
  text += "  h3:\n    interfaces: [{bridge: dmz, address: 10.2.0.3/24}]\n";
  Plan b = plan_of(text, &a);
  ApplySteps s = apply_steps(a, b);
  const GuestLaunch* h1 = a.find_guest("h1");
  const GuestLaunch* h2 = b.find_guest("h2");
  const GuestLaunch* h3 = b.find_guest("h3");
  REQUIRE(h1);
  REQUIRE(h2);
  REQUIRE(h3);
  const std::string dmz = h3->bridge(h3->ifaces[0]);
  CHECK(h2->tap(h2->ifaces[0]) == a.find_guest("h2")->tap(a.find_guest("h2")->ifaces[0]));  // kept name
  CHECK(h2->bridge(h2->ifaces[0]) == dmz);

  // added: dmz and h3's tap, created, joined, up; nothing of a running link.
  std::vector<std::string> added;
  for (const auto& st : s.added) added.push_back(std::to_string(static_cast<int>(st.op)) + " " + st.ifname + " " + st.member);
  const std::string tap3 = h3->tap(h3->ifaces[0]);
  CHECK(std::count(added.begin(), added.end(), std::to_string(static_cast<int>(Op::CreateBridge)) + " " + dmz + " ") == 1);
  CHECK(std::count(added.begin(), added.end(), std::to_string(static_cast<int>(Op::CreateTap)) + " " + tap3 + " ") == 1);
  CHECK(std::count(added.begin(), added.end(), std::to_string(static_cast<int>(Op::AddMember)) + " " + dmz + " " + tap3) == 1);
  for (const auto& st : s.added) {
    CAPTURE(st.ifname);
    CHECK((st.ifname == dmz || st.ifname == tap3));
    if (st.op == Op::AddMember) CHECK(st.member == tap3);
  }
  // moved: h2's tap into dmz, and only that.
  REQUIRE(s.moved.size() == 1);
  CHECK(s.moved[0].op == Op::AddMember);
  CHECK(s.moved[0].ifname == dmz);
  CHECK(s.moved[0].member == h2->tap(h2->ifaces[0]));
  // removed: h1's tap; every bridge stays (wan keeps r1).
  REQUIRE(s.removed.size() == 1);
  CHECK(s.removed[0].op == Op::DestroyLink);
  CHECK(s.removed[0].ifname == h1->tap(h1->ifaces[0]));

  // Nothing changed: nothing to run.
  CHECK(apply_steps(a, plan_of(kBase, &a)) == ApplySteps{});
}

TEST_CASE("apply_steps: a removed bridge goes after its taps") {
  Plan a = plan_of(kBase);
  std::string text = replaced(kBase, "  h2:\n    interfaces: [{bridge: wan, address: 10.1.0.2/24}]\n", "");
  text = replaced(text, ", {bridge: wan, address: 10.1.0.1/24}", "");
  text = replaced(text, "  wan: {subnet: 10.1.0.0/24}\n", "");
  Plan b = plan_of(text, &a);
  ApplySteps s = apply_steps(a, b);
  REQUIRE(s.removed.size() == 3);  // r1's wan tap, h2's tap, then wan's bridge
  CHECK(s.removed[0].ifname.starts_with("tap"));
  CHECK(s.removed[1].ifname.starts_with("tap"));
  CHECK(s.removed[2].ifname.starts_with("bridge"));
  CHECK(s.added.empty());
  CHECK(s.moved.empty());
}
