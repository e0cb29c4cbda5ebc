// What labd's daemon does to the world, handed to it from outside so that
// its behaviour (start order, readiness, stops and deadlines, rollback,
// recovery of its own records) can be tested over fakes without root
// (tests/labd/daemon_test.cc); the root shell tests remain the end-to-end
// checks of the real world.
//
//   Host      the host side: netlink in the lab's namespace (LinuxHost),
//             ifconfig/kldload (DragonFlyHost), FakeHost in tests
//   Launcher  fork/exec of a guest's argv with a pty (launch.h)
//   Netns     the lab's own network namespace (Linux, isolated mode)
//   Store     state.json writes
//   Clock     deadlines and readiness timeouts
//
// The daemon never creates any of these itself. real_world() is what
// labd's main() passes.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "hostnet/host.h"
#include "labd/launch.h"
#include "topology/plan.h"

namespace vklab::labd {

struct LabState;

class Launcher {
 public:
  virtual ~Launcher() = default;
  /// launch() of launch.h: forks and execs `argv`, returns once exec
  /// succeeded. The daemon reaps the child (waitpid) and signals it.
  virtual Result<Launched> launch(const std::vector<std::string>& argv, bool readiness,
                                  const std::string& record) = 0;
};

class Netns {
 public:
  virtual ~Netns() = default;
  /// Moves this process into a new network namespace.
  virtual Status enter() = 0;
  /// Bind-mounts it at `path` (recovery and exec find it there).
  virtual Status bind(const std::string& path) = 0;
  /// Kills what still runs in it (SIGKILL; waits up to wait_ms); what
  /// was killed, described, and in `left` what would not die.
  virtual std::vector<std::string> kill_members(const std::string& path, int wait_ms, std::vector<pid_t>& left) = 0;
  /// Unmounts `path`: the namespace and its links go with the last user.
  virtual Status drop(const std::string& path) = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  /// Writes state.json (atomically: readers see the old or the new one).
  virtual Status save(const std::string& path, const LabState& s) = 0;
};

using Clock = std::chrono::steady_clock;

struct World {
  /// The host side for the plan's target and network mode, opened once
  /// the daemon is where its links go (in isolated mode: inside the
  /// lab's namespace).
  std::function<Result<std::unique_ptr<hostnet::Host>>(const topology::Plan&)> open_host;
  std::shared_ptr<Launcher> launcher;
  std::shared_ptr<Netns> netns;
  std::shared_ptr<Store> store;
  std::function<Clock::time_point()> now;
};

/// The real one: netsetup's host for the target, launch.h's launch(),
/// netns.h's namespace calls, write_state(), the steady clock.
World real_world();

}  // namespace vklab::labd
