// Entering a running guest: from a lab's state to the namespaces of the
// guest's init, for `vklab exec` and `vklab check`. Only the bundled Linux
// guest has namespaces to enter; a real vkernel is refused by name.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/result.h"
#include "labd/netns.h"

namespace vklab::labd {
struct LabState;
}

namespace vklab::cli {

/// A guest found, or why not. `message` names the guest and says what is
/// wrong ("r1: not running (Halted)"); callers pick their exit code from
/// `problem`.
struct GuestEntry {
  enum class Problem {
    None,
    NoSuchGuest,   ///< no guest of that name in state.json
    NotSupported,  ///< not the bundled Linux guest (a real vkernel)
    NotRunning,    ///< not Up, or its init is gone
  };
  Problem problem = Problem::None;
  std::string message;
  pid_t init = 0;      ///< the guest's init, as a host pid
  labd::NsTarget ns;   ///< its net, uts, ipc, pid and mount namespaces
  bool ok() const { return problem == Problem::None; }
  /// Its network namespace alone ("/proc/INIT/ns/net").
  std::string net_ns() const { return "/proc/" + std::to_string(init) + "/ns/net"; }
};

/// Looks `guest` up in `st` and finds its init. `what` names the operation
/// in the NotSupported message ("exec", "check").
GuestEntry enter_guest(const labd::LabState& st, const std::string& guest, const std::string& what);

/// Runs `argv` inside `guest` and returns its exit status; an error when
/// the guest cannot be entered (its message) or the command not started.
Result<int> run_in_guest(const labd::LabState& st, const std::string& guest,
                         const std::vector<std::string>& argv, const labd::RunOptions& opts = {});

}  // namespace vklab::cli
