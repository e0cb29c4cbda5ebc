#include "labd/recover.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "labd/launch.h"
#include "labd/netns.h"
#include "labd/stop_order.h"
#include "netsetup/applier.h"
#include "netsetup/open_host.h"
#include "topology/plan_json.h"

namespace vklab::labd {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// What recovery takes from the plan: each guest's stop_timeout, pidfile and depends_on.
struct PlanGuest {
  milliseconds stop_timeout{topology::kDefaultStopTimeout};
  std::string pidfile;
  std::vector<std::string> depends_on;
};

std::map<std::string, PlanGuest> plan_guests(const std::optional<topology::Plan>& plan) {
  std::map<std::string, PlanGuest> out;
  if (!plan) return out;
  for (const auto& g : plan->guests) out[g.name] = {g.stop_timeout, g.pidfile(), g.depends_on};
  return out;
}

std::optional<topology::Plan> read_plan(const StateDir& dir) {
  auto plan = topology::read_plan_file(dir.plan_json());
  if (!plan) return std::nullopt;
  return std::move(*plan);
}

/// A live guest being stopped by recovery.
struct Stopping {
  const GuestRecord* rec = nullptr;
  GuestState state = GuestState::Up;  ///< it runs: the guest machine takes it from there
  milliseconds timeout{topology::kDefaultStopTimeout};
  std::vector<std::string> depends_on;
  Clock::time_point term_sent{}, deadline{};
  bool told = false;  ///< its outcome is in the reply
};

// The process that answers SIGTERM: the pidfile's kernel, else the forked one.
const ProcId& target(const GuestRecord& g) { return alive(g.kernel) ? g.kernel : g.proc; }

bool any_alive(const GuestRecord& g) { return alive(g.kernel) || alive(g.proc); }

}  // namespace

Result<DownReply> recover_down(const StateDir& dir, const LabState& st, const RecoverOptions& opts,
                               const LabLock& held) {
  (void)held;
  auto sink = [&](const Progress& p) {
    if (opts.sink) opts.sink(p);
  };
  const auto plan = read_plan(dir);
  auto planned = plan_guests(plan);
  // The records as they are now: a forking kernel may have replaced its
  // child (a guest reboot) since labd last wrote them.
  std::vector<GuestRecord> guests = st.guests;
  for (auto& g : guests) {
    if (!planned.count(g.name)) continue;
    const std::string& pidfile = planned[g.name].pidfile;
    // L1: forked, but labd died before it recorded the pid.
    if (!alive(g.proc))
      if (auto r = read_launch_record(launch_record_path(pidfile)); r && alive(*r)) g.proc = *r;
    if (alive(g.proc))
      if (auto k = kernel_child(pidfile, g.proc.pid)) g.kernel = *k;
  }
  // The stop sequence labd uses (stop_order.h), each guest on the guest
  // machine: dependents first, each with its own deadline from its SIGTERM.
  DownReply reply;
  std::vector<Stopping> live;
  for (auto& g : guests) {
    if (!any_alive(g)) continue;
    Stopping s;
    s.rec = &g;
    s.timeout = opts.timeout.value_or(planned.count(g.name) ? planned[g.name].stop_timeout
                                                            : milliseconds(topology::kDefaultStopTimeout));
    if (planned.count(g.name)) s.depends_on = planned[g.name].depends_on;
    live.push_back(std::move(s));
  }
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> deps;
  for (const auto& s : live) {
    names.push_back(s.rec->name);
    deps.push_back(s.depends_on);
  }
  auto runs = [&live](size_t j) { return !is_terminal(live[j].state); };
  auto perform = [](Stopping& s, GuestAction a, Clock::time_point now) {
    if (a == GuestAction::SendTerm) {
      s.term_sent = now;
      s.deadline = now + s.timeout;
      signal_if_same(target(*s.rec), SIGTERM);
    } else if (a == GuestAction::SendKill) {
      if (s.term_sent == Clock::time_point{}) s.term_sent = now;
      signal_if_same(s.rec->kernel, SIGKILL);
      signal_if_same(s.rec->proc, SIGKILL);
    }
  };
  for (;;) {
    bool pending = false;
    const auto now = Clock::now();
    for (size_t i = 0; i < live.size(); ++i) {
      Stopping& s = live[i];
      if (s.state == GuestState::Up && may_stop(i, names, deps, runs, opts.force)) {
        Transition t = next(s.state, opts.force ? GuestEvent::Kill : GuestEvent::Stop);
        s.state = t.state;
        perform(s, t.action, now);
      }
      if (s.state == GuestState::Stopping) {
        // Not our child: its exit status is unknown, its end counts as clean.
        std::optional<GuestEvent> e;
        if (!any_alive(*s.rec)) e = GuestEvent::Exited;
        else if (now >= s.deadline) e = GuestEvent::Deadline;
        if (e) {
          Transition t = next(s.state, *e);
          s.state = t.state;
          perform(s, t.action, now);
        }
      }
      if (!is_terminal(s.state)) {
        pending = true;
        continue;
      }
      if (s.told) continue;
      s.told = true;
      GuestOutcome o{s.rec->name, s.state, std::chrono::duration_cast<milliseconds>(now - s.term_sent)};
      reply.guests.push_back(o);
      sink({o.guest, state_name(o.state), describe(o, opts.force ? milliseconds(0) : s.timeout)});
    }
    if (!pending) break;
    std::this_thread::sleep_for(milliseconds(10));
  }
  // Killed processes may take a moment to leave: wait (bounded) so that
  // nothing of the lab is left when we return.
  for (int i = 0; i < 200; ++i) {
    bool any = false;
    for (const auto& s : live) any = any || any_alive(*s.rec);
    if (!any) break;
    std::this_thread::sleep_for(milliseconds(10));
  }

  std::string err;
  auto add = [&err](const std::string& m) { err += (err.empty() ? "" : "; ") + m; };
  std::vector<pid_t> left;
  auto strays = kill_netns_members(dir.netns(), 2000, left);
  if (!strays.empty())
    sink({"", "", strays_text(st.lab, strays)});
  reply.strays = static_cast<int>(strays.size());
  bool survivors = !left.empty();
  for (const auto& s : live)
    if (any_alive(*s.rec)) {
      survivors = true;
      add(s.rec->name + ": still running (pid " + std::to_string(target(*s.rec).pid) + ")");
    }
  if (!left.empty()) add(std::to_string(left.size()) + " process(es) in the lab's namespace would not die");
  for (const auto& [name, g] : planned)
    if (Status c = remove_guest_cgroup(g.pidfile); !c) add(c.error().message);
  if (!st.isolated && !st.created.empty()) {
    auto host = netsetup::open_host(plan ? plan->target : topology::Target::Linux);
    if (!host) err = "netsetup: " + host.error().message;
    else if (Status s = netsetup::teardown(**host, st.created, {st.lab}); !s) err = s.error().message;
  }
  if (survivors) {
    // Something of the lab survives: keep the state, so another down can see it.
    reply.error = err;
    return reply;
  }
  if (Status s = drop_netns(dir.netns()); !s) add(s.error().message);
  std::error_code ec;
  std::filesystem::remove_all(dir.dir, ec);
  if (ec) add(dir.dir + ": " + ec.message());
  reply.error = err;
  return reply;
}

}  // namespace vklab::labd
