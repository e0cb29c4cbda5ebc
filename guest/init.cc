#include "guest/init.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "common/sys.h"
#include "common/text.h"
#include "guest/power.h"
#include "guest/services.h"
#include "guest/rootfs.h"
#include "guest/confine.h"
#include "guest/startup.h"

namespace vklab::vkernel {
namespace {

using Clock = std::chrono::steady_clock;

/// Where init writes the wrapped scripts in the guest (startup.h).
constexpr const char* kStartupScript = "/run/vkernel/startup";
constexpr const char* kShutdownScript = "/run/vkernel/shutdown";

/// The init process's state: who it is waiting for, and what it was asked.
class Init {
 public:
  explicit Init(const InitConfig& cfg) : cfg_(cfg) {}
  [[noreturn]] void run();

 private:
  void say(const std::string& msg) {
    std::string line = cfg_.name + ": init: " + msg + "\n";
    [[maybe_unused]] ssize_t w = ::write(STDOUT_FILENO, line.data(), line.size());
  }
  /// A line on the status pipe to the vkernel process ("booted", "halt").
  void tell(std::string_view line) {
    if (cfg_.booted_fd >= 0) [[maybe_unused]] ssize_t w = ::write(cfg_.booted_fd, line.data(), line.size());
  }
  void setup_process();
  /// The guest's root (rootfs.h) and its confinement (guest/confine.h).
  void setup_root();
  [[noreturn]] void fatal(const std::string& msg) {
    say(msg);
    _exit(kInitExitFailed);
  }
  /// The wrapped script (startup.h) for `text`, in the guest's shell.
  std::string wrap(const std::string& text, const char* what);
  /// Writes `script` to `path` and runs it in the guest's shell; the
  /// startup shell also gets the status pipe as kStartupReportFd.
  pid_t run_script(const char* path, const std::string& script, bool report);
  /// Runs `argv` (a script for `sh -c`) in a session of its own.
  pid_t spawn(const char* argv0, const std::string& script);
  void spawn_console();
  /// Handles signals until `pid` exits (true), `deadline` passes or a halt
  /// is requested while `stop_on_halt` (false). pid 0 = until no child is left.
  bool wait_for(pid_t pid, Clock::time_point deadline, bool stop_on_halt);
  void reap();
  /// Waits until no process but init is left in the guest (true) or `deadline`.
  bool wait_others(Clock::time_point deadline);
  /// Reads every pending signal: SIGUSR1/SIGUSR2 ask for a halt, SIGINT for a reboot.
  void read_signals();
  [[noreturn]] void halt();

  const InitConfig& cfg_;
  std::string shell_;  ///< the guest's shell (startup_shell())
  int sigfd_ = -1;
  bool halt_requested_ = false;
  bool reboot_requested_ = false;  ///< the halt ends in a reboot (SIGINT)
  bool children_left_ = true;
  pid_t waited_ = 0;
  bool waited_done_ = false;
  pid_t console_ = 0;
  Clock::time_point console_respawn_{};
  bool console_ok_ = false;
};

void Init::setup_process() {
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, nullptr);
  sigset_t mine;
  sigemptyset(&mine);
  for (int s : {SIGCHLD, SIGUSR1, SIGUSR2, SIGTERM, SIGINT, SIGHUP}) sigaddset(&mine, s);
  sigfd_ = signalfd(-1, &mine, SFD_CLOEXEC | SFD_NONBLOCK);
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // the guest never outlives its vkernel process
  prctl(PR_SET_NAME, "init");
  setsid();
  for (const auto& [k, v] : cfg_.env) setenv(k.c_str(), v.c_str(), 1);
  setenv("PATH", path_with(kPowerBinDir, getenv("PATH")).c_str(), 1);
  setenv("HOSTNAME", cfg_.name.c_str(), 1);
  if (chdir("/") < 0) say(std::string("chdir /: ") + std::strerror(errno));
}

void Init::setup_root() {
  if (unshare(CLONE_NEWNS) < 0) fatal(std::string("mount namespace: ") + std::strerror(errno));
  EnterRoot e;
  e.root = cfg_.root;
  e.size = cfg_.root_size;
  e.sysctls = cfg_.sysctls;
  // This binary, for the guest's halt/reboot: opened before the pivot (its
  // host path may be hidden in the guest: a build tree under /tmp).
  char path[4096];
  if (ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1); n > 0) {
    path[n] = '\0';
    e.self_fd = ::open(path, O_PATH | O_CLOEXEC);
  }
  std::vector<std::string> warnings;
  Status s = enter_root(e, warnings);
  if (e.self_fd >= 0) ::close(e.self_fd);
  for (const auto& w : warnings) say(w);
  if (!s) fatal("root " + cfg_.root + ": " + s.error().message);
  if (Status c = drop_to_guest_capabilities(); !c) fatal("confinement: " + c.error().message);
}

