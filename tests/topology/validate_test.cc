// The validator: golden diagnostics for every fail/*.yaml, and unit tests
// for `address: auto`, launch order and the rules best shown in code.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "topology/compile.h"
#include "topology/load.h"
#include "topology/validate.h"
#include "valid_lab.h"

using namespace vklab;
using namespace vklab::topology;
using vklab::topology::testing::valid_lab;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Loads and validates `text` as `file`; returns the sorted diagnostics.
std::string diagnose(const std::string& text, const std::string& file, Lab* out = nullptr) {
  Diagnostics d;
  auto lab = load_string(text, file, d);
  if (lab) {
    validate(*lab, d);
    if (out) *out = *lab;
  }
  d.sort();
  return d.str();
}

std::vector<std::string> launch_names(const Lab& lab) {
  std::vector<std::string> v;
  for (size_t i : lab.launch_order) v.push_back(lab.guests[i].name);
  return v;
}

}  // namespace

TEST_CASE("golden: fail/*.yaml gives exactly fail/*.err") {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(VKLAB_TEST_DIR) / "fail";
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".yaml") cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  CHECK(cases.size() >= 30);
  for (const auto& yaml : cases) {
    std::string name = yaml.stem().string();
    fs::path err = yaml;
    err.replace_extension(".err");
    INFO("case: ", name);
    REQUIRE(fs::exists(err));
    std::string got = diagnose(slurp(yaml), "fail/" + name + ".yaml");
    CHECK(got == slurp(err));
  }
}

TEST_CASE("a valid lab gives no diagnostics") {
  Lab lab = valid_lab(R"(name: triangle
description: three routers
defaults: {memory: 128m, stop_timeout: 10s}
bridges:
  lan1: {}
  lan2: {subnet: 10.2.0.0/24}
  r1-r2: {}
guests:
  r1:
    cpus: 2
    disks: [r1.img]
    env: {boot.verbose: "1"}
    interfaces:
      - {bridge: lan1, address: 10.1.0.1/24}
      - {bridge: r1-r2, address: 10.12.0.1/30}
      - {bridge: lan2, address: auto}
      - {tap: 10.9.0.1, address: 10.9.0.2/30, mac: "02:00:00:00:00:01"}
  r2:
    interfaces:
      - {bridge: r1-r2, address: 10.12.0.2/30}
      - {bridge: lan2, address: auto}
      - lan1
checks:
  - {from: r1, ping: 10.12.0.2}
  - {from: r2, tcp: "10.9.0.1:22", expect: unreachable}
)");
  CHECK(lab.guests[0].memory.value == "128m");
  CHECK(lab.guests[0].interfaces[2].address->value.str() == "10.2.0.1/24");
  CHECK(lab.guests[1].interfaces[1].address->value.str() == "10.2.0.2/24");
  CHECK(lab.guests[0].interfaces[2].address_auto);
}

TEST_CASE("address: auto takes the lowest free address after every static one") {
  Lab lab = valid_lab(R"(name: auto
bridges:
  lan: {subnet: 10.0.0.0/29, address: 10.0.0.1/29}
  other: {}
guests:
  a:
    interfaces:
      - {bridge: lan, address: auto}
      - {bridge: other, address: 10.0.0.2/24}
  b:
    interfaces:
      - {bridge: lan, address: auto}
      - {bridge: lan, address: auto}
      - other
  c:
    interfaces:
      - {bridge: lan, address: 10.0.0.3/29}
)");
  // .1 bridge, .2 taken on another segment, .3 static later in the file.
  CHECK(lab.guests[0].interfaces[0].address->value.str() == "10.0.0.4/29");
  CHECK(lab.guests[1].interfaces[0].address->value.str() == "10.0.0.5/29");
  CHECK(lab.guests[1].interfaces[1].address->value.str() == "10.0.0.6/29");
  // The resolved address points at the interface it was written for.
  CHECK(lab.guests[1].interfaces[1].address->loc == lab.guests[1].interfaces[1].loc);
}

TEST_CASE("address: auto in a /31 uses both addresses, then runs out") {
  std::string text = R"(name: p2p
bridges:
  link: {subnet: 10.0.0.0/31}
guests:
  a: {interfaces: [{bridge: link, address: auto}]}
  b: {interfaces: [{bridge: link, address: auto}]}
  c: {interfaces: [{bridge: link, address: auto}]}
)";
  Lab lab;
  std::string diags = diagnose(text, "p.yaml", &lab);
  CHECK(lab.guests[0].interfaces[0].address->value.str() == "10.0.0.0/31");
  CHECK(lab.guests[1].interfaces[0].address->value.str() == "10.0.0.1/31");
  CHECK_FALSE(lab.guests[2].interfaces[0].address);
  CHECK(diags == "p.yaml:7:20: error: no free address left in subnet 10.0.0.0/31 of bridge \"link\"\n");
}

TEST_CASE("launch order: dependencies first, declaration order among equals") {
  Lab lab = valid_lab(R"(name: order
bridges: [lan]
guests:
  web: {depends_on: [db, dns], interfaces: [lan]}
  client: {interfaces: [lan]}
  db: {depends_on: [dns], interfaces: [lan]}
  dns: {interfaces: [lan]}
  cache: {depends_on: [dns, dns], interfaces: [lan]}
)");
  CHECK(launch_names(lab) == std::vector<std::string>{"client", "dns", "db", "web", "cache"});
}

