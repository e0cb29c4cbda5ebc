// The vkernel-process half of the guest's root (rootfs.h): the layer, the
// copy of the lab's folder, the overlay.
#include "guest/rootfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace vklab::vkernel {
namespace {

std::string err(const std::string& what) { return what + ": " + std::strerror(errno); }

std::string parent_of(const std::string& p) {
  size_t s = p.find_last_of('/');
  if (s == std::string::npos || s == 0) return "/";
  return p.substr(0, s);
}

/// `path` without trailing slashes and "." components; "" if not absolute.
std::string normal(const std::string& path) {
  if (path.empty() || path[0] != '/') return "";
  std::string out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string part = path.substr(i, j - i);
    if (!part.empty() && part != ".") out += "/" + part;
    i = j + 1;
  }
  return out.empty() ? "/" : out;
}

/// A directory of the upper layer for `path` (absolute in the guest):
/// its parents take the base's owner and mode (the upper's copy of a
/// directory shadows the base's attributes), the leaf is opaque when asked.
Status make_upper_dir(const std::string& upper, const std::string& base, const std::string& path,
                      bool opaque) {
  std::string cur;
  size_t i = 1;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    cur += "/" + path.substr(i, j - i);
    i = j + 1;
    std::string dst = upper + cur;
    struct stat st{};
    bool in_base = ::lstat((base == "/" ? cur : base + cur).c_str(), &st) == 0;
    if (in_base && !S_ISDIR(st.st_mode)) return {};  // a file or link there: nothing to hide below it
    if (::mkdir(dst.c_str(), 0755) < 0 && errno != EEXIST) return make_error(err(dst));
    if (in_base) {
      if (::lchown(dst.c_str(), st.st_uid, st.st_gid) < 0 || ::chmod(dst.c_str(), st.st_mode & 07777) < 0)
        return make_error(err(dst));
    }
  }
  if (opaque && ::setxattr((upper + path).c_str(), "trusted.overlay.opaque", "y", 1, 0) < 0)
    return make_error(err(upper + path + ": opaque"));
  return {};
}

/// Copies the tree `src` into the existing directory `dst`: directories,
/// regular files and symlinks with owner, mode and times.
Status copy_tree(const std::string& src, const std::string& dst) {
  DIR* d = ::opendir(src.c_str());
  if (!d) return make_error(err(src));
  Status result;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    std::string s = src + "/" + n, t = dst + "/" + n;
    struct stat st{};
    if (::lstat(s.c_str(), &st) < 0) {
      result = make_error(err(s));
      break;
    }
    if (S_ISDIR(st.st_mode)) {
      if (::mkdir(t.c_str(), 0700) < 0) result = make_error(err(t));
      else result = copy_tree(s, t);
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t len = ::readlink(s.c_str(), target.data(), target.size());
      if (len < 0) result = make_error(err(s));
      else if (target.resize(static_cast<size_t>(len)); ::symlink(target.c_str(), t.c_str()) < 0) result = make_error(err(t));
    } else if (S_ISREG(st.st_mode)) {
      int in = ::open(s.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      int out = in < 0 ? -1 : ::open(t.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (in < 0) result = make_error(err(s));
      else if (out < 0) result = make_error(err(t));
      char buf[65536];
      ssize_t r = 0;
      while (result && (r = ::read(in, buf, sizeof buf)) > 0)
        if (::write(out, buf, static_cast<size_t>(r)) != r) result = make_error(err(t));
      if (result && r < 0) result = make_error(err(s));
      if (in >= 0) ::close(in);
      if (out >= 0) ::close(out);
    } else {
      result = make_error(s + ": not a directory, regular file or symbolic link");
    }
    if (!result) break;
    timespec times[2] = {st.st_atim, st.st_mtim};
    if (::lchown(t.c_str(), st.st_uid, st.st_gid) < 0 ||
        (!S_ISLNK(st.st_mode) && ::chmod(t.c_str(), st.st_mode & 07777) < 0) ||
        ::utimensat(AT_FDCWD, t.c_str(), times, AT_SYMLINK_NOFOLLOW) < 0) {
      result = make_error(err(t));
      break;
    }
  }
  ::closedir(d);
  return result;
}

/// True when `rel` exists inside `root` as the guest will resolve it
/// (absolute symlinks relative to `root`, never escaping it).
bool exists_in(const std::string& root, const char* rel, int mode_bits) {
  int dfd = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return false;
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  int fd = static_cast<int>(::syscall(SYS_openat2, dfd, rel, &how, sizeof how));
  ::close(dfd);
  if (fd < 0) return false;
  struct stat st{};
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & mode_bits);
  ::close(fd);
  return ok;
}

Status check_dir(const char* var, const std::string& path, bool need_read) {
  struct stat st{};
  if (normal(path) != path) return make_error(std::string("-e ") + var + "=" + path + ": not an absolute path");
  if (path.find_first_of(":,\\") != std::string::npos)
    return make_error(std::string("-e ") + var + "=" + path + ": ':', ',' and '\\' are not supported in a layer path");
  if (::stat(path.c_str(), &st) < 0) return make_error(std::string(var) + " " + err(path));
  if (!S_ISDIR(st.st_mode)) return make_error(std::string(var) + " " + path + ": not a directory");
  if (need_read && ::access(path.c_str(), R_OK | X_OK) < 0) return make_error(std::string(var) + " " + err(path));
  return {};
}

}  // namespace

