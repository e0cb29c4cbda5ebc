// The lab's lock: <state>/lock, flock(LOCK_EX). Whoever holds it owns the
// lab's state directory: `vklab up` takes it and hands it to labd (which
// then holds it while it lives); `vklab down` takes it to recover a lab
// whose labd is gone, or to remove a state directory no up is writing.
// This is the only place the lock is taken.
#pragma once

#include <optional>
#include <string>

#include "common/result.h"
#include "labd/state.h"

namespace vklab::labd {

/// Creates the state root and `dir` if missing, both mode 0700 (A1: the
/// plan holds every guest's command line). A root left more open by an
/// older vklab is narrowed to 0700. EACCES: "…: permission denied".
Status make_state_dir(const StateDir& dir);

class LabLock {
 public:
  enum class Outcome {
    Taken,   ///< ours now
    Busy,    ///< another process (up, labd, a recovering down) holds it
    Absent,  ///< no state directory (only when not asked to create it)
  };
  /// Tries once, without waiting. With `create`, makes the state directory
  /// first (make_state_dir). A missing lock file is created already locked
  /// (linked into place), so a lock file is never free between its
  /// creation and its first flock. A lock file removed or replaced while we
  /// took it (a down removing the directory) is taken again, so a Taken
  /// lock is always the one at dir.lock(). EACCES: "permission denied".
  static Result<Outcome> try_take(const StateDir& dir, bool create, std::optional<LabLock>& out);

  LabLock(LabLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  LabLock& operator=(LabLock&& o) noexcept;
  LabLock(const LabLock&) = delete;
  ~LabLock();
  /// The descriptor (close-on-exec), e.g. to hand to labd.
  int fd() const { return fd_; }
  /// The descriptor, now the caller's to close (the lock stays held by it).
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  explicit LabLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

/// "permission denied" for EACCES/EPERM, else strerror: the text the CLI
/// shows after a path.
std::string errno_text(int err);

}  // namespace vklab::labd
