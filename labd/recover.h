// Taking a lab down without its labd (it died, e.g. kill -9): from
// state.json, the plan file and the ownership tags alone.
//
// Guests are signalled only when their recorded pid + start time still
// match; they are no longer labd's children, so "halted cleanly" means
// "gone before its deadline" (the exit status is not ours to see).
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "common/result.h"
#include "labd/lock.h"
#include "labd/protocol.h"
#include "labd/state.h"

namespace vklab::labd {

struct RecoverOptions {
  bool force = false;                              ///< SIGKILL at once
  std::optional<std::chrono::milliseconds> timeout;  ///< overrides every stop_timeout
  std::function<void(const Progress&)> sink;       ///< per-guest lines
};

/// Stops every guest of the lab still alive — those recorded in state.json,
/// those named only by their launch record (labd killed right after a
/// fork), and in isolated mode whatever else still runs in the lab's
/// namespace — removes their cgroups, the host objects (drops the
/// namespace mount in isolated mode, tag-based teardown in host mode) and
/// the state directory. The caller holds the lab's lock (`held`), so no
/// labd runs. DownReply.error lists teardown trouble and any process of
/// the lab that would not go: never an "all well" while one runs.
Result<DownReply> recover_down(const StateDir& dir, const LabState& st, const RecoverOptions& opts,
                               const LabLock& held);

}  // namespace vklab::labd
