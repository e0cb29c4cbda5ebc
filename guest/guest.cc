#include "guest/guest.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <utility>

#include "common/text.h"
#include "hostnet/linux_host.h"
#include "guest/dump.h"
#include "guest/init.h"
#include "guest/lockfile.h"
#include "guest/memlimit.h"
#include "guest/outcome.h"
#include "guest/rootfs.h"
#include "guest/tapdev.h"
#include "guest/vke.h"
#include "vkernel/ready.h"

namespace vklab::vkernel {
namespace {

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(path + ": " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Guest {
 public:
  Guest(const Cmdline& c, const GuestOptions& o) : c_(c), o_(o) {}
  int run();

 private:
  void say(const std::string& msg) const {
    std::string line = "vkernel: " + o_.name + ": " + msg + "\n";
    [[maybe_unused]] ssize_t w = ::write(STDOUT_FILENO, line.data(), line.size());
  }
  void verbose(const std::string& msg) const {
    if (c_.verbose) say(msg);
  }
  Status prepare_scripts();
  Status open_files();
  Status make_root();
  Status host_side();
  Status guest_side();
  Status start_init();
  Status reboot();
  int loop();
  std::optional<int> on_signal(const signalfd_siginfo& si);
  std::optional<int> on_init_exit(int status);
  void read_status();
  void cleanup();

  const Cmdline& c_;
  const GuestOptions& o_;
  InitConfig init_;
  std::optional<LockedFile> pidfile_;
  std::string init_pidfile_;
  std::vector<LockedFile> disks_;
  std::vector<std::unique_ptr<Vke>> vkes_;
  std::unique_ptr<Datapath> datapath_;
  std::optional<MemLimit> memlimit_;
  GuestRoot root_;
  pid_t init_pid_ = -1;
  int status_r_ = -1;       ///< init's status pipe: "booted\n", "halt\n" (init saw a halt request), ready.h lines
  std::string status_buf_;  ///< a partial line read from status_r_
  bool ready_sent_ = false;
  bool host_halt_ = false;  ///< SIGTERM from the host: no reboot after that
  bool halt_acked_ = false; ///< init said "halt" since the last SIGTERM
  int sigfd_ = -1;
  /// net, uts, ipc: the lab's (where this process lives) and the guest's
  /// (held open so that they outlive an init, for a reboot).
  int lab_ns_[3] = {-1, -1, -1};
  int guest_ns_[3] = {-1, -1, -1};
};

constexpr const char* kNsNames[3] = {"net", "uts", "ipc"};

/// Opens this process's net, uts and ipc namespaces into `fds`.
void open_namespaces(int (&fds)[3]) {
  for (int i = 0; i < 3; ++i) fds[i] = ::open((std::string("/proc/self/ns/") + kNsNames[i]).c_str(), O_RDONLY | O_CLOEXEC);
}

/// setns() into the three; false (and errno) on the first that fails.
bool enter_namespaces(const int (&fds)[3]) {
  for (int fd : fds)
    if (fd < 0 || setns(fd, 0) < 0) return false;
  return true;
}

Status Guest::prepare_scripts() {
  // Read here (the state directory is hidden in the guest); init splits
  // and wraps them with the guest's own shell (startup.h).
  auto load = [&](const std::string& path) -> Result<std::string> {
    if (path.empty()) return std::string();
    return read_text(path);
  };
  auto rc = load(o_.rc_path);
  if (!rc) return rc.error();
  auto down = load(o_.rc_shutdown_path);
  if (!down) return down.error();
  init_.name = o_.name;
  init_.rc = rc.value();
  init_.rc_shutdown = down.value();
  init_.single_user = c_.single_user;
  init_.verbose = c_.verbose;
  init_.shutdown_timeout = o_.shutdown_timeout;
  init_.term_wait = o_.term_wait;
  init_.env = c_.env;
  return {};
}

Status Guest::open_files() {
  if (!c_.pidfile.empty()) {
    auto p = LockedFile::pidfile(c_.pidfile, getpid());
    if (!p) return p.error();
    pidfile_ = std::move(p).value();
  }
  for (const Disk& d : c_.disks) {
    auto f = LockedFile::disk(d);
    if (!f) return f.error();
    verbose("disk " + d.path + " opened" + (d.kind == Disk::Kind::ReadWrite ? " and locked" : ""));
    disks_.push_back(std::move(f).value());
  }
  if (o_.ready_fd >= 0 && fcntl(o_.ready_fd, F_SETFD, FD_CLOEXEC) < 0)
    return make_error("readiness fd " + std::to_string(o_.ready_fd) + ": " + std::strerror(errno));
  return {};
}

Status Guest::make_root() {
  RootSpec r;
  r.name = o_.name;
  r.base = o_.root;
  r.files = o_.files;
  r.shared = o_.shared;
  r.layer = o_.layer;
  r.size = o_.memory.value_or(kDefaultLayerSize);
  if (r.layer.empty()) {
    if (!c_.pidfile.empty()) {
      char abs[4096];
      std::string dir = c_.pidfile.substr(0, c_.pidfile.find_last_of('/') + 1);
      if (realpath(dir.empty() ? "." : dir.c_str(), abs)) r.fallback_layer = std::string(abs) + "/" + c_.pidfile.substr(dir.size()) + ".layer";
    }
    if (r.fallback_layer.empty()) {
      char tmpl[] = "/tmp/vkernel-layer.XXXXXX";
      if (!mkdtemp(tmpl)) return make_error(std::string("layer: /tmp: ") + std::strerror(errno));
      ::rmdir(tmpl);
      r.fallback_layer = tmpl;
    }
  }
  char abs_pid[4096];
  std::string pid_abs = !c_.pidfile.empty() && realpath(c_.pidfile.c_str(), abs_pid) ? abs_pid : "";
  r.hidden = state_paths(pid_abs, r.layer.empty() ? r.fallback_layer : r.layer, r.files, r.shared,
                         std::getenv("VKLAB_STATE_ROOT"));
  if (!o_.sysctl_path.empty()) {
    auto kv = read_sysctl_file(o_.sysctl_path);
    if (!kv) return make_error("vklab_sysctl " + kv.error().message);
    init_.sysctls = std::move(kv).value();
  }
  auto g = GuestRoot::prepare(r);
  if (!g) return g.error();
  root_ = std::move(g).value();
  init_.root = root_.root();
  init_.root_size = r.size;
  verbose("root " + r.base + (r.files.empty() ? "" : " + " + r.files) + ", layer " + root_.layer());
  return {};
}

Status Guest::host_side() {
  if (c_.netifs.empty()) return {};
  auto host = hostnet::LinuxHost::open();
  if (!host) return host.error();
  for (size_t i = 0; i < c_.netifs.size(); ++i) {
    const NetIf& n = c_.netifs[i];
    if (n.is_socket())
      return make_error("-I " + n.str() + ": vknetd sockets are not supported by the Linux guest");
    auto tap = TapFd::open(n.is_auto() ? "tap%d" : n.tap_name());
    if (!tap) return tap.error();
    auto v = std::make_unique<Vke>();
    v->index = static_cast<int>(i);
    v->host = std::move(tap).value();
    const std::string& t = v->host.name();
    if (!n.bridge.empty()) {
      auto b = (*host)->find(n.bridge);
      if (!b) return b.error();
      if (!b.value() || b.value()->kind != "bridge")
        return make_error(n.bridge + ": no such bridge (the vkernel never creates one)");
      if (Status s = (*host)->add_member(n.bridge, t); !s) return s;
      v->bridge = n.bridge;
    }
    if (n.addr1) {
      v->host_address = Ipv4Prefix{*n.addr1, n.netmask.value_or(kDefaultNetmask)};
      if (Status s = (*host)->add_address(t, *v->host_address); !s) return s;
    }
    if (Status s = (*host)->set_up(t, true); !s) return s;
    if (n.addr2) v->guest_address = Ipv4Prefix{*n.addr2, n.netmask.value_or(kDefaultNetmask)};
    verbose("vke" + std::to_string(i) + ": host " + t + (v->host.created() ? " (created)" : " (attached)") +
            (v->bridge.empty() ? "" : " in " + v->bridge) +
            (v->host_address ? " " + v->host_address->str() : ""));
    vkes_.push_back(std::move(v));
  }
  return {};
}

Status Guest::guest_side() {
  if (sethostname(o_.name.data(), o_.name.size()) < 0)
    return make_error("sethostname " + o_.name + ": " + std::strerror(errno));
  for (auto& v : vkes_) {
    auto tap = TapFd::open(o_.ifname + std::to_string(v->index));
    if (!tap) return tap.error();
    v->guest = std::move(tap).value();
    const NetIf& n = c_.netifs[static_cast<size_t>(v->index)];
    if (n.mac) {
      v->mac = *n.mac;
    } else {
      auto m = v->host.mac();
      if (!m) return m.error();
      v->mac = guest_mac(m.value());
    }
    if (Status s = v->guest.set_mac(v->mac); !s) return s;
  }
  auto g = hostnet::LinuxHost::open();
  if (!g) return g.error();
  if (Status s = (*g)->set_up("lo", true); !s) return s;
  for (auto& v : vkes_) {
    const std::string& name = v->guest.name();
    if (v->guest_address)
      if (Status s = (*g)->add_address(name, *v->guest_address); !s) return s;
    for (const auto& [idx, a] : o_.addrs)
      if (idx == v->index)
        if (Status s = a.addr.v6() ? (*g)->add_address6(name, a) : (*g)->add_address(name, *Ipv4Prefix::parse(a.str())); !s)
          return s;
    if (Status s = (*g)->set_up(name, true); !s) return s;
  }
  return {};
}

Status Guest::start_init() {
  int go[2], booted[2];
  if (pipe2(go, O_CLOEXEC) < 0 || pipe2(booted, O_CLOEXEC) < 0)
    return make_error(std::string("pipe: ") + std::strerror(errno));
  // unshare(CLONE_NEWPID) applies to the next child only; going back to our
  // own PID namespace afterwards lets this process create threads again.
  int own_pidns = ::open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
  if (own_pidns < 0 || unshare(CLONE_NEWPID) < 0)
    return make_error(std::string("PID namespace: ") + std::strerror(errno));
  // init's signals are blocked before the fork, so the child starts with
  // them blocked: a PID namespace's init drops a signal it has no handler
  // for, and a halt sent before init set up its signalfd would be lost (L2).
  // Blocked, it stays pending until init reads it.
  sigset_t init_sigs, old;
  sigemptyset(&init_sigs);
  for (int sig : {SIGUSR1, SIGUSR2, SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&init_sigs, sig);
  sigprocmask(SIG_BLOCK, &init_sigs, &old);
  pid_t pid = fork();
  if (pid < 0) return make_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // Fault injection for the tests: a slow start of init (a loaded host).
    if (const char* d = std::getenv("VKLAB_TEST_INIT_DELAY_MS")) usleep(static_cast<useconds_t>(std::atoi(d)) * 1000);
    int keep_lo = std::min(go[0], booted[1]), keep_hi = std::max(go[0], booted[1]);
    close_range(3, static_cast<unsigned>(keep_lo - 1), 0);
    close_range(static_cast<unsigned>(keep_lo + 1), static_cast<unsigned>(keep_hi - 1), 0);
    close_range(static_cast<unsigned>(keep_hi + 1), ~0u, 0);
    init_.go_fd = go[0];
    init_.booted_fd = booted[1];
    run_init(init_);
  }
  sigprocmask(SIG_SETMASK, &old, nullptr);
  ::close(go[0]);
  ::close(booted[1]);
  init_pid_ = pid;
  if (setns(own_pidns, CLONE_NEWPID) < 0) say(std::string("warning: setns pid: ") + std::strerror(errno));
  ::close(own_pidns);
  status_r_ = booted[0];
  status_buf_.clear();
  if (!c_.pidfile.empty()) {
    init_pidfile_ = c_.pidfile + ".init";
    std::ofstream(init_pidfile_) << pid << "\n";
  }
  if (memlimit_) {
    if (Status s = memlimit_->add(pid); !s) say("warning: -m " + c_.memory + " not applied after the reboot: " + s.error().message);
  } else if (o_.memory) {
    auto m = MemLimit::apply(o_.name, *o_.memory, pid);
    if (m) {
      memlimit_.emplace(std::move(m).value());
      // Named for labd and recovery, which remove it after a SIGKILL (L3).
      if (!c_.pidfile.empty()) std::ofstream(c_.pidfile + ".cgroup") << memlimit_->dir() << "\n";
      verbose("memory limited to " + c_.memory + " (" + memlimit_->dir() + ")");
    } else {
      say("warning: -m " + c_.memory + " not applied: " + m.error().message);
    }
  }
  [[maybe_unused]] ssize_t w = ::write(go[1], "g", 1);
  ::close(go[1]);
  return {};
}

// A guest reboot: init shut the guest down cleanly and exited for a reboot.
// The same process, interfaces and locks stay (like the DragonFly vkernel's
// wrapper, which forks a new kernel); a new init in a new PID and mount
// namespace, in the guest's same network, UTS and IPC namespaces, boots it
// again: startup commands, "booted", a console shell.
Status Guest::reboot() {
  say("rebooting");
  if (status_r_ >= 0) ::close(status_r_);
  status_r_ = -1;
  if (!enter_namespaces(guest_ns_)) return make_error(std::string("reboot: enter the guest: ") + std::strerror(errno));
  Status s = start_init();
  if (!enter_namespaces(lab_ns_)) say(std::string("warning: setns back: ") + std::strerror(errno));
  return s;
}

void Guest::cleanup() {
  if (datapath_) datapath_->stop();
  if (pidfile_) pidfile_->remove();
  if (!init_pidfile_.empty()) ::unlink(init_pidfile_.c_str());
  if (memlimit_ && memlimit_->release() && !c_.pidfile.empty()) ::unlink((c_.pidfile + ".cgroup").c_str());
  memlimit_.reset();
  root_.release();
  for (int* fds : {lab_ns_, guest_ns_})
    for (int i = 0; i < 3; ++i)
      if (fds[i] >= 0) ::close(std::exchange(fds[i], -1));
}

void Guest::read_status() {
  char b[4096];
  ssize_t n = ::read(status_r_, b, sizeof b);
  if (n <= 0) {  // init is gone (or going): its exit comes as SIGCHLD
    ::close(std::exchange(status_r_, -1));
    status_buf_.clear();
    return;
  }
  status_buf_.append(b, static_cast<size_t>(n));
  for (size_t nl; (nl = status_buf_.find('\n')) != std::string::npos;) {
    std::string line = status_buf_.substr(0, nl);
    status_buf_.erase(0, nl + 1);
    if (line == "halt") {
      halt_acked_ = true;
    } else if (line == "booted") {
      say("booted");
      if (o_.ready_fd >= 0 && !ready_sent_) {  // once: a reboot does not make it ready again
        [[maybe_unused]] ssize_t w = ::write(o_.ready_fd, "ready\n", 6);
        ::close(o_.ready_fd);
        ready_sent_ = true;
      }
    } else if (auto r = parse_ready_line(line); r && o_.ready_fd >= 0 && !ready_sent_) {
      std::string out = format_ready_line(*r) + "\n";  // the startup shell's report, for labd
      [[maybe_unused]] ssize_t w = ::write(o_.ready_fd, out.data(), out.size());
    }
  }
  if (status_buf_.size() > kReadyLineMax) status_buf_.clear();  // noise, not a line of ours
}

std::optional<int> Guest::on_init_exit(int st) {
  init_pid_ = -1;
  switch (decide(st, host_halt_)) {
    case Outcome::Reboot:
      if (Status s = reboot(); s) return std::nullopt;
      else say("reboot failed: " + s.error().message);
      cleanup();
      return kExitUnclean;
    case Outcome::Halted: {
      cleanup();
      say("halted cleanly");
      std::string halt = "cpu halt, exiting vkernel\n";
      [[maybe_unused]] ssize_t w = ::write(STDOUT_FILENO, halt.data(), halt.size());
      return kExitHalted;
    }
    case Outcome::Unclean:
      break;
  }
  cleanup();
  say(describe_exit(st) + ": unclean stop");
  return kExitUnclean;
}

std::optional<int> Guest::on_signal(const signalfd_siginfo& si) {
  switch (si.ssi_signo) {
    case SIGTERM:
      say("Caught SIGTERM from host system. Shutting down...");
      host_halt_ = true;
      halt_acked_ = false;
      if (init_pid_ > 0) kill(init_pid_, SIGUSR2);
      return std::nullopt;
    case SIGQUIT: {
      say("Caught SIGQUIT: debugger dump (the guest goes on)");
      std::string out = dump_text(init_pid_, vkes_);
      [[maybe_unused]] ssize_t w = ::write(STDOUT_FILENO, out.data(), out.size());
      return std::nullopt;
    }
    case SIGUSR1:
      if (o_.links_path.empty() || !datapath_) return std::nullopt;
      if (auto l = configure_from_file(*datapath_, o_.links_path)) say("links: " + *l);
      else say("links not changed: " + l.error().message);
      return std::nullopt;
    case SIGINT:
      say("Caught SIGINT: stopping at once (unclean)");
      if (init_pid_ > 0) {  // never kill(-1, …)
        kill(init_pid_, SIGKILL);
        int st;
        while (waitpid(init_pid_, &st, 0) < 0 && errno == EINTR) {
        }
      }
      cleanup();
      return kExitUnclean;
    case SIGCHLD: {
      int st = 0;
      if (init_pid_ > 0 && waitpid(init_pid_, &st, WNOHANG) == init_pid_) return on_init_exit(st);
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

int Guest::loop() {
  for (;;) {
    // Until init says it saw the host's halt, ask again (L2: belt and
    // braces over the blocked signals init starts with).
    bool resend = host_halt_ && !halt_acked_ && init_pid_ > 0;
    pollfd p[2] = {{sigfd_, POLLIN, 0}, {status_r_, POLLIN, 0}};
    int n = poll(p, status_r_ >= 0 ? 2 : 1, resend ? 250 : -1);
    if (n < 0) continue;
    if (n == 0 && resend) kill(init_pid_, SIGUSR2);
    if (status_r_ >= 0 && p[1].revents) read_status();
    if (!(p[0].revents & POLLIN)) continue;
    signalfd_siginfo si;
    while (::read(sigfd_, &si, sizeof si) == sizeof si)
      if (auto rc = on_signal(si)) return *rc;
  }
}

int Guest::run() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGQUIT, SIGINT, SIGCHLD, SIGHUP, SIGUSR1}) sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  sigset_t mine = set;
  sigdelset(&mine, SIGHUP);
  sigfd_ = signalfd(-1, &mine, SFD_CLOEXEC | SFD_NONBLOCK);

  auto fail = [&](const Error& e) {
    std::fprintf(stderr, "vkernel: %s: %s\n", o_.name.c_str(), e.message.c_str());
    if (init_pid_ > 0) {
      kill(init_pid_, SIGKILL);
      waitpid(init_pid_, nullptr, 0);
    }
    cleanup();
    return kExitFailed;
  };
  if (Status s = prepare_scripts(); !s) return fail(s.error());
  if (Status s = open_files(); !s) return fail(s.error());
  if (Status s = make_root(); !s) return fail(s.error());
  if (Status s = host_side(); !s) return fail(s.error());

  open_namespaces(lab_ns_);
  if (unshare(CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC) < 0)
    return fail(make_error(std::string("namespaces: ") + std::strerror(errno)));
  open_namespaces(guest_ns_);
  if (Status s = guest_side(); !s) return fail(s.error());
  if (Status s = start_init(); !s) return fail(s.error());
  if (!enter_namespaces(lab_ns_)) say(std::string("warning: setns back: ") + std::strerror(errno));

  std::vector<Vke*> raw;
  for (auto& v : vkes_) raw.push_back(v.get());
  datapath_ = std::make_unique<Datapath>(raw);
  if (!o_.links_path.empty()) {
    auto l = configure_from_file(*datapath_, o_.links_path);
    if (!l) return fail(l.error());
    verbose("links: " + *l);
  }
  if (Status s = datapath_->start(); !s) return fail(s.error());

  say("Linux guest, pid " + std::to_string(getpid()) + ", init pid " + std::to_string(init_pid_) +
      ", " + std::to_string(vkes_.size()) + " vke" + (c_.memory.empty() ? "" : ", memory " + c_.memory));
  if (!c_.ncpus.empty()) say("-n " + c_.ncpus + " accepted (cpus are not limited on Linux)");
  if (c_.writable_kernel) say("-U accepted (no kernel memory on Linux)");
  for (const auto& v : vkes_)
    verbose("vke" + std::to_string(v->index) + " " + v->mac.str() + " <-> " + v->host.name() +
            (v->guest_address ? " inet " + v->guest_address->str() : ""));
  return loop();
}

}  // namespace

int run_guest(const Cmdline& c, const GuestOptions& o) {
  Guest g(c, o);
  return g.run();
}

}  // namespace vklab::vkernel
