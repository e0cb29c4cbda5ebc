#include "labd/daemon.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/text.h"
#include "labd/control.h"
#include "labd/launch.h"
#include "labd/links.h"
#include "labd/netns.h"
#include "labd/protocol.h"
#include "labd/state.h"
#include "netsetup/applier.h"
#include "hostnet/linux_host.h"
#include "topology/plan_json.h"

namespace vklab::labd {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using topology::GuestLaunch;
using topology::Plan;

/// Recent console output kept for a console client's replay.
constexpr size_t kConsoleRing = 64 * 1024;
/// When labd hangs up a stopping guest's console (after its SIGTERM).
/// How often pidfiles are polled while guests are Starting.
constexpr milliseconds kReadyPoll{10};
/// How often the pidfile of an up forking kernel is read again: its child
/// changes on a guest reboot, and must be known if the wrapper dies.
constexpr milliseconds kForkedPoll{1000};

std::string errno_msg(const std::string& what) { return what + ": " + std::strerror(errno); }

std::string wait_text(int st) {
  if (WIFEXITED(st)) return "exit " + std::to_string(WEXITSTATUS(st));
  if (WIFSIGNALED(st)) return "signal " + std::to_string(WTERMSIG(st));
  return "status " + std::to_string(st);
}

Result<Plan> load_plan(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(errno_msg(path));
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return make_error(path + ": not valid JSON");
  auto plan = topology::plan_from_json(j);
  if (!plan) return make_error(path + ": " + plan.error().message);
  return plan;
}

// Per-guest runtime, beside its GuestRecord (same index).
struct Runtime {
  GuestLaunch launch;
  pid_t pid = -1;  // our child, until reaped
  int pty = -1;
  int ready = -1;  // the bundled guest's readiness pipe
  int log = -1;
  std::string ring;
  std::vector<int> consoles;
  Clock::time_point launched{}, term_sent{}, deadline{};
  bool term_pending = false;  // stop asked, waiting for dependents to go first
};

struct Client {
  int fd = -1;
  LineBuffer buf;
  enum class Mode { Request, Down, Console } mode = Mode::Request;
  size_t guest = 0;
};

class Daemon {
 public:
  explicit Daemon(DaemonOptions o) : opts_(std::move(o)) {}
  Status run();

 private:
  Status setup();
  Status apply_host();
  void loop();
  void schedule();
  void check_ready();
  void check_deadlines();
  void begin_stop(bool force, std::optional<milliseconds> timeout, std::string why);
  void stop_ready_guests();
  void event(size_t i, GuestEvent e, const std::string& detail = "");
  void perform(size_t i, GuestAction a);
  void refresh_kernel(size_t i);
  /// Guests whose kernel runs as a child of the process labd started.
  bool forking(size_t i) const {
    return st_.guests[i].state == GuestState::Up && rt_[i].pid > 0 && st_.guests[i].kernel.valid() &&
           st_.guests[i].kernel.pid != rt_[i].pid;
  }
  Clock::time_point next_forked_poll_{};
  void reap();
  void on_signal();
  void on_accept();
  void on_client(size_t ci);
  void handle_request(Client& c, const std::string& line);
  void on_pty(size_t i);
  void on_ready(size_t i);
  void close_pty(size_t i);
  Status finish();
  void emit(const Progress& p);
  void save();
  bool all_terminal() const;
  bool any_running() const;

