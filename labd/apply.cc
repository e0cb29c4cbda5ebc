// `vklab up FILE --apply`: the running lab made to match a new plan,
// touching only what changed (the lab machine's ServeChange).
//
// The CLI compiles the edited lab with the running lab's bridge and tap
// names kept (CompileOptions::keep_names) and leaves it at
// StateDir::next_plan_json(); labd diffs it against the plan it runs
// (topology::plan_diff, the same diff `up` printed) and then, in order:
//
//   1. host: the new bridges and taps are created, and join their bridges
//      (new names never collide with the running ones: the compile reserves
//      every name of the running plan). A failure here is undone and
//      nothing else is changed.
//   2. stop: removed and changed guests get the clean halt (SIGTERM, their
//      stop_timeout); untouched guests are never signalled.
//   3. swap, once those are reaped: the taps and bridges no longer planned
//      are destroyed, taps whose bridge changed move, the new plan files
//      are written, the records are rebuilt in the new launch order,
//      plan.json is replaced (atomically, before any new guest is forked:
//      a recovery knows every pidfile) and state.json saved.
//   4. start: added guests are queued, changed ones start again with their
//      new launch; schedule() launches them (depends_on respected). The
//      client's reply lists each touched guest once all have settled.
//
// Only an isolated lab (the default) is applied: in host mode the names
// are the host's, taken at up. Changes plan_diff lists as unsupported (a
// bridge's address or uplink, the host: section, the network mode) are
// refused whole, as is an apply while another change is in flight.
#include <unistd.h>

#include <algorithm>
#include <set>

#include "common/fault.h"
#include "common/text.h"
#include "labd/daemon_impl.h"
#include "labd/launch.h"
#include "labd/links.h"
#include "netsetup/applier.h"
#include "topology/plan_json.h"

