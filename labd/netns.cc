#include "labd/netns.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cerrno>
#include <cstring>

#include "common/sys.h"
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "guest/confine.h"

namespace vklab::labd {
namespace {

std::optional<ino_t> ns_inode(pid_t pid, const char* ns) {
  struct stat st;
  std::string p = "/proc/" + std::to_string(pid) + "/ns/" + ns;
  if (::stat(p.c_str(), &st) != 0) return std::nullopt;
  return st.st_ino;
}

std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  std::error_code ec;
  // Every thread's children list.
  for (const auto& t : std::filesystem::directory_iterator(
           "/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(t.path() / "children");
    pid_t c;
    while (in >> c) out.push_back(c);
  }
  return out;
}

std::optional<pid_t> parent_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t rp = text.rfind(')');
  if (rp == std::string::npos) return std::nullopt;
  std::istringstream rest(text.substr(rp + 1));
  std::string state;
  pid_t ppid = 0;
  if (!(rest >> state >> ppid)) return std::nullopt;
  return ppid;
}

}  // namespace

Status enter_new_netns() {
  if (::unshare(CLONE_NEWNET) != 0) return make_error(errno_msg("unshare(CLONE_NEWNET)"));
  int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return make_error(errno_msg("lo: socket"));
  struct ifreq ifr {};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  int rc = ::ioctl(s, SIOCGIFFLAGS, &ifr);
  if (rc == 0) {
    ifr.ifr_flags |= IFF_UP;
    rc = ::ioctl(s, SIOCSIFFLAGS, &ifr);
  }
  int e = errno;
  ::close(s);
  if (rc != 0) return make_error(std::string("lo: up: ") + std::strerror(e));
  return {};
}

Status bind_netns(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0444);
  if (fd < 0) return make_error(errno_msg(path));
  ::close(fd);
  if (::mount("/proc/self/ns/net", path.c_str(), nullptr, MS_BIND, nullptr) != 0)
    return make_error(errno_msg(path + ": bind mount"));
  return {};
}

bool is_netns_mount(const std::string& path) {
  struct statfs sf;
  if (::statfs(path.c_str(), &sf) != 0) return false;
  return sf.f_type == NSFS_MAGIC;
}

std::vector<pid_t> netns_members(const std::string& path) {
  std::vector<pid_t> out;
  struct stat ns;
  if (!is_netns_mount(path) || ::stat(path.c_str(), &ns) != 0) return out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = static_cast<pid_t>(std::stol(name));
    if (pid == ::getpid()) continue;
    struct stat st;
    if (::stat(("/proc/" + name + "/ns/net").c_str(), &st) != 0) continue;
    if (st.st_ino != ns.st_ino || st.st_dev != ns.st_dev) continue;
    std::ifstream in("/proc/" + name + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t rp = text.rfind(") ");
    if (rp != std::string::npos && rp + 2 < text.size() && text[rp + 2] == 'Z') continue;  // exited
    out.push_back(pid);
  }
  return out;
}

std::vector<std::string> kill_netns_members(const std::string& path, int wait_ms, std::vector<pid_t>& left) {
  std::vector<std::string> killed;
  left = netns_members(path);
  for (pid_t p : left) {
    std::ifstream in("/proc/" + std::to_string(p) + "/comm");
    std::string comm;
    std::getline(in, comm);
    killed.push_back(std::to_string(p) + " (" + comm + ")");
    ::kill(p, SIGKILL);
  }
  for (int waited = 0; !left.empty() && waited < wait_ms; waited += 10) {
    ::usleep(10000);
    left = netns_members(path);
  }
  return killed;
}

std::string strays_text(const std::string& lab, const std::vector<std::string>& killed) {
  std::string t = lab + ": killed " + std::to_string(killed.size()) +
                  (killed.size() == 1 ? " stray process" : " stray processes") + " left in the lab's namespace:";
  for (size_t i = 0; i < killed.size(); ++i) t += (i ? ", " : " ") + killed[i];
  return t;
}

Status drop_netns(const std::string& path) {
  // A path may carry stacked mounts after a crash; unmount until none is left.
  for (int i = 0; i < 8 && is_netns_mount(path); ++i)
    if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
      return make_error(errno_msg(path + ": umount"));
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return make_error(errno_msg(path));
  return {};
}

