#include "guest/guest.h"

#include <dirent.h>
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
#include "guest/init.h"
#include "guest/lockfile.h"
#include "guest/memlimit.h"
#include "guest/tapdev.h"
#include "guest/vke.h"

namespace vklab::vkernel {
namespace {

Result<std::chrono::milliseconds> duration_var(const Cmdline& c, const char* var,
                                               std::chrono::milliseconds def) {
  auto v = c.getenv(var);
  if (!v) return def;
  auto d = parse_duration(*v);
  if (!d) return make_error(std::string("-e ") + var + "=" + *v + ": expected a duration like 500ms or 30s");
  return *d;
}

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(path + ": " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A small /proc file; "" when unreadable (the process may be gone).
std::string read_small(const std::string& path) {
  std::string s;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return s;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 && s.size() < 65536) s.append(buf, static_cast<size_t>(n));
  ::close(fd);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
  return s;
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
  Status host_side();
  Status guest_side();
  Status start_init();
  Status reboot();
  int loop();
  void dump();
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
  pid_t init_pid_ = -1;
  int booted_r_ = -1;
  bool ready_sent_ = false;
  bool host_halt_ = false;  ///< SIGTERM from the host: no reboot after that
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
  auto wrap = [&](const std::string& path, const char* what) -> Result<std::string> {
    if (path.empty()) return std::string();
    auto text = read_text(path);
    if (!text) return text.error();
    auto cmds = split_rc(text.value(), sh_complete);
    if (cmds.empty()) return std::string();
    return rc_wrapper(o_.name, what, cmds);
  };
  auto rc = wrap(o_.rc_path, "startup");
  if (!rc) return rc.error();
  auto down = wrap(o_.rc_shutdown_path, "shutdown");
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
    auto tap = TapFd::open("vke" + std::to_string(v->index));
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
  pid_t pid = fork();
  if (pid < 0) return make_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    int keep_lo = std::min(go[0], booted[1]), keep_hi = std::max(go[0], booted[1]);
    close_range(3, static_cast<unsigned>(keep_lo - 1), 0);
    close_range(static_cast<unsigned>(keep_lo + 1), static_cast<unsigned>(keep_hi - 1), 0);
    close_range(static_cast<unsigned>(keep_hi + 1), ~0u, 0);
    init_.go_fd = go[0];
    init_.booted_fd = booted[1];
    run_init(init_);
  }
  ::close(go[0]);
  ::close(booted[1]);
  init_pid_ = pid;
  if (setns(own_pidns, CLONE_NEWPID) < 0) say(std::string("warning: setns pid: ") + std::strerror(errno));
  ::close(own_pidns);
  booted_r_ = booted[0];
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
      verbose("memory limited to " + c_.memory + " (" + memlimit_->dir() + ")");
    } else {
      say("warning: -m " + c_.memory + " not applied: " + m.error().message);
    }
  }
  [[maybe_unused]] ssize_t w = ::write(go[1], "g", 1);
  ::close(go[1]);
  return {};
}

