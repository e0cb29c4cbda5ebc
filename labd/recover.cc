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
#include "netsetup/applier.h"
#include "netsetup/open_host.h"
#include "topology/plan_json.h"

namespace vklab::labd {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// What recovery takes from the plan: each guest's stop_timeout and pidfile.
struct PlanGuest {
  milliseconds stop_timeout{topology::kDefaultStopTimeout};
  std::string pidfile;
};

std::map<std::string, PlanGuest> plan_guests(const std::optional<topology::Plan>& plan) {
  std::map<std::string, PlanGuest> out;
  if (!plan) return out;
  for (const auto& g : plan->guests) out[g.name] = {g.stop_timeout, g.pidfile()};
  return out;
}

std::optional<topology::Plan> read_plan(const StateDir& dir) {
  auto plan = topology::read_plan_file(dir.plan_json());
  if (!plan) return std::nullopt;
  return std::move(*plan);
}

struct Stopping {
  const GuestRecord* rec;
  Clock::time_point deadline;
  bool done = false;
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
  DownReply reply;
  std::vector<Stopping> live;
  auto t0 = Clock::now();
  for (const auto& g : guests) {
    if (!any_alive(g)) continue;
    milliseconds to = opts.timeout.value_or(
        planned.count(g.name) ? planned[g.name].stop_timeout : milliseconds(topology::kDefaultStopTimeout));
    if (opts.force) {
      signal_if_same(g.kernel, SIGKILL);
      signal_if_same(g.proc, SIGKILL);
    } else {
      signal_if_same(target(g), SIGTERM);
    }
    live.push_back({&g, t0 + to});
  }
  for (;;) {
    bool pending = false;
    auto now = Clock::now();
    for (auto& s : live) {
      if (s.done) continue;
      auto took = std::chrono::duration_cast<milliseconds>(now - t0);
      if (!any_alive(*s.rec)) {
        s.done = true;
        GuestOutcome o{s.rec->name, opts.force ? GuestState::Forced : GuestState::Halted, took};
        reply.guests.push_back(o);
        sink({o.guest, state_name(o.state), describe(o, opts.force ? milliseconds(0) : std::chrono::duration_cast<milliseconds>(s.deadline - t0))});
      } else if (now >= s.deadline) {
        signal_if_same(s.rec->kernel, SIGKILL);
        signal_if_same(s.rec->proc, SIGKILL);
        s.done = true;
        GuestOutcome o{s.rec->name, GuestState::Forced, took};
        reply.guests.push_back(o);
        sink({o.guest, state_name(o.state), describe(o, std::chrono::duration_cast<milliseconds>(s.deadline - t0))});
      } else {
        pending = true;
      }
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
