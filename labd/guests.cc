// One guest at a time: `vklab start|stop|restart GUEST…` served while the
// lab is Up (the lab machine's ServeChange).
//
// stop    = the guest machine's Stop: SIGTERM, SIGKILL at its deadline
//           (the request's timeout, else the guest's stop_timeout).
// start   = Start on an ended, reaped guest: back to Queued with a clean
//           record; schedule() launches it with the same argv over the same
//           taps (host setup is not redone) once its dependencies are Up.
//           The writable layer is a tmpfs of the vkernel process: a new
//           process gets a fresh one.
// restart = stop, then start once it is reaped (start_pending()).
//
// Dependencies: a start refuses a guest whose dependency is neither Up nor
// started by the same request. A stop leaves dependents running (a router
// stopped to show a failover must not take its hosts with it); it says so.
#include <unistd.h>

#include <algorithm>

#include "common/text.h"
#include "labd/daemon_impl.h"
#include "labd/launch.h"

namespace vklab::labd {

std::optional<size_t> Daemon::guest_index(const std::string& name) const {
  for (size_t i = 0; i < st_.guests.size(); ++i)
    if (st_.guests[i].name == name) return i;
  return std::nullopt;
}

milliseconds Daemon::stop_timeout_of(size_t i) const {
  return stop_timeout_.value_or(rt_[i].stop_timeout.value_or(rt_[i].launch.stop_timeout));
}

bool Daemon::settled(size_t i) const {
  if (rt_[i].restart_pending) return false;
  const GuestState s = st_.guests[i].state;
  return s == GuestState::Up || (is_terminal(s) && rt_[i].pid <= 0);
}

void Daemon::start_guest(size_t i) {
  GuestRecord& g = st_.guests[i];
  Runtime& r = rt_[i];
  // The record starts over: nothing of the last run may be taken for this
  // one (recovery reads proc/kernel; status reads exit/error).
  GuestRecord fresh;
  fresh.name = g.name;
  fresh.bundled = g.bundled;
  fresh.state = next(g.state, GuestEvent::Start).state;  // Queued
  g = fresh;
  close_pty(i);
  if (r.log >= 0) ::close(r.log);
  r.log = -1;
  r.term_sent = r.deadline = Clock::time_point{};
  r.stop_asked = false;
  r.stop_timeout.reset();
  ::unlink(r.launch.pidfile().c_str());
  ::unlink(launch_record_path(r.launch.pidfile()).c_str());
  dirty_ = true;
  emit({g.name, state_name(g.state), g.name + ": starting again"});
}

void Daemon::start_pending() {
  if (lab_.phase != Phase::Up) return;
  for (size_t i = 0; i < rt_.size(); ++i)
    if (rt_[i].restart_pending && is_terminal(st_.guests[i].state) && rt_[i].pid <= 0) {
      rt_[i].restart_pending = false;
      start_guest(i);
    }
}

void Daemon::serve_guests(Client& c, const GuestsRequest& req) {
  using Op = GuestsRequest::Op;
  auto refuse = [&](const std::string& why) {
    (void)write_all(c.fd, encode(Reply{ErrorReply{why}}) + "\n");
    ::close(c.fd);
    c.fd = -1;
  };
  if (next(lab_, LabEvent::Change).action != LabAction::ServeChange)
    return refuse(plan_.lab + ": " + guests_op_name(req.op) + " refused: the lab is " + phase_name(lab_.phase) +
                  ", not up");
  if (apply_)
    return refuse(plan_.lab + ": " + guests_op_name(req.op) + " refused: an apply (vklab up --apply) is in progress");
  std::vector<std::string> names;
  for (const auto& g : st_.guests) names.push_back(g.name);
  std::vector<size_t> idx;
  for (const auto& n : req.guests) {
    auto i = guest_index(n);
    if (!i) return refuse(n + ": no such guest in " + plan_.lab + did_you_mean_suffix(n, names));
    if (std::find(idx.begin(), idx.end(), *i) == idx.end()) idx.push_back(*i);
  }
  auto asked = [&](const std::string& n) {
    return std::any_of(idx.begin(), idx.end(), [&](size_t i) { return st_.guests[i].name == n; });
  };
  if (req.op != Op::Stop)
    for (size_t i : idx)
      for (const auto& d : rt_[i].launch.depends_on) {
        const GuestRecord* dep = st_.find(d);
        if (dep && dep->state != GuestState::Up && !asked(d))
          return refuse(st_.guests[i].name + ": depends on " + d + ", which is " + state_name(dep->state) +
                        "; start it first, or both at once (vklab start " + d + " " + st_.guests[i].name + ")");
      }
  // The client hears every line about its guests from here on.
  c.mode = Client::Mode::Guests;
  c.watch = idx;
  c.asked = now();
  for (size_t i : idx) {
    GuestRecord& g = st_.guests[i];
    Runtime& r = rt_[i];
    const bool running = !is_terminal(g.state) && g.state != GuestState::Queued;
    if (req.op == Op::Start) {
      if (is_terminal(g.state) && r.pid <= 0) start_guest(i);
      // Ending (or not reaped yet): started again as soon as it is gone.
      else if (is_terminal(g.state) || g.state == GuestState::Stopping) r.restart_pending = true;
      continue;
    }
    if (running) {
      if (req.op == Op::Restart) r.restart_pending = true;
      if (g.state == GuestState::Stopping) continue;  // already on its way
      r.stop_asked = true;
      r.stop_timeout = req.timeout;
      for (size_t j = 0; j < st_.guests.size(); ++j)
        if (std::count(rt_[j].launch.depends_on.begin(), rt_[j].launch.depends_on.end(), g.name) &&
            !is_terminal(st_.guests[j].state) && !asked(st_.guests[j].name))
          emit({g.name, "", g.name + ": " + st_.guests[j].name + " depends on it and keeps running"});
      guest_event(i, GuestEvent::Stop);
    } else if (req.op == Op::Restart) {
      if (g.state == GuestState::Queued) continue;
      if (r.pid <= 0) start_guest(i);
      else r.restart_pending = true;
    }
  }
  answer_guests_clients();
}

void Daemon::answer_guests_clients() {
  for (auto& c : clients_) {
    if (c.fd < 0 || c.mode != Client::Mode::Guests) continue;
    // Queued guests wait for dependencies, which only a down would end.
    if (!std::all_of(c.watch.begin(), c.watch.end(), [this](size_t i) { return settled(i); })) continue;
    if (dirty_) save();  // a status right after the reply sees what it says
    GuestsReply reply;
    for (size_t i : c.watch) {
      auto took = std::chrono::duration_cast<milliseconds>(now() - c.asked);
      reply.guests.push_back({st_.guests[i].name, st_.guests[i].state, took});
    }
    (void)write_all(c.fd, encode(Reply{reply}) + "\n");
    ::close(c.fd);
    c.fd = -1;
  }
}

}  // namespace vklab::labd
