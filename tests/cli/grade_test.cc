#include "cli/grade.h"

#include <doctest/doctest.h>

#include <sstream>

using namespace vklab;
using namespace vklab::cli;
using K = topology::CheckDecl::Kind;

namespace {

CheckResult res(const std::string& from, const std::string& target, bool ok, const std::string& found = "") {
  CheckResult r;
  r.check.kind = K::Route;
  r.check.from.value = from;
  r.check.target.value = target;
  r.got = ok ? Got::Held : Got::NotHeld;
  r.found = found;
  return r;
}

}  // namespace

TEST_CASE("student names: file stems, the folder of a lab.yaml, repeats numbered, nothing unsafe") {
  auto n = student_names({"class/alice.yaml", "class/bob/lab.yaml", "class/carol/", "class/dave.yml", "x/alice.yaml",
                          "we ird;name.yaml", ".hidden.yaml", "alice-2.yaml"});
  CHECK(n == std::vector<std::string>{"alice", "bob", "carol", "dave", "alice-2", "we_ird_name", "hidden", "alice-2_"});
}

TEST_CASE("score, the report line and the CSV") {
  GradeResult g;
  g.student = "alice";
  g.path = "class/alice.yaml";
  g.lab = "triangle";
  g.results = {res("r1", "10.2.0.0/24", true), res("r1", "10.3.0.0/24", false, "via 10.13.0.2 dev vke2 proto ospf"),
               res("r2", "10.1.0.0/24", true)};
  CHECK(g.passed() == 2);
  CHECK(g.total() == 3);
  CHECK(g.score() == doctest::Approx(66.666).epsilon(0.001));
  CHECK(grade_line(g, 6) ==
        "alice   triangle          2/3      66%  r1 → route 10.3.0.0/24: found via 10.13.0.2 dev vke2 proto ospf");

  GradeResult bad;
  bad.student = "bob";
  bad.path = "class/bob, \"the\" lab.yaml";
  bad.status = GradeStatus::Invalid;
  bad.reason = "does not validate: lab.yaml:3:5: error: unknown key \"gests\"";
  bad.results = ungraded(std::vector<topology::CheckDecl>(3), bad.reason);
  CHECK(bad.passed() == 0);
  CHECK(bad.total() == 3);
  CHECK(bad.score() == 0);
  CHECK(grade_line(bad, 6) ==
        "bob     -                 0/3       0%  invalid: does not validate: lab.yaml:3:5: error: unknown key \"gests\"");
  for (const auto& r : bad.results) CHECK(r.got == Got::Error);

  std::ostringstream csv;
  write_summary_csv(csv, {g, bad});
  CHECK(csv.str() ==
        "student,path,lab,status,passed,total,score,reason,failing\n"
        "alice,class/alice.yaml,triangle,graded,2,3,66.7,,r1 → route 10.3.0.0/24\n"
        "bob,\"class/bob, \"\"the\"\" lab.yaml\",,invalid,0,3,0.0,"
        "\"does not validate: lab.yaml:3:5: error: unknown key \"\"gests\"\"\",\n");

  auto j = grade_json(g);
  CHECK(j["score"] == doctest::Approx(66.7));
  CHECK(j["status"] == "graded");
  CHECK(j["checks"].size() == 3);
  CHECK(j["checks"][1]["found"] == "via 10.13.0.2 dev vke2 proto ospf");
  auto s = grade_suite(bad);
  CHECK(s.name == "bob");
  REQUIRE(s.reason);
  CHECK(s.reason->starts_with("invalid: does not validate"));
}

TEST_CASE("the line names at most two failing checks, then how many more") {
  GradeResult g;
  g.student = "c";
  g.lab = "l";
  for (int i = 0; i < 5; ++i) g.results.push_back(res("r" + std::to_string(i), "10.0.0.0/8", false, "no route to 10.0.0.0/8"));
  std::string line = grade_line(g, 1);
  CHECK(line.ends_with("r0 → route 10.0.0.0/8: found no route to 10.0.0.0/8; r1 → route 10.0.0.0/8: found no route to "
                       "10.0.0.0/8; +3 more"));
}
