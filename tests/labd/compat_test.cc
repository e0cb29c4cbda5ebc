// state.json and plan.json written by the build before the checked JSON
// reader (main e5fa2b8: tests/lifecycle/compat/, from a real `vklab up`,
// make_fixture.sh) read back with this one: what a new vklab needs to take
// an old lab down (tests/lifecycle/compat.sh does that end to end).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "labd/state.h"
#include "topology/plan_json.h"

using namespace vklab;

namespace {
nlohmann::json fixture(const char* name) {
  std::ifstream in(std::string(VKLAB_COMPAT_DIR) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  for (size_t p; (p = text.find("@ROOT@")) != std::string::npos;) text.replace(p, 6, "/run/vklab");
  return nlohmann::json::parse(text);
}
}  // namespace

TEST_CASE("compat: the previous format's state.json reads back") {
  auto st = labd::state_from_json(fixture("state.json"));
  REQUIRE_MESSAGE(st.ok(), st.error().message);
  CHECK(st->lab == "compat");
  CHECK(st->phase == labd::Phase::Up);
  CHECK(st->isolated);
  CHECK(st->netns == "/run/vklab/compat/netns");
  REQUIRE(st->guests.size() == 2);
  CHECK(st->guests[0].name == "a");
  CHECK(st->guests[0].state == labd::GuestState::Up);
  CHECK(st->guests[0].proc.valid());
  CHECK(st->created.size() == 4);
  CHECK(st->links.size() == 2);
  // Its "plan_digest" (no longer written) is ignored; its startup errors read back.
  CHECK(st->guests[0].startup_errors.empty());
  CHECK(st->guests[1].startup_errors ==
        std::vector<labd::StartupError>{{2, 2, "ls /nonexistent-compat"}});
}

TEST_CASE("compat: the previous format's plan.json reads back, with its derived fields") {
  nlohmann::json j = fixture("plan.json");
  auto plan = topology::plan_from_json(j);
  REQUIRE_MESSAGE(plan.ok(), plan.error().message);
  REQUIRE(plan->guests.size() == 2);
  const auto& a = plan->guests[0];
  CHECK(a.pidfile() == "/run/vklab/compat/a.pid");
  REQUIRE(a.ifaces.size() == 2);
  CHECK(a.tap(a.ifaces[1]) == "tap1");
  CHECK(a.host_address(a.ifaces[1])->str() == "10.9.0.1");
  CHECK(plan->guests[1].depends_on == std::vector<std::string>{"a"});
  CHECK(plan->guests[1].ready_timeout == std::chrono::milliseconds(30000));
  // Written again, it is the same document: nothing was lost or added.
  CHECK(topology::plan_to_json(*plan) == j);
}
