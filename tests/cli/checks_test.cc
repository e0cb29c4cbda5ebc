#include "cli/checks.h"

#include <doctest/doctest.h>

#include <map>
#include <mutex>
#include <sstream>

using namespace vklab;
using namespace vklab::cli;
using std::chrono::milliseconds;

namespace {

CheckDecl ping(const std::string& from, const std::string& target, bool reachable = true) {
  CheckDecl c;
  c.from.value = from;
  c.target.value = *Ipv4::parse(target);
  c.expect_reachable = reachable;
  c.loc.file = "lab.yaml:20:5";
  return c;
}

// Answers from a script: per target, the results of successive attempts
// (the last one repeats); an unknown target is an error.
class FakeProber : public Prober {
 public:
  std::map<std::string, std::vector<int>> script;  // 1 reachable, 0 not, -1 error
  std::map<std::string, int> calls;
  std::mutex mu;

  Result<bool> probe(const CheckDecl& c, milliseconds) override {
    std::lock_guard lock(mu);
    std::string t = c.target.value.str();
    auto it = script.find(t);
    if (it == script.end()) return make_error(c.from.value + ": not running (Halted)");
    int n = calls[t]++;
    int v = it->second[std::min<size_t>(n, it->second.size() - 1)];
    if (v < 0) return make_error(c.from.value + ": not running (Halted)");
    return v == 1;
  }
};

CheckOptions fast() {
  CheckOptions o;
  o.timeout = milliseconds(30);
  o.attempt_wait = milliseconds(10);
  return o;
}

}  // namespace

TEST_CASE("reachable as expected passes on the first attempt") {
  FakeProber p;
  p.script["10.0.0.2"] = {1};
  auto r = run_checks({ping("a", "10.0.0.2")}, p, fast());
  REQUIRE(r.size() == 1);
  CHECK(r[0].ok());
  CHECK(r[0].got == Got::Reachable);
  CHECK(r[0].attempts == 1);
}

TEST_CASE("a reachable check tries again (ARP on a fresh lab) until the timeout") {
  FakeProber p;
  p.script["10.0.0.2"] = {0, 0, 1};
  auto r = run_checks({ping("a", "10.0.0.2")}, p, fast());
  CHECK(r[0].ok());
  CHECK(r[0].attempts == 3);

  FakeProber never;
  never.script["10.0.0.2"] = {0};
  r = run_checks({ping("a", "10.0.0.2")}, never, fast());
  CHECK_FALSE(r[0].ok());
  CHECK(r[0].got == Got::Unreachable);
  CHECK(r[0].attempts == 3);  // 30 ms / 10 ms per attempt
}

TEST_CASE("an unreachable check makes one attempt") {
  FakeProber p;
  p.script["10.0.1.1"] = {0};
  auto r = run_checks({ping("a", "10.0.1.1", false)}, p, fast());
  CHECK(r[0].ok());
  CHECK(r[0].attempts == 1);
  p.script["10.0.0.2"] = {1};
  r = run_checks({ping("a", "10.0.0.2", false)}, p, fast());
  CHECK_FALSE(r[0].ok());
  CHECK(r[0].got == Got::Reachable);
}

TEST_CASE("a guest that cannot be entered never passes, whatever the expectation") {
  FakeProber p;  // no script: every probe is an error
  auto r = run_checks({ping("gone", "10.0.0.9", false), ping("gone", "10.0.0.9")}, p, fast());
  for (const auto& x : r) {
    CHECK_FALSE(x.ok());
    CHECK(x.got == Got::Error);
    CHECK(x.error == "gone: not running (Halted)");
    CHECK(x.attempts == 1);
  }
}

TEST_CASE("results keep the file order whatever the parallelism") {
  FakeProber p;
  std::vector<CheckDecl> checks;
  for (int i = 1; i <= 20; ++i) {
    std::string t = "10.0.0." + std::to_string(i);
    p.script[t] = {i % 2};
    checks.push_back(ping("h" + std::to_string(i), t, i % 2 == 1));
  }
  for (int jobs : {1, 3, 8, 64}) {
    CheckOptions o = fast();
    o.jobs = jobs;
    auto r = run_checks(checks, p, o);
    REQUIRE(r.size() == checks.size());
    for (size_t i = 0; i < r.size(); ++i) {
      CHECK(r[i].check.from.value == checks[i].from.value);
      CHECK(r[i].ok());
    }
  }
}

TEST_CASE("the table names the failing check and what happened") {
  CheckDecl tcp = ping("web", "10.0.0.2");
  tcp.kind = CheckDecl::Kind::Tcp;
  tcp.port = 80;
  CHECK(check_label(tcp) == "web → tcp 10.0.0.2:80");
  std::vector<CheckResult> rs(3);
  rs[0].check = ping("pc1", "10.3.0.2");
  rs[0].got = Got::Reachable;
  rs[0].elapsed = milliseconds(12);
  rs[1].check = ping("a", "10.0.0.99");
  rs[1].got = Got::Unreachable;
  rs[1].elapsed = milliseconds(3004);
  rs[2].check = tcp;
  rs[2].got = Got::Error;
  rs[2].error = "web: not running (Halted)";
  std::ostringstream out;
  print_check_table(out, rs);
  CHECK(out.str() ==
        "CHECK                   EXPECT        TIME      RESULT\n"
        "pc1 → ping 10.3.0.2     reachable     12 ms     ok\n"
        "a → ping 10.0.0.99      reachable     3004 ms   FAIL: expected reachable, got unreachable"
        "  [lab.yaml:20:5]\n"
        "web → tcp 10.0.0.2:80   reachable     0 ms      FAIL: expected reachable, got error"
        " (web: not running (Halted))  [lab.yaml:20:5]\n"
        "1 passed, 2 failed\n");

  auto j = checks_json(rs);
  REQUIRE(j.size() == 3);
  CHECK(j[0]["check"] == "pc1 → ping 10.3.0.2");
  CHECK(j[0]["from"] == "pc1");
  CHECK(j[0]["kind"] == "ping");
  CHECK(j[0]["target"] == "10.3.0.2");
  CHECK(j[0]["expect"] == "reachable");
  CHECK(j[0]["got"] == "reachable");
  CHECK(j[0]["ok"] == true);
  CHECK(j[0]["ms"] == 12);
  CHECK(j[1]["ok"] == false);
  CHECK(j[1]["got"] == "unreachable");
  CHECK(j[2]["kind"] == "tcp");
  CHECK(j[2]["target"] == "10.0.0.2:80");
  CHECK(j[2]["port"] == 80);
  CHECK(j[2]["error"] == "web: not running (Halted)");
  CHECK_FALSE(j[0].contains("error"));
}
