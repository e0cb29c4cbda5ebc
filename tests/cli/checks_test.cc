#include "cli/checks.h"

#include <doctest/doctest.h>

#include <map>
#include <mutex>
#include <sstream>

using namespace vklab;
using namespace vklab::cli;
using std::chrono::milliseconds;
using K = CheckDecl::Kind;

namespace {

CheckDecl make(K kind, const std::string& from, const std::string& target, bool present = true) {
  CheckDecl c;
  c.kind = kind;
  c.from.value = from;
  c.target.value = target;
  c.expect_present = present;
  c.loc.file = "lab.yaml:20:5";
  return c;
}

CheckDecl ping(const std::string& from, const std::string& target, bool reachable = true) {
  return make(K::Ping, from, target, reachable);
}

// Answers from a script. reach: per target, the results of successive
// attempts (the last one repeats; 1 reachable, 0 not, -1 error); an
// unknown target is an error. net/processes/run: per guest, successive
// answers likewise; a guest without an entry is "no guest named".
class FakeProber : public Prober {
 public:
  std::map<std::string, std::vector<int>> script;
  std::map<std::string, int> calls;
  std::map<std::string, std::vector<hostnet::NetState>> nets;
  std::map<std::string, std::vector<std::string>> procs;
  std::map<std::string, std::vector<CommandRun>> runs;
  std::vector<std::vector<std::string>> argvs;  // every command run, in order
  std::vector<milliseconds> limits;
  std::mutex mu;

  Result<bool> reach(const CheckDecl& c, milliseconds) override {
    std::lock_guard lock(mu);
    const std::string& t = c.target.value;
    auto it = script.find(t);
    if (it == script.end()) return make_error(c.from.value + ": not running (Halted)");
    int n = calls[t]++;
    int v = it->second[std::min<size_t>(n, it->second.size() - 1)];
    if (v < 0) return make_error(c.from.value + ": not running (Halted)");
    return v == 1;
  }
  Result<hostnet::NetState> net(const std::string& g) override {
    std::lock_guard lock(mu);
    auto it = nets.find(g);
    if (it == nets.end()) return make_error("lab: no guest named " + g);
    int n = calls["net:" + g]++;
    return it->second[std::min<size_t>(n, it->second.size() - 1)];
  }
  Result<std::vector<std::string>> processes(const std::string& g) override {
    std::lock_guard lock(mu);
    auto it = procs.find(g);
    if (it == procs.end()) return make_error("lab: no guest named " + g);
    ++calls["ps:" + g];
    return it->second;
  }
  Result<CommandRun> run(const std::string& g, const std::vector<std::string>& argv, milliseconds limit) override {
    std::lock_guard lock(mu);
    argvs.push_back(argv);
    limits.push_back(limit);
    auto it = runs.find(g);
    if (it == runs.end()) return make_error("lab: no guest named " + g);
    int n = calls["run:" + g]++;
    return it->second[std::min<size_t>(n, it->second.size() - 1)];
  }
};

CheckOptions fast() {
  CheckOptions o;
  o.wait = milliseconds(30);
  o.attempt = milliseconds(10);
  return o;
}

CheckOptions once() {
  CheckOptions o = fast();
  o.wait = milliseconds(0);
  return o;
}

hostnet::Route route(const std::string& dst, const std::string& via, const std::string& dev, int proto) {
  hostnet::Route r;
  r.dst = *IpPrefix::parse(dst);
  r.proto = proto;
  r.hops.push_back({via, dev});
  return r;
}

hostnet::NetState r1_net() {
  hostnet::NetState n;
  n.routes = {route("10.1.0.0/24", "", "vke0", 2), route("10.3.0.0/24", "10.13.0.2", "vke2", 188),
              route("10.2.0.0/24", "10.12.0.2", "vke1", 3), route("0.0.0.0/0", "10.1.0.254", "vke0", 4),
              route("2001:db8:3::/64", "2001:db8:12::2", "vke1", 196)};
  n.addresses = {{"lo", *IpPrefix::parse("127.0.0.1/8")},
                 {"vke0", *IpPrefix::parse("10.1.0.1/24")},
                 {"vke0", *IpPrefix::parse("fe80::1/64")},
                 {"vke1", *IpPrefix::parse("10.12.0.1/30")},
                 {"vke1", *IpPrefix::parse("2001:db8:12::1/64")}};
  return n;
}

CheckResult one(FakeProber& p, const CheckDecl& c, CheckOptions o = once()) {
  auto r = run_checks({c}, p, o);
  REQUIRE(r.size() == 1);
  return r[0];
}

}  // namespace

