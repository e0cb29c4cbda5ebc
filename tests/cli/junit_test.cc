// JUnit output: parsed by python3's xml.etree (junit_check.py), which also
// checks that every count attribute agrees with the testcases.
#include <doctest/doctest.h>

#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include "cli/checks.h"
#include "cli/grade.h"

using namespace vklab;
using namespace vklab::cli;
using std::chrono::milliseconds;

namespace {

/// junit_check.py's reading of `xml`, or "exit N: …" when it refused it.
std::string parsed(const std::string& xml) {
  char path[] = "/tmp/vklab-junit-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::ofstream(path) << xml;
  std::string cmd = std::string("python3 ") + VKLAB_TEST_SRC + "/junit_check.py " + path + " 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int st = ::pclose(p);
  ::unlink(path);
  if (st != 0) out = "exit " + std::to_string(st) + ": " + out;
  return out;
}

CheckResult result(topology::CheckDecl::Kind kind, const std::string& from, const std::string& target, Got got,
                   const std::string& found = "", const std::string& error = "") {
  CheckResult r;
  r.check.kind = kind;
  r.check.from.value = from;
  r.check.target.value = target;
  r.check.loc.file = "key.yaml:3:5";
  r.got = got;
  r.found = found;
  r.error = error;
  r.elapsed = milliseconds(1250);
  r.attempts = 1;
  return r;
}

}  // namespace

TEST_CASE("JUnit: one testsuite per lab, one testcase per check, failures and errors counted") {
  using K = topology::CheckDecl::Kind;
  Suite lab{"triangle", {}, std::nullopt, milliseconds(4000)};
  lab.results.push_back(result(K::Ping, "pc1", "10.3.0.2", Got::Held, "reachable"));
  auto route = result(K::Route, "r1", "10.3.0.0/24", Got::NotHeld, "via 10.13.0.2 dev vke2 proto ospf");
  route.check.via = "10.12.0.2";
  lab.results.push_back(route);
  lab.results.push_back(result(K::Process, "r9", "zebra", Got::Error, "", "triangle: no guest named r9"));
  // Text that XML cannot hold as is: markup, quotes, a control byte, bad UTF-8.
  auto cmd = result(K::Command, "pc1", "echo '<b>&\"x\"'", Got::NotHeld, std::string("output \"<b>&\x01\xff\""));
  cmd.check.output = "</testcase>";
  lab.results.push_back(cmd);
  Suite down{"bob", {}, std::string("not-up: did not come up: r1: kernel not found"), {}};
  down.results.push_back(result(K::Ping, "pc1", "10.3.0.2", Got::Error, "", "not-up: …"));
  std::ostringstream xml;
  write_junit(xml, {lab, down});
  std::string out = parsed(xml.str());
  CHECK(out ==
        "triangle tests=4 failures=2 errors=1\n"
        "  triangle.pc1 | pc1 → ping 10.3.0.2 | ok | \n"
        "  triangle.r1 | r1 → route 10.3.0.0/24 via 10.12.0.2 | failure | found via 10.13.0.2 dev vke2 proto ospf\n"
        "    expected: r1 → route 10.3.0.0/24 via 10.12.0.2 (present)\n"
        "    at: key.yaml:3:5\n"
        "    found: via 10.13.0.2 dev vke2 proto ospf\n"
        "  triangle.r9 | r9 → process zebra | error | triangle: no guest named r9\n"
        "    expected: r9 → process zebra (present)\n"
        "    at: key.yaml:3:5\n"
        "    error: triangle: no guest named r9\n"
        "  triangle.pc1 | pc1 → command echo '<b>&\"x\"' = '</testcase>' | failure | found output \"<b>&\xEF\xBF\xBD\"\n"
        "    expected: pc1 → command echo '<b>&\"x\"' = '</testcase>' (match)\n"
        "    at: key.yaml:3:5\n"
        "    found: output \"<b>&\xEF\xBF\xBD\"\n"
        "bob tests=1 failures=0 errors=1\n"
        "  bob.pc1 | pc1 → ping 10.3.0.2 | error | not-up: did not come up: r1: kernel not found\n"
        "    expected: pc1 → ping 10.3.0.2 (reachable)\n"
        "    at: key.yaml:3:5\n");
}

TEST_CASE("JUnit: no checks is still a valid document") {
  std::ostringstream xml;
  write_junit(xml, {Suite{"empty", {}, std::nullopt, {}}});
  CHECK(parsed(xml.str()) == "empty tests=0 failures=0 errors=0\n");
  CHECK(parsed("<testsuites><testsuite name='x' tests='2' failures='0' errors='0' time='0'>"
               "<testcase name='a' time='0'/></testsuite></testsuites>")
            .starts_with("exit "));  // the checker itself refuses wrong counts
}
