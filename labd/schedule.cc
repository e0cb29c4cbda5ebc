// Scheduling over the records: launches (depends_on first, bounded
// parallelism), readiness, the guest machine's transitions and actions,
// reaping.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iostream>

#include "common/fault.h"
#include "common/text.h"
#include "labd/daemon_impl.h"
#include "labd/launch.h"

namespace vklab::labd {
namespace {

std::string wait_text(int st) {
  if (WIFEXITED(st)) return "exit " + std::to_string(WEXITSTATUS(st));
  if (WIFSIGNALED(st)) return "signal " + std::to_string(WTERMSIG(st));
  return "status " + std::to_string(st);
}

}  // namespace

bool Daemon::all_gone() const {
  for (size_t i = 0; i < rt_.size(); ++i)
    if (rt_[i].pid > 0 || !(is_terminal(st_.guests[i].state) || st_.guests[i].state == GuestState::Queued))
      return false;
  return true;
}

bool Daemon::forking(size_t i) const {
  return st_.guests[i].state == GuestState::Up && rt_[i].pid > 0 && st_.guests[i].kernel.valid() &&
         st_.guests[i].kernel.pid != rt_[i].pid;
}

void Daemon::schedule() {
  // Up: guests queued again by `vklab start|restart` (guests.cc).
  if (lab_.phase != Phase::Starting && lab_.phase != Phase::Up) return;
  size_t starting = 0;
  for (const auto& g : st_.guests)
    if (g.state == GuestState::Starting) ++starting;
  std::vector<size_t> batch;  // launched now: dependencies Up, within the parallel slots
  for (size_t i = 0; i < st_.guests.size() && starting + batch.size() < opts_.parallel; ++i) {
    const GuestRecord& g = st_.guests[i];
    if (g.state != GuestState::Queued || applying(g.name)) continue;
    bool deps_up = true;
    for (const auto& d : rt_[i].launch.depends_on) {
      const GuestRecord* dep = st_.find(d);
      deps_up = deps_up && dep && dep->state == GuestState::Up;
    }
    if (deps_up) batch.push_back(i);
  }
  if (batch.empty()) return;
  // L1: the launches are recorded before the forks (started_ms), each child
  // names itself in its launch record before it execs, and the pids are
  // recorded after: a labd killed anywhere in between leaves nothing a
  // recovery cannot find. One state.json write per batch, not two per
  // guest: with 100 guests those writes of the whole state made the up's
  // launch phase twice as long.
  for (size_t i : batch) {
    GuestRecord& g = st_.guests[i];
    Runtime& r = rt_[i];
    g.started_ms = now_ms();
    g.startup_errors.clear();
    r.running_line = 0;
    r.ready_buf = LineBuffer{};
    g.state = next(g.state, GuestEvent::Launch).state;  // Starting
  }
  save();
  for (size_t i : batch) {
    GuestRecord& g = st_.guests[i];
    Runtime& r = rt_[i];
    r.launched = now();
    r.log = ::open(r.launch.console_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    auto l = w_.launcher->launch(r.launch.cmdline.argv(), r.launch.bundled, launch_record_path(r.launch.pidfile()));
    if (!l) {
      guest_event(i, GuestEvent::LaunchFailed, g.name + ": " + l.error().message);
      continue;
    }
    fault_point("labd.forked");
    r.pid = l->pid;
    r.pty = l->pty_master;
    r.ready = l->ready;
    g.proc = proc_id(r.pid).value_or(ProcId{r.pid, 0});
    emit({g.name, state_name(g.state), g.name + ": starting (pid " + std::to_string(r.pid) + ")"});
  }
  save();
}

void Daemon::check_ready() {
  const Clock::time_point now = this->now();
  for (size_t i = 0; i < st_.guests.size(); ++i) {
    GuestRecord& g = st_.guests[i];
    if (g.state != GuestState::Starting || rt_[i].pid <= 0) continue;
    const milliseconds timeout = rt_[i].launch.ready_timeout;
    if (rt_[i].ready >= 0) {  // the bundled guest tells us; its pidfile is its own pid
      if (now - rt_[i].launched > timeout) guest_event(i, GuestEvent::ReadyTimeout, not_ready_text(i));
      continue;
    }
    if (auto pid = pidfile_ready(rt_[i].launch.pidfile())) {
      if (auto id = proc_id(*pid)) {
        g.kernel = *id;
        guest_event(i, GuestEvent::Ready);
        continue;
      }
    }
    if (now - rt_[i].launched > timeout) guest_event(i, GuestEvent::ReadyTimeout, not_ready_text(i));
  }
}

std::string Daemon::not_ready_text(size_t i) const {
  const Runtime& r = rt_[i];
  std::string s = st_.guests[i].name + ": not ready after " + format_duration(r.launch.ready_timeout);
  if (r.running_line <= 0) return s;
  auto ran = std::chrono::duration_cast<milliseconds>(now() - r.running_since);
  std::string place = topology::script_place(r.launch.startup_sources, r.running_line);
  return s + ": startup line " + std::to_string(r.running_line) + (place.empty() ? "" : " (" + place + ")") +
         " still running after " + format_duration(ran) +
         ": " + r.running_text + " (a server left in the foreground never ends: end its line with ' &', "
         "or raise ready_timeout)";
}

// A forking kernel replaces its child on a guest reboot: signal the one the
// pidfile names now (kernel_child).
void Daemon::refresh_kernel(size_t i) {
  GuestRecord& g = st_.guests[i];
  auto k = kernel_child(rt_[i].launch.pidfile(), rt_[i].pid);
  if (!k || *k == g.kernel) return;
  g.kernel = *k;
  dirty_ = true;
}

void Daemon::perform(size_t i, GuestAction a) {
  GuestRecord& g = st_.guests[i];
  Runtime& r = rt_[i];
  if (a == GuestAction::SendTerm || a == GuestAction::SendKill) refresh_kernel(i);
  if (a == GuestAction::SendTerm) {
    r.term_sent = now();
    r.deadline = r.term_sent + stop_timeout_of(i);
    if (!g.kernel.valid() || !signal_if_same(g.kernel, SIGTERM))
      if (r.pid > 0) ::kill(r.pid, SIGTERM);
  } else if (a == GuestAction::SendKill) {
    if (r.term_sent == Clock::time_point{}) r.term_sent = now();
    signal_if_same(g.kernel, SIGKILL);
    if (r.pid > 0) ::kill(r.pid, SIGKILL);  // our unreaped child: its pid cannot be reused
  }
}

void Daemon::guest_event(size_t i, GuestEvent e, const std::string& detail) {
  GuestRecord& g = st_.guests[i];
  Runtime& r = rt_[i];
  GuestState before = g.state;
  Transition t = next(g.state, e);
  g.state = t.state;
  perform(i, t.action);
  if (t.state == before) return;
  dirty_ = true;
  auto took = std::chrono::duration_cast<milliseconds>(now() - r.term_sent);
  std::string text = detail;
  if (t.state == GuestState::Up) {
    g.ready_ms = now_ms();
    auto ms = std::chrono::duration_cast<milliseconds>(now() - r.launched).count();
    text = g.name + ": up in " + std::to_string(ms) + " ms (pid " + std::to_string(g.kernel.pid) + ")";
    if (size_t n = g.startup_errors.size(); n > 0)
      text += ", " + std::to_string(n) + " startup error" + (n == 1 ? "" : "s");
  } else if (t.state == GuestState::Failed) {
    g.stopped_ms = now_ms();
    g.error = detail.empty() ? g.name + ": " + event_name(e) : detail;
    text = g.error;
    if (before != GuestState::Queued) lab_event(LabEvent::GuestFailed, g.error);
  } else if (t.state == GuestState::Stopping) {
    text = g.name + ": stopping (SIGTERM)";
  } else if (t.state == GuestState::Halted || t.state == GuestState::Forced) {
    g.stopped_ms = now_ms();
    if (stopping(lab_.phase) || r.stop_asked)
      text = describe({g.name, t.state, took}, lab_.forced ? milliseconds(0) : stop_timeout_of(i));
    else
      text = g.name + ": " + (t.state == GuestState::Halted ? "halted on its own" : "killed");
  }
  if (stopping(lab_.phase) && is_terminal(t.state)) outcomes_.push_back({g.name, t.state, took});
  emit({g.name, state_name(t.state), text});
  if (t.state == GuestState::Up) {
    bool all_up = true;
    for (const auto& x : st_.guests) all_up = all_up && x.state == GuestState::Up;
    if (all_up) lab_event(LabEvent::AllUp, plan_.lab + ": every guest is up");
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
      if (Status c = remove_guest_cgroup(rt_[i].launch.pidfile()); !c) std::cerr << "labd: " << c.error().message << "\n";
      std::string why = g.state == GuestState::Starting ? "exited before it was ready" : "crashed";
      guest_event(i, clean ? GuestEvent::Exited : GuestEvent::Crashed, g.name + ": " + why + " (" + g.exit + ")");
      if (stopping(lab_.phase)) stop_ready_guests();
    }
  }
}

}  // namespace vklab::labd