  DaemonOptions opts_;
  Plan plan_;
  StateDir dir_;
  LabState st_;
  std::vector<Runtime> rt_;
  std::vector<Client> clients_;
  std::unique_ptr<hostnet::LinuxHost> host_;
  int sigfd_ = -1, listen_ = -1, lock_ = -1;
  bool stopping_ = false, force_ = false, failed_ = false, dirty_ = false;
  std::optional<milliseconds> stop_timeout_;
  Clock::time_point stop_began_{};
  std::string failure_;
  std::vector<GuestOutcome> outcomes_;
};

void Daemon::emit(const Progress& p) {
  std::cerr << p.text << "\n";
  std::string line = encode(Reply{p}) + "\n";
  if (opts_.progress_fd >= 0 && !write_all(opts_.progress_fd, line)) {
    ::close(opts_.progress_fd);  // the CLI went away; carry on without it
    opts_.progress_fd = -1;
  }
  for (auto& c : clients_)
    if (c.mode == Client::Mode::Down) (void)write_all(c.fd, line);
}

void Daemon::save() {
  if (Status s = write_state(dir_.state_json(), st_); !s) std::cerr << "labd: " << s.error().message << "\n";
  dirty_ = false;
}

Status Daemon::setup() {
  auto plan = load_plan(opts_.plan_path);
  if (!plan) return plan.error();
  plan_ = std::move(*plan);
  dir_.dir = plan_.state_dir;
  ::prctl(PR_SET_NAME, ("labd: " + plan_.lab).c_str());

  lock_ = opts_.lock_fd;
  if (lock_ < 0) {
    lock_ = ::open(dir_.lock().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_ < 0) return make_error(errno_msg(dir_.lock()));
    if (::flock(lock_, LOCK_EX | LOCK_NB) != 0) return make_error(plan_.lab + ": already running");
  }
  ::fcntl(lock_, F_SETFD, FD_CLOEXEC);

  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, s);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  sigfd_ = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sigfd_ < 0) return make_error(errno_msg("signalfd"));

  st_.lab = plan_.lab;
  st_.phase = Phase::Starting;
  st_.plan_digest = plan_.digest();
  st_.isolated = plan_.network == topology::NetworkMode::Isolated;
  st_.labd = proc_id(::getpid()).value_or(ProcId{::getpid(), 0});
  st_.tag = hostnet::ownership_tag(plan_.lab);
  st_.links = initial_links(plan_);
  for (const auto& g : plan_.guests) {
    GuestRecord r;
    r.name = g.name;
    r.bundled = g.bundled;
    st_.guests.push_back(r);
    Runtime rt;
    rt.launch = g;
    rt_.push_back(std::move(rt));
  }
  save();

  auto l = listen_control(dir_.control());
  if (!l) return l.error();
  listen_ = *l;

  if (st_.isolated) {
    auto t0 = Clock::now();
    if (Status s = enter_new_netns(); !s) return make_error(plan_.lab + ": " + s.error().message);
    // A new namespace waits for the kernel's lock while it still removes
    // the links of a dropped one (a large lab's down just before): say why
    // the up is slow rather than look stuck.
    if (auto ms = std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count(); ms >= 500)
      emit({"", "", plan_.lab + ": creating the lab's namespace took " + std::to_string(ms) +
                        " ms (the kernel is likely still removing an earlier lab's interfaces)"});
    if (Status s = bind_netns(dir_.netns()); !s) return make_error(plan_.lab + ": " + s.error().message);
    st_.netns = dir_.netns();
    save();
  }
  for (const auto& f : plan_.files)
    if (Status s = write_file_atomic(f.path, f.content, f.mode); !s) return s;
  for (const auto& g : plan_.guests) ::unlink(g.pidfile.c_str());
  return apply_host();
}

Status Daemon::apply_host() {
  auto h = hostnet::LinuxHost::open();
  if (!h) return make_error("netsetup: " + h.error().message);
  host_ = std::move(*h);
  netsetup::ApplyOptions ao;
  ao.lab = plan_.lab;
  ao.network = plan_.network;
  const bool record_each = !st_.isolated;  // a dropped namespace takes everything with it
  ao.on_created = [this, record_each](const netsetup::CreatedObject& o) -> Status {
    st_.created.push_back(o);
    if (record_each) return write_state(dir_.state_json(), st_);
    return {};
  };
  ao.on_removed = [this](const netsetup::CreatedObject& o) {
    std::erase(st_.created, o);
  };
  netsetup::Applier applier(*host_, ao);
  auto t0 = Clock::now();
  Status s = applier.apply(plan_.setup);
  save();
  if (!s) return make_error("host setup: " + s.error().message);
  if (!st_.isolated) {
    // Host mode: the units actually taken; plan.json follows, so status
    // tables and a later recovery see the real names.
    for (size_t i = 0; i < rt_.size(); ++i) {
      netsetup::rewrite_launch(rt_[i].launch, applier.names());
      plan_.guests[i] = rt_[i].launch;
    }
    if (Status w = write_file_atomic(opts_.plan_path, topology::plan_to_json(plan_).dump(1) + "\n"); !w)
      return w;
  }
  auto ms = std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
  emit({"", "", plan_.lab + ": host setup done (" + std::to_string(plan_.setup.size()) +
                    " steps, " + std::to_string(ms) + " ms)"});
  return {};
}