TEST_CASE("reachable as expected passes on the first attempt") {
  FakeProber p;
  p.script["10.0.0.2"] = {1};
  auto r = run_checks({ping("a", "10.0.0.2")}, p, fast());
  REQUIRE(r.size() == 1);
  CHECK(r[0].ok());
  CHECK(r[0].got == Got::Held);
  CHECK(got_name(r[0]) == "reachable");
  CHECK(r[0].attempts == 1);
}

TEST_CASE("a failing check tries again (ARP on a fresh lab) until its wait is spent") {
  FakeProber p;
  p.script["10.0.0.2"] = {0, 0, 1};
  auto r = run_checks({ping("a", "10.0.0.2")}, p, fast());
  CHECK(r[0].ok());
  CHECK(r[0].attempts == 3);

  FakeProber never;
  never.script["10.0.0.2"] = {0};
  r = run_checks({ping("a", "10.0.0.2")}, never, fast());
  CHECK_FALSE(r[0].ok());
  CHECK(r[0].got == Got::NotHeld);
  CHECK(r[0].attempts == 3);  // 30 ms / 10 ms per attempt
  CHECK(failure_text(r[0]) == "expected reachable, got unreachable");
}

TEST_CASE("a check's own wait wins over the run's; wait 0 is one attempt") {
  FakeProber p;
  p.script["10.0.0.2"] = {0};
  CheckDecl c = ping("a", "10.0.0.2");
  c.wait = milliseconds(50);
  CHECK(one(p, c, fast()).attempts == 5);
  c.wait = milliseconds(0);
  CHECK(one(p, c, fast()).attempts == 1);
  CHECK(one(p, ping("a", "10.0.0.2"), once()).attempts == 1);
}

TEST_CASE("an unreachable check passes at once, and a failing one is retried until it passes") {
  FakeProber p;
  p.script["10.0.1.1"] = {0};
  auto r = run_checks({ping("a", "10.0.1.1", false)}, p, fast());
  CHECK(r[0].ok());
  CHECK(r[0].attempts == 1);
  p.script["10.0.0.2"] = {1};
  r = run_checks({ping("a", "10.0.0.2", false)}, p, fast());
  CHECK_FALSE(r[0].ok());
  CHECK(r[0].got == Got::Held);
  CHECK(failure_text(r[0]) == "expected unreachable, got reachable");
  p.script["10.0.0.3"] = {1, 0};  // a link taken down: the route goes away
  r = run_checks({ping("a", "10.0.0.3", false)}, p, fast());
  CHECK(r[0].ok());
  CHECK(r[0].attempts == 2);
}

