// The stop order labd and recovery share (labd/stop_order.h).
#include <doctest/doctest.h>

#include "labd/stop_order.h"

using namespace vklab::labd;

TEST_CASE("may_stop: a guest waits for the guests that depend on it, unless forced") {
  // r ← h1, r ← h2 (both depend on r); s alone.
  const std::vector<std::string> names{"r", "h1", "h2", "s"};
  const std::vector<std::vector<std::string>> deps{{}, {"r"}, {"r"}, {}};
  std::vector<bool> running{true, true, true, true};
  auto runs = [&](size_t j) { return running[j]; };
  CHECK_FALSE(may_stop(0, names, deps, runs, false));
  CHECK(may_stop(1, names, deps, runs, false));
  CHECK(may_stop(2, names, deps, runs, false));
  CHECK(may_stop(3, names, deps, runs, false));
  CHECK(may_stop(0, names, deps, runs, true));  // forced: all at once
  running[1] = false;
  CHECK_FALSE(may_stop(0, names, deps, runs, false));  // h2 still runs
  running[2] = false;
  CHECK(may_stop(0, names, deps, runs, false));
}

TEST_CASE("may_stop: a guest's own entry and unknown names do not hold it") {
  const std::vector<std::string> names{"a", "b"};
  const std::vector<std::vector<std::string>> deps{{"a", "zz"}, {"zz"}};
  auto runs = [](size_t) { return true; };
  CHECK(may_stop(0, names, deps, runs, false));
  CHECK(may_stop(1, names, deps, runs, false));
}
