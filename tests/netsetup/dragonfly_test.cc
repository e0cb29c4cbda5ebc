// The DragonFly executor against fake ifconfig/kldload/sysctl put first on
// PATH: shell scripts that append their argv to a log (and fail on demand).
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/text.h"
#include "netsetup/applier.h"
#include "netsetup/dragonfly.h"
#include "netsetup/render.h"
#include "topology/compile.h"
#include "topology/load.h"
#include "topology/validate.h"
#include "plans.h"

using namespace vklab;
using namespace vklab::netsetup;
using namespace vklab::hostnet;
using namespace vklab::netsetup::testing;
namespace fs = std::filesystem;

namespace {

/// A temp dir with the fake binaries, first on PATH while it lives.
class FakeBin {
 public:
  FakeBin() {
    char tmpl[] = "/tmp/vklab-dfly-XXXXXX";
    dir_ = mkdtemp(tmpl);
    log_ = dir_ + "/argv.log";
    for (const char* prog : {"ifconfig", "kldload", "sysctl"}) {
      std::ofstream f(dir_ + "/" + prog);
      f << "#!/bin/sh\n"
        << "echo \"" << prog << " $*\" >> '" << log_ << "'\n"
        << "if [ \"" << prog << " $*\" = \"$VKLAB_FAKE_FAIL\" ]; then\n"
        << "  echo \"" << prog << ": SIOCIFCREATE2: File exists\" >&2\n"
        << "  exit 1\n"
        << "fi\n";
      f.close();
      chmod((dir_ + "/" + prog).c_str(), 0755);
    }
    const char* p = getenv("PATH");
    old_path_ = p ? p : "";
    setenv("PATH", (dir_ + ":" + old_path_).c_str(), 1);
    unsetenv("VKLAB_FAKE_FAIL");
  }
  ~FakeBin() {
    setenv("PATH", old_path_.c_str(), 1);
    unsetenv("VKLAB_FAKE_FAIL");
    fs::remove_all(dir_);
  }
  const std::string& dir() const { return dir_; }

  std::vector<std::string> commands() const {
    std::vector<std::string> out;
    std::ifstream f(log_);
    for (std::string line; std::getline(f, line);) out.push_back(line);
    return out;
  }

  /// The host as the fake commands left it: `present` plus what was
  /// created and not destroyed since.
  LinkProbe probe(std::set<std::string> present) const {
    return [this, present]() -> Result<std::vector<LinkInfo>> {
      std::set<std::string> names = present;
      for (const std::string& c : commands()) {
        std::istringstream in(c);
        std::string prog, ifname, verb;
        in >> prog >> ifname >> verb;
        if (prog != "ifconfig") continue;
        if (verb == "create") names.insert(ifname);
        if (verb == "destroy") names.erase(ifname);
      }
      std::vector<LinkInfo> out;
      for (const std::string& n : names) out.push_back(LinkInfo{.name = n});
      return out;
    };
  }

 private:
  std::string dir_, log_, old_path_;
};

ApplyOptions df_opts() {
  ApplyOptions o;
  o.lab = "tri";
  o.network = topology::NetworkMode::Host;
  return o;
}

PlanShape small() {
  PlanShape p;
  p.target = topology::Target::DragonFly;
  p.bridges = 2;
  p.taps = {{"tap0", "bridge0"}, {"tap1", "bridge1"}};
  p.bridge_addresses = {{"bridge1", "192.0.2.1/24"}};
  p.uplinks = {{"bridge0", "re0"}};
  return p;
}

}  // namespace

TEST_CASE("DragonFly: apply issues exactly the expected commands, in order") {
  FakeBin bin;
  ExecRunner runner;
  DragonFlyHost host(runner, bin.probe({"re0", "lo0"}));
  Applier a(host, df_opts());
  Status s = a.apply(setup_steps(small()));
  REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().message));
  CHECK(bin.commands() == std::vector<std::string>{
                              "kldload -n if_bridge",
                              "kldload -n if_tap",
                              "sysctl vm.vkernel_enable=1",
                              "ifconfig bridge0 create",
                              "ifconfig bridge1 create",
                              "ifconfig bridge1 inet 192.0.2.1/24 alias",
                              "ifconfig bridge0 addm re0",
                              "ifconfig tap0 create",
                              "ifconfig tap1 create",
                              "ifconfig bridge0 addm tap0",
                              "ifconfig bridge1 addm tap1",
                              "ifconfig bridge0 up",
                              "ifconfig bridge1 up",
                              "ifconfig tap0 up",
                              "ifconfig tap1 up",
                          });

  const size_t before = bin.commands().size();  // the probe reads the whole log
  REQUIRE(teardown(host, a.created(), {"tri"}).ok());
  auto cmds = bin.commands();
  CHECK(std::vector<std::string>(cmds.begin() + before, cmds.end()) == std::vector<std::string>{
                              "ifconfig bridge0 deletem re0",
                              "ifconfig tap1 destroy",
                              "ifconfig tap0 destroy",
                              "ifconfig bridge1 destroy",
                              "ifconfig bridge0 destroy",
                          });
}