bool Daemon::all_terminal() const {
  for (const auto& g : st_.guests)
    if (!is_terminal(g.state) && !(g.state == GuestState::Starting && g.started_ms == 0)) return false;
  return true;
}

bool Daemon::any_running() const {
  for (const auto& r : rt_)
    if (r.pid > 0) return true;
  return false;
}

void Daemon::schedule() {
  if (stopping_) return;
  size_t starting = 0;
  for (const auto& g : st_.guests)
    if (g.state == GuestState::Starting && g.started_ms != 0) ++starting;
  for (size_t i = 0; i < st_.guests.size() && starting < opts_.parallel; ++i) {
    GuestRecord& g = st_.guests[i];
    if (g.state != GuestState::Starting || g.started_ms != 0) continue;
    bool deps_up = true;
    for (const auto& d : rt_[i].launch.depends_on) {
      const GuestRecord* dep = st_.find(d);
      deps_up = deps_up && dep && dep->state == GuestState::Up;
    }
    if (!deps_up) continue;
    Runtime& r = rt_[i];
    g.started_ms = now_ms();
    r.launched = Clock::now();
    r.log = ::open(r.launch.console_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    auto l = launch(r.launch.cmdline.argv(), r.launch.bundled);
    if (!l) {
      event(i, GuestEvent::LaunchFailed, g.name + ": " + l.error().message);
      continue;
    }
    r.pid = l->pid;
    r.pty = l->pty_master;
    r.ready = l->ready;
    g.proc = proc_id(r.pid).value_or(ProcId{r.pid, 0});
    dirty_ = true;
    ++starting;
    emit({g.name, state_name(g.state), g.name + ": starting (pid " + std::to_string(r.pid) + ")"});
  }
}

void Daemon::check_ready() {
  auto now = Clock::now();
  for (size_t i = 0; i < st_.guests.size(); ++i) {
    GuestRecord& g = st_.guests[i];
    if (g.state != GuestState::Starting || g.started_ms == 0 || rt_[i].pid <= 0) continue;
    if (rt_[i].ready >= 0) {  // the bundled guest tells us; its pidfile is its own pid
      if (now - rt_[i].launched > opts_.ready_timeout)
        event(i, GuestEvent::ReadyTimeout,
              g.name + ": not ready after " + format_duration(opts_.ready_timeout));
      continue;
    }
    if (auto pid = pidfile_ready(rt_[i].launch.pidfile)) {
      if (auto id = proc_id(*pid)) {
        g.kernel = *id;
        event(i, GuestEvent::Ready);
        continue;
      }
    }
    if (now - rt_[i].launched > opts_.ready_timeout)
      event(i, GuestEvent::ReadyTimeout,
            g.name + ": not ready after " + format_duration(opts_.ready_timeout));
  }
}

// A forking kernel replaces its child on a guest reboot: signal the one the
// pidfile names now (kernel_child).
void Daemon::refresh_kernel(size_t i) {
  GuestRecord& g = st_.guests[i];
  auto k = kernel_child(rt_[i].launch.pidfile, rt_[i].pid);
  if (!k || *k == g.kernel) return;
  g.kernel = *k;
  dirty_ = true;
}

void Daemon::perform(size_t i, GuestAction a) {
  GuestRecord& g = st_.guests[i];
  Runtime& r = rt_[i];
  if (a == GuestAction::SendTerm || a == GuestAction::SendKill) refresh_kernel(i);
  if (a == GuestAction::SendTerm) {
    r.term_sent = Clock::now();
    r.deadline = r.term_sent + stop_timeout_.value_or(r.launch.stop_timeout);
    if (!g.kernel.valid() || !signal_if_same(g.kernel, SIGTERM))
      if (r.pid > 0) ::kill(r.pid, SIGTERM);
  } else if (a == GuestAction::SendKill) {
    if (r.term_sent == Clock::time_point{}) r.term_sent = Clock::now();
    signal_if_same(g.kernel, SIGKILL);
    if (r.pid > 0) ::kill(r.pid, SIGKILL);  // our unreaped child: its pid cannot be reused
  }
}

void Daemon::event(size_t i, GuestEvent e, const std::string& detail) {
  GuestRecord& g = st_.guests[i];
  Runtime& r = rt_[i];
  GuestState before = g.state;
  Transition t = next(g.state, e);
  g.state = t.state;
  perform(i, t.action);
  if (t.state == before) return;
  dirty_ = true;
  auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - r.term_sent);
  std::string text = detail;
  if (t.state == GuestState::Up) {
    g.ready_ms = now_ms();
    auto ms = std::chrono::duration_cast<milliseconds>(Clock::now() - r.launched).count();
    text = g.name + ": up in " + std::to_string(ms) + " ms (pid " + std::to_string(g.kernel.pid) + ")";
  } else if (t.state == GuestState::Failed) {
    g.stopped_ms = now_ms();
    g.error = detail.empty() ? g.name + ": " + event_name(e) : detail;
    text = g.error;
    if (!stopping_ && st_.phase == Phase::Starting) {
      failed_ = true;
      begin_stop(false, std::nullopt, g.error);
    }
  } else if (t.state == GuestState::Stopping) {
    text = g.name + ": stopping (SIGTERM)";
  } else if (t.state == GuestState::Halted || t.state == GuestState::Forced) {
    g.stopped_ms = now_ms();
    if (stopping_)
      text = describe({g.name, t.state, took}, force_ ? milliseconds(0)
                                                      : stop_timeout_.value_or(r.launch.stop_timeout));
    else
      text = g.name + ": " + (t.state == GuestState::Halted ? "halted on its own" : "killed");
  }
  if (stopping_ && is_terminal(t.state)) outcomes_.push_back({g.name, t.state, took});
  emit({g.name, state_name(t.state), text});
  if (!stopping_ && st_.phase == Phase::Starting) {
    bool all_up = true;
    for (const auto& x : st_.guests) all_up = all_up && x.state == GuestState::Up;
    if (all_up) {
      st_.phase = Phase::Up;
      save();
      emit({"", "ready", plan_.lab + ": every guest is up"});
      if (opts_.progress_fd >= 0) ::close(opts_.progress_fd);
      opts_.progress_fd = -1;
    }
  }
}

