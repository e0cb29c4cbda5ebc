// `checks:` loading: every kind, its keys, and the errors a bad check gets
// (file:line:col, did-you-mean, the kind a stray key belongs to); grading
// keys; the plan JSON round trip of every field.
#include <doctest/doctest.h>

#include "topology/load.h"
#include "topology/plan_json.h"

using namespace vklab;
using namespace vklab::topology;
using namespace std::chrono_literals;
using K = CheckDecl::Kind;

namespace {

std::vector<CheckDecl> key(const std::string& text, Diagnostics& d) {
  auto k = load_checks_string(text, "key.yaml", d);
  d.sort();
  return k ? *k : std::vector<CheckDecl>{};
}

/// The diagnostics of a key holding `checks` (one per line).
std::string errors(const std::string& checks) {
  Diagnostics d;
  key("checks:\n" + checks, d);
  return d.str();
}

}  // namespace

TEST_CASE("every kind loads with its keys, canonical addresses and locations") {
  Diagnostics d;
  auto c = key(R"(description: the answer key
checks:
  - {from: r1, route: 10.3.0.0/24, via: 10.13.0.2, dev: vke2, proto: ospf, name: r1 to lan3}
  - {from: r1, route: "2001:DB8:3::/64", via: "2001:db8:0:0::2", expect: absent}
  - {from: r1, route: default, via: 10.1.0.254}
  - {from: r1, address: 10.12.0.1/30, dev: vke1}
  - {from: r1, process: ospfd, wait: 30s}
  - {from: r1, command: "vtysh -c 'show ip ospf neighbor'", match: "Full", exit: 0}
  - {from: pc, command: cat /etc/motd, output: hello, exit: 3}
  - {from: pc, resolve: www.lab.net, address: 10.0.0.80}
  - {from: pc, http: "http://10.0.0.80/", status: 404, contains: Not Found}
  - {from: r1, bgp: 10.9.0.2, prefixes: 2}
  - {from: r1, bgp: eth0}
  - {from: pc, ping: "2001:db8:1::1", expect: unreachable}
  - {from: pc, tcp: "[2001:db8:1::1]:443"}
  - {from: pc, tcp: "10.0.0.80:80"}
)",
               d);
  CHECK(d.str() == "");
  REQUIRE(c.size() == 14);
  CHECK(c[0].kind == K::Route);
  CHECK(c[0].name == "r1 to lan3");
  CHECK(c[0].target.value == "10.3.0.0/24");
  CHECK(c[0].target.loc.str() == "key.yaml:3:23");
  CHECK(*c[0].via == "10.13.0.2");
  CHECK(*c[0].dev == "vke2");
  CHECK(*c[0].proto == "ospf");
  CHECK(c[0].loc.str() == "key.yaml:3:5");
  CHECK(c[1].target.value == "2001:db8:3::/64");
  CHECK(*c[1].via == "2001:db8::2");
  CHECK_FALSE(c[1].expect_present);
  CHECK(c[2].target.value == "0.0.0.0/0");
  CHECK(c[3].kind == K::Address);
  CHECK(check_what(c[3]) == "address 10.12.0.1/30 dev vke1");
  CHECK(*c[4].wait == 30s);
  CHECK(c[5].kind == K::Command);
  CHECK(*c[5].match == "Full");
  CHECK(c[6].exit == 3);
  CHECK(*c[6].output == "hello");
  CHECK(c[7].kind == K::Resolve);
  CHECK(*c[7].address == "10.0.0.80");
  CHECK(c[8].status == 404);
  CHECK(*c[8].contains == "Not Found");
  CHECK(*c[9].prefixes == 2);
  CHECK(c[10].target.value == "eth0");
  CHECK(c[11].target.value == "2001:db8:1::1");
  CHECK(expect_name(c[11]) == std::string("unreachable"));
  CHECK(c[12].target.value == "2001:db8:1::1");
  CHECK(c[12].port == 443);
  CHECK(check_what(c[12]) == "tcp [2001:db8:1::1]:443");
  CHECK(check_what(c[13]) == "tcp 10.0.0.80:80");
  CHECK(check_what(c[0]) == "route 10.3.0.0/24 via 10.13.0.2 dev vke2 proto ospf");
  CHECK(check_what(c[5]) == "command vtysh -c 'show ip ospf neighbor' ~ /Full/");
  CHECK(check_what(c[6]) == "command cat /etc/motd exit 3 = hello");
  CHECK(check_what(c[9]) == "bgp 10.9.0.2 prefixes >= 2");
}

