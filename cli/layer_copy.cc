#include "cli/layer_copy.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace vklab::cli {
namespace {

constexpr const char* kTmpSuffix = ".vklab-save";

std::string err(const std::string& path, int e) { return path + ": " + std::strerror(e); }

bool listed(const std::vector<std::string>& v, const std::string& p) {
  return std::find(v.begin(), v.end(), p) != v.end();
}

/// A directory of the walk: its layer descriptor, and its destination
/// descriptor made on first need.
struct Dir {
  int src = -1;
  int dst = -1;
  Dir* parent = nullptr;
  std::string name;  ///< in parent
  std::string path;  ///< the guest's path ("/" for the top)
  struct stat st{};
  bool made = false;  ///< made by us: gets the layer's owner, mode, times
};

class Copier {
 public:
  Copier(const LayerCopyOptions& o, LayerCopyReport& r) : o_(o), r_(r) {}

  /// The destination directory of `d`, made when missing; -1 on error (reported).
  int ensure(Dir& d) {
    if (d.dst >= 0) return d.dst;
    if (!d.parent || ensure(*d.parent) < 0) return -1;
    int pfd = d.parent->dst;
    if (::mkdirat(pfd, d.name.c_str(), 0700) == 0) d.made = true;
    else if (errno != EEXIST) return fail(d.path, errno), -1;
    d.dst = ::openat(pfd, d.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (d.dst < 0) {
      r_.errors.push_back(d.path + ": " + (errno == ELOOP || errno == ENOTDIR
                                               ? "not a directory in the destination (a symlink is never followed)"
                                               : std::string(std::strerror(errno))));
      return -1;
    }
    if (d.made) r_.saved.push_back(d.path + "/");
    return d.dst;
  }

  void walk(Dir& d) {
    DIR* dp = ::fdopendir(::dup(d.src));
    if (!dp) return fail(d.path, errno);
    ::rewinddir(dp);  // a dup shares the offset
    std::vector<std::string> names;
    while (dirent* e = ::readdir(dp)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(dp);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) entry(d, n);
  }

  /// After a directory's content: the layer's attributes on a directory we made.
  void finish(Dir& d) {
    if (d.dst >= 0 && d.made) {
      if (::fchown(d.dst, d.st.st_uid, d.st.st_gid) < 0) fail(d.path, errno);
      if (::fchmod(d.dst, d.st.st_mode & 07777) < 0) fail(d.path, errno);
      timespec t[2] = {d.st.st_atim, d.st.st_mtim};
      ::futimens(d.dst, t);
    }
  }

 private:
  void fail(const std::string& path, int e) { r_.errors.push_back(err(path, e)); }

  void entry(Dir& d, const std::string& n) {
    std::string path = (d.path == "/" ? "" : d.path) + "/" + n;
    if (listed(o_.skip, path)) return;
    struct stat st{};
    if (::fstatat(d.src, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return fail(path, errno);
    if (o_.is_whiteout(st, n)) return r_.deleted.push_back(path);
    if (S_ISDIR(st.st_mode)) return dir(d, n, path, st);
    if (S_ISREG(st.st_mode)) return file(d, n, path, st);
    if (S_ISLNK(st.st_mode)) return link(d, n, path, st);
    const char* kind = S_ISFIFO(st.st_mode) ? "fifo" : S_ISSOCK(st.st_mode) ? "socket" : "device";
    r_.skipped.push_back(path + " (" + kind + ")");
  }

  void dir(Dir& d, const std::string& n, const std::string& path, const struct stat& st) {
    Dir c;
    c.parent = &d;
    c.name = n;
    c.path = path;
    c.st = st;
    c.src = ::openat(d.src, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (c.src < 0) return fail(path, errno);
    bool opaque = o_.is_opaque(d.src, n);
    if (opaque && !listed(o_.own_opaque, path)) {
      r_.replaced.push_back(path);
      ensure(c);
    }
    bool empty = true;
    if (DIR* dp = ::fdopendir(::dup(c.src))) {
      ::rewinddir(dp);
      while (dirent* e = ::readdir(dp))
        if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, "..")) empty = false;
      ::closedir(dp);
    }
    if (empty && !opaque) ensure(c);  // a directory the guest made, empty
    walk(c);
    finish(c);
    if (c.dst >= 0) ::close(c.dst);
    ::close(c.src);
  }

  /// Lands a new entry made as `tmp` in `dfd` on `n` (replacing what is
  /// there, a symlink included, never writing through it).
  bool land(int dfd, const std::string& tmp, const std::string& n, const std::string& path) {
    if (::renameat(dfd, tmp.c_str(), dfd, n.c_str()) == 0) return true;
    int e = errno;
    ::unlinkat(dfd, tmp.c_str(), 0);
    r_.errors.push_back(path + ": " + (e == EISDIR || e == ENOTEMPTY || e == EEXIST
                                           ? "a directory in the destination is in the way"
                                           : std::string(std::strerror(e))));
    return false;
  }

  void file(Dir& d, const std::string& n, const std::string& path, const struct stat& st) {
    int dfd = ensure(d);
    if (dfd < 0) return;
    int in = ::openat(d.src, n.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (in < 0) return fail(path, errno);
    std::string tmp = n + kTmpSuffix;
    ::unlinkat(dfd, tmp.c_str(), 0);
    int out = ::openat(dfd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0) {
      ::close(in);
      return fail(path, errno);
    }
    bool ok = true;
    char buf[65536];
    for (;;) {
      ssize_t k = ::read(in, buf, sizeof buf);
      if (k == 0) break;
      if (k < 0) {
        if (errno == EINTR) continue;
        ok = false, fail(path, errno);
        break;
      }
      for (ssize_t off = 0; off < k;) {
        ssize_t w = ::write(out, buf + off, static_cast<size_t>(k - off));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
          ok = false, fail(path, errno);
          break;
        }
        off += w;
      }
      if (!ok) break;
    }
    ::close(in);
    // Owner first: chown clears set-id bits, the mode puts them back.
    if (ok && ::fchown(out, st.st_uid, st.st_gid) < 0) ok = false, fail(path, errno);
    if (ok && ::fchmod(out, st.st_mode & 07777) < 0) ok = false, fail(path, errno);
    timespec t[2] = {st.st_atim, st.st_mtim};
    if (ok && ::futimens(out, t) < 0) ok = false, fail(path, errno);
    ::close(out);
    if (!ok) {
      ::unlinkat(dfd, tmp.c_str(), 0);
      return;
    }
    if (land(dfd, tmp, n, path)) r_.saved.push_back(path);
  }

  void link(Dir& d, const std::string& n, const std::string& path, const struct stat& st) {
    int dfd = ensure(d);
    if (dfd < 0) return;
    std::string target(static_cast<size_t>(st.st_size > 0 ? st.st_size : 4096) + 1, '\0');
    ssize_t len = ::readlinkat(d.src, n.c_str(), target.data(), target.size());
    if (len < 0) return fail(path, errno);
    target.resize(static_cast<size_t>(len));
    std::string tmp = n + kTmpSuffix;
    ::unlinkat(dfd, tmp.c_str(), 0);
    if (::symlinkat(target.c_str(), dfd, tmp.c_str()) < 0) return fail(path, errno);
    timespec t[2] = {st.st_atim, st.st_mtim};
    if (::fchownat(dfd, tmp.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
        ::utimensat(dfd, tmp.c_str(), t, AT_SYMLINK_NOFOLLOW) < 0) {
      fail(path, errno);
      ::unlinkat(dfd, tmp.c_str(), 0);
      return;
    }
    if (land(dfd, tmp, n, path)) r_.saved.push_back(path);
  }

  const LayerCopyOptions& o_;
  LayerCopyReport& r_;
};

bool xattr_opaque(int dirfd, const std::string& name) {
  int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  char v[4] = {};
  ssize_t n = ::fgetxattr(fd, "trusted.overlay.opaque", v, sizeof v);
  ::close(fd);
  return n == 1 && v[0] == 'y';
}

bool device_whiteout(const struct stat& st, const std::string&) {
  return S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0;
}

}  // namespace

LayerCopyReport copy_layer(const std::string& upper, const std::string& dest, const LayerCopyOptions& opts) {
  LayerCopyReport r;
  LayerCopyOptions o = opts;
  if (!o.is_opaque) o.is_opaque = xattr_opaque;
  if (!o.is_whiteout) o.is_whiteout = device_whiteout;
  Dir top;
  top.path = "/";
  top.src = ::open(upper.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (top.src < 0) {
    r.errors.push_back(err(upper, errno));
    return r;
  }
  std::error_code ec;
  std::filesystem::create_directories(dest, ec);
  top.dst = ::open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (top.dst < 0) {
    r.errors.push_back(dest + ": " + (errno == ELOOP || errno == ENOTDIR ? "not a directory (a symlink is not followed)"
                                                                        : std::string(std::strerror(errno))));
    ::close(top.src);
    return r;
  }
  Copier c(o, r);
  c.walk(top);
  ::close(top.dst);
  ::close(top.src);
  return r;
}

std::string deletions_text(const std::string& guest, const LayerCopyReport& r) {
  std::string s = "# vklab save " + guest +
                  ": what the guest deleted (a folder laid over its root cannot delete; remove these "
                  "by hand from the lab's files or its root)\n";
  for (const auto& p : r.deleted) s += "deleted " + p + "\n";
  for (const auto& p : r.replaced) s += "replaced " + p + "\n";
  return s;
}

}  // namespace vklab::cli
