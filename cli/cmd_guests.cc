// vklab start|stop|restart [--lab LAB] [--timeout D] GUEST…
//
// One guest at a time, through labd (labd/guests.cc): stop = the clean
// halt with the guest's stop_timeout (SIGKILL after it); start = boot an
// ended guest again over the same interfaces, with a fresh writable layer
// (`vklab save` first keeps its files); restart = both. Exit 0: every guest
// reached the state asked for; 3: a stop had to kill; 1: a guest failed
// (or labd refused: lab not up, a dependency not up).
#include <chrono>
#include <iostream>

#include "cli/cli.h"
#include "cli/link_target.h"
#include "common/text.h"
#include "labd/control.h"
#include "labd/protocol.h"

namespace vklab::cli {

Result<labd::GuestsReply> send_guests_request(const RunningLab& lab, const labd::Request& req) {
  if (!labd::alive(lab.state.labd))
    return make_error(lab.name + ": labd is gone, so guests cannot be started or stopped; `vklab down " + lab.name +
                      "` cleans up");
  auto c = labd::ControlClient::connect(lab.dir.control());
  if (!c) return c.error();
  if (Status s = c->send(req); !s) return s.error();
  for (;;) {
    // Bounded by the guests' own deadlines (stop_timeout, ready timeout):
    // labd answers once each has settled.
    auto r = c->receive(std::chrono::hours(1));
    if (!r) return r.error();
    if (auto* p = std::get_if<labd::Progress>(&*r)) std::cout << p->text << "\n" << std::flush;
    else if (auto* g = std::get_if<labd::GuestsReply>(&*r)) return *g;
    else if (auto* e = std::get_if<labd::ErrorReply>(&*r)) return make_error(e->error);
  }
}

namespace {

using Op = labd::GuestsRequest::Op;

int run(Op op, const std::string& lab, const std::vector<std::string>& guests, const std::string& timeout) {
  labd::GuestsRequest req;
  req.op = op;
  if (!timeout.empty()) {
    auto d = parse_duration(timeout);
    if (!d) {
      std::cerr << "vklab: --timeout " << timeout << ": not a duration (e.g. 500ms, 10s, 2m)\n";
      return static_cast<int>(kExitUsage);
    }
    req.timeout = *d;
  }
  int exit = kExitOk;
  auto up = open_up_lab(lab, exit);
  if (!up) return exit;
  std::vector<std::string> names;
  for (const auto& g : up->plan.guests) names.push_back(g.name);
  for (const auto& g : guests) {
    if (!up->plan.find_guest(g)) {
      std::cerr << "vklab: " << g << ": no such guest in " << up->lab.name << did_you_mean_suffix(g, names) << "\n";
      return static_cast<int>(kExitUsage);
    }
    req.guests.push_back(g);
  }
  auto reply = send_guests_request(up->lab, req);
  if (!reply) {
    std::cerr << "vklab: " << reply.error().message << "\n";
    return static_cast<int>(kExitFailure);
  }
  const labd::GuestState want = op == Op::Stop ? labd::GuestState::Halted : labd::GuestState::Up;
  int rc = kExitOk;
  for (const auto& o : reply->guests) {
    if (o.state == want) continue;
    if (op == Op::Stop && o.state == labd::GuestState::Forced) {
      if (rc == kExitOk) rc = kExitForced;
      continue;
    }
    std::cerr << "vklab: " << o.guest << ": " << labd::state_name(o.state) << " (see `vklab status "
              << up->lab.name << "`)\n";
    rc = kExitFailure;
  }
  if (!reply->error.empty()) {
    std::cerr << "vklab: " << reply->error << "\n";
    rc = kExitFailure;
  }
  return rc;
}

Runner setup(CLI::App& sub, Op op) {
  struct Opts {
    std::string lab, timeout;
    std::vector<std::string> guests;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("--lab", o->lab, "lab name (default: ./lab.yaml's, or the only one running)");
  if (op != Op::Start)
    sub.add_option("--timeout", o->timeout, "wait this long for each guest to halt (overrides stop_timeout), e.g. 10s");
  sub.add_option("guests", o->guests, "the guests")->required();
  return [o, op] { return run(op, o->lab, o->guests, o->timeout); };
}

}  // namespace

Runner setup_start(CLI::App& sub) { return setup(sub, Op::Start); }
Runner setup_stop(CLI::App& sub) { return setup(sub, Op::Stop); }
Runner setup_restart(CLI::App& sub) { return setup(sub, Op::Restart); }

}  // namespace vklab::cli
