// Guests as machines, the lab-file side: root:, files:, ifname:, sysctl:
// and shared/ through load, validate (per target) and compile (-e variables
// and plan files for the bundled guest, notes for a real vkernel).
#include <doctest/doctest.h>

#include "topology/compile.h"
#include "topology/load.h"
#include "topology/validate.h"
#include "valid_lab.h"

using namespace vklab;
using namespace vklab::topology;
using vklab::topology::testing::valid_lab;

namespace {

const char* kLab = R"(name: m
defaults: {root: base, ifname: eth, sysctl: [net.ipv4.ip_forward=1]}
bridges: [lan]
guests:
  r1:
    interfaces: [lan]
  r2:
    root: /abs/root
    ifname: vke
    sysctl: []
    interfaces: [lan]
)";

std::string warnings(const std::string& text, Target t) {
  Diagnostics d;
  auto lab = load_string(text, "m.yaml", d);
  REQUIRE(lab);
  validate(*lab, d, t);
  return d.str();
}

CompileOptions opts(Target t = Target::Linux) {
  CompileOptions o;
  o.target = t;
  o.base_dir = "/labs/m";
  o.state_dir = "/state/m";
  return o;
}

}  // namespace

TEST_CASE("machine keys load, defaults fill them, a guest's own value wins") {
  Lab lab = valid_lab(kLab);
  const auto& r1 = lab.guests[0];
  const auto& r2 = lab.guests[1];
  REQUIRE(r1.root);
  CHECK(r1.root->value == "base");
  CHECK(r1.root->loc == SourceLoc{"t.yaml", 2, 18});
  CHECK(r1.ifname.value == "eth");
  REQUIRE(r1.sysctls.size() == 1);
  CHECK(r1.sysctls[0].value == std::pair<std::string, std::string>{"net.ipv4.ip_forward", "1"});
  CHECK(r2.root->value == "/abs/root");
  CHECK(r2.ifname.value == "vke");
  CHECK(r2.sysctls.empty());
  CHECK_FALSE(r1.files);
}

TEST_CASE("a value may hold '=': a sysctl splits at the first one") {
  Lab lab = valid_lab("name: m\nguests:\n  a:\n    sysctl: [\"net.x=a=b\"]\n");
  CHECK(lab.guests[0].sysctls[0].value.second == "a=b");
}

TEST_CASE("the bundled guest gets its machine through -e and plan files") {
  Lab lab = valid_lab(kLab);
  lab.guests[0].files_dir = "/labs/m/r1";  // the file-system half's work
  lab.shared_dir = "/labs/m/shared";
  Plan plan = compile(lab, opts());
  const auto& c1 = plan.guests[0].cmdline;
  CHECK(c1.getenv(vkernel::kEnvRoot) == "/labs/m/base");
  CHECK(c1.getenv(vkernel::kEnvFiles) == "/labs/m/r1");
  CHECK(c1.getenv(vkernel::kEnvShared) == "/labs/m/shared");
  CHECK(c1.getenv(vkernel::kEnvLayer) == "/state/m/r1.layer");
  CHECK(c1.getenv(vkernel::kEnvIfname) == "eth");
  CHECK(c1.getenv(vkernel::kEnvSysctl) == "/state/m/r1.sysctl");
  CHECK(plan.guests[0].files_dir == "/labs/m/r1");
  const auto& c2 = plan.guests[1].cmdline;
  CHECK(c2.getenv(vkernel::kEnvRoot) == "/abs/root");
  CHECK_FALSE(c2.getenv(vkernel::kEnvFiles));  // no r2/ folder
  CHECK(c2.getenv(vkernel::kEnvShared) == "/labs/m/shared");
  CHECK_FALSE(c2.getenv(vkernel::kEnvIfname));  // vke is the default
  CHECK_FALSE(c2.getenv(vkernel::kEnvSysctl));
  CHECK(plan.guests[1].files_dir == "/labs/m/r2");  // where `vklab save` writes
  // Besides the links files every bundled guest has (vkernel/link.h), the
  // sysctl file of r1 only.
  std::vector<std::string> paths;
  for (const auto& f : plan.files) paths.push_back(f.path);
  CHECK(paths == std::vector<std::string>{"/state/m/r1.sysctl", "/state/m/r1.links", "/state/m/r2.links"});
  REQUIRE(!plan.files.empty());
  CHECK(plan.files[0] == PlanFile{"/state/m/r1.sysctl", "net.ipv4.ip_forward=1\n", 0644});
  // Round trip through argv: what the guest will parse.
  auto back = vkernel::Cmdline::parse(c1.argv());
  REQUIRE(back);
  CHECK(*back == c1);
}

