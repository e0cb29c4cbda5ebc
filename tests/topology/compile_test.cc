// Golden tests for the compiler: tests/topology/pass/<case>.yaml compiles
// to exactly pass/<case>.<target>.json (reviewed by hand). Set
// VKLAB_UPDATE_GOLDEN=1 to write missing/changed goldens, then review the diff.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "topology/compile.h"
#include "topology/load.h"
#include "topology/plan_json.h"
#include "topology/validate.h"

using namespace vklab;
using namespace vklab::topology;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Loads a lab by a name relative to VKLAB_TEST_DIR so locations are stable.
Lab load_ok(const std::string& rel) {
  Diagnostics d;
  const auto text = slurp(fs::path(VKLAB_TEST_DIR) / rel);
  auto lab = load_string(text, rel, d);
  REQUIRE(lab);
  validate(*lab, d);
  INFO(d.str());
  REQUIRE_FALSE(d.has_errors());
  return *lab;
}

CompileOptions golden_options(Target t) {
  CompileOptions o;
  o.target = t;
  o.base_dir = "/labs";
  return o;
}

}  // namespace

TEST_CASE("pass/*.yaml compile to their golden plans") {
  int cases = 0;
  for (const auto& e : fs::directory_iterator(fs::path(VKLAB_TEST_DIR) / "pass")) {
    if (e.path().extension() != ".yaml") continue;
    for (Target t : {Target::Linux, Target::DragonFly}) {
      const std::string rel = "pass/" + e.path().filename().string();
      SUBCASE((rel + " " + target_name(t)).c_str()) {
        Lab lab = load_ok(rel);
        const std::string got = plan_to_json(compile(lab, golden_options(t))).dump(2) + "\n";
        fs::path golden = e.path();
        golden.replace_extension(std::string(".") + target_name(t) + ".json");
        if (std::getenv("VKLAB_UPDATE_GOLDEN") && (!fs::exists(golden) || slurp(golden) != got)) {
          std::ofstream(golden) << got;
          MESSAGE("wrote " << golden.string() << ": review it");
        }
        CHECK(slurp(golden) == got);
      }
    }
    ++cases;
  }
  CHECK(cases >= 3);
}

TEST_CASE("compile is deterministic and the JSON plan round-trips") {
  Lab lab = load_ok("pass/triangle.yaml");
  Plan a = compile(lab, golden_options(Target::Linux));
  Plan b = compile(lab, golden_options(Target::Linux));
  CHECK(plan_to_json(a).dump() == plan_to_json(b).dump());

  auto back = plan_from_json(plan_to_json(a));
  REQUIRE(back.ok());
  CHECK(plan_to_json(*back).dump() == plan_to_json(a).dump());
  CHECK(back->guests == a.guests);
  CHECK(back->setup == a.setup);
  CHECK(back->teardown == a.teardown);
}

TEST_CASE("naming: bridges by declaration, taps by guest then interface order") {
  Lab lab = load_ok("pass/triangle.yaml");
  Plan p = compile(lab, golden_options(Target::Linux));
  const GuestLaunch* r2 = p.find_guest("r2");
  REQUIRE(r2);
  // r1 has three interfaces (tap0-2), so r2's vke0 is tap3 on lan2 = bridge1.
  REQUIRE(r2->ifaces.size() == 3);
  CHECK(r2->tap(r2->ifaces[0]) == "tap3");
  CHECK(r2->bridge(r2->ifaces[0]) == "bridge1");
  const auto argv = r2->cmdline.argv();
  CHECK(std::find(argv.begin(), argv.end(), "tap3:bridge1:10.2.0.1/24") != argv.end());
  CHECK(std::find(argv.begin(), argv.end(), "-p") != argv.end());
  CHECK(r2->pidfile() == "/run/vklab/triangle/r2.pid");
}

TEST_CASE("a changed lab changes the plan") {
  Lab lab = load_ok("pass/triangle.yaml");
  Plan a = compile(lab, golden_options(Target::Linux));
  lab.guests[0].memory.value = "128m";
  Plan b = compile(lab, golden_options(Target::Linux));
  CHECK(plan_to_json(a) != plan_to_json(b));
}

TEST_CASE("teardown undoes setup in reverse") {
  Lab lab = load_ok("pass/triangle.yaml");
  Plan p = compile(lab, golden_options(Target::Linux));
  std::vector<std::string> created, destroyed;
  for (const auto& s : p.setup)
    if (s.op == HostStep::Op::CreateBridge || s.op == HostStep::Op::CreateTap) created.push_back(s.ifname);
  for (const auto& s : p.teardown)
    if (s.op == HostStep::Op::DestroyLink) destroyed.push_back(s.ifname);
  std::reverse(created.begin(), created.end());
  CHECK(created == destroyed);
}