TEST_CASE("bad values: each with its place and what was expected") {
  CHECK(errors("  - {from: r1, route: 10.3.0.1/24}\n") ==
        "key.yaml:2:23: error: \"route\" in check #1: 10.3.0.1/24 has host bits set; a route's destination is a "
        "network (did you mean \"10.3.0.0/24\"?)\n");
  CHECK(errors("  - {from: r1, route: 10.3.0.0}\n") ==
        "key.yaml:2:23: error: \"route\" in check #1 must be a prefix ADDRESS/LEN (IPv4 or IPv6) or \"default\", "
        "found \"10.3.0.0\"\n");
  CHECK(errors("  - {from: r1, route: 10.3.0.0/24, via: 10.3.0.256}\n") ==
        "key.yaml:2:41: error: \"via\" in check #1 must be an IPv4 or IPv6 address, found \"10.3.0.256\"\n");
  CHECK(errors("  - {from: r1, route: 10.3.0.0/24, proto: osfp}\n") ==
        "key.yaml:2:43: error: \"proto\" in check #1 must be a routing protocol (kernel, boot, static, ospf, rip, "
        "bgp, …) or a number 0..255, found \"osfp\" (did you mean \"ospf\"?)\n");
  CHECK(errors("  - {from: r1, route: 10.3.0.0/24, proto: 300}\n").find("found \"300\"") != std::string::npos);
  CHECK(errors("  - {from: r1, route: 10.3.0.0/24, proto: 189}\n") == "");
  CHECK(errors("  - {from: r1, address: 10.0.0.1}\n") ==
        "key.yaml:2:25: error: \"address\" in check #1 must be an address with prefix length ADDRESS/LEN, found "
        "\"10.0.0.1\"\n");
  CHECK(errors("  - {from: r1, command: ls, match: \"(unclosed\"}\n").find(
            "key.yaml:2:36: error: \"match\" in check #1: not a regular expression: ") == 0);
  CHECK(errors("  - {from: r1, command: ls, exit: 256}\n") ==
        "key.yaml:2:35: error: \"exit\" in check #1 must be 0..255, found 256\n");
  CHECK(errors("  - {from: r1, command: ls, exit: \"1\"}\n") ==
        "key.yaml:2:35: error: \"exit\" in check #1 must be an integer, found the quoted string \"1\"; remove the "
        "quotes\n");
  CHECK(errors("  - {from: pc, http: ftp://x/}\n") ==
        "key.yaml:2:22: error: \"http\" in check #1 must be an http:// or https:// URL, found \"ftp://x/\"\n");
  CHECK(errors("  - {from: pc, http: \"http://x/\", status: 42}\n") ==
        "key.yaml:2:43: error: \"status\" in check #1 must be 100..599, found 42\n");
  CHECK(errors("  - {from: pc, resolve: \"bad name\"}\n") ==
        "key.yaml:2:25: error: \"resolve\" in check #1 must be a host name, found \"bad name\"\n");
  CHECK(errors("  - {from: pc, tcp: \"2001:db8::1:80\"}\n") ==
        "key.yaml:2:21: error: \"tcp\" in check #1 must be ADDRESS:PORT or [IPV6]:PORT (port 1..65535), found "
        "\"2001:db8::1:80\"\n");
  CHECK(errors("  - {from: pc, ping: 10.1.0.2, wait: soon}\n") ==
        "key.yaml:2:38: error: \"wait\" in check #1 must be a duration like 500ms, 30s, 2m or 1h, found \"soon\"\n");
  CHECK(errors("  - {from: pc, process: /usr/sbin/ospfd}\n") ==
        "key.yaml:2:25: error: \"process\" in check #1 must be a process name (its command name, without a path), "
        "found \"/usr/sbin/ospfd\"\n");
}