std::vector<std::string> state_paths(const std::string& pidfile, const std::string& layer,
                                     const std::string& files, const std::string& shared,
                                     const char* state_root_env) {
  std::vector<std::string> out;
  auto add = [&](std::string p) {
    p = normal(p);
    if (p.empty() || p == "/") return;
    for (const auto& q : out)
      if (q == p) return;
    out.push_back(p);
  };
  if (state_root_env && *state_root_env) add(state_root_env);
  for (const std::string& f : {pidfile, layer}) {
    std::string n = normal(f);
    if (n.empty()) continue;
    std::string lab = parent_of(n), root = parent_of(lab);
    add(root == "/" ? lab : root);
  }
  for (const std::string& f : {files, shared}) {
    std::string n = normal(f);
    if (!n.empty()) add(parent_of(n) == "/" ? n : parent_of(n));
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> read_sysctl_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(err(path));
  std::vector<std::pair<std::string, std::string>> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos || line[b] == '#') continue;
    size_t eq = line.find('=');
    auto trim = [](std::string s) {
      size_t x = s.find_first_not_of(" \t\r"), y = s.find_last_not_of(" \t\r");
      return x == std::string::npos ? std::string() : s.substr(x, y - x + 1);
    };
    std::string k = eq == std::string::npos ? "" : trim(line.substr(0, eq));
    if (k.empty() || k.find("..") != std::string::npos || k.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/") != std::string::npos)
      return make_error(path + ":" + std::to_string(n) + ": expected key=value with a kernel parameter name");
    out.emplace_back(k, trim(line.substr(eq + 1)));
  }
  return out;
}

GuestRoot& GuestRoot::operator=(GuestRoot&& o) noexcept {
  if (this != &o) {
    release();
    layer_ = std::exchange(o.layer_, "");
    made_dir_ = std::exchange(o.made_dir_, false);
  }
  return *this;
}

GuestRoot::~GuestRoot() { release(); }

void GuestRoot::release() {
  if (layer_.empty()) return;
  ::umount2(root().c_str(), MNT_DETACH);
  ::umount2(layer_.c_str(), MNT_DETACH);
  if (made_dir_) ::rmdir(layer_.c_str());
  layer_.clear();
  made_dir_ = false;
}

Result<GuestRoot> GuestRoot::prepare(const RootSpec& s) {
  if (Status st = check_dir("vklab_root", s.base, true); !st) return st.error();
  if (!exists_in(s.base, "bin/sh", 0111)) return make_error("vklab_root " + s.base + ": no executable /bin/sh in it");
  if (!s.files.empty())
    if (Status st = check_dir("vklab_files", s.files, true); !st) return st.error();
  if (!s.shared.empty())
    if (Status st = check_dir("vklab_shared", s.shared, false); !st) return st.error();
  GuestRoot g;
  if (s.layer.empty()) {
    if (::mkdir(s.fallback_layer.c_str(), 0700) < 0) return make_error("layer " + err(s.fallback_layer));
    g.layer_ = s.fallback_layer;
    g.made_dir_ = true;
  } else {
    // The plan names <state>/<guest>.layer; the guest makes it (and release() removes it).
    if (normal(s.layer) == s.layer && ::mkdir(s.layer.c_str(), 0700) == 0) g.made_dir_ = true;
    if (Status st = check_dir("vklab_layer", s.layer, false); !st) return st.error();
    g.layer_ = s.layer;
  }
  // From here on every mount is this process's own and dies with it.
  if (::unshare(CLONE_NEWNS) < 0) return make_error(err("mount namespace"));
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) < 0) return make_error(err("mount namespace: slave /"));
  std::string opts = "mode=0700,size=" + std::to_string(s.size);
  if (::mount("vklab-layer", g.layer_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) < 0)
    return make_error("layer: tmpfs on " + err(g.layer_));
  const std::string L = g.layer_;
  for (const char* d : {"/files", "/upper", "/work", "/root"})
    if (::mkdir((L + d).c_str(), 0755) < 0) return make_error("layer " + err(L + d));
  if (!s.files.empty())
    if (Status st = copy_tree(s.files, L + "/files"); !st) return make_error("vklab_files " + s.files + ": " + st.error().message);
  std::vector<std::string> hide(std::begin(kHiddenDirs), std::end(kHiddenDirs));
  hide.insert(hide.end(), s.hidden.begin(), s.hidden.end());
  auto covered = [&](const std::string& h) {  // below another hidden directory: hidden already
    for (const auto& o : hide)
      if (h.size() > o.size() && h.compare(0, o.size(), o) == 0 && h[o.size()] == '/') return true;
    return false;
  };
  for (const auto& h : hide)
    if (Status st = covered(h) ? Status{} : make_upper_dir(L + "/upper", s.base, h, true); !st)
      return make_error("layer: " + st.error().message);
  if (!s.shared.empty())
    if (Status st = make_upper_dir(L + "/upper", s.base, "/shared", false); !st) return make_error("layer: " + st.error().message);
  std::string lower = s.files.empty() ? s.base : L + "/files:" + s.base;
  std::string ov = "lowerdir=" + lower + ",upperdir=" + L + "/upper,workdir=" + L + "/work";
  if (::mount("vklab-root", g.root().c_str(), "overlay", 0, ov.c_str()) < 0)
    return make_error("layer: overlay of " + s.base + (s.files.empty() ? "" : " and " + s.files) + " on " + err(g.root()) +
                      (errno == ENODEV ? " (no overlayfs in this kernel)" : ""));
  if (!s.shared.empty() && ::mount(s.shared.c_str(), (g.root() + "/shared").c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
    return make_error("vklab_shared " + err(s.shared));
  return g;
}

}  // namespace vklab::vkernel
