// The lab machine's actions (lab_machine.h): rollback, the stop order
// (dependents first), deadlines, and the signals that ask for them.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "labd/daemon_impl.h"
#include "labd/stop_order.h"

namespace vklab::labd {

void Daemon::lab_event(LabEvent e, const std::string& why) {
  const LabStatus before = lab_;
  LabTransition t = next(lab_, e);
  lab_ = t.status;
  if (lab_.phase != Phase::Down) st_.phase = lab_.phase;
  if (!(lab_ == before)) dirty_ = true;
  switch (t.action) {
    case LabAction::None:
    case LabAction::Teardown:
    case LabAction::ServeChange: break;  // served by the request's handler (guests.cc, apply.cc)
    case LabAction::AnnounceReady:
      save();
      emit({"", "ready", why});
      if (opts_.progress_fd >= 0) ::close(opts_.progress_fd);
      opts_.progress_fd = -1;
      break;
    case LabAction::Rollback:
      failure_ = why;
      st_.error = why;
      emit({"", "failed", plan_.lab + ": " + why});
      start_stop();
      break;
    case LabAction::StopAll:
      emit({"", "", plan_.lab + ": " + why});
      start_stop();
      break;
    case LabAction::KillAll:
      if (stopping(before.phase)) {  // a second, harder request
        for (size_t i = 0; i < st_.guests.size(); ++i) guest_event(i, GuestEvent::Kill);
      } else {
        emit({"", "", plan_.lab + ": " + why});
        start_stop();
      }
      break;
  }
}

// Every guest not launched yet will not be; every other one is stopped
// once its dependents are gone (all at once when forced).
void Daemon::start_stop() {
  const bool failed = lab_.phase == Phase::Failed;
  for (size_t i = 0; i < st_.guests.size(); ++i) {
    GuestRecord& g = st_.guests[i];
    rt_[i].restart_pending = false;  // the lab goes: no guest starts again
    if (g.state == GuestState::Queued) {
      g.state = next(g.state, GuestEvent::Stop).state;  // Failed: never launched
      g.error = g.name + ": not started";
      continue;
    }
    if (!is_terminal(g.state)) {
      rt_[i].term_pending = true;
    } else if (!failed) {
      // Ended before the down (a halt from inside the guest, a crash): say
      // so, or the guest would be missing from down's report.
      emit({g.name, "", g.name + ": had already " +
                            (g.state == GuestState::Halted ? std::string("halted")
                                                           : "ended: " + std::string(state_name(g.state)))});
    }
  }
  stop_ready_guests();
}

// SIGTERM to every guest none of whose dependents still runs (stop_order.h).
void Daemon::stop_ready_guests() {
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> deps;
  for (size_t j = 0; j < st_.guests.size(); ++j) {
    names.push_back(st_.guests[j].name);
    deps.push_back(rt_[j].launch.depends_on);
  }
  auto runs = [this](size_t j) {
    return !is_terminal(st_.guests[j].state) && st_.guests[j].state != GuestState::Queued;
  };
  for (size_t i = 0; i < st_.guests.size(); ++i) {
    if (!rt_[i].term_pending || !may_stop(i, names, deps, runs, lab_.forced)) continue;
    rt_[i].term_pending = false;
    guest_event(i, lab_.forced ? GuestEvent::Kill : GuestEvent::Stop);
  }
}

void Daemon::check_deadlines() {
  const Clock::time_point now = this->now();
  for (size_t i = 0; i < st_.guests.size(); ++i) {
    if (st_.guests[i].state != GuestState::Stopping) continue;
    Runtime& r = rt_[i];
    if (now >= r.deadline) guest_event(i, GuestEvent::Deadline);
  }
}

void Daemon::on_signal() {
  signalfd_siginfo si;
  while (::read(sigfd_, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
    if (si.ssi_signo == SIGCHLD) continue;
    const std::string n = std::to_string(si.ssi_signo);
    lab_event(LabEvent::Signal,
              lab_.phase == Phase::Starting ? "interrupted (signal " + n + ")" : "stopping (signal " + n + ")");
  }
  reap();
}

}  // namespace vklab::labd
