#include "labd/world.h"

#include "labd/netns.h"
#include "labd/state.h"
#include "netsetup/open_host.h"

namespace vklab::labd {
namespace {

class RealLauncher final : public Launcher {
 public:
  Result<Launched> launch(const std::vector<std::string>& argv, bool readiness, const std::string& record) override {
    return labd::launch(argv, readiness, record);
  }
};

class RealNetns final : public Netns {
 public:
  Status enter() override { return enter_new_netns(); }
  Status bind(const std::string& path) override { return bind_netns(path); }
  std::vector<std::string> kill_members(const std::string& path, int wait_ms, std::vector<pid_t>& left) override {
    return kill_netns_members(path, wait_ms, left);
  }
  Status drop(const std::string& path) override { return drop_netns(path); }
};

class FileStore final : public Store {
 public:
  Status save(const std::string& path, const LabState& s) override { return write_state(path, s); }
};

}  // namespace

World real_world() {
  World w;
  w.open_host = [](const topology::Plan& p) { return netsetup::open_host(p.target); };
  w.launcher = std::make_shared<RealLauncher>();
  w.netns = std::make_shared<RealNetns>();
  w.store = std::make_shared<FileStore>();
  w.now = [] { return Clock::now(); };
  return w;
}

}  // namespace vklab::labd
