// The init half of the guest's root (rootfs.h): the guest's own /proc,
// /sys, /dev, /tmp, /run and commands inside the tree, then pivot_root.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <span>

#include "guest/power.h"
#include "guest/services.h"
#include "guest/rootfs.h"

namespace vklab::vkernel {
namespace {

std::string err(const std::string& what) { return what + ": " + std::strerror(errno); }

Status do_mount(const char* src, const std::string& dst, const char* type, unsigned long flags,
                const std::string& data = "") {
  if (::mount(src, dst.c_str(), type, flags, data.empty() ? nullptr : data.c_str()) < 0)
    return make_error(err(std::string("mount ") + (type ? type : src) + " on " + dst));
  return {};
}

/// Binds `path` onto itself read-only (and nosuid, nodev, noexec when asked).
Status bind_readonly(const std::string& path, unsigned long extra = 0) {
  if (::mount(path.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0 ||
      ::mount(nullptr, path.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | extra, nullptr) < 0)
    return make_error(err("read-only " + path));
  return {};
}

Status ensure_dir(const std::string& p, mode_t mode = 0755) {
  if (::mkdir(p.c_str(), mode) < 0 && errno != EEXIST) return make_error(err(p));
  return {};
}

Status ensure_file(const std::string& p) {
  int fd = ::open(p.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(err(p));
  ::close(fd);
  return {};
}

/// Host-wide /proc files a guest root must not read or write: the ones
/// Docker and runc mask (kernel memory, keys, timers) and the ones that
/// act on the whole machine (sysrq-trigger).
constexpr const char* kMaskedProc[] = {"kcore", "keys", "timer_list", "sched_debug", "latency_stats",
                                       "kallsyms", "sysrq-trigger", "kmsg", "acpi", "scsi"};

Status mount_proc(const std::string& R) {
  const std::string P = R + "/proc";
  if (Status s = do_mount("proc", P, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC); !s) return s;
  for (const char* m : kMaskedProc) {
    std::string p = P + "/" + m;
    struct stat st{};
    if (::lstat(p.c_str(), &st) < 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (Status s = do_mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0"); !s) return s;
    } else if (::mount("/dev/null", p.c_str(), nullptr, MS_BIND, nullptr) < 0 ||
               ::mount(nullptr, p.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) < 0) {
      return make_error(err("mask " + p));
    }
  }
  for (const char* ro : {"/bus", "/fs", "/irq"})
    if (struct stat st{}; ::stat((P + ro).c_str(), &st) == 0)
      if (Status s = bind_readonly(P + ro, MS_NOSUID | MS_NODEV | MS_NOEXEC); !s) return s;
  return {};
}

/// /proc/sys read-only but for /proc/sys/net (the guest's own network
/// namespace's parameters).
Status protect_proc_sys(const std::string& R) {
  const std::string S = R + "/proc/sys";
  if (::mount(S.c_str(), S.c_str(), nullptr, MS_BIND, nullptr) < 0) return make_error(err("bind " + S));
  if (::mount((S + "/net").c_str(), (S + "/net").c_str(), nullptr, MS_BIND, nullptr) < 0)
    return make_error(err("bind " + S + "/net"));
  if (::mount(nullptr, S.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) < 0)
    return make_error(err("read-only " + S));
  return {};
}

/// A minimal /dev: the harmless character devices bound from the host's,
/// a private devpts, /dev/shm and the usual links.
Status mount_dev(const std::string& R) {
  const std::string D = R + "/dev";
  if (Status s = do_mount("tmpfs", D, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=1m"); !s) return s;
  for (const char* n : {"null", "zero", "full", "random", "urandom", "tty", "net/tun"}) {
    std::string dst = D + "/" + n;
    if (std::string_view(n) == "net/tun")
      if (Status s = ensure_dir(D + "/net"); !s) return s;
    if (Status s = ensure_file(dst); !s) return s;
    if (::mount((std::string("/dev/") + n).c_str(), dst.c_str(), nullptr, MS_BIND, nullptr) < 0)
      return make_error(err(std::string("bind /dev/") + n));
  }
  for (const char* d : {"/pts", "/shm"})
    if (Status s = ensure_dir(D + d); !s) return s;
  if (Status s = do_mount("devpts", D + "/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5"); !s) return s;
  if (Status s = do_mount("tmpfs", D + "/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64m"); !s) return s;
  const std::pair<const char*, const char*> links[] = {
      {"pts/ptmx", "ptmx"}, {"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"},
      {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"}};
  for (const auto& [target, name] : links)
    if (::symlink(target, (D + "/" + name).c_str()) < 0) return make_error(err(D + "/" + name));
  return {};
}

/// The guest's halt/reboot: this very binary, bound read-only at
/// <run>/vkernel/vkernel (beside kPowerBinDir, so `vkernel` is no command
/// of the guest), and the command links in kPowerBinDir.
Status power_commands(const std::string& R, int self) {
  const std::string dir = R + kPowerBinDir;
  const std::string exe = std::filesystem::path(dir).parent_path() / "vkernel";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(dir + ": " + ec.message());
  if (Status s = ensure_file(exe); !s) return s;
  std::string source = "/proc/self/fd/" + std::to_string(self);
  if (::mount(source.c_str(), exe.c_str(), nullptr, MS_BIND, nullptr) < 0 ||
      ::mount(nullptr, exe.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) < 0)
    return make_error(err("halt/reboot commands: " + exe));
  for (auto names : {std::span<const std::string_view>(kPowerCommands), std::span<const std::string_view>(kServiceCommands)})
    for (std::string_view c : names) {
      std::string link = dir + "/" + std::string(c);
      if (::symlink("../vkernel", link.c_str()) < 0 && errno != EEXIST) return make_error(err(link));
    }
  return {};
}

void apply_sysctls(const std::string& R, const std::vector<std::pair<std::string, std::string>>& kv,
                   std::vector<std::string>& warnings) {
  for (const auto& [k, v] : kv) {
    std::string rel = k;
    if (rel.find('/') == std::string::npos)
      for (char& c : rel)
        if (c == '.') c = '/';
    std::string p = R + "/proc/sys/" + rel;
    int fd = ::open(p.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    std::string text = v + "\n";
    if (fd < 0 || ::write(fd, text.data(), text.size()) < 0)
      warnings.push_back("sysctl " + k + "=" + v + ": " + std::strerror(errno));
    if (fd >= 0) ::close(fd);
  }
}

}  // namespace

Status enter_root(const EnterRoot& e, std::vector<std::string>& warnings) {
  const std::string& R = e.root;
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) return make_error(err("make / private"));
  for (const char* d : {"/proc", "/sys", "/dev", "/tmp", "/run"})
    if (Status s = ensure_dir(R + d); !s) return s;
  std::string size = ",size=" + std::to_string(e.size);
  if (Status s = mount_proc(R); !s) return s;
  if (Status s = do_mount("sysfs", R + "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC); !s) return s;
  if (Status s = mount_dev(R); !s) return s;
  if (Status s = do_mount("tmpfs", R + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777" + size); !s) return s;
  if (Status s = do_mount("tmpfs", R + "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755" + size); !s) return s;
  // /run/lock as Debian's boot makes it (/var/lock links to it: apache2ctl).
  if (Status s = ensure_dir(R + "/run/lock"); !s || ::chmod((R + "/run/lock").c_str(), 01777) < 0)
    warnings.push_back(R + "/run/lock: " + std::strerror(errno));
  if (e.self_fd >= 0)
    if (Status s = power_commands(R, e.self_fd); !s) warnings.push_back(s.error().message);
  // Kernel parameters: the guest's own ones (per network namespace) are
  // under /proc/sys/net; anything else is refused once /proc/sys is read-only.
  if (Status s = protect_proc_sys(R); !s) return s;
  apply_sysctls(R, e.sysctls, warnings);
  if (::chdir(R.c_str()) < 0) return make_error(err("chdir " + R));
  if (::syscall(SYS_pivot_root, ".", ".") < 0) return make_error(err("pivot_root " + R));
  // The old root is now stacked under the new one: detach it and every
  // mount below it, so that nothing of the host's tree can be uncovered.
  if (::umount2(".", MNT_DETACH) < 0) return make_error(err("detach the old root"));
  if (::chdir("/") < 0) return make_error(err("chdir /"));
  return {};
}

}  // namespace vklab::vkernel
