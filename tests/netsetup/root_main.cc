// Root integration tests for netsetup: every interface is created inside a
// private network namespace entered before anything else runs, so a plain
// `ctest` never touches the machine's own namespace.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (geteuid() != 0) {
    std::printf("netsetup_root_test: skipped (needs root for a private network namespace)\n");
    return 0;
  }
  if (unshare(CLONE_NEWNET) != 0) {
    std::printf("netsetup_root_test: skipped (unshare(CLONE_NEWNET): %s)\n", std::strerror(errno));
    return 0;
  }
  doctest::Context ctx(argc, argv);
  return ctx.run();
}