TEST_CASE("launch order of a lab without depends_on is the declaration order") {
  Lab lab = valid_lab("name: x\nbridges: [l]\nguests:\n  c: {interfaces: [l]}\n  a: {interfaces: [l]}\n  b: {interfaces: [l]}\n");
  CHECK(launch_names(lab) == std::vector<std::string>{"c", "a", "b"});
}

TEST_CASE("a guest listed twice in depends_on is a warning at the second entry") {
  Lab lab;
  auto d = diagnose("name: x\nbridges: [l]\nguests:\n  a: {interfaces: [l]}\n  b:\n"
                    "    interfaces: [l]\n    depends_on: [a,\n      a]\n",
                    "d.yaml", &lab);
  CHECK(d == "d.yaml:8:7: warning: \"a\" is listed twice in depends_on of \"b\" (first at line 7)\n");
  CHECK(launch_names(lab) == std::vector<std::string>{"a", "b"});
}

TEST_CASE("a cycle still yields every guest once in launch_order") {
  Lab lab;
  std::string d = diagnose(
      "name: x\nbridges: [l]\nguests:\n  a: {depends_on: [b], interfaces: [l]}\n"
      "  b: {depends_on: [a], interfaces: [l]}\n  c: {interfaces: [l]}\n",
      "c.yaml", &lab);
  CHECK(d == "c.yaml:5:20: error: depends_on cycle: a -> b -> a\n");
  CHECK(launch_names(lab) == std::vector<std::string>{"c", "a", "b"});
}

TEST_CASE("names: lengths and character sets") {
  CHECK(diagnose("name: abcdefghijklmnop\n", "n.yaml").empty());  // 16
  CHECK(diagnose("name: abcdefghijklmnopq\n", "n.yaml") ==
        "n.yaml:1:7: error: lab name \"abcdefghijklmnopq\" is too long (17 characters; at most 16)\n");
  CHECK(diagnose("name: a_b\n", "n.yaml") ==
        "n.yaml:1:7: error: invalid lab name \"a_b\": 1-16 of a-z, 0-9 and '-', starting with a letter\n");
  // Guests may use '_', and a guest may share its name with a bridge.
  CHECK(diagnose("name: x\nbridges: [r1]\nguests:\n  r1: {interfaces: [r1]}\n  r_2: {interfaces: [r1]}\n",
                 "n.yaml")
            .empty());
}

TEST_CASE("memory: the -m rules") {
  auto mem = [](const std::string& m) {
    return diagnose("name: x\nbridges: [l]\nguests:\n  a: {memory: " + m +
                        ", interfaces: [l]}\n  b: {interfaces: [l]}\n",
                    "m.yaml");
  };
  CHECK(mem("64m").empty());
  CHECK(mem("1g").empty());
  CHECK(mem("65536k").empty());
  CHECK(mem("0x40m").empty());
  CHECK_FALSE(mem("64").empty());
  CHECK_FALSE(mem("62m").empty());
  CHECK_FALSE(mem("65537k").empty());
  CHECK_FALSE(mem("64mb").empty());
  CHECK_FALSE(mem("-64m").empty());
}

TEST_CASE("validate() is safe on a hand-built lab") {
  Lab lab;
  lab.name.value = "x";
  GuestDecl g;
  g.name = "a";
  InterfaceDecl i;
  i.bridge.value = "nowhere";
  g.interfaces.push_back(i);
  lab.guests.push_back(g);
  lab.guests.push_back(g);  // duplicate name
  Diagnostics d;
  validate(lab, d);
  // The duplicate name, and the unknown bridge once: both guests' reports
  // are the same text at the same (unknown) place.
  CHECK(d.error_count() == 2);
  CHECK(lab.launch_order.size() == 2);
}

TEST_CASE("DragonFly has no network namespace: network: isolated is refused there, the default is host") {
  const std::string lab = "name: t\nbridges:\n  wan: {uplink: re0}\nguests:\n  a: {interfaces: [wan]}\n";
  auto check = [](const std::string& text, Target target) {
    Diagnostics d;
    auto l = load_string(text, "t.yaml", d);
    REQUIRE(l);
    validate(*l, d, target);
    d.sort();
    Plan plan;
    CompileOptions o;
    o.target = target;
    if (!d.has_errors()) plan = compile(*l, o);
    return std::pair{d.str(), plan.network};
  };
  // Left out: DragonFly's labs use the host's network, so an uplink is fine.
  auto [df, df_mode] = check(lab, Target::DragonFly);
  CHECK(df.find("error") == std::string::npos);
  CHECK(df_mode == NetworkMode::Host);
  CHECK(check(lab, Target::Linux).first.find("t.yaml:3:17: error: uplink \"re0\" needs `network: host`") !=
        std::string::npos);
  // Written: refused on DragonFly at the key, still the default on Linux.
  const std::string isolated = "name: t\nnetwork: isolated\nbridges: [lan]\nguests:\n  a: {interfaces: [lan]}\n";
  CHECK(check(isolated, Target::DragonFly).first.find(
            "t.yaml:2:10: error: `network: isolated` needs Linux (a network namespace of the lab's own); "
            "DragonFly has none") != std::string::npos);
  auto [lx, lx_mode] = check(isolated, Target::Linux);
  CHECK(lx.find("error") == std::string::npos);
  CHECK(lx_mode == NetworkMode::Isolated);
  auto [h, h_mode] = check("name: t\nnetwork: host\nbridges: [lan]\nguests:\n  a: {interfaces: [lan]}\n",
                           Target::DragonFly);
  CHECK(h.find("error") == std::string::npos);
  CHECK(h_mode == NetworkMode::Host);
}