TEST_CASE("a guest that cannot be entered never passes, whatever the expectation") {
  FakeProber p;  // no script: every probe is an error
  auto r = run_checks({ping("gone", "10.0.0.9", false), ping("gone", "10.0.0.9"),
                       make(K::Route, "gone", "10.3.0.0/24", false), make(K::Process, "gone", "zebra", false)},
                      p, fast());
  for (const auto& x : r) {
    CHECK_FALSE(x.ok());
    CHECK(x.got == Got::Error);
    CHECK(x.attempts == 1);
  }
  CHECK(r[0].error == "gone: not running (Halted)");
  CHECK(r[2].error == "lab: no guest named gone");
  CHECK(failure_text(r[2]) == "expected absent, got error (lab: no guest named gone)");
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

TEST_CASE("a cancelled run starts no attempt") {
  FakeProber p;
  p.script["10.0.0.2"] = {1};
  std::atomic<bool> stop{true};
  CheckOptions o = fast();
  o.cancel = &stop;
  auto r = one(p, ping("a", "10.0.0.2"), o);
  CHECK(r.got == Got::Error);
  CHECK(r.error == "interrupted");
  CHECK(p.calls["10.0.0.2"] == 0);
}

TEST_CASE("route: prefix, via, dev and proto; what was found instead") {
  FakeProber p;
  p.nets["r1"] = {r1_net()};
  CheckDecl c = make(K::Route, "r1", "10.3.0.0/24");
  auto r = one(p, c);
  CHECK(r.ok());
  CHECK(r.found == "via 10.13.0.2 dev vke2 proto ospf");

  c.via = "10.12.0.2";
  r = one(p, c);
  CHECK_FALSE(r.ok());
  CHECK(check_label(c) == "r1 → route 10.3.0.0/24 via 10.12.0.2");
  CHECK(failure_text(r) == "found via 10.13.0.2 dev vke2 proto ospf");

  c.via = "10.13.0.2";
  c.dev = "vke2";
  c.proto = "ospf";
  CHECK(one(p, c).ok());
  c.proto = "bgp";
  CHECK_FALSE(one(p, c).ok());
  c.proto = "188";
  CHECK(one(p, c).ok());
  c.dev = "vke1";
  c.proto.reset();
  CHECK_FALSE(one(p, c).ok());

  // No route for the prefix: the one the guest would take is named.
  CheckDecl none = make(K::Route, "r1", "10.9.0.0/24");
  r = one(p, none);
  CHECK_FALSE(r.ok());
  CHECK(r.found == "no route to 10.9.0.0/24 (10.9.0.0/24 goes by the default route via 10.1.0.254 dev vke0 proto static)");
  CHECK(failure_text(r) == "found no route to 10.9.0.0/24 (10.9.0.0/24 goes by the default route via 10.1.0.254 dev vke0 proto static)");
  CHECK(one(p, make(K::Route, "r1", "0.0.0.0/0")).ok());
}

TEST_CASE("route: proto static is any route set by hand (boot, static, FRR's staticd)") {
  FakeProber p;
  p.nets["r1"] = {r1_net()};
  CheckDecl c = make(K::Route, "r1", "10.2.0.0/24");  // `ip route add`: proto boot
  c.proto = "static";
  CHECK(one(p, c).ok());
  c.proto = "boot";
  CHECK(one(p, c).ok());
  c.proto = "kernel";
  CHECK_FALSE(one(p, c).ok());
  CheckDecl v6 = make(K::Route, "r1", "2001:db8:3::/64");  // FRR static: 196
  v6.proto = "static";
  v6.via = "2001:db8:12::2";
  CHECK(one(p, v6).ok());
  CheckDecl connected = make(K::Route, "r1", "10.1.0.0/24");
  connected.proto = "kernel";
  connected.dev = "vke0";
  CHECK(one(p, connected).ok());
  CHECK(one(p, connected).found == "dev vke0 proto kernel");
}

TEST_CASE("route: expect absent inverts, and a route that goes away passes after a retry") {
  FakeProber p;
  p.nets["r1"] = {r1_net()};
  CheckDecl c = make(K::Route, "r1", "10.3.0.0/24", false);
  auto r = one(p, c);
  CHECK_FALSE(r.ok());
  CHECK(r.got == Got::Held);
  CHECK(got_name(r) == "present");
  CHECK(failure_text(r) == "expected absent, found via 10.13.0.2 dev vke2 proto ospf");
  CHECK(one(p, make(K::Route, "r1", "10.9.0.0/24", false)).ok());

  hostnet::NetState later = r1_net();
  later.routes.erase(later.routes.begin() + 1);
  FakeProber q;
  q.nets["r1"] = {r1_net(), later};
  r = one(q, c, fast());
  CHECK(r.ok());
  CHECK(r.attempts == 2);
}

TEST_CASE("address: on any interface or a named one; what the interface has instead") {
  FakeProber p;
  p.nets["r1"] = {r1_net()};
  CheckDecl c = make(K::Address, "r1", "10.12.0.1/30");
  CHECK(one(p, c).ok());
  c.dev = "vke1";
  CHECK(one(p, c).ok());
  c.dev = "vke0";
  auto r = one(p, c);
  CHECK_FALSE(r.ok());
  CHECK(r.found == "10.12.0.1/30 on vke1");
  CheckDecl len = make(K::Address, "r1", "10.12.0.1/24");
  CHECK(one(p, len).found == "10.12.0.1/30 on vke1");
  CheckDecl other = make(K::Address, "r1", "10.1.0.9/24");
  other.dev = "vke0";
  CHECK(one(p, other).found == "vke0 has 10.1.0.1/24");  // fe80:: is left out
  other.dev = "vke7";
  CHECK(one(p, other).found == "no address on vke7");
  CheckDecl nowhere = make(K::Address, "r1", "10.7.0.1/24");
  CHECK(one(p, nowhere).found ==
        "no interface has 10.7.0.1 (10.1.0.1/24 on vke0, 10.12.0.1/30 on vke1, 2001:db8:12::1/64 on vke1)");
  CHECK(one(p, make(K::Address, "r1", "2001:db8:12::1/64")).ok());
  CHECK(one(p, make(K::Address, "r1", "10.7.0.1/24", false)).ok());
  CHECK_FALSE(one(p, make(K::Address, "r1", "10.1.0.1/24", false)).ok());
}

TEST_CASE("process: by command name; the names running when it is not") {
  FakeProber p;
  p.procs["r1"] = {"init", "sh", "zebra", "watchfrr", "zebra"};
  CHECK(one(p, make(K::Process, "r1", "zebra")).ok());
  CHECK(one(p, make(K::Process, "r1", "zebra")).found == "2 processes named zebra");
  auto r = one(p, make(K::Process, "r1", "ospfd"));
  CHECK_FALSE(r.ok());
  CHECK(failure_text(r) == "found no process named ospfd (running: init, sh, watchfrr, zebra)");
  CHECK(one(p, make(K::Process, "r1", "ospfd", false)).ok());
  r = one(p, make(K::Process, "r1", "zebra", false));
  CHECK(failure_text(r) == "expected absent, found 2 processes named zebra");
}

TEST_CASE("command: runs under sh -c; exit, exact output (one trailing newline), regex") {
  FakeProber p;
  p.runs["r1"] = {{0, "Neighbor ID  State\n1.1.1.1      Full/DR\n", "", false}};
  CheckDecl c = make(K::Command, "r1", "vtysh -c 'show ip ospf neighbor'");
  c.match = "Full";
  auto r = one(p, c);
  CHECK(r.ok());
  REQUIRE(p.argvs.size() == 1);
  CHECK(p.argvs[0] == std::vector<std::string>{"sh", "-c", "vtysh -c 'show ip ospf neighbor'"});
  c.match = "^1\\.1\\.1\\.1\\s+Full";  // Perl syntax, ^ at a line start
  CHECK(one(p, c).ok());
  c.match = "2\\.2\\.2\\.2";
  r = one(p, c);
  CHECK_FALSE(r.ok());
  CHECK(failure_text(r) == "found output \"Neighbor ID  State\\n1.1.1.1      Full/DR\", no match for /2\\.2\\.2\\.2/");

  p.runs["pc"] = {{0, "hello\n", "", false}};
  CheckDecl out = make(K::Command, "pc", "cat /etc/motd");
  out.output = "hello";
  CHECK(one(p, out).ok());
  out.output = "hello\n";
  CHECK(one(p, out).ok());
  out.output = "hell";
  CHECK(failure_text(one(p, out)) == "found output \"hello\"");

  p.runs["bad"] = {{2, "", "ls: cannot access '/nope': No such file or directory\n", false}};
  CheckDecl ex = make(K::Command, "bad", "ls /nope");
  CHECK(failure_text(one(p, ex)) == "found exit 2: \"ls: cannot access '/nope': No such file or directory\"");
  ex.exit = 2;
  CHECK(one(p, ex).ok());

  p.runs["slow"] = {{137, "partial", "", true}};
  CheckDecl slow = make(K::Command, "slow", "sleep 100");
  CHECK(failure_text(one(p, slow)) == "found no exit within 5s, output \"partial\"");
  CHECK(p.limits.back() == milliseconds(5000));
}

TEST_CASE("resolve: getent ahosts in the guest; any answer, or the one named") {
  FakeProber p;
  p.runs["pc"] = {{0,
                   "10.0.0.80       STREAM www.lab.net\n10.0.0.80       DGRAM  \n"
                   "2001:db8::80    STREAM \n",
                   "", false}};
  CheckDecl c = make(K::Resolve, "pc", "www.lab.net");
  CHECK(one(p, c).ok());
  CHECK(p.argvs.back() == std::vector<std::string>{"getent", "ahosts", "www.lab.net"});
  c.address = "10.0.0.80";
  CHECK(one(p, c).ok());
  c.address = "2001:db8::80";
  CHECK(one(p, c).ok());
  c.address = "10.0.0.81";
  CHECK(failure_text(one(p, c)) == "found 10.0.0.80, 2001:db8::80");
  p.runs["nx"] = {{2, "", "", false}};
  CHECK(failure_text(one(p, make(K::Resolve, "nx", "nope.lab"))) == "found no answer for nope.lab");
  CHECK(one(p, make(K::Resolve, "nx", "nope.lab", false)).ok());
}

TEST_CASE("http: curl in the guest; status and body text") {
  FakeProber p;
  p.runs["pc"] = {{0, "<h1>Welcome to the lab</h1>\n\n200", "", false}};
  CheckDecl c = make(K::Http, "pc", "http://10.0.0.80/");
  c.contains = "Welcome";
  auto r = one(p, c);
  CHECK(r.ok());
  const auto& argv = p.argvs.back();
  CHECK(argv.front() == "curl");
  CHECK(argv.back() == "http://10.0.0.80/");
  CHECK(argv[argv.size() - 2] == "--");
  c.contains = "Goodbye";
  CHECK(failure_text(one(p, c)) ==
        "found status 200, a body without \"Goodbye\" (28 bytes: \"<h1>Welcome to the lab</h1>\")");
  p.runs["pc"] = {{0, "missing\n404", "", false}};
  c.contains.reset();
  CHECK(failure_text(one(p, c)) == "found status 404");
  c.status = 404;
  CHECK(one(p, c).ok());
  p.runs["pc"] = {{7, "", "curl: (7) Failed to connect to 10.0.0.80 port 80: Connection refused\n", false}};
  CHECK(failure_text(one(p, c)) == "found curl: (7) Failed to connect to 10.0.0.80 port 80: Connection refused");
}

TEST_CASE("bgp: FRR's summary JSON, both shapes; state and prefixes received") {
  FakeProber p;
  std::string all = R"({"ipv4Unicast":{"routerId":"1.1.1.1","peers":{
      "10.9.0.2":{"remoteAs":65002,"state":"Established","pfxRcd":3},
      "10.9.0.6":{"remoteAs":65003,"state":"Active","pfxRcd":0}}},
    "ipv6Unicast":{"peers":{"2001:db8:9::2":{"state":"Established","pfxRcd":2}}}})";
  p.runs["r1"] = {{0, all, "", false}};
  CheckDecl c = make(K::Bgp, "r1", "10.9.0.2");
  auto r = one(p, c);
  CHECK(r.ok());
  CHECK(r.found == "state Established, 3 prefixes received");
  CHECK(p.argvs.back() == std::vector<std::string>{"vtysh", "-c", "show bgp summary json"});
  c.prefixes = 3;
  CHECK(one(p, c).ok());
  c.prefixes = 4;
  CHECK(failure_text(one(p, c)) == "found state Established, 3 prefixes received");
  CHECK(failure_text(one(p, make(K::Bgp, "r1", "10.9.0.6"))) == "found state Active, 0 prefixes received");
  CHECK(one(p, make(K::Bgp, "r1", "2001:db8:9::2")).ok());
  CHECK(failure_text(one(p, make(K::Bgp, "r1", "10.9.0.10"))) ==
        "found no session with 10.9.0.10 (peers: 10.9.0.2, 10.9.0.6, 2001:db8:9::2)");
  CHECK(one(p, make(K::Bgp, "r1", "10.9.0.6", false)).ok());

  p.runs["old"] = {{0, R"({"routerId":"2.2.2.2","peers":{"10.9.0.1":{"state":"Established","pfxRcd":1}}})", "", false}};
  CHECK(one(p, make(K::Bgp, "old", "10.9.0.1")).found == "state Established, 1 prefix received");
  p.runs["nofrr"] = {{1, "", "Exiting: failed to connect to any daemons.\n", false}};
  CHECK(failure_text(one(p, make(K::Bgp, "nofrr", "10.9.0.1"))) ==
        "found vtysh exit 1: \"Exiting: failed to connect to any daemons.\"");
  p.runs["junk"] = {{0, "% Unknown command", "", false}};
  CHECK(failure_text(one(p, make(K::Bgp, "junk", "10.9.0.1"))) ==
        "found vtysh output that is not JSON: \"% Unknown command\"");
}

