// The stop sequence labd (stop.cc) and recovery (recover.cc) share: a
// guest gets its SIGTERM once no guest that depends on it still runs, so
// that a router outlives the hosts whose default route it is and their
// shutdown scripts still reach it; a forced stop kills every guest at once.
// Each guest then follows the guest machine (supervise.h): Stop → Stopping
// with its deadline (its stop_timeout, or down --timeout), Exited → Halted,
// Deadline → Forced.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace vklab::labd {

/// Whether guest `i` may be stopped now: `runs(j)` tells whether guest j
/// still runs; `depends_on[j]` names the guests j depends on; `names[j]` is
/// guest j's name. Forced: always.
bool may_stop(size_t i, const std::vector<std::string>& names, const std::vector<std::vector<std::string>>& depends_on,
              const std::function<bool(size_t)>& runs, bool forced);

}  // namespace vklab::labd