TEST_CASE("keys: unknown ones get did-you-mean, another kind's are named, kinds exclusive") {
  CHECK(errors("  - {from: r1, rout: 10.0.0.0/8}\n") ==
        "key.yaml:2:5: error: check #1 needs one of ping, tcp, route, address, process, command, resolve, http, bgp\n"
        "key.yaml:2:16: error: unknown key \"rout\" in check #1 (did you mean \"route\"?)\n");
  CHECK(errors("  - {from: r1, ping: 10.0.0.1, via: 10.0.0.2}\n") ==
        "key.yaml:2:32: error: \"via\" is not a key of a ping check (route checks take it)\n");
  CHECK(errors("  - {from: r1, address: 10.0.0.1/24, dev: vke0, contains: x}\n") ==
        "key.yaml:2:49: error: \"contains\" is not a key of a address check (http checks take it)\n");
  CHECK(errors("  - {from: r1, ping: 10.0.0.1, tcp: \"10.0.0.1:22\"}\n") ==
        "key.yaml:2:5: error: check #1 has both \"ping\" and \"tcp\"; use one\n");
  CHECK(errors("  - {from: r1, ping: 10.0.0.1, address: 10.0.0.1/24}\n") ==
        "key.yaml:2:5: error: check #1 has both \"ping\" and \"address\"; use one\n");
  CHECK(errors("  - {ping: 10.0.0.1}\n") == "key.yaml:2:5: error: check #1 needs \"from\": the guest it runs in\n");
  CHECK(errors("  - {from: r1, route: 10.0.0.0/8, expect: absnet}\n") ==
        "key.yaml:2:43: error: \"expect\" in check #1 must be \"present\" or \"absent\", found \"absnet\" (did you "
        "mean \"absent\"?)\n");
  CHECK(errors("  - {from: r1, ping: 10.0.0.1, expect: absent}\n") ==
        "key.yaml:2:40: error: \"expect\" in check #1 must be \"reachable\" or \"unreachable\", found \"absent\"\n");
  CHECK(errors("  - {from: r1, command: ls, expect: absent}\n") ==
        "key.yaml:2:37: error: \"expect\" in check #1: a command check cannot be negated; say what it must print or "
        "exit with\n");
  CHECK(errors("  - {from: r1, resolve: a.lab, address: 10.0.0.1, expect: absent}\n") == "");
}

TEST_CASE("a grading key: a mapping with checks; anything else is said") {
  Diagnostics d;
  CHECK(key("checks: []\n", d).empty());
  CHECK(d.str() == "");
  Diagnostics d2;
  key("description: x\n", d2);
  CHECK(d2.str() == "key.yaml:1:1: error: missing required key \"checks\"\n");
  Diagnostics d3;
  key("name: lab\nchecks: []\n", d3);
  CHECK(d3.str() == "key.yaml:1:1: error: unknown key \"name\" in a checks file\n");
  Diagnostics d4;
  key("- {from: a, ping: 10.0.0.1}\n", d4);
  CHECK(d4.str() == "key.yaml:1:1: error: a checks file must be a mapping with a \"checks:\" list, found a list\n");
  Diagnostics d5;
  CHECK_FALSE(load_checks_file("/nonexistent/key.yaml", d5));
  CHECK(d5.str().find("/nonexistent/key.yaml: error: cannot open") == 0);
}

TEST_CASE("the plan JSON keeps every field of every kind") {
  Diagnostics d;
  Plan p;
  p.checks = key(R"(checks:
  - {from: r1, route: 10.3.0.0/24, via: 10.13.0.2, dev: vke2, proto: ospf, name: r1 to lan3, expect: absent}
  - {from: r1, address: "2001:db8::1/64", dev: vke1, wait: 1500ms}
  - {from: r1, command: "echo hi", output: hi, match: h., exit: 4}
  - {from: pc, resolve: www.lab.net, address: 10.0.0.80}
  - {from: pc, http: "http://10.0.0.80/", status: 301, contains: Moved}
  - {from: r1, bgp: 10.9.0.2, prefixes: 0}
  - {from: r1, process: zebra}
  - {from: pc, tcp: "[::1]:22", expect: unreachable}
)",
                 d);
  REQUIRE(d.str() == "");
  auto back = plan_from_json(plan_to_json(p));
  REQUIRE(back);
  REQUIRE(back->checks.size() == p.checks.size());
  for (size_t i = 0; i < p.checks.size(); ++i) {
    const auto &a = p.checks[i], &b = back->checks[i];
    CHECK(a.kind == b.kind);
    CHECK(a.from.value == b.from.value);
    CHECK(a.name == b.name);
    CHECK(a.target.value == b.target.value);
    CHECK(a.port == b.port);
    CHECK(a.via == b.via);
    CHECK(a.dev == b.dev);
    CHECK(a.proto == b.proto);
    CHECK(a.output == b.output);
    CHECK(a.match == b.match);
    CHECK(a.exit == b.exit);
    CHECK(a.address == b.address);
    CHECK(a.status == b.status);
    CHECK(a.contains == b.contains);
    CHECK(a.prefixes == b.prefixes);
    CHECK(a.expect_present == b.expect_present);
    CHECK(a.wait == b.wait);
    CHECK(a.loc.str() == b.loc.str());
  }
}
