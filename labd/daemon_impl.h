// labd's daemon, as its files share it (not a public header: daemon.h is).
//
//   daemon.cc    setup, teardown, the poll loop and its descriptor set
//   schedule.cc  launches over the records (depends_on, parallelism),
//                readiness, the guest machine's actions, reaping
//   stop.cc      the lab machine's actions: rollback, stop order, deadlines
//   clients.cc   control clients (status, down, console) and the console
//                relay with its replay ring
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
#include "topology/plan.h"

namespace vklab::labd {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// Per-guest runtime, beside its GuestRecord (same index).
struct Runtime {
  topology::GuestLaunch launch;
  pid_t pid = -1;  ///< our child, until reaped
  int pty = -1;
  int ready = -1;  ///< the bundled guest's readiness pipe
  int log = -1;
  std::string ring;  ///< recent console output, for a console client's replay
  std::vector<int> consoles;
  Clock::time_point launched{}, term_sent{}, deadline{};
  bool term_pending = false;  ///< stop asked, waiting for dependents to go first
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
  // daemon.cc
  Status setup();
  Status apply_host();
  void loop();
  int poll_timeout();
  Status finish();
  void emit(const Progress& p);
  void save();

  // schedule.cc
  void schedule();
  void check_ready();
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

  DaemonOptions opts_;
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
};

}  // namespace vklab::labd
