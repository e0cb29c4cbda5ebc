// -m as a memory limit: the guest's processes go into a cgroup of their own
// (below the vkernel process's cgroup) whose memory limit is -m. cgroup v2
// (memory.max) or v1 (memory.limit_in_bytes), whichever holds the memory
// controller. Where the host does not allow it, apply() fails and the
// guest boots with a one-line warning.
#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>

#include "common/result.h"

namespace vklab::vkernel {

class MemLimit {
 public:
  MemLimit() = default;
  ~MemLimit();
  MemLimit(MemLimit&& o) noexcept : dir_(std::move(o.dir_)) { o.dir_.clear(); }
  MemLimit& operator=(MemLimit&&) = delete;
  MemLimit(const MemLimit&) = delete;

  /// Creates cgroup "vkernel-<name>-<pid>" limited to `bytes` and moves `pid` into it.
  static Result<MemLimit> apply(const std::string& name, uint64_t bytes, pid_t pid);
  /// Moves `pid` into the same cgroup too (a rebooted guest's new init).
  Status add(pid_t pid) const;
  /// Removes the cgroup now (waiting up to 1 s for it to empty); true when
  /// it is gone (or there was none).
  bool release();
  /// The cgroup directory ("" when none).
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;  ///< removed (rmdir) by release() or on destruction, once the guest is gone
};

}  // namespace vklab::vkernel
