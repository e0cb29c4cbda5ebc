// What the vkernel process does when its init ends: a pure decision over
// init's wait status and whether the host asked for a halt (SIGTERM).
//
//   init exited kInitExitReboot, or was killed by SIGHUP (the kernel's
//   answer to reboot(2) in a PID namespace)   → Reboot, unless the host
//                                                asked for a halt: then a
//                                                clean exit is Halted
//   init exited 0                              → Halted
//   anything else (another exit code, a signal) → Unclean
#pragma once

#include <string>

namespace vklab::vkernel {

enum class Outcome {
  Reboot,   ///< boot a new init in the same process and interfaces
  Halted,   ///< clean halt: the vkernel exits kExitHalted
  Unclean,  ///< init died or failed: the vkernel exits kExitUnclean
};

/// `wait_status` is init's status from waitpid(2); `host_halt` is true once
/// the host sent SIGTERM (a halt always wins over a reboot).
Outcome decide(int wait_status, bool host_halt);

/// "init exited 3" / "init killed by signal 9", for the console.
std::string describe_exit(int wait_status);

}  // namespace vklab::vkernel
