// labd's life: set up, the poll loop, teardown (see daemon_impl.h for
// which file holds what).
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "common/fault.h"
#include "labd/daemon_impl.h"
#include "labd/launch.h"
#include "labd/links.h"
#include "labd/lock.h"
#include "labd/netns.h"
#include "labd/pollset.h"
#include "netsetup/applier.h"
#include "topology/plan_json.h"

namespace vklab::labd {
namespace {

namespace fs = std::filesystem;

/// How often pidfiles are polled while guests are Starting.
constexpr milliseconds kReadyPoll{10};
/// How often the pidfile of an up forking kernel is read again: its child
/// changes on a guest reboot, and must be known if the wrapper dies.
constexpr milliseconds kForkedPoll{1000};

std::string errno_msg(const std::string& what) { return what + ": " + std::strerror(errno); }

}  // namespace

void Daemon::emit(const Progress& p) {
  std::cerr << p.text << "\n";
  std::string line = encode(Reply{p}) + "\n";
  if (opts_.progress_fd >= 0 && !write_all(opts_.progress_fd, line)) {
    ::close(opts_.progress_fd);  // the CLI went away; carry on without it
    opts_.progress_fd = -1;
  }
  for (auto& c : clients_) {
    bool watching = c.mode == Client::Mode::Guests && !p.guest.empty() &&
                    std::any_of(c.watch.begin(), c.watch.end(), [&](size_t i) { return st_.guests[i].name == p.guest; });
    if (c.fd >= 0 && (c.mode == Client::Mode::Down || c.mode == Client::Mode::Apply || watching))
      (void)write_all(c.fd, line);
  }
}

void Daemon::save() {
  if (Status s = w_.store->save(dir_.state_json(), st_); !s) std::cerr << "labd: " << s.error().message << "\n";
  dirty_ = false;
  fault_point("labd.saved");
}

Status Daemon::setup() {
  fault_point("labd.start");
  auto plan = topology::read_plan_file(opts_.plan_path);
  if (!plan) return plan.error();
  plan_ = std::move(*plan);
  dir_.dir = plan_.state_dir;
  ::prctl(PR_SET_NAME, ("labd: " + plan_.lab).c_str());

  lock_ = opts_.lock_fd;
  if (lock_ < 0) {  // started by hand, not by `vklab up`: the one lock taker (lock.h)
    std::optional<LabLock> held;
    auto got = LabLock::try_take(dir_, false, held);
    if (!got) return got.error();
    if (*got != LabLock::Outcome::Taken) return make_error(plan_.lab + ": already running");
    lock_ = held->release();
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
  st_.phase = lab_.phase;
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
    auto t0 = now();
    if (Status s = w_.netns->enter(); !s) return make_error(plan_.lab + ": " + s.error().message);
    // A new namespace waits for the kernel's lock while it still removes
    // the links of a dropped one (a large lab's down just before): say why
    // the up is slow rather than look stuck.
    if (auto ms = std::chrono::duration_cast<milliseconds>(now() - t0).count(); ms >= 500)
      emit({"", "", plan_.lab + ": creating the lab's namespace took " + std::to_string(ms) +
                        " ms (the kernel is likely still removing an earlier lab's interfaces)"});
    if (Status s = w_.netns->bind(dir_.netns()); !s) return make_error(plan_.lab + ": " + s.error().message);
    st_.netns = dir_.netns();
    save();
  }
  for (const auto& f : plan_.files)
    if (Status s = write_file_atomic(f.path, f.content, f.mode & 0700); !s) return s;  // A1
  for (const auto& g : plan_.guests) {
    ::unlink(g.pidfile().c_str());
    ::unlink(launch_record_path(g.pidfile()).c_str());
  }
  return apply_host();
}

Status Daemon::apply_host() {
  auto h = w_.open_host(plan_);
  if (!h) return make_error("netsetup: " + h.error().message);
  host_ = std::move(*h);
  netsetup::ApplyOptions ao;
  ao.lab = plan_.lab;
  ao.network = plan_.network;
  const bool record_each = !st_.isolated;  // a dropped namespace takes everything with it
  ao.on_created = [this, record_each](const netsetup::CreatedObject& o) -> Status {
    st_.created.push_back(o);
    if (record_each) return w_.store->save(dir_.state_json(), st_);
    return {};
  };
  ao.on_removed = [this](const netsetup::CreatedObject& o) {
    std::erase(st_.created, o);
  };
  netsetup::Applier applier(*host_, ao);
  auto t0 = now();
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
  auto ms = std::chrono::duration_cast<milliseconds>(now() - t0).count();
  emit({"", "", plan_.lab + ": host setup done (" + std::to_string(plan_.setup.size()) +
                    " steps, " + std::to_string(ms) + " ms)"});
  return {};
}

void Daemon::loop() {
  for (;;) {
    start_pending();
    schedule();
    check_ready();
    schedule();  // a guest just Up may let its dependents go (a silent kernel wakes no poll)
    check_deadlines();  // down's, or one guest's stop
    advance_apply();
    answer_guests_clients();
    if (dirty_) save();
    if (stopping(lab_.phase) && all_gone()) {
      lab_event(LabEvent::AllGone, "");
      return;
    }
    std::erase_if(clients_, [](const Client& c) { return c.fd < 0; });

    PollSet set;
    set.add(sigfd_, [this] { on_signal(); });
    set.add(listen_, [this] { on_accept(); });
    for (size_t k = 0; k < clients_.size(); ++k)
      set.add(clients_[k].fd, [this, k, fd = clients_[k].fd] {
        if (clients_[k].fd == fd) on_client(k);  // not closed by an earlier handler
      });
    for (size_t i = 0; i < rt_.size(); ++i) {
      if (rt_[i].pty >= 0 && rt_[i].pid > 0)
        set.add(rt_[i].pty, [this, i, fd = rt_[i].pty] {
          if (rt_[i].pty == fd) on_pty(i);
        });
      if (rt_[i].ready >= 0)
        set.add(rt_[i].ready, [this, i, fd = rt_[i].ready] {
          if (rt_[i].ready == fd) on_ready(i);
        });
    }
    if (!set.wait(poll_timeout())) {
      std::cerr << "labd: poll: " << std::strerror(errno) << "\n";
      return;
    }
  }
}

// How long the loop may sleep: until the next pidfile poll, readiness
// check or stop deadline; forever when nothing is pending but events.
int Daemon::poll_timeout() {
  int timeout = -1;
  bool any_forking = false;
  for (size_t i = 0; i < rt_.size(); ++i) any_forking = any_forking || forking(i);
  if (any_forking) {
    const Clock::time_point now = this->now();
    if (now >= next_forked_poll_) {
      for (size_t i = 0; i < rt_.size(); ++i)
        if (forking(i)) refresh_kernel(i);
      next_forked_poll_ = now + kForkedPoll;
    }
    timeout = static_cast<int>(std::chrono::duration_cast<milliseconds>(next_forked_poll_ - now).count()) + 1;
  }
  bool starting = false, waiting = false;
  for (size_t i = 0; i < rt_.size(); ++i) {
    bool s = st_.guests[i].state == GuestState::Starting;
    starting = starting || (s && rt_[i].ready < 0);
    waiting = waiting || s;
  }
  if (waiting) timeout = 100;
  if (starting) timeout = static_cast<int>(kReadyPoll.count());
  const Clock::time_point now = this->now();
  for (size_t i = 0; i < rt_.size(); ++i)
    if (st_.guests[i].state == GuestState::Stopping) {
      auto left = std::max<int64_t>(std::chrono::duration_cast<milliseconds>(rt_[i].deadline - now).count() + 1, 0);
      timeout = timeout < 0 ? static_cast<int>(left) : std::min(timeout, static_cast<int>(left));
    }
  if (stopping(lab_.phase) && (timeout < 0 || timeout > 50)) timeout = 50;  // lingering children
  return timeout;
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
  if (st_.isolated) {
    // Whatever still runs in the lab's namespace (a forked kernel's child
    // whose wrapper is gone) goes with the lab: down never leaves a guest.
    std::vector<pid_t> left;
    auto strays = w_.netns->kill_members(dir_.netns(), 2000, left);
    strays_ = static_cast<int>(strays.size());
    if (!strays.empty()) emit({"", "", strays_text(plan_.lab, strays)});
    if (!left.empty()) err += (err.empty() ? "" : "; ") + std::to_string(left.size()) + " process(es) of the lab still run";
    if (Status s = w_.netns->drop(dir_.netns()); !s) err += (err.empty() ? "" : "; ") + s.error().message;
  }
  for (const auto& g : plan_.guests)
    if (Status c = remove_guest_cgroup(g.pidfile()); !c) err += (err.empty() ? "" : "; ") + c.error().message;
  if (listen_ >= 0) ::close(listen_);
  if (!failure_.empty()) keep_failed_logs();
  fault_point("labd.teardown");
  std::error_code ec;
  fs::remove_all(dir_.dir, ec);
  if (ec) err += (err.empty() ? "" : "; ") + dir_.dir + ": " + ec.message();
  DownReply reply{outcomes_, err, strays_};
  emit({"", "down", plan_.lab + ": down"});
  for (auto& c : clients_)
    if (c.fd >= 0 && c.mode == Client::Mode::Down) {
      (void)write_all(c.fd, encode(Reply{reply}) + "\n");
      ::close(c.fd);
    }
  if (lock_ >= 0) ::close(lock_);
  if (!failure_.empty()) return make_error(failure_);
  if (!err.empty()) return make_error(err);
  return {};
}

// A rolled-back up keeps what explains it: the console logs of the guests
// that failed (or reported startup errors), moved out of the state
// directory before it goes.
void Daemon::keep_failed_logs() {
  std::error_code ec;
  for (size_t i = 0; i < st_.guests.size(); ++i) {
    const GuestRecord& g = st_.guests[i];
    // failed once launched (its state may have moved on: a timed-out guest is then stopped)
    bool culprit = (!g.error.empty() && g.started_ms != 0) || !g.startup_errors.empty();
    const std::string& log = rt_[i].launch.console_log;
    if (!culprit || fs::file_size(log, ec) == 0 || ec) continue;
    if (::mkdir(dir_.failed().c_str(), 0700) != 0 && errno != EEXIST) {
      std::cerr << "labd: " << errno_msg(dir_.failed()) << "\n";
      return;
    }
    std::string to = dir_.failed() + "/" + fs::path(log).filename().string();
    if (::rename(log.c_str(), to.c_str()) != 0) std::cerr << "labd: " << errno_msg(to) << "\n";
    else ::chmod(to.c_str(), 0600);
  }
}

Status Daemon::run() {
  Status s = setup();
  if (!s) {
    if (lock_ < 0 || sigfd_ < 0) return s;  // nothing of the lab is ours to undo
    lab_event(LabEvent::SetupFailed, s.error().message);
  }
  loop();
  return finish();
}

Status run_daemon(const DaemonOptions& opts) {
  DaemonOptions o = opts;
  if (!o.world.launcher) o.world = real_world();
  Daemon d(std::move(o));
  return d.run();
}

}  // namespace vklab::labd
