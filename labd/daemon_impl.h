// labd's daemon, as its files share it (not a public header: daemon.h is).
//
//   daemon.cc    setup, teardown, the poll loop and its descriptor set
//   schedule.cc  launches over the records (depends_on, parallelism),
//                readiness, the guest machine's actions, reaping
//   stop.cc      the lab machine's actions: rollback, stop order, deadlines
//   clients.cc   control clients (status, down, console) and the console
//                relay with its replay ring
//   guests.cc    one guest at a time: start, stop, restart requests
//   apply.cc     `vklab up --apply`: a new plan applied to the running lab
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hostnet/host.h"
#include "labd/control.h"
#include "labd/daemon.h"
#include "labd/lab_machine.h"
#include "labd/protocol.h"
#include "labd/state.h"
#include "labd/supervise.h"
#include "labd/world.h"
#include "topology/plan.h"
#include "topology/plan_diff.h"

namespace vklab::labd {

using std::chrono::milliseconds;

/// Per-guest runtime, beside its GuestRecord (same index).
struct Runtime {
  topology::GuestLaunch launch;
  pid_t pid = -1;  ///< our child, until reaped
  int pty = -1;
  int ready = -1;  ///< the bundled guest's readiness pipe (vkernel/ready.h lines)
  LineBuffer ready_buf;
  /// The startup command the guest said it began last (line 0 = none yet),
  /// and when: the readiness timeout names it.
  int running_line = 0;
  std::string running_text;
  Clock::time_point running_since{};
  int log = -1;
  std::string ring;  ///< recent console output, for a console client's replay
  std::vector<int> consoles;
  Clock::time_point launched{}, term_sent{}, deadline{};
  bool term_pending = false;  ///< stop asked, waiting for dependents to go first
  /// `vklab stop|restart` asked for this stop (not down): its own message
  /// and deadline (`stop_timeout`, else the plan's).
  bool stop_asked = false;
  std::optional<milliseconds> stop_timeout;
  /// `vklab restart` (or apply): start again once ended and reaped.
  bool restart_pending = false;
};

struct Client {
  int fd = -1;
  LineBuffer buf;
  enum class Mode { Request, Down, Console, Guests, Apply } mode = Mode::Request;
  size_t guest = 0;
  /// Guests mode: the guests whose outcome the client waits for, and when
  /// it asked.
  std::vector<size_t> watch;
  Clock::time_point asked{};
};

/// A `vklab up --apply` in progress (apply.cc).
struct ApplyJob {
  int fd = -1;  ///< the client's, to find it among clients_
  topology::Plan next;
  topology::PlanDiff diff;
  /// Removed and changed guests: the swap waits until each has ended.
  std::vector<std::string> halting;
  bool swapped = false;  ///< the new plan is the one labd runs
  /// Added and changed guests, launched after the swap: the reply waits
  /// until each has settled.
  std::vector<std::string> started;
  GuestsReply reply;  ///< the removed guests' outcomes, host trouble
  Clock::time_point asked{};
};

class Daemon {
 public:
  explicit Daemon(DaemonOptions o) : opts_(std::move(o)), w_(opts_.world) {}
  Status run();

 private:
  // daemon.cc
  Status setup();
  Status apply_host();
  void loop();
  int poll_timeout();
  Status finish();
  void keep_failed_logs();
  void emit(const Progress& p);
  void save();

  // schedule.cc
  void schedule();
  void check_ready();
  /// "r1: not ready after 30s: startup line 4 still running after 29.9s: …"
  std::string not_ready_text(size_t i) const;
  void guest_event(size_t i, GuestEvent e, const std::string& detail = "");
  void perform(size_t i, GuestAction a);
  void refresh_kernel(size_t i);
  void reap();
  bool all_gone() const;
  /// An Up guest whose kernel runs as a child of the process labd started.
  bool forking(size_t i) const;

  // stop.cc
  /// Feeds the lab machine and performs its action. `why` is the line the
  /// lab's progress says (and the failure, for a rollback).
  void lab_event(LabEvent e, const std::string& why);
  void start_stop();
  void stop_ready_guests();
  void check_deadlines();
  void on_signal();

  // clients.cc
  void on_accept();
  void on_client(size_t ci);
  void handle_request(Client& c, const std::string& line);
  void on_pty(size_t i);
  void on_ready(size_t i);
  void close_pty(size_t i);

  // apply.cc
  void serve_apply(Client& c);
  /// Swaps the plan once the halting guests are gone; answers the client
  /// once the started ones have settled (or the lab goes down).
  void advance_apply();
  void swap_plan();
  /// Host steps on the running lab (its records resumed); st_.created follows.
  Status apply_host_steps(const std::vector<topology::HostStep>& steps);
  /// A guest an apply halts and has not swapped yet: schedule() leaves it queued.
  bool applying(const std::string& guest) const;

  // guests.cc
  void serve_guests(Client& c, const GuestsRequest& r);
  /// An ended, reaped guest back to Queued with a clean record.
  void start_guest(size_t i);
  /// Restarts whose guest has ended and is reaped.
  void start_pending();
  /// Replies to the Guests clients whose every guest has settled.
  void answer_guests_clients();
  /// Up, or ended and reaped, with nothing pending.
  bool settled(size_t i) const;
  /// The index of a guest by name, or nullopt.
  std::optional<size_t> guest_index(const std::string& name) const;
  /// The stop timeout that applies to guest i now.
  milliseconds stop_timeout_of(size_t i) const;

  /// The world's clock (World::now): every deadline and duration.
  Clock::time_point now() const { return w_.now(); }

  DaemonOptions opts_;
  World w_;  ///< everything labd does to the world goes through it (world.h)
  topology::Plan plan_;
  StateDir dir_;
  LabState st_;
  LabStatus lab_;
  std::vector<Runtime> rt_;
  std::vector<Client> clients_;
  std::unique_ptr<hostnet::Host> host_;  ///< from the plan's target (netsetup/open_host.h)
  int sigfd_ = -1, listen_ = -1, lock_ = -1;
  bool dirty_ = false;
  std::optional<milliseconds> stop_timeout_;  ///< down --timeout
  std::string failure_;                       ///< why up failed (Failed phase)
  std::vector<GuestOutcome> outcomes_;
  int strays_ = 0;
  Clock::time_point next_forked_poll_{};
  std::optional<ApplyJob> apply_;
};

}  // namespace vklab::labd
