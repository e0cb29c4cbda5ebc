// The loader: the model it fills, defaults, locations, and robustness
// against anything a file can hold.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "topology/load.h"
#include "topology/validate.h"

using namespace vklab;
using namespace vklab::topology;
using namespace std::chrono_literals;

namespace {

const char* kFull = R"(name: triangle
description: Three routers.
network: host
defaults:
  kernel: /boot/kernel.debug
  memory: 96m
  stop_timeout: 5s
  single_user: true
bridges:
  lan1: {}
  lan2: {subnet: 10.2.0.0/24}
  wan: {address: 192.0.2.1/24, uplink: eth0}
  empty:
guests:
  r1:
    memory: 128m
    cpus: 2
    disks: [r1.img]
    cdroms: [boot.iso]
    env: {boot.verbose: "1", b: x}
    single_user: false
    verbose: yes
    writable_kernel: true
    depends_on: [r2]
    stop_timeout: 500ms
    interfaces:
      - {bridge: lan1, address: 10.1.0.1/24, mac: "02:aa:bb:cc:dd:ee"}
      - {bridge: lan2, address: auto}
      - {tap: 10.9.0.1, address: 10.9.0.2/30}
      - lan1
    startup: |
      echo up
    shutdown: echo down
  r2:
checks:
  - {from: r1, ping: 10.12.0.2}
  - {from: r2, tcp: "10.9.0.1:22", expect: unreachable}
)";

Lab load_ok(const std::string& text) {
  Diagnostics d;
  auto lab = load_string(text, "t.yaml", d);
  INFO(d.str());
  REQUIRE(lab);
  REQUIRE_FALSE(d.has_errors());
  return *lab;
}

}  // namespace

TEST_CASE("the loader fills the whole model") {
  Lab lab = load_ok(kFull);
  CHECK(lab.file == "t.yaml");
  CHECK(lab.name.value == "triangle");
  CHECK(lab.name.loc == SourceLoc{"t.yaml", 1, 7});
  CHECK(lab.description == "Three routers.");
  CHECK(lab.network.value == NetworkMode::Host);

  REQUIRE(lab.bridges.size() == 4);
  CHECK(lab.bridges[0].name == "lan1");
  CHECK(lab.bridges[0].loc == SourceLoc{"t.yaml", 10, 3});
  CHECK(lab.bridges[1].subnet->value.str() == "10.2.0.0/24");
  CHECK(lab.bridges[1].subnet->loc == SourceLoc{"t.yaml", 11, 18});
  CHECK(lab.bridges[2].address->value.str() == "192.0.2.1/24");
  CHECK(lab.bridges[2].uplink->value == "eth0");
  CHECK(lab.bridges[3].name == "empty");
  CHECK_FALSE(lab.bridges[3].subnet);

  REQUIRE(lab.guests.size() == 2);
  const GuestDecl& r1 = lab.guests[0];
  CHECK(r1.name == "r1");
  CHECK(r1.loc == SourceLoc{"t.yaml", 15, 3});
  CHECK(r1.kernel.value == "/boot/kernel.debug");
  CHECK(r1.kernel.loc == SourceLoc{"t.yaml", 5, 11});  // from defaults
  CHECK(r1.memory.value == "128m");
  CHECK(r1.memory.loc == SourceLoc{"t.yaml", 16, 13});
  CHECK(r1.cpus->value == 2);
  REQUIRE(r1.disks.size() == 1);
  CHECK(r1.disks[0].value == "r1.img");
  CHECK(r1.cdroms[0].value == "boot.iso");
  CHECK(r1.env == std::vector<std::pair<std::string, std::string>>{{"boot.verbose", "1"}, {"b", "x"}});
  CHECK_FALSE(r1.single_user);  // own value wins over the default
  CHECK(r1.verbose);
  CHECK(r1.writable_kernel);
  REQUIRE(r1.depends_on.size() == 1);
  CHECK(r1.depends_on[0].value == "r2");
  CHECK(r1.stop_timeout.value == 500ms);
  CHECK(r1.startup == "echo up\n");
  CHECK(r1.shutdown == "echo down");

  REQUIRE(r1.interfaces.size() == 4);
  const auto& i0 = r1.interfaces[0];
  CHECK(i0.kind == InterfaceDecl::Kind::Bridge);
  CHECK(i0.bridge.value == "lan1");
  CHECK(i0.address->value.str() == "10.1.0.1/24");
  CHECK(i0.mac->value.str() == "02:aa:bb:cc:dd:ee");
  CHECK(i0.loc == SourceLoc{"t.yaml", 27, 9});
  CHECK(r1.interfaces[1].address_auto);
  CHECK_FALSE(r1.interfaces[1].address);
  CHECK(r1.interfaces[2].kind == InterfaceDecl::Kind::Tap);
  CHECK(r1.interfaces[2].tap_host->value.str() == "10.9.0.1");
  CHECK(r1.interfaces[2].address->value.str() == "10.9.0.2/30");
  CHECK(r1.interfaces[3].bridge.value == "lan1");
  CHECK_FALSE(r1.interfaces[3].address);

  const GuestDecl& r2 = lab.guests[1];  // `r2:` alone: every default
  CHECK(r2.memory.value == "96m");
  CHECK(r2.memory.loc == SourceLoc{"t.yaml", 6, 11});
  CHECK(r2.single_user);
  CHECK(r2.stop_timeout.value == 5s);
  CHECK_FALSE(r2.cpus);

  REQUIRE(lab.checks.size() == 2);
  CHECK(lab.checks[0].from.value == "r1");
  CHECK(lab.checks[0].kind == CheckDecl::Kind::Ping);
  CHECK(lab.checks[0].target.value == "10.12.0.2");
  CHECK(lab.checks[0].expect_present);
  CHECK(lab.checks[1].kind == CheckDecl::Kind::Tcp);
  CHECK(lab.checks[1].port == 22);
  CHECK_FALSE(lab.checks[1].expect_present);
}

