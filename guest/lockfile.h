// Files the guest keeps locked while it runs: the pidfile (-p) and the
// read/write disk images (-r), like the DragonFly vkernel.
#pragma once

#include <string>

#include "common/result.h"
#include "vkernel/cmdline.h"

namespace vklab::vkernel {

/// An open file descriptor with an optional flock(LOCK_EX); closes on destruction.
class LockedFile {
 public:
  LockedFile() = default;
  ~LockedFile();
  LockedFile(LockedFile&& o) noexcept;
  LockedFile& operator=(LockedFile&& o) noexcept;
  LockedFile(const LockedFile&) = delete;
  LockedFile& operator=(const LockedFile&) = delete;

  /// Creates/opens `path`, locks it (LOCK_EX|LOCK_NB) and writes `pid`.
  /// A held lock: "Failed to lock pidfile, vkernel already running".
  static Result<LockedFile> pidfile(const std::string& path, int pid);
  /// Opens a disk image: -r read/write (O_DIRECT where the file system
  /// allows it) and locked ("Disk image %s is already in use"); -R and -c
  /// read-only, not locked.
  static Result<LockedFile> disk(const Disk& d);

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  /// Unlinks the file (the pidfile on halt), keeping the fd until destruction.
  void remove();

 private:
  int fd_ = -1;
  std::string path_;
};

}  // namespace vklab::vkernel