std::string Init::wrap(const std::string& text, const char* what) {
  if (text.empty()) return "";
  auto cmds = split_rc(text, [this](const std::string& t) { return shell_complete(shell_, t); });
  if (cmds.empty()) return "";
  return rc_wrapper(cfg_.name, what, text, cmds);
}

namespace {
/// In a child init forks for a script: a session of its own, no signal
/// blocked, stdin from /dev/null.
void become_job() {
  setsid();
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  int null = ::open("/dev/null", O_RDONLY);
  if (null >= 0) {
    dup2(null, STDIN_FILENO);
    if (null > 2) ::close(null);
  }
}
}  // namespace

pid_t Init::run_script(const char* path, const std::string& script, bool report) {
  int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool written = fd >= 0 && ::write(fd, script.data(), script.size()) == static_cast<ssize_t>(script.size());
  if (fd >= 0) ::close(fd);
  if (!written) {
    say(std::string(path) + ": " + std::strerror(errno) + "; the commands are not run");
    return -1;
  }
  pid_t pid = fork();
  if (pid == 0) {
    become_job();
    if (report && cfg_.booted_fd >= 0) {
      if (cfg_.booted_fd == kStartupReportFd) fcntl(kStartupReportFd, F_SETFD, 0);
      else dup2(cfg_.booted_fd, kStartupReportFd);
    }
    execl(shell_.c_str(), shell_.c_str(), path, static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid < 0) say(std::string("fork: ") + std::strerror(errno));
  return pid;
}

pid_t Init::spawn(const char* argv0, const std::string& script) {
  pid_t pid = fork();
  if (pid == 0) {
    become_job();
    execl("/bin/sh", argv0, "-c", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid < 0) say(std::string("fork: ") + std::strerror(errno));
  return pid;
}

void Init::spawn_console() {
  console_ = fork();
  if (console_ == 0) {
    setsid();
    ioctl(STDIN_FILENO, TIOCSCTTY, 1);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    std::string ps1 = cfg_.name + "# ";
    setenv("PS1", ps1.c_str(), 1);
    // Not a login shell: /etc/profile would replace PS1 with a bare "# ".
    execl("/bin/sh", "sh", "-i", static_cast<char*>(nullptr));
    _exit(127);
  }
  if (console_ < 0) console_ = 0;
  console_respawn_ = Clock::now() + std::chrono::seconds(1);
}

void Init::reap() {
  for (;;) {
    int status = 0;
    pid_t p = waitpid(-1, &status, WNOHANG);
    if (p == 0) return;
    if (p < 0) {
      if (errno == ECHILD) children_left_ = false;
      return;
    }
    if (p == waited_) waited_done_ = true;
    if (p == console_) console_ = 0;
  }
}

bool Init::wait_for(pid_t pid, Clock::time_point deadline, bool stop_on_halt) {
  waited_ = pid;
  waited_done_ = false;
  children_left_ = true;
  for (;;) {
    reap();
    if (pid != 0 && waited_done_) return true;
    if (pid == 0 && !children_left_) return true;
    if (stop_on_halt && halt_requested_) return false;
    if (console_ok_ && console_ == 0 && !halt_requested_ && Clock::now() >= console_respawn_)
      spawn_console();
    int timeout = -1;
    auto now = Clock::now();
    if (deadline != Clock::time_point::max()) {
      if (now >= deadline) return false;
      timeout = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1);
    }
    if (console_ok_ && console_ == 0 && !halt_requested_) timeout = 1000;
    pollfd p{sigfd_, POLLIN, 0};
    if (poll(&p, 1, timeout) <= 0) continue;
    read_signals();
  }
}

void Init::read_signals() {
  signalfd_siginfo si;
  while (::read(sigfd_, &si, sizeof si) == sizeof si) {
    // A halt wins over a reboot asked before it (the host's SIGTERM
    // during a guest's reboot must end the guest).
    if (si.ssi_signo == SIGUSR1 || si.ssi_signo == SIGUSR2) {
      halt_requested_ = true, reboot_requested_ = false;
      tell("halt\n");  // the vkernel stops re-sending its halt
    }
    if (si.ssi_signo == SIGINT && !halt_requested_) halt_requested_ = reboot_requested_ = true;
  }
}

/// True when a process other than init and zombies runs in the guest's
/// PID namespace (its own /proc shows nothing else).
bool others_alive() {
  DIR* d = ::opendir("/proc");
  if (!d) return false;
  bool alive = false;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9' || std::string_view(e->d_name) == "1") continue;
    char buf[512];
    int fd = ::open((std::string("/proc/") + e->d_name + "/stat").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) continue;
    std::string_view st(buf, static_cast<size_t>(n));
    size_t rp = st.rfind(')');
    if (rp != std::string_view::npos && rp + 2 < st.size() && st[rp + 2] != 'Z') {
      alive = true;
      break;
    }
  }
  ::closedir(d);
  return alive;
}

