#include "labd/launch.h"

#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace vklab::labd {

Result<Launched> launch(const std::vector<std::string>& argv, bool readiness, const std::string& record) {
  if (argv.empty()) return make_error("launch: empty argv");
  int master = -1, slave = -1;
  struct winsize ws {};
  ws.ws_row = 24;
  ws.ws_col = 80;
  if (::openpty(&master, &slave, nullptr, nullptr, &ws) != 0)
    return make_error(std::string("openpty: ") + std::strerror(errno));
  int errpipe[2];
  if (::pipe2(errpipe, O_CLOEXEC) != 0) {
    ::close(master);
    ::close(slave);
    return make_error(std::string("pipe: ") + std::strerror(errno));
  }
  int ready[2] = {-1, -1};
  if (readiness && ::pipe2(ready, O_CLOEXEC) != 0) {
    int e = errno;
    ::close(master);
    ::close(slave);
    ::close(errpipe[0]);
    ::close(errpipe[1]);
    return make_error(std::string("pipe: ") + std::strerror(e));
  }
  std::vector<char*> av;
  for (const auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
  av.push_back(nullptr);

  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    ::close(master);
    ::close(slave);
    ::close(errpipe[0]);
    ::close(errpipe[1]);
    return make_error(std::string("fork: ") + std::strerror(e));
  }
  if (pid == 0) {
    ::setsid();
    if (!record.empty()) {
      auto self = proc_id(::getpid());
      std::string line = std::to_string(::getpid()) + " " +
                         std::to_string(self ? self->starttime : 0) + "\n";
      int fd = ::open(record.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      if (fd < 0 || ::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(127);
      ::close(fd);
      if (::getppid() != parent) _exit(127);  // labd died: no one would know of us
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
    ::dup2(slave, 0);
    ::dup2(slave, 1);
    ::dup2(slave, 2);
    if (readiness) {
      // Move the pipe's write end to kReadyFd without clobbering errpipe.
      int w = ::fcntl(ready[1], F_DUPFD_CLOEXEC, 10);
      int ep = ::fcntl(errpipe[1], F_DUPFD_CLOEXEC, 10);
      ::dup2(w, kReadyFd);  // dup2 leaves the new fd open across exec
      errpipe[1] = ep;
      ::setenv(kReadyFdVar, std::to_string(kReadyFd).c_str(), 1);
      ::close_range(kReadyFd + 1, ~0U, CLOSE_RANGE_CLOEXEC);
    } else {
      ::unsetenv(kReadyFdVar);
      ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    }
    ::fcntl(errpipe[1], F_SETFD, FD_CLOEXEC);
    ::execv(av[0], av.data());
    int e = errno;
    (void)!::write(errpipe[1], &e, sizeof e);
    _exit(127);
  }
  ::close(slave);
  ::close(errpipe[1]);
  if (ready[1] >= 0) ::close(ready[1]);
  int e = 0;
  ssize_t n;
  do n = ::read(errpipe[0], &e, sizeof e);
  while (n < 0 && errno == EINTR);
  ::close(errpipe[0]);
  if (n == static_cast<ssize_t>(sizeof e)) {
    ::close(master);
    if (ready[0] >= 0) ::close(ready[0]);
    int st;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    return make_error(argv[0] + ": " + std::strerror(e));
  }
  ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
  ::fcntl(master, F_SETFD, FD_CLOEXEC);
  if (ready[0] >= 0) ::fcntl(ready[0], F_SETFL, ::fcntl(ready[0], F_GETFL) | O_NONBLOCK);
  return Launched{pid, master, ready[0]};
}

std::optional<pid_t> read_pidfile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[32];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  buf[n] = 0;
  char* end = nullptr;
  long v = std::strtol(buf, &end, 10);
  if (end == buf || v <= 0 || (*end && *end != '\n')) return std::nullopt;
  return static_cast<pid_t>(v);
}

std::optional<ProcId> read_launch_record(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[64];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  buf[n] = 0;
  char* end = nullptr;
  long pid = std::strtol(buf, &end, 10);
  if (end == buf || pid <= 0 || *end != ' ') return std::nullopt;
  char* end2 = nullptr;
  unsigned long long start = std::strtoull(end + 1, &end2, 10);
  if (end2 == end + 1 || (*end2 && *end2 != '\n')) return std::nullopt;
  return ProcId{static_cast<pid_t>(pid), start};
}

Status remove_guest_cgroup(const std::string& pidfile, int wait_ms) {
  const std::string file = pidfile + ".cgroup";
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  std::string path(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) path.pop_back();
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(path, ec);
  const std::string base = p.filename().string();
  const bool ours = !ec && p.is_absolute() && p.string().starts_with("/sys/fs/cgroup/") &&
                    base.starts_with("vkernel-") && p.string().find("/../") == std::string::npos;
  if (!ours) {
    ::unlink(file.c_str());  // names nothing of ours: never acted on
    return {};
  }
  for (int waited = 0;; waited += 10) {
    if (::rmdir(p.c_str()) == 0 || errno == ENOENT) break;
    if (errno != EBUSY || waited >= wait_ms) {
      int e = errno;
      return make_error(p.string() + ": " + std::strerror(e));
    }
    ::usleep(10000);
  }
  ::unlink(file.c_str());
  return {};
}

std::optional<pid_t> pidfile_ready(const std::string& path) {
  auto pid = read_pidfile(path);
  if (!pid || ::kill(*pid, 0) != 0) return std::nullopt;
  return pid;
}

std::optional<ProcId> kernel_child(const std::string& pidfile, pid_t parent) {
  if (parent <= 0) return std::nullopt;
  auto pid = read_pidfile(pidfile);
  if (!pid || *pid == parent) return std::nullopt;
  auto st = read_proc_stat(*pid);
  if (!st || st->ppid != parent || st->state == 'Z') return std::nullopt;
  return ProcId{*pid, st->starttime};
}

}  // namespace vklab::labd