void Guest::dump() {
  say("Caught SIGQUIT: debugger dump (the guest goes on)");
  std::string out = "db> ps\n  HPID   PID S COMMAND\n";
  char buf[64];
  std::string guest_ns;
  if (ssize_t n = readlink(("/proc/" + std::to_string(init_pid_) + "/ns/pid").c_str(), buf, sizeof buf); n > 0)
    guest_ns.assign(buf, static_cast<size_t>(n));
  if (DIR* d = opendir("/proc")) {
    std::vector<int> pids;
    while (dirent* e = readdir(d))
      if (e->d_name[0] >= '1' && e->d_name[0] <= '9') pids.push_back(std::atoi(e->d_name));
    closedir(d);
    std::sort(pids.begin(), pids.end());
    for (int p : pids) {
      std::string base = "/proc/" + std::to_string(p);
      ssize_t n = readlink((base + "/ns/pid").c_str(), buf, sizeof buf);
      if (n <= 0 || std::string(buf, static_cast<size_t>(n)) != guest_ns) continue;
      std::stringstream st(read_small(base + "/status"));
      std::string line, state = "?", nspid = "?";
      while (std::getline(st, line)) {
        if (line.starts_with("State:")) state = line.substr(7, 1);
        if (line.starts_with("NSpid:")) nspid = line.substr(line.find_last_of(" \t") + 1);
      }
      std::string cmd = read_small(base + "/cmdline");
      for (char& ch : cmd)
        if (ch == '\0') ch = ' ';
      if (cmd.empty()) cmd = "[" + read_small(base + "/comm") + "]";
      char row[64];
      std::snprintf(row, sizeof row, "%6d %5s %s ", p, nspid.c_str(), state.c_str());
      out += row + cmd + "\n";
    }
  }
  out += "db> show vke\n";
  for (const auto& v : vkes_) {
    out += "vke" + std::to_string(v->index) + ": tap " + v->host.name() + " (tap_unit " +
           std::to_string(v->host.unit()) + ")" + (v->bridge.empty() ? "" : " bridge " + v->bridge) +
           " mac " + v->mac.str() +
           (v->guest_address ? " inet " + v->guest_address->str() : "") + "\n";
    out += "      rx " + std::to_string(v->to_guest.packets.load()) + " pkts " +
           std::to_string(v->to_guest.bytes.load()) + " bytes " +
           std::to_string(v->to_guest.drops.load()) + " drops, tx " +
           std::to_string(v->to_host.packets.load()) + " pkts " +
           std::to_string(v->to_host.bytes.load()) + " bytes " +
           std::to_string(v->to_host.drops.load()) + " drops\n";
    if (uint64_t l = v->shaped.lost, o = v->shaped.overlimit, c = v->shaped.corrupted, d = v->shaped.duplicated,
        r = v->shaped.reordered; l + o + c + d + r)
      out += "      shaped: " + std::to_string(l) + " lost " + std::to_string(o) + " overlimit " + std::to_string(c) +
             " corrupted " + std::to_string(d) + " duplicated " + std::to_string(r) + " reordered\n";
  }
  out += "db> continue\n";
  [[maybe_unused]] ssize_t w = ::write(STDOUT_FILENO, out.data(), out.size());
}

// A guest reboot: init shut the guest down cleanly and exited for a reboot.
// The same process, interfaces and locks stay (like the DragonFly vkernel's
// wrapper, which forks a new kernel); a new init in a new PID and mount
// namespace, in the guest's same network, UTS and IPC namespaces, boots it
// again: startup commands, "booted", a console shell.
Status Guest::reboot() {
  say("rebooting");
  if (booted_r_ >= 0) ::close(booted_r_);
  booted_r_ = -1;
  if (!enter_namespaces(guest_ns_)) return make_error(std::string("reboot: enter the guest: ") + std::strerror(errno));
  Status s = start_init();
  if (!enter_namespaces(lab_ns_)) say(std::string("warning: setns back: ") + std::strerror(errno));
  return s;
}

void Guest::cleanup() {
  if (datapath_) datapath_->stop();
  if (pidfile_) pidfile_->remove();
  if (!init_pidfile_.empty()) ::unlink(init_pidfile_.c_str());
  memlimit_.reset();
  for (int* fds : {lab_ns_, guest_ns_})
    for (int i = 0; i < 3; ++i)
      if (fds[i] >= 0) ::close(std::exchange(fds[i], -1));
}