void Daemon::begin_stop(bool force, std::optional<milliseconds> timeout, std::string why) {
  if (stopping_) {
    if (force && !force_) {  // a second, harder request
      force_ = true;
      for (size_t i = 0; i < st_.guests.size(); ++i) event(i, GuestEvent::Kill);
    }
    return;
  }
  stopping_ = true;
  force_ = force;
  stop_timeout_ = timeout;
  stop_began_ = Clock::now();
  if (failed_ && failure_.empty()) failure_ = why;
  st_.phase = failed_ ? Phase::Failed : Phase::Stopping;
  if (failed_) st_.error = failure_;
  dirty_ = true;
  emit({"", failed_ ? "failed" : "", plan_.lab + ": " + why});
  for (size_t i = 0; i < st_.guests.size(); ++i) {
    GuestRecord& g = st_.guests[i];
    if (g.state == GuestState::Starting && g.started_ms == 0) {
      g.state = GuestState::Failed;  // never launched
      g.error = g.name + ": not started";
      continue;
    }
    if (!is_terminal(g.state)) {
      rt_[i].term_pending = true;
    } else if (!failed_) {
      // Ended before the down (a halt from inside the guest, a crash): say
      // so, or the guest would be missing from down's report.
      emit({g.name, "", g.name + ": had already " +
                            (g.state == GuestState::Halted ? std::string("halted") : "ended: " + std::string(state_name(g.state)))});
    }
  }
  stop_ready_guests();
}

