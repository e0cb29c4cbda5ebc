// labd's life: set the lab up from a plan file, supervise it, take it down.
//
// One process per lab, single-threaded, one poll() loop over a signalfd,
// the control socket, its clients and the guests' pty masters. Every
// change of state is written to state.json before the loop sleeps again.
//
//   setup: netns (isolated) → plan files → host steps (netsetup Applier)
//   run:   launch guests (bounded parallelism, depends_on first) → wait for
//          readiness → "ready" on the progress fd → serve requests
//   stop:  on `down`, SIGTERM/SIGINT, or a failed up: SIGTERM every guest
//          (dependents before their dependencies), SIGKILL at each
//          guest's deadline, reap, tear down, remove the state directory.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "common/result.h"
#include "labd/world.h"

namespace vklab::labd {

struct DaemonOptions {
  std::string plan_path;  ///< <state>/plan.json, written by `vklab up`
  /// Progress lines (protocol Progress replies) for `vklab up`; closed
  /// once the lab is up. -1 = none.
  int progress_fd = -1;
  /// The lab's lock, already taken by `vklab up` and inherited; -1 = take
  /// <state>/lock here.
  int lock_fd = -1;
  /// How many guests may be Starting at once.
  size_t parallel = 32;
  /// --strict: a failed startup command of any guest fails the up
  /// (rolled back) instead of leaving the lab up with startup errors.
  bool strict = false;
  /// Everything the daemon does to the world (world.h); empty = real_world().
  World world;
};

/// Runs the lab until it is down. Ok when it went down after being up;
/// an error naming what failed when up failed (everything rolled back).
Status run_daemon(const DaemonOptions& opts);

}  // namespace vklab::labd