TEST_CASE("without machine keys a bundled guest still gets its layer and links file, nothing else") {
  Lab lab = valid_lab("name: m\nbridges: [l]\nguests:\n  a: {interfaces: [l]}\n  b: {interfaces: [l]}\n");
  Plan plan = compile(lab, opts());
  const auto& c = plan.guests[0].cmdline;
  CHECK(c.getenv(vkernel::kEnvLayer) == "/state/m/a.layer");
  CHECK(c.getenv(vkernel::kEnvLinks) == "/state/m/a.links");  // for vklab impair / link at run time
  for (const char* v : {vkernel::kEnvRoot, vkernel::kEnvFiles, vkernel::kEnvShared, vkernel::kEnvIfname,
                        vkernel::kEnvSysctl})
    CHECK_FALSE(c.getenv(v));
  std::vector<std::string> paths;
  for (const auto& f : plan.files) paths.push_back(f.path);
  CHECK(paths == std::vector<std::string>{"/state/m/a.links", "/state/m/b.links"});
}

TEST_CASE("a relative root is normalised from the lab's folder") {
  Lab lab = valid_lab("name: m\nbridges: [l]\nguests:\n  a: {root: ../roots/./x/, interfaces: [l]}\n  b: {interfaces: [l]}\n");
  CHECK(compile(lab, opts()).guests[0].cmdline.getenv(vkernel::kEnvRoot) == "/labs/roots/x/");
}

TEST_CASE("DragonFly: the machine keys are a warning and a plan note, nothing is passed") {
  CHECK(warnings(kLab, Target::Linux) == "");
  CHECK(warnings(kLab, Target::DragonFly) ==
        "m.yaml:2:18: warning: guest \"r1\": root:, ifname:, sysctl: apply only to the bundled Linux "
        "guest; a real vkernel boots from its -r/-c image\n"
        "m.yaml:8:11: warning: guest \"r2\": root: applies only to the bundled Linux guest; a real "
        "vkernel boots from its -r/-c image\n");
  Lab lab = valid_lab(kLab);
  lab.shared_dir = "/labs/m/shared";
  Plan plan = compile(lab, opts(Target::DragonFly));
  for (const auto& g : plan.guests) {
    CHECK_FALSE(g.cmdline.getenv(vkernel::kEnvLayer));
    CHECK_FALSE(g.cmdline.getenv(vkernel::kEnvRoot));
    CHECK(g.files_dir == "");
  }
  REQUIRE(plan.notes.size() == 2);
  CHECK(plan.notes[0] ==
        "r1: root: base; the shared folder /labs/m/shared; ifname: eth; sysctl: 1 parameter — not used by a real "
        "vkernel, which boots from its -r/-c image; put them in the image");
}

TEST_CASE("a kernel: path on Linux is a real vkernel too") {
  std::string text = "name: m\nbridges: [l]\nguests:\n  a: {kernel: /boot/kernel, root: r, interfaces: [l]}\n"
                     "  b: {interfaces: [l]}\n";
  CHECK(warnings(text, Target::Linux) ==
        "m.yaml:4:35: warning: guest \"a\": root: applies only to the bundled Linux guest; a real vkernel "
        "boots from its -r/-c image\n");
}