TEST_CASE("defaults that nobody writes: 64m, 30s, auto kernel, isolated") {
  Lab lab = load_ok("name: x\nguests:\n  a: {}\n");
  CHECK(lab.network.value == NetworkMode::Isolated);
  CHECK(lab.guests[0].memory.value == "64m");
  CHECK(lab.guests[0].kernel.value == "auto");
  CHECK(lab.guests[0].stop_timeout.value == 30s);
}

TEST_CASE("bridges as a list of names") {
  Lab lab = load_ok("name: x\nbridges: [a, b]\n");
  REQUIRE(lab.bridges.size() == 2);
  CHECK(lab.bridges[1].name == "b");
  CHECK(lab.bridges[1].loc == SourceLoc{"t.yaml", 2, 14});
}

TEST_CASE("loading goes on after an error and reports them all") {
  Diagnostics d;
  auto lab = load_string("name: x\nfoo: 1\nguests:\n  a: {cpus: x, memroy: 1}\n  b: {cpus: y}\n",
                         "t.yaml", d);
  REQUIRE(lab);
  CHECK(d.error_count() == 4);
  CHECK(lab->guests.size() == 2);
}

TEST_CASE("a file that cannot be read is one error, no Lab") {
  Diagnostics d;
  CHECK_FALSE(load_file("/nonexistent/lab.yaml", d));
  CHECK(d.error_count() == 1);
  Diagnostics d2;
  CHECK_FALSE(load_file("/", d2));  // a directory
  CHECK(d2.error_count() == 1);
}

TEST_CASE("load_file names locations by the path as given") {
  auto path = std::filesystem::temp_directory_path() / "vklab_load_test.yaml";
  {
    std::ofstream out(path);
    out << "name: x\nnetwork: nope\n";
  }
  Diagnostics d;
  auto lab = load_file(path.string(), d);
  std::filesystem::remove(path);
  REQUIRE(lab);
  CHECK(d.str() == path.string() + ":2:10: error: \"network\" must be \"isolated\" or \"host\", found \"nope\"\n");
}

