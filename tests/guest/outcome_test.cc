// decide(): every kind of init ending, with and without the host's halt.
#include <doctest/doctest.h>

#include <csignal>

#include "guest/init.h"
#include "guest/outcome.h"

using namespace vklab::vkernel;

namespace {
int exited(int code) { return (code & 0xff) << 8; }  // W_EXITCODE(code, 0)
int signaled(int sig) { return sig & 0x7f; }          // W_EXITCODE(0, sig)
}  // namespace

TEST_CASE("decide: the wait status encoding matches <sys/wait.h>") {
  CHECK(WIFEXITED(exited(32)));
  CHECK(WEXITSTATUS(exited(32)) == 32);
  CHECK(WIFSIGNALED(signaled(SIGKILL)));
  CHECK(WTERMSIG(signaled(SIGKILL)) == SIGKILL);
}

TEST_CASE("decide: without a host halt") {
  CHECK(decide(exited(0), false) == Outcome::Halted);
  CHECK(decide(exited(kInitExitReboot), false) == Outcome::Reboot);
  CHECK(decide(signaled(SIGHUP), false) == Outcome::Reboot);  // reboot(2) in the guest
  CHECK(decide(exited(1), false) == Outcome::Unclean);
  CHECK(decide(exited(127), false) == Outcome::Unclean);
  CHECK(decide(signaled(SIGKILL), false) == Outcome::Unclean);
  CHECK(decide(signaled(SIGSEGV), false) == Outcome::Unclean);
  CHECK(decide(signaled(SIGINT), false) == Outcome::Unclean);  // reboot(2) halt
}

TEST_CASE("decide: the host's SIGTERM wins over a reboot") {
  CHECK(decide(exited(0), true) == Outcome::Halted);
  CHECK(decide(exited(kInitExitReboot), true) == Outcome::Halted);
  CHECK(decide(signaled(SIGHUP), true) == Outcome::Unclean);  // killed, not shut down
  CHECK(decide(exited(1), true) == Outcome::Unclean);
  CHECK(decide(signaled(SIGKILL), true) == Outcome::Unclean);
}

TEST_CASE("describe_exit") {
  CHECK(describe_exit(exited(3)) == "init exited 3");
  CHECK(describe_exit(signaled(9)) == "init killed by signal 9");
}