TEST_CASE("DragonFly: the triangle issues the table's command for every step") {
  FakeBin bin;
  ExecRunner runner;
  DragonFlyHost host(runner, bin.probe({}));
  auto steps = setup_steps(triangle(topology::Target::DragonFly));
  REQUIRE(Applier(host, df_opts()).apply(steps).ok());
  std::vector<std::string> expected;
  for (const HostStep& st : steps) expected.push_back(join(dragonfly_argv(st), " "));
  CHECK(bin.commands() == expected);
}

TEST_CASE("DragonFly: a failing command stops, says why, and is rolled back") {
  FakeBin bin;
  setenv("VKLAB_FAKE_FAIL", "ifconfig tap1 create", 1);
  ExecRunner runner;
  DragonFlyHost host(runner, bin.probe({"re0"}));
  Applier a(host, df_opts());
  Status s = a.apply(setup_steps(small()));
  REQUIRE_FALSE(s.ok());
  CHECK(a.failed_step() == 8);
  CHECK(s.error().message.rfind(
            "step 9 (create tap tap1): ifconfig tap1 create: exit status 1: "
            "ifconfig: SIOCIFCREATE2: File exists",
            0) == 0);
  auto cmds = bin.commands();
  REQUIRE(cmds.size() >= 5);
  CHECK(std::vector<std::string>(cmds.end() - 5, cmds.end()) ==
        std::vector<std::string>{
            "ifconfig tap1 create",
            "ifconfig bridge0 deletem re0",
            "ifconfig tap0 destroy",
            "ifconfig bridge1 destroy",
            "ifconfig bridge0 destroy",
        });
}

TEST_CASE("ExecRunner: no shell, exit status and stderr checked") {
  FakeBin bin;
  ExecRunner runner;
  CHECK(runner.run({"ifconfig", "bridge0", "up"}).ok());
  auto missing = runner.run({"vklab-no-such-program", "x"});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "vklab-no-such-program x: vklab-no-such-program not found on PATH");

  // A file without #! is never handed to /bin/sh.
  std::string plain = bin.dir() + "/plain";
  std::ofstream(plain) << "echo should-not-run\n";
  chmod(plain.c_str(), 0755);
  auto r = runner.run({plain});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == plain + ": Exec format error");

  setenv("VKLAB_FAKE_FAIL", "sysctl vm.vkernel_enable=1", 1);
  auto f = runner.run({"sysctl", "vm.vkernel_enable=1"});
  REQUIRE_FALSE(f.ok());
  CHECK(f.error().message ==
        "sysctl vm.vkernel_enable=1: exit status 1: sysctl: SIOCIFCREATE2: File exists");
}

TEST_CASE("DragonFly: applying the compiled triangle runs exactly the commands of `vklab plan --target dragonfly`") {
  Diagnostics d;
  auto lab = topology::load_file(VKLAB_EXAMPLES_DIR "/triangle.yaml", d);
  REQUIRE(lab);
  topology::validate(*lab, d);
  REQUIRE_FALSE(d.has_errors());
  topology::CompileOptions o;
  o.target = topology::Target::DragonFly;
  const topology::Plan plan = topology::compile(*lab, o);

  // The host commands of the rendered script's up(), comments stripped.
  std::vector<std::string> rendered;
  std::istringstream script(render_sh(plan));
  bool in_up = false;
  for (std::string line; std::getline(script, line);) {
    if (line == "up() {") in_up = true;
    else if (line == "}") in_up = false;
    else if (in_up && (line.rfind("  kldload ", 0) == 0 || line.rfind("  sysctl ", 0) == 0 ||
                       line.rfind("  ifconfig ", 0) == 0))
      rendered.push_back(line.substr(2, line.find("    #") - 2));
  }
  REQUIRE(rendered.size() == plan.setup.size());

  FakeBin bin;
  ExecRunner runner;
  DragonFlyHost host(runner, bin.probe({}));
  REQUIRE(Applier(host, df_opts()).apply(plan.setup).ok());
  CHECK(bin.commands() == rendered);
}