namespace vklab::labd {
namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

bool Daemon::applying(const std::string& guest) const {
  return apply_ && !apply_->swapped && contains(apply_->halting, guest);
}

Status Daemon::apply_host_steps(const std::vector<topology::HostStep>& steps) {
  if (steps.empty()) return {};
  if (!host_) return make_error("no host connection");
  netsetup::ApplyOptions ao;
  ao.lab = plan_.lab;
  ao.network = plan_.network;
  ao.resume = st_.created;
  netsetup::Applier applier(*host_, ao);
  Status s = applier.apply(steps);
  st_.created = applier.created();
  dirty_ = true;
  return s;
}

void Daemon::serve_apply(Client& c) {
  auto refuse = [&](const std::string& why) {
    (void)write_all(c.fd, encode(Reply{ErrorReply{plan_.lab + ": " + why}}) + "\n");
    ::close(c.fd);
    c.fd = -1;
  };
  if (next(lab_, LabEvent::Change).action != LabAction::ServeChange)
    return refuse(std::string("apply refused: the lab is ") + phase_name(lab_.phase) + ", not up");
  if (apply_) return refuse("apply refused: another apply is in progress");
  if (!st_.isolated)
    return refuse("apply refused: the lab uses the host's network (network: host), whose names were taken at up; "
                  "vklab down, then up");
  for (const auto& o : clients_)
    if (o.fd >= 0 && o.mode == Client::Mode::Guests)
      return refuse("apply refused: a start, stop or restart is in progress; try again when it has answered");
  for (size_t i = 0; i < rt_.size(); ++i)
    if (!settled(i) && st_.guests[i].state != GuestState::Queued)
      return refuse("apply refused: " + st_.guests[i].name + " is " + state_name(st_.guests[i].state) +
                    "; try again when it is up or halted");

  auto next_plan = topology::read_plan_file(dir_.next_plan_json());
  ::unlink(dir_.next_plan_json().c_str());
  if (!next_plan) return refuse("apply refused: " + next_plan.error().message);
  if (next_plan->lab != plan_.lab || next_plan->state_dir != plan_.state_dir)
    return refuse("apply refused: the new plan is for lab " + next_plan->lab + " in " + next_plan->state_dir);
  ApplyJob job;
  job.diff = topology::plan_diff(plan_, *next_plan);
  if (!job.diff.unsupported.empty())
    return refuse("apply refused: " + join(job.diff.unsupported, "; ") + " (only a down and up can change that)");
  if (job.diff.size() == 0) {
    (void)write_all(c.fd, encode(Reply{GuestsReply{}}) + "\n");
    ::close(c.fd);
    c.fd = -1;
    return;
  }
  job.next = std::move(*next_plan);
  job.fd = c.fd;
  job.asked = now();
  job.halting = job.diff.guests_removed;
  for (const auto& n : job.diff.changed_names()) job.halting.push_back(n);

  // 1. New bridges and taps first: the running guests do not see them.
  if (Status s = apply_host_steps(topology::apply_steps(plan_, job.next).added); !s) {
    save();
    return refuse("apply failed, nothing was changed: host setup: " + s.error().message);
  }
  save();
  fault_point("labd.apply.host");
  c.mode = Client::Mode::Apply;
  emit({"", "", plan_.lab + ": applying " + std::to_string(job.diff.size()) +
                    (job.diff.size() == 1 ? " change" : " changes")});
  apply_ = std::move(job);

  // 2. The clean halt of every removed or changed guest that runs.
  for (const auto& n : apply_->halting) {
    size_t i = *guest_index(n);
    GuestRecord& g = st_.guests[i];
    if (is_terminal(g.state) || g.state == GuestState::Queued || g.state == GuestState::Stopping) continue;
    rt_[i].stop_asked = true;
    rt_[i].stop_timeout.reset();
    guest_event(i, GuestEvent::Stop);
  }
  advance_apply();
}

void Daemon::advance_apply() {
  if (!apply_) return;
  auto answer = [this](const GuestsReply& reply) {
    if (dirty_) save();  // the CLI reads state.json once answered
    for (auto& c : clients_)
      if (c.fd >= 0 && c.fd == apply_->fd && c.mode == Client::Mode::Apply) {
        (void)write_all(c.fd, encode(Reply{reply}) + "\n");
        ::close(c.fd);
        c.fd = -1;
      }
    apply_.reset();
  };
  if (stopping(lab_.phase)) {
    GuestsReply r;
    r.error = plan_.lab + ": the lab is going down; the apply " +
              (apply_->swapped ? "was made, but its guests are being stopped" : "was abandoned");
    return answer(r);
  }
  if (!apply_->swapped) {
    for (const auto& n : apply_->halting) {
      size_t i = *guest_index(n);
      const GuestState s = st_.guests[i].state;
      if (rt_[i].pid > 0 || !(is_terminal(s) || s == GuestState::Queued)) return;  // not gone yet
    }
    swap_plan();
    // The loop has scheduled already: launch the new ones now, and answer
    // now when nothing was started (no event may come to wake the loop).
    schedule();
  }
  std::vector<size_t> watch;
  for (const auto& n : apply_->started)
    if (auto i = guest_index(n)) watch.push_back(*i);
  if (!std::all_of(watch.begin(), watch.end(), [this](size_t i) { return settled(i); })) return;
  GuestsReply reply = apply_->reply;
  for (size_t i : watch)
    reply.guests.push_back({st_.guests[i].name, st_.guests[i].state,
                            std::chrono::duration_cast<milliseconds>(now() - apply_->asked)});
  answer(reply);
}

void Daemon::swap_plan() {
  ApplyJob& job = *apply_;
  topology::Plan& next_plan = job.next;
  const auto changed = job.diff.changed_names();
  auto took = std::chrono::duration_cast<milliseconds>(now() - job.asked);
  std::vector<std::string> errors;

  // The removed guests: their outcome, and nothing of theirs left.
  for (const auto& n : job.diff.guests_removed) {
    size_t i = *guest_index(n);
    GuestState s = st_.guests[i].state;
    job.reply.guests.push_back({n, s == GuestState::Queued ? GuestState::Halted : s, took});
    close_pty(i);
    if (rt_[i].log >= 0) ::close(rt_[i].log);
    rt_[i].log = -1;
    for (int fd : rt_[i].consoles) {
      for (auto& c : clients_)
        if (c.fd == fd) c.fd = -1;
      ::close(fd);
    }
    rt_[i].consoles.clear();
    const auto& l = rt_[i].launch;
    if (Status c = remove_guest_cgroup(l.pidfile()); !c) errors.push_back(c.error().message);
    for (const std::string& f : {l.pidfile(), launch_record_path(l.pidfile()), l.console_log}) ::unlink(f.c_str());
  }

  // Host: links no longer planned go, taps whose bridge changed move.
  const topology::ApplySteps steps = topology::apply_steps(plan_, next_plan);
  std::vector<topology::HostStep> host = steps.removed;
  host.insert(host.end(), steps.moved.begin(), steps.moved.end());
  if (Status s = apply_host_steps(host); !s) errors.push_back("host: " + s.error().message);

  // Files: the new ones and the changed ones (an untouched guest's are the
  // same by definition, and its links file holds `vklab impair` state).
  std::set<std::string> kept_paths;
  for (const auto& f : next_plan.files) {
    kept_paths.insert(f.path);
    auto old = std::find_if(plan_.files.begin(), plan_.files.end(),
                            [&](const topology::PlanFile& o) { return o.path == f.path; });
    if (old != plan_.files.end() && *old == f) continue;
    if (Status s = write_file_atomic(f.path, f.content, f.mode & 0700); !s) errors.push_back(s.error().message);
  }
  for (const auto& f : plan_.files)
    if (!kept_paths.count(f.path)) ::unlink(f.path.c_str());

  // The records, in the new launch order; consoles follow their guest.
  std::vector<std::string> old_names;
  for (const auto& g : st_.guests) old_names.push_back(g.name);
  std::vector<GuestRecord> guests;
  std::vector<Runtime> rts;
  std::vector<LinkRecord> links;
  for (const auto& y : next_plan.guests) {
    auto j = guest_index(y.name);
    const bool fresh = !j || contains(changed, y.name);
    if (j) {
      guests.push_back(std::move(st_.guests[*j]));
      rts.push_back(std::move(rt_[*j]));
    } else {
      GuestRecord r;
      r.name = y.name;
      r.bundled = y.bundled;
      guests.push_back(std::move(r));
      rts.emplace_back();
    }
    rts.back().launch = y;
    if (fresh) {
      job.started.push_back(y.name);
      for (const auto& l : initial_links(next_plan))
        if (l.guest == y.name) links.push_back(l);
    } else {
      for (const auto& l : st_.links)
        if (l.guest == y.name) links.push_back(l);
    }
  }
  for (auto& c : clients_)
    if (c.fd >= 0 && c.mode == Client::Mode::Console) {
      auto it = std::find_if(guests.begin(), guests.end(),
                             [&](const GuestRecord& g) { return g.name == old_names[c.guest]; });
      c.guest = static_cast<size_t>(it - guests.begin());
    }
  st_.guests = std::move(guests);
  rt_ = std::move(rts);
  st_.links = std::move(links);
  plan_ = std::move(next_plan);

  // plan.json before any new guest is forked: a recovery finds every pidfile.
  if (Status w = write_file_atomic(opts_.plan_path, topology::plan_to_json(plan_).dump(1) + "\n"); !w)
    errors.push_back(w.error().message);
  fault_point("labd.apply.plan");
  save();

  job.swapped = true;
  job.reply.error = join(errors, "; ");
  for (const auto& n : job.started) {
    size_t i = *guest_index(n);
    if (contains(changed, n)) {
      start_guest(i);  // fresh record, Queued, with its new launch
    } else {
      st_.guests[i].state = GuestState::Queued;
      emit({n, state_name(GuestState::Queued), n + ": added"});
    }
  }
  dirty_ = true;
}

}  // namespace vklab::labd