bool Init::wait_others(Clock::time_point deadline) {
  while (others_alive()) {
    if (Clock::now() >= deadline) return false;
    pollfd p{sigfd_, POLLIN, 0};
    if (poll(&p, 1, 20) > 0) read_signals();
    reap();
  }
  return true;
}

void Init::halt() {
  using namespace std::chrono;
  say(reboot_requested_ ? "reboot requested" : "halt requested");
  if (!cfg_.single_user && !cfg_.rc_shutdown.empty()) {
    say("running shutdown commands (timeout " + format_duration(cfg_.shutdown_timeout) + ")");
    pid_t pid = run_script(kShutdownScript, wrap(cfg_.rc_shutdown, "shutdown"), false);
    if (pid > 0 && !wait_for(pid, Clock::now() + cfg_.shutdown_timeout, false)) {
      say("shutdown commands timed out after " + format_duration(cfg_.shutdown_timeout) +
          ", killed");
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
    }
  }
  // Services started with systemctl/service, last started first (services.h).
  if (std::string stop = services_stop_script(read_services_record(), cfg_.name); !stop.empty()) {
    pid_t pid = spawn("services", stop);
    if (pid > 0 && !wait_for(pid, Clock::now() + cfg_.shutdown_timeout, false)) {
      say("stopping services timed out after " + format_duration(cfg_.shutdown_timeout) + ", killed");
      kill(-pid, SIGKILL);
    }
  }
  // Hang up the console first, as a line drop would: an interactive shell
  // ignores SIGTERM but not SIGHUP.
  if (console_ > 0) {
    kill(-console_, SIGHUP);
    kill(-console_, SIGCONT);
  }
  say("sending SIGTERM to all processes");
  kill(-1, SIGTERM);
  auto t0 = Clock::now();
  // Not only init's children: a command entered from outside (`vklab exec
  // r1 -- reboot`) is in the guest too, and ending the PID namespace would
  // kill it mid-exit. Wait for those as well.
  if (!wait_for(0, t0 + cfg_.term_wait, false) || !wait_others(t0 + cfg_.term_wait)) {
    say("some processes would not die after " + format_duration(cfg_.term_wait) +
        "; sending SIGKILL");
    kill(-1, SIGKILL);
    if (!wait_for(0, Clock::now() + cfg_.kill_wait, false)) say("some processes are unkillable");
  }
  sync();
  say(reboot_requested_ ? "rebooting" : "halted");
  _exit(reboot_requested_ ? kInitExitReboot : 0);
}

void Init::run() {
  setup_process();
  if (cfg_.go_fd >= 0) {
    char c;
    while (::read(cfg_.go_fd, &c, 1) < 0 && errno == EINTR) {
    }
    ::close(cfg_.go_fd);
  }
  setup_root();
  shell_ = startup_shell();
  if (cfg_.verbose) say("pid " + std::to_string(getpid()) + ", root ready");
  if (cfg_.single_user) {
    say("single user: no startup commands");
  } else if (std::string rc = wrap(cfg_.rc, "startup"); !rc.empty()) {
    if (cfg_.verbose) say("running startup commands with " + shell_);
    pid_t pid = run_script(kStartupScript, rc, true);
    if (pid > 0) wait_for(pid, Clock::time_point::max(), true);
  }
  read_signals();  // a halt that came while booting: no "booted"
  if (!halt_requested_) tell("booted\n");
  console_ok_ = isatty(STDIN_FILENO);
  if (console_ok_ && !halt_requested_) spawn_console();
  while (!halt_requested_) wait_for(-1, Clock::time_point::max(), true);
  halt();
}

}  // namespace

void run_init(const InitConfig& cfg) {
  Init init(cfg);
  init.run();
}

}  // namespace vklab::vkernel