int Guest::loop() {
  for (;;) {
    pollfd p[2] = {{sigfd_, POLLIN, 0}, {booted_r_, POLLIN, 0}};
    if (poll(p, booted_r_ >= 0 ? 2 : 1, -1) < 0) continue;
    if (booted_r_ >= 0 && p[1].revents) {
      char b[16];
      ssize_t n = ::read(booted_r_, b, sizeof b);
      if (n > 0) {
        say("booted");
        if (o_.ready_fd >= 0 && !ready_sent_) {  // once: a reboot does not make it ready again
          [[maybe_unused]] ssize_t w = ::write(o_.ready_fd, "ready\n", 6);
          ::close(o_.ready_fd);
          ready_sent_ = true;
        }
      }
      ::close(booted_r_);
      booted_r_ = -1;
    }
    if (!(p[0].revents & POLLIN)) continue;
    signalfd_siginfo si;
    while (::read(sigfd_, &si, sizeof si) == sizeof si) {
      switch (si.ssi_signo) {
        case SIGTERM:
          say("Caught SIGTERM from host system. Shutting down...");
          host_halt_ = true;
          if (init_pid_ > 0) kill(init_pid_, SIGUSR2);
          break;
        case SIGQUIT:
          dump();
          break;
        case SIGUSR1:
          if (o_.links_path.empty() || !datapath_) break;
          if (auto l = configure_from_file(*datapath_, o_.links_path)) say("links: " + *l);
          else say("links not changed: " + l.error().message);
          break;
        case SIGINT: {
          say("Caught SIGINT: stopping at once (unclean)");
          if (init_pid_ > 0) {  // never kill(-1, …)
            kill(init_pid_, SIGKILL);
            int st;
            while (waitpid(init_pid_, &st, 0) < 0 && errno == EINTR) {
            }
          }
          cleanup();
          return kExitUnclean;
        }
        case SIGCHLD: {
          int st = 0;
          pid_t r = waitpid(init_pid_, &st, WNOHANG);
          if (r != init_pid_) break;
          // A reboot: init's own (SIGINT, `reboot` in the guest), or the
          // kernel's when a guest process called reboot(2) to restart.
          bool rebooted = (WIFEXITED(st) && WEXITSTATUS(st) == kInitExitReboot) || (WIFSIGNALED(st) && WTERMSIG(st) == SIGHUP);
          if (rebooted && !host_halt_) {
            init_pid_ = -1;
            if (Status s = reboot(); s) break;
            else say("reboot failed: " + s.error().message);
            cleanup();
            return kExitUnclean;
          }
          cleanup();
          // A clean shutdown for a reboot the host overrode with SIGTERM is a halt.
          if ((WIFEXITED(st) && WEXITSTATUS(st) == 0) || (rebooted && host_halt_ && WIFEXITED(st))) {
            say("halted cleanly");
            std::string halt = "cpu halt, exiting vkernel\n";
            [[maybe_unused]] ssize_t w = ::write(STDOUT_FILENO, halt.data(), halt.size());
            return kExitHalted;
          }
          say(WIFSIGNALED(st) ? "init killed by signal " + std::to_string(WTERMSIG(st)) + ": unclean stop"
                              : "init exited " + std::to_string(WEXITSTATUS(st)) + ": unclean stop");
          return kExitUnclean;
        }
        default:
          break;
      }
    }
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

Result<GuestOptions> GuestOptions::from(const Cmdline& c) {
  GuestOptions o;
  if (auto h = c.getenv(kEnvHostname)) {
    if (h->empty() || h->size() > 64) return make_error(std::string("-e ") + kEnvHostname + ": invalid hostname");
    o.name = *h;
  }
  o.rc_path = c.getenv(kEnvRc).value_or("");
  o.links_path = c.getenv(kEnvLinks).value_or("");
  o.rc_shutdown_path = c.getenv(kEnvRcShutdown).value_or("");
  auto st = duration_var(c, kEnvShutdownTimeout, o.shutdown_timeout);
  if (!st) return st.error();
  o.shutdown_timeout = *st;
  auto tw = duration_var(c, kEnvTermWait, o.term_wait);
  if (!tw) return tw.error();
  o.term_wait = *tw;
  std::optional<std::string> fd = c.getenv(kEnvReadyFd);
  if (!fd)
    if (const char* e = std::getenv(kEnvReadyFdVar); e && *e) fd = e;
  if (fd) {
    char* end = nullptr;
    long v = std::strtol(fd->c_str(), &end, 10);
    if (fd->empty() || *end != '\0' || v < 3 || v > 1 << 20)
      return make_error(std::string("readiness fd '") + *fd + "': expected a number >= 3");
    o.ready_fd = static_cast<int>(v);
  }
  if (!c.memory.empty()) o.memory = parse_memory(c.memory).value();
  return o;
}

int run_guest(const Cmdline& c, const GuestOptions& o) {
  Guest g(c, o);
  return g.run();
}

}  // namespace vklab::vkernel