std::optional<pid_t> find_guest_init(pid_t kernel) {
  auto parent = parent_of(kernel);
  if (!parent) return std::nullopt;
  auto host_ns = ns_inode(*parent, "pid");
  if (!host_ns) host_ns = ns_inode(getpid(), "pid");
  std::deque<pid_t> queue{kernel};
  for (int seen = 0; !queue.empty() && seen < 4096; ++seen) {
    pid_t p = queue.front();
    queue.pop_front();
    auto ns = ns_inode(p, "pid");
    if (ns && host_ns && *ns != *host_ns) return p;
    for (pid_t c : children_of(p)) queue.push_back(c);
  }
  return std::nullopt;
}

NsTarget guest_namespaces(pid_t init) {
  std::string base = "/proc/" + std::to_string(init) + "/ns/";
  // mnt last: after it, the /proc paths of the others may not resolve.
  return {{base + "net", base + "uts", base + "ipc", base + "pid", base + "mnt"}};
}

namespace {

/// Reads both pipes until they close, the command exits (`exited_fd`, a
/// pidfd of the outer child, turns readable: what a background child of
/// the command writes later is not waited for), or `deadline` passes (then
/// false).
bool drain(int out_fd, int err_fd, int exited_fd, Captured& cap, std::chrono::steady_clock::time_point deadline,
           bool limited) {
  pollfd p[3] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {exited_fd, POLLIN, 0}};
  std::string* sink[2] = {&cap.out, &cap.err};
  int open_fds = 2;
  char buf[8192];
  bool exited = false;
  while (open_fds > 0) {
    if (exited) {  // what is already in the pipes, without waiting
      for (int i = 0; i < 2; ++i) {
        if (p[i].fd < 0) continue;
        ::fcntl(p[i].fd, F_SETFL, O_NONBLOCK);
        ssize_t got;
        while ((got = ::read(p[i].fd, buf, sizeof buf)) > 0) {
          size_t room = Captured::kMaxCaptured - std::min(Captured::kMaxCaptured, sink[i]->size());
          sink[i]->append(buf, std::min(room, static_cast<size_t>(got)));
        }
      }
      return true;
    }
    int wait = -1;
    if (limited) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      wait = static_cast<int>(left.count());
    }
    int n = ::poll(p, exited_fd >= 0 ? 3 : 2, wait);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return true;
    if (n == 0) return false;
    if (exited_fd >= 0 && (p[2].revents & POLLIN)) exited = true;
    for (int i = 0; i < 2; ++i) {
      if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = ::read(p[i].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        p[i].fd = -1;
        --open_fds;
        continue;
      }
      size_t room = Captured::kMaxCaptured - std::min(Captured::kMaxCaptured, sink[i]->size());
      sink[i]->append(buf, std::min(room, static_cast<size_t>(got)));
    }
  }
  return true;
}

/// RunOptions::forward_signals: where a forwarded signal goes.
volatile std::sig_atomic_t g_forward_to = 0;
constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP};

void forward_signal(int sig, siginfo_t* info, void*) {
  // SI_USER, SI_QUEUE, SI_TKILL (<= 0): sent by a process. The terminal's
  // (SI_KERNEL) reached the command's process group already.
  if (info && info->si_code <= 0 && g_forward_to > 0) ::kill(static_cast<pid_t>(g_forward_to), sig);
}

/// Forwards kForwarded to `to` from now on (signals blocked meanwhile stay
/// pending and are delivered, then forwarded, when `old` is restored).
void start_forwarding(pid_t to, struct sigaction* saved, const sigset_t& old) {
  g_forward_to = to;
  struct sigaction sa {};
  sa.sa_sigaction = forward_signal;
  sa.sa_flags = SA_SIGINFO;
  for (size_t i = 0; i < std::size(kForwarded); ++i) ::sigaction(kForwarded[i], &sa, saved ? &saved[i] : nullptr);
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
}

}  // namespace