TEST_CASE("labels: a check's name wins; ipv6 tcp in brackets") {
  CheckDecl tcp = make(K::Tcp, "web", "2001:db8::2");
  tcp.port = 443;
  CHECK(check_label(tcp) == "web → tcp [2001:db8::2]:443");
  CHECK(check_target(tcp) == "[2001:db8::2]:443");
  tcp.name = "web answers on 443";
  CHECK(check_label(tcp) == "web answers on 443");
}

TEST_CASE("the table names the failing check and what happened") {
  CheckDecl tcp = ping("web", "10.0.0.2");
  tcp.kind = K::Tcp;
  tcp.port = 80;
  CHECK(check_label(tcp) == "web → tcp 10.0.0.2:80");
  std::vector<CheckResult> rs(4);
  rs[0].check = ping("pc1", "10.3.0.2");
  rs[0].got = Got::Held;
  rs[0].elapsed = milliseconds(12);
  rs[1].check = ping("a", "10.0.0.99");
  rs[1].got = Got::NotHeld;
  rs[1].elapsed = milliseconds(3004);
  rs[2].check = tcp;
  rs[2].got = Got::Error;
  rs[2].error = "web: not running (Halted)";
  rs[3].check = make(K::Route, "r1", "10.3.0.0/24");
  rs[3].check.via = "10.12.0.2";
  rs[3].got = Got::NotHeld;
  rs[3].found = "via 10.13.0.2 dev vke2 proto ospf";
  std::ostringstream out;
  print_check_table(out, rs);
  CHECK(out.str() ==
        "CHECK                                  EXPECT        TIME      RESULT\n"
        "pc1 → ping 10.3.0.2                    reachable     12 ms     ok\n"
        "a → ping 10.0.0.99                     reachable     3004 ms   FAIL: expected reachable, got unreachable"
        "  [lab.yaml:20:5]\n"
        "web → tcp 10.0.0.2:80                  reachable     0 ms      FAIL: expected reachable, got error"
        " (web: not running (Halted))  [lab.yaml:20:5]\n"
        "r1 → route 10.3.0.0/24 via 10.12.0.2   present       0 ms      FAIL: found via 10.13.0.2 dev vke2 proto ospf"
        "  [lab.yaml:20:5]\n"
        "1 passed, 3 failed\n");

  auto j = checks_json(rs);
  REQUIRE(j.size() == 4);
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
  CHECK_FALSE(j[0].contains("failure"));
  CHECK(j[3]["kind"] == "route");
  CHECK(j[3]["expected"] == "route 10.3.0.0/24 via 10.12.0.2");
  CHECK(j[3]["found"] == "via 10.13.0.2 dev vke2 proto ospf");
  CHECK(j[3]["got"] == "absent");
  CHECK(j[3]["failure"] == "found via 10.13.0.2 dev vke2 proto ospf");
}

TEST_CASE("valid_utf8 keeps UTF-8 and replaces every invalid byte") {
  CHECK(valid_utf8("plain → ok") == "plain → ok");
  CHECK(valid_utf8(std::string("a\xff" "b")) == "a\xEF\xBF\xBD" "b");
  CHECK(valid_utf8(std::string("\xC0\xAF")) == "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  CHECK(valid_utf8(std::string("\xE2\x86")) == "\xEF\xBF\xBD\xEF\xBF\xBD");  // cut short
  CHECK(valid_utf8(std::string("\xED\xA0\x80")) == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  CHECK(valid_utf8("\xF0\x9F\x98\x80") == "\xF0\x9F\x98\x80");
}
