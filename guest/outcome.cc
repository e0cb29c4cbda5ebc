#include "guest/outcome.h"

#include <sys/wait.h>

#include "guest/init.h"

namespace vklab::vkernel {

Outcome decide(int st, bool host_halt) {
  bool exited = WIFEXITED(st);
  bool reboot = (exited && WEXITSTATUS(st) == kInitExitReboot) || (WIFSIGNALED(st) && WTERMSIG(st) == SIGHUP);
  if (reboot && !host_halt) return Outcome::Reboot;
  // A clean shutdown for a reboot that the host overrode with SIGTERM is a halt.
  if (exited && (WEXITSTATUS(st) == 0 || (reboot && host_halt))) return Outcome::Halted;
  return Outcome::Unclean;
}

std::string describe_exit(int st) {
  if (WIFSIGNALED(st)) return "init killed by signal " + std::to_string(WTERMSIG(st));
  return "init exited " + std::to_string(WEXITSTATUS(st));
}

}  // namespace vklab::vkernel
