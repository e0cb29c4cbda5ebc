#include "guest/lockfile.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vklab::vkernel {

LockedFile::~LockedFile() {
  if (fd_ >= 0) ::close(fd_);
}

LockedFile::LockedFile(LockedFile&& o) noexcept : fd_(o.fd_), path_(std::move(o.path_)) {
  o.fd_ = -1;
}

LockedFile& LockedFile::operator=(LockedFile&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    path_ = std::move(o.path_);
    o.fd_ = -1;
  }
  return *this;
}

Result<LockedFile> LockedFile::pidfile(const std::string& path, int pid) {
  LockedFile f;
  f.path_ = path;
  f.fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (f.fd_ < 0) return make_error(path + ": " + std::strerror(errno));
  if (flock(f.fd_, LOCK_EX | LOCK_NB) < 0) {
    if (errno == EWOULDBLOCK) return make_error("Failed to lock pidfile, vkernel already running");
    return make_error(path + ": flock: " + std::strerror(errno));
  }
  std::string text = std::to_string(pid) + "\n";
  if (ftruncate(f.fd_, 0) < 0 || pwrite(f.fd_, text.data(), text.size(), 0) < 0)
    return make_error(path + ": " + std::strerror(errno));
  return f;
}

Result<LockedFile> LockedFile::disk(const Disk& d) {
  LockedFile f;
  f.path_ = d.path;
  bool rw = d.kind == Disk::Kind::ReadWrite;
  int flags = (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC;
  f.fd_ = ::open(d.path.c_str(), flags | O_DIRECT);
  if (f.fd_ < 0 && errno == EINVAL) f.fd_ = ::open(d.path.c_str(), flags);
  if (f.fd_ < 0) return make_error("Unable to open " + d.path + ": " + std::strerror(errno));
  if (rw && flock(f.fd_, LOCK_EX | LOCK_NB) < 0) {
    if (errno == EWOULDBLOCK) return make_error("Disk image " + d.path + " is already in use");
    return make_error(d.path + ": flock: " + std::strerror(errno));
  }
  return f;
}

void LockedFile::remove() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

}  // namespace vklab::vkernel