TEST_CASE("a huge file is refused with one error") {
  std::string text = "name: x\ndescription: \"" + std::string(2 << 20, 'a') + "\"\n";
  Diagnostics d;
  CHECK_FALSE(load_string(text, "big.yaml", d));
  CHECK(d.str() == "big.yaml: error: the lab file is too large (more than 1048576 bytes)\n");
}

TEST_CASE("deep nesting is an error, not a stack overflow") {
  std::string text = "name: x\ndescription: " + std::string(100000, '[') + "\n";
  Diagnostics d;
  CHECK_NOTHROW((void)load_string(text, "deep.yaml", d));
  CHECK(d.has_errors());
}

TEST_CASE("fuzz: random bytes never throw or crash") {
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> byte(0, 255), len(0, 400);
  for (int round = 0; round < 2000; ++round) {
    std::string s(static_cast<size_t>(len(rng)), '\0');
    for (auto& c : s) c = static_cast<char>(byte(rng));
    Diagnostics d;
    CHECK_NOTHROW((void)load_string(s, "junk.yaml", d));
  }
}

TEST_CASE("fuzz: random YAML-ish text never throws, crashes or hangs") {
  // Printable junk gets past the binary check and into yaml-cpp.
  std::mt19937 rng(4242);
  const std::string alphabet = "{}[]:,-#&*!|>'\"%@`?~ \n\n\t\rax0/.\xc3\xa9\xff";
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1), len(0, 300);
  for (int round = 0; round < 5000; ++round) {
    std::string s(len(rng), ' ');
    for (auto& c : s) c = alphabet[pick(rng)];
    Diagnostics d;
    std::optional<Lab> lab;
    CHECK_NOTHROW(lab = load_string(s, "junk.yaml", d));
    if (lab) CHECK_NOTHROW(validate(*lab, d));
  }
}

TEST_CASE("fuzz: every prefix and mutation of a valid file loads without throwing") {
  std::string full = kFull;
  for (size_t n = 0; n <= full.size(); ++n) {
    Diagnostics d;
    std::optional<Lab> lab;
    CHECK_NOTHROW(lab = load_string(full.substr(0, n), "cut.yaml", d));
    if (lab) CHECK_NOTHROW(validate(*lab, d));
  }
  std::mt19937 rng(777);
  const std::string alphabet = "{}[]:,-#&*!|>'\"%@` \n\tax0/.";
  std::uniform_int_distribution<size_t> pos(0, full.size() - 1), pick(0, alphabet.size() - 1);
  for (int round = 0; round < 1500; ++round) {
    std::string s = full;
    for (int k = 0; k < 3; ++k) s[pos(rng)] = alphabet[pick(rng)];
    Diagnostics d;
    CHECK_NOTHROW((void)load_string(s, "mut.yaml", d));
  }
}

TEST_CASE("a guest's startup knows where its lines are in the lab file") {
  Lab lab = load_ok(
      "name: s\n"                   // 1
      "defaults:\n"                 // 2
      "  startup: echo default\n"   // 3
      "guests:\n"                   // 4
      "  a:\n"                      // 5
      "    startup: |\n"            // 6
      "      echo one\n"            // 7
      "      false\n"               // 8
      "  b:\n"                      // 9
      "    startup: ip link\n"      // 10
      "  c: {}\n");                 // 11
  CHECK(lab.guests[0].startup_sources == std::vector<ScriptSource>{{1, "t.yaml", 7}});
  CHECK(script_place(lab.guests[0].startup_sources, 2) == "t.yaml:8");
  CHECK(lab.guests[1].startup_sources == std::vector<ScriptSource>{{1, "t.yaml", 10}});
  CHECK(script_place(lab.guests[2].startup_sources, 1) == "t.yaml:3");  // from defaults:
}
