#include "labd/lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace vklab::labd {
namespace {

Status make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0) return {};
  int e = errno;
  if (e != EEXIST) return make_error(path + ": " + errno_text(e));
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return make_error(path + ": " + errno_text(errno));
  if (!S_ISDIR(st.st_mode)) return make_error(path + ": not a directory");
  if (st.st_uid == ::geteuid() && (st.st_mode & 077) != 0) ::chmod(path.c_str(), 0700);
  return {};
}

}  // namespace

std::string errno_text(int err) {
  if (err == EACCES || err == EPERM) return "permission denied";
  return std::strerror(err);
}

Status make_state_dir(const StateDir& dir) {
  std::filesystem::path root = std::filesystem::path(dir.dir).parent_path();
  std::error_code ec;
  if (!root.empty() && !std::filesystem::exists(root.parent_path(), ec))
    std::filesystem::create_directories(root.parent_path(), ec);
  if (!root.empty())
    if (Status s = make_dir(root.string()); !s) return s;
  return make_dir(dir.dir);
}

Result<LabLock::Outcome> LabLock::try_take(const StateDir& dir, bool create, std::optional<LabLock>& out) {
  out.reset();
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (create)
      if (Status s = make_state_dir(dir); !s) return s.error();
    int fd = ::open(dir.lock().c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
      if (::access(dir.dir.c_str(), F_OK) != 0) {
        if (errno == ENOENT && !create) return Outcome::Absent;
        if (errno != ENOENT) return make_error(dir.dir + ": " + errno_text(errno));
        continue;  // removed under us: make it again
      }
      // No lock file yet: make one already locked (a locked temporary file
      // linked into place), so no one can ever take a lock file between
      // its creation and its flock by the process that made it.
      const std::string tmp = dir.lock() + "." + std::to_string(::getpid());
      int t = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      if (t < 0) {
        if (errno == ENOENT) continue;
        return make_error(tmp + ": " + errno_text(errno));
      }
      ::flock(t, LOCK_EX | LOCK_NB);
      int linked = ::link(tmp.c_str(), dir.lock().c_str());
      ::unlink(tmp.c_str());
      if (linked == 0) {
        out.emplace(LabLock(t));
        return Outcome::Taken;
      }
      ::close(t);
      continue;  // another made it first (EEXIST), or the directory went: look again
    }
    if (fd < 0) return make_error(dir.lock() + ": " + errno_text(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int e = errno;
      ::close(fd);
      if (e == EWOULDBLOCK) return Outcome::Busy;
      return make_error(dir.lock() + ": " + errno_text(e));
    }
    struct stat held, now;
    if (::fstat(fd, &held) == 0 && ::stat(dir.lock().c_str(), &now) == 0 && held.st_ino == now.st_ino &&
        held.st_dev == now.st_dev) {
      out.emplace(LabLock(fd));
      return Outcome::Taken;
    }
    ::close(fd);  // the file we locked is no longer the lab's lock: look again
  }
  return make_error(dir.lock() + ": keeps being replaced");
}

LabLock& LabLock::operator=(LabLock&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

LabLock::~LabLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace vklab::labd
