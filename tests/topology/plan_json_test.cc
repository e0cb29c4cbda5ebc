// plan.json decoding: every golden plan reads back; a value of the wrong
// type anywhere is an error naming its place, never an exception; the
// fields written only for readers of the JSON (pidfile, an interface's
// tap, bridge and addresses: argv holds them) must agree with argv.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "../json_mutations.h"
#include "topology/plan_json.h"

namespace fs = std::filesystem;
using nlohmann::json;
using vklab::topology::plan_from_json;
using vklab::topology::plan_to_json;

namespace {
std::vector<fs::path> golden_plans() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(VKLAB_TEST_DIR) / "pass"))
    if (e.path().extension() == ".json") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}
json load(const fs::path& p) { return json::parse(std::ifstream(p)); }
}  // namespace

TEST_CASE("plan json: every golden plan reads back to the same JSON") {
  auto plans = golden_plans();
  REQUIRE(plans.size() >= 10);
  for (const auto& p : plans) {
    CAPTURE(p);
    json j = load(p);
    auto plan = plan_from_json(j);
    REQUIRE_MESSAGE(plan.ok(), plan.error().message);
    CHECK(plan_to_json(*plan) == j);
  }
}

TEST_CASE("plan json: a wrong type anywhere is an error naming the place") {
  int cases = 0;
  for (const auto& p : golden_plans()) {
    if (p.filename() != "format-example.linux.json" && p.filename() != "ipv6.dragonfly.json" &&
        p.filename() != "impair.linux.json")
      continue;
    vklab::testing::for_each_wrong_type(load(p), [&](const json& bad, const json::json_pointer& at) {
      ++cases;
      CAPTURE(p.filename());
      CAPTURE(at.to_string());
      CAPTURE(bad.at(at).dump());
      auto plan = plan_from_json(bad);  // an exception fails the test case
      REQUIRE_FALSE(plan.ok());
      CHECK(plan.error().message.find(vklab::testing::reader_path(at)) != std::string::npos);
    });
  }
  CHECK(cases > 1000);
}

TEST_CASE("plan json: the fields argv holds must agree with argv") {
  json j = load(fs::path(VKLAB_TEST_DIR) / "pass" / "two-hosts.linux.json");
  REQUIRE(plan_from_json(j).ok());
  for (const char* where : {"/guests/0/pidfile", "/guests/0/ifaces/0/tap", "/guests/0/ifaces/0/bridge",
                            "/guests/0/ifaces/0/address"}) {
    CAPTURE(where);
    json bad = j;
    bad[json::json_pointer(where)] = "/elsewhere";
    auto plan = plan_from_json(bad);
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error().message.find("does not match argv") != std::string::npos);
  }
  json old = j;  // a plan may leave them out: argv alone says it all
  old["guests"][0].erase("pidfile");
  old["guests"][0]["ifaces"][0].erase("tap");
  auto plan = plan_from_json(old);
  REQUIRE(plan.ok());
  CHECK(plan->guests[0].pidfile() == "/run/vklab/two-hosts/a.pid");
  CHECK(plan->guests[0].tap(plan->guests[0].ifaces[0]) == "tap0");
  json extra = j;  // fields a newer vklab adds are ignored
  extra["guests"][0]["future_ms"] = 5000;
  extra["future"] = {{"x", 1}};
  CHECK(plan_from_json(extra).ok());
}

TEST_CASE("plan json: ready_timeout_ms is optional (older plans) and positive") {
  json j = load(fs::path(VKLAB_TEST_DIR) / "pass" / "two-hosts.linux.json");
  j["guests"][0]["ready_timeout_ms"] = 4500;
  auto plan = plan_from_json(j);
  REQUIRE(plan.ok());
  CHECK(plan->guests[0].ready_timeout == std::chrono::milliseconds(4500));
  j["guests"][0].erase("ready_timeout_ms");  // a plan.json from before ready_timeout
  plan = plan_from_json(j);
  REQUIRE(plan.ok());
  CHECK(plan->guests[0].ready_timeout == vklab::topology::kDefaultReadyTimeout);
  j["guests"][0]["ready_timeout_ms"] = 0;
  plan = plan_from_json(j);
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().message.find("guests[0].ready_timeout_ms") != std::string::npos);
}