// SIGTERM to every guest none of whose live dependents still runs.
void Daemon::stop_ready_guests() {
  for (size_t i = 0; i < st_.guests.size(); ++i) {
    if (!rt_[i].term_pending) continue;
    bool dependents_gone = true;
    for (size_t j = 0; j < st_.guests.size(); ++j)
      for (const auto& d : rt_[j].launch.depends_on)
        if (d == st_.guests[i].name && !is_terminal(st_.guests[j].state) && !force_) dependents_gone = false;
    if (!dependents_gone) continue;
    rt_[i].term_pending = false;
    event(i, force_ ? GuestEvent::Kill : GuestEvent::Stop);
  }
}

void Daemon::check_deadlines() {
  auto now = Clock::now();
  for (size_t i = 0; i < st_.guests.size(); ++i) {
    if (st_.guests[i].state != GuestState::Stopping) continue;
    Runtime& r = rt_[i];
    if (now >= r.deadline) event(i, GuestEvent::Deadline);
  }
}

void Daemon::reap() {
  for (;;) {
    int st = 0;
    pid_t pid = ::waitpid(-1, &st, WNOHANG);
    if (pid <= 0) return;
    for (size_t i = 0; i < rt_.size(); ++i) {
      if (rt_[i].pid != pid) continue;
      rt_[i].pid = -1;
      if (rt_[i].ready >= 0) ::close(rt_[i].ready);
      rt_[i].ready = -1;
      GuestRecord& g = st_.guests[i];
      g.exit = wait_text(st);
      dirty_ = true;
      on_pty(i);  // drain the last console output
      bool clean = (WIFEXITED(st) && WEXITSTATUS(st) == 0) || (WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
      // A forked kernel's child may outlive the wrapper; it goes with it.
      if (g.kernel.valid() && g.kernel.pid != pid) signal_if_same(g.kernel, SIGKILL);
      std::string why = g.state == GuestState::Starting ? "exited before it was ready" : "crashed";
      event(i, clean ? GuestEvent::Exited : GuestEvent::Crashed, g.name + ": " + why + " (" + g.exit + ")");
      if (stopping_) stop_ready_guests();
    }
  }
}

void Daemon::on_signal() {
  signalfd_siginfo si;
  while (::read(sigfd_, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
    if (si.ssi_signo == SIGCHLD) continue;
    if (st_.phase == Phase::Starting && !stopping_) {
      failed_ = true;
      failure_ = plan_.lab + ": interrupted (signal " + std::to_string(si.ssi_signo) + ")";
      begin_stop(false, std::nullopt, failure_);
    } else {
      begin_stop(stopping_, std::nullopt, "stopping (signal " + std::to_string(si.ssi_signo) + ")");
    }
  }
  reap();
}

void Daemon::on_accept() {
  for (;;) {
    auto fd = accept_client(listen_);
    if (!fd) {
      std::cerr << "labd: " << fd.error().message << "\n";
      continue;
    }
    if (*fd < 0) return;
    Client c;
    c.fd = *fd;
    clients_.push_back(std::move(c));
  }
}

void Daemon::handle_request(Client& c, const std::string& line) {
  auto req = decode_request(line);
  if (!req) {
    (void)write_all(c.fd, encode(Reply{ErrorReply{req.error().message}}) + "\n");
    ::close(c.fd);
    c.fd = -1;
    return;
  }
  if (std::holds_alternative<StatusRequest>(*req)) {
    (void)write_all(c.fd, encode(Reply{StatusReply{st_}}) + "\n");
    ::close(c.fd);
    c.fd = -1;
  } else if (auto* d = std::get_if<DownRequest>(&*req)) {
    c.mode = Client::Mode::Down;
    begin_stop(d->force, d->timeout, "down requested");
  } else if (auto* l = std::get_if<LinkRequest>(&*req)) {
    auto r = serve_link_request(st_, plan_, *l);
    (void)write_all(c.fd, encode(r ? Reply{*r} : Reply{ErrorReply{r.error().message}}) + "\n");
    ::close(c.fd);
    c.fd = -1;
    if (r) save();
  } else if (auto* k = std::get_if<ConsoleRequest>(&*req)) {
    auto* g = st_.find(k->guest);
    if (!g || rt_[static_cast<size_t>(g - st_.guests.data())].pty < 0) {
      std::string why = g ? k->guest + ": no console (not running)" : k->guest + ": no such guest";
      (void)write_all(c.fd, encode(Reply{ErrorReply{why}}) + "\n");
      ::close(c.fd);
      c.fd = -1;
      return;
    }
    c.mode = Client::Mode::Console;
    c.guest = static_cast<size_t>(g - st_.guests.data());
    (void)write_all(c.fd, encode(Reply{ConsoleReply{k->guest}}) + "\n" + rt_[c.guest].ring);
    rt_[c.guest].consoles.push_back(c.fd);
  }
}

void Daemon::on_client(size_t ci) {
  Client& c = clients_[ci];
  char buf[4096];
  ssize_t n = ::read(c.fd, buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    if (c.mode == Client::Mode::Console) std::erase(rt_[c.guest].consoles, c.fd);
    ::close(c.fd);
    c.fd = -1;
    return;
  }
  if (c.mode == Client::Mode::Console) {
    if (rt_[c.guest].pty >= 0) (void)write_all(rt_[c.guest].pty, std::string_view(buf, n), milliseconds(200));
    return;
  }
  if (c.mode == Client::Mode::Down) return;  // nothing more is expected
  if (!c.buf.feed(std::string_view(buf, static_cast<size_t>(n)))) {
    (void)write_all(c.fd, encode(Reply{ErrorReply{"request: too long"}}) + "\n");
    ::close(c.fd);
    c.fd = -1;
    return;
  }
  if (auto line = c.buf.next()) handle_request(c, *line);
}

void Daemon::on_pty(size_t i) {
  Runtime& r = rt_[i];
  while (r.pty >= 0) {
    char buf[8192];
    ssize_t n = ::read(r.pty, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {  // EIO: every slave closed
      if (r.pid <= 0) close_pty(i);
      return;
    }
    std::string_view data(buf, static_cast<size_t>(n));
    if (r.log >= 0) (void)!::write(r.log, data.data(), data.size());
    r.ring.append(data);
    if (r.ring.size() > kConsoleRing) r.ring.erase(0, r.ring.size() - kConsoleRing);
    for (int fd : r.consoles) (void)write_all(fd, data, milliseconds(100));
  }
}

void Daemon::on_ready(size_t i) {
  Runtime& r = rt_[i];
  char buf[64];
  ssize_t n = ::read(r.ready, buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  ::close(r.ready);
  r.ready = -1;
  GuestRecord& g = st_.guests[i];
  if (n > 0 && std::string_view(buf, static_cast<size_t>(n)).starts_with("ready")) {
    auto pid = read_pidfile(r.launch.pidfile);
    auto id = pid ? proc_id(*pid) : std::nullopt;
    g.kernel = id.value_or(g.proc);
    event(i, GuestEvent::Ready);
  }
  // EOF without "ready": the guest is failing; its exit says how.
}

void Daemon::close_pty(size_t i) {
  Runtime& r = rt_[i];
  if (r.pty >= 0) ::close(r.pty);
  r.pty = -1;
  for (int fd : r.consoles)
    for (auto& c : clients_)
      if (c.fd == fd) {
        ::close(c.fd);
        c.fd = -1;
      }
  r.consoles.clear();
}

void Daemon::loop() {
  for (;;) {
    schedule();
    check_ready();
    if (stopping_) check_deadlines();
    if (dirty_) save();
    if (stopping_ && all_terminal() && !any_running()) return;
    std::erase_if(clients_, [](const Client& c) { return c.fd < 0; });

    std::vector<pollfd> fds;
    fds.push_back({sigfd_, POLLIN, 0});
    fds.push_back({listen_, POLLIN, 0});
    for (const auto& c : clients_) fds.push_back({c.fd, POLLIN, 0});
    std::vector<size_t> pty_of;
    for (size_t i = 0; i < rt_.size(); ++i)
      if (rt_[i].pty >= 0 && rt_[i].pid > 0) {
        fds.push_back({rt_[i].pty, POLLIN, 0});
        pty_of.push_back(i);
      }
    std::vector<size_t> ready_of;
    for (size_t i = 0; i < rt_.size(); ++i)
      if (rt_[i].ready >= 0) {
        fds.push_back({rt_[i].ready, POLLIN, 0});
        ready_of.push_back(i);
      }
    int timeout = -1;
    bool any_forking = false;
    for (size_t i = 0; i < rt_.size(); ++i) any_forking = any_forking || forking(i);
    if (any_forking) {
      auto now = Clock::now();
      if (now >= next_forked_poll_) {
        for (size_t i = 0; i < rt_.size(); ++i)
          if (forking(i)) refresh_kernel(i);
        next_forked_poll_ = now + kForkedPoll;
      }
      timeout = static_cast<int>(std::chrono::duration_cast<milliseconds>(next_forked_poll_ - now).count()) + 1;
    }
    bool starting = false;
    bool waiting = false;
    for (size_t i = 0; i < rt_.size(); ++i) {
      bool s = st_.guests[i].state == GuestState::Starting && st_.guests[i].started_ms;
      starting = starting || (s && rt_[i].ready < 0);
      waiting = waiting || s;
    }
    if (waiting) timeout = 100;
    if (starting) timeout = static_cast<int>(kReadyPoll.count());
    if (stopping_) {
      auto now = Clock::now();
      for (size_t i = 0; i < rt_.size(); ++i)
        if (st_.guests[i].state == GuestState::Stopping) {
          auto left = std::chrono::duration_cast<milliseconds>(rt_[i].deadline - now).count() + 1;
          timeout = timeout < 0 ? static_cast<int>(std::max<int64_t>(left, 0))
                                : std::min(timeout, static_cast<int>(std::max<int64_t>(left, 0)));
        }
      if (timeout < 0 || timeout > 50) timeout = 50;  // lingering children
    }
    int rc = ::poll(fds.data(), fds.size(), timeout);
    if (rc < 0 && errno != EINTR) {
      std::cerr << "labd: poll: " << std::strerror(errno) << "\n";
      return;
    }
    if (rc <= 0) continue;
    if (fds[0].revents) on_signal();
    if (fds[1].revents) on_accept();
    size_t nclients = clients_.size();
    for (size_t k = 0; k < nclients; ++k)
      if (fds[2 + k].revents && clients_[k].fd >= 0) on_client(k);
    for (size_t k = 0; k < pty_of.size(); ++k)
      if (fds[2 + nclients + k].revents) on_pty(pty_of[k]);
    for (size_t k = 0; k < ready_of.size(); ++k)
      if (fds[2 + nclients + pty_of.size() + k].revents) on_ready(ready_of[k]);
  }
}

Status Daemon::finish() {
  std::string err;
  for (size_t i = 0; i < rt_.size(); ++i) {
    close_pty(i);
    if (rt_[i].log >= 0) ::close(rt_[i].log);
  }
  if (host_ && !st_.isolated) {
    if (Status s = netsetup::teardown(*host_, st_.created, {plan_.lab}); !s) err = s.error().message;
  }
  host_.reset();
  if (st_.isolated)
    if (Status s = drop_netns(dir_.netns()); !s) err += (err.empty() ? "" : "; ") + s.error().message;
  if (listen_ >= 0) ::close(listen_);
  std::error_code ec;
  fs::remove_all(dir_.dir, ec);
  if (ec) err += (err.empty() ? "" : "; ") + dir_.dir + ": " + ec.message();
  DownReply reply{outcomes_, err};
  emit({"", "down", plan_.lab + ": down"});
  for (auto& c : clients_)
    if (c.fd >= 0 && c.mode == Client::Mode::Down) {
      (void)write_all(c.fd, encode(Reply{reply}) + "\n");
      ::close(c.fd);
    }
  if (lock_ >= 0) ::close(lock_);
  if (failed_) return make_error(failure_);
  if (!err.empty()) return make_error(err);
  return {};
}

Status Daemon::run() {
  Status s = setup();
  if (!s) {
    if (lock_ < 0 || sigfd_ < 0) return s;  // nothing of the lab is ours to undo
    failed_ = true;
    failure_ = s.error().message;
    begin_stop(false, std::nullopt, failure_);
  }
  loop();
  return finish();
}

}  // namespace

Status run_daemon(const DaemonOptions& opts) {
  Daemon d(opts);
  return d.run();
}

}  // namespace vklab::labd