Result<int> run_in_namespaces(const NsTarget& ns, const std::vector<std::string>& argv,
                              const RunOptions& opts) {
  if (argv.empty()) return make_error("exec: no command");
  std::vector<char*> av;
  for (const auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
  av.push_back(nullptr);
  std::vector<int> fds;
  auto close_all = [&fds] {
    for (int x : fds) ::close(x);
    fds.clear();
  };
  for (const auto& f : ns.files) {
    int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::string m = errno_msg(f);
      close_all();
      return make_error(m);
    }
    fds.push_back(fd);
  }
  int null_fd = -1;
  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  auto close_pipes = [&] {
    for (int* p : {out_pipe, err_pipe})
      for (int i = 0; i < 2; ++i)
        if (p[i] >= 0) ::close(p[i]), p[i] = -1;
  };
  bool quiet = opts.quiet || opts.capture;
  if (quiet && (null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
    std::string m = errno_msg("/dev/null");
    close_all();
    return make_error(m);
  }
  if (opts.capture && (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)) {
    std::string m = errno_msg("pipe");
    close_all();
    close_pipes();
    ::close(null_fd);
    return make_error(m);
  }
  // forward_signals: blocked across each fork until the handler knows
  // whom to forward to; nothing sent meanwhile is lost.
  sigset_t fwd, old;
  sigemptyset(&fwd);
  for (int sig : kForwarded) sigaddset(&fwd, sig);
  if (opts.forward_signals) ::sigprocmask(SIG_BLOCK, &fwd, &old);
  pid_t outer = ::fork();
  struct sigaction saved[std::size(kForwarded)];
  if (outer != 0 && opts.forward_signals) {
    if (outer > 0) start_forwarding(outer, saved, old);
    else ::sigprocmask(SIG_SETMASK, &old, nullptr);
  }
  if (outer < 0) {
    std::string m = errno_msg("fork");
    close_all();
    close_pipes();
    if (null_fd >= 0) ::close(null_fd);
    return make_error(m);
  }
  if (outer == 0) {
    if (null_fd >= 0)
      for (int std_fd = 0; std_fd < 3; ++std_fd) ::dup2(null_fd, std_fd);
    if (opts.capture) {
      ::dup2(out_pipe[1], 1);
      ::dup2(err_pipe[1], 2);
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      if (::setns(fds[i], 0) != 0) {
        std::fprintf(stderr, "vklab: %s: setns: %s\n", ns.files[i].c_str(), std::strerror(errno));
        _exit(127);
      }
    }
    // In a guest (its mount namespace entered): the guest's confinement.
    if (!ns.files.empty() && ns.files.back().ends_with("/ns/mnt")) {
      if (Status c = vkernel::drop_to_guest_capabilities(); !c) {
        std::fprintf(stderr, "vklab: %s\n", c.error().message.c_str());
        _exit(127);
      }
    }
    // A new PID namespace applies to children only: fork once more.
    pid_t inner = ::fork();
    if (inner < 0) _exit(127);
    if (inner == 0) {
      if (opts.forward_signals) ::sigprocmask(SIG_SETMASK, &old, nullptr);
      ::close_range(3, ~0u, CLOSE_RANGE_CLOEXEC);  // nothing of the host crosses exec
      // Killing the outer child (a capture's limit) takes the command too.
      if (opts.capture) ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::execvp(av[0], av.data());
      std::fprintf(stderr, "vklab: %s: %s\n", av[0], std::strerror(errno));
      _exit(127);
    }
    if (opts.forward_signals) start_forwarding(inner, nullptr, old);
    int st = 0;
    while (::waitpid(inner, &st, 0) < 0 && errno == EINTR) {
    }
    _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
  }
  close_all();
  if (null_fd >= 0) ::close(null_fd);
  if (opts.capture) {
    ::close(out_pipe[1]), out_pipe[1] = -1;
    ::close(err_pipe[1]), err_pipe[1] = -1;
    auto deadline = std::chrono::steady_clock::now() + opts.limit;
    int exited_fd = static_cast<int>(::syscall(SYS_pidfd_open, outer, 0));  // -1 before Linux 5.3: read to EOF
    if (!drain(out_pipe[0], err_pipe[0], exited_fd, *opts.capture, deadline, opts.limit.count() > 0)) {
      opts.capture->timed_out = true;
      ::kill(outer, SIGKILL);
    }
    if (exited_fd >= 0) ::close(exited_fd);
    close_pipes();
  }
  int st = 0;
  int waited = 0;
  while ((waited = ::waitpid(outer, &st, 0)) < 0 && errno == EINTR) {
  }
  if (opts.forward_signals) {
    for (size_t i = 0; i < std::size(kForwarded); ++i) ::sigaction(kForwarded[i], &saved[i], nullptr);
    g_forward_to = 0;
  }
  if (waited < 0) return make_error(errno_msg("waitpid"));
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

}  // namespace vklab::labd
