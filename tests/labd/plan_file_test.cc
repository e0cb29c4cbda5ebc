// The one plan-file reader: malformed plan.json files are errors naming
// the file (and the field), never an exception; a plan survives the trip.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "topology/plan_json.h"

namespace fs = std::filesystem;
using vklab::topology::read_plan_file;

namespace {
std::string write_tmp(const std::string& text) {
  std::string p = fs::temp_directory_path() / ("vklab-plan-test-" + std::to_string(::getpid()) + ".json");
  std::ofstream(p) << text;
  return p;
}
}  // namespace

TEST_CASE("plan file: malformed plans are errors, never exceptions") {
  const char* bad[] = {
      "",
      "not json",
      "[]",
      "42",
      R"({"lab": 7})",
      R"({"lab": "x", "guests": {}})",
      R"({"lab": "x", "guests": [7]})",
      R"({"lab": "x", "guests": [{"name": []}]})",
      R"({"lab": "x", "setup": [{"op": 1}]})",
      R"({"lab": "x", "target": "plan9"})",
      R"({"lab": "x", "guests": [{"name": "a", "argv": "not-a-list"}]})",
      R"({"lab": "x", "guests": [{"name": "a", "argv": [1, 2]}]})",
      R"({"lab": "x", "files": [{"path": "/p", "content": 5, "mode": "rw"}]})",
  };
  for (const char* text : bad) {
    CAPTURE(text);
    std::string p = write_tmp(text);
    auto plan = read_plan_file(p);
    CHECK_FALSE(plan.ok());
    if (!plan.ok()) CHECK(plan.error().message.starts_with(p + ": "));
    fs::remove(p);
  }
  auto missing = read_plan_file("/nonexistent/plan.json");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.starts_with("/nonexistent/plan.json: "));
}

TEST_CASE("plan file: an empty plan round-trips") {
  vklab::topology::Plan plan;
  plan.lab = "x";
  plan.state_dir = "/run/vklab/x";
  std::string p = write_tmp(vklab::topology::plan_to_json(plan).dump(1));
  auto back = read_plan_file(p);
  fs::remove(p);
  REQUIRE(back.ok());
  CHECK(vklab::topology::plan_to_json(*back) == vklab::topology::plan_to_json(plan));
}
