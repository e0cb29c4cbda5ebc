// vklab check [LAB] [--json] [--timeout D]
//
// Runs the lab's `checks:` (from <state>/plan.json) inside the guests they
// name and prints one line per check in file order. Exit 0: every check
// gave what it expected; 1: some did not; 2: usage, or no such lab.
#include <iostream>

#include "cli/checks.h"
#include "cli/cli.h"
#include "cli/guest.h"
#include "common/text.h"
#include "labd/state.h"

namespace vklab::cli {

Runner setup_check(CLI::App& sub) {
  struct Opts {
    std::string lab, timeout;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("lab", o->lab, kLabArgHelp);
  sub.add_flag("--json", o->json, "machine-readable output (an array, one object per check)");
  sub.add_option("--timeout", o->timeout,
                 "the longest one check may take (default 3s; a reachable target gets one try a second)");
  return [o] {
    CheckOptions opts;
    if (!o->timeout.empty()) {
      auto d = parse_duration(o->timeout);
      if (!d || d->count() <= 0) {
        std::cerr << "vklab: --timeout " << o->timeout << ": not a duration (e.g. 500ms, 3s, 1m)\n";
        return static_cast<int>(kExitUsage);
      }
      opts.timeout = *d;
    }
    int exit = kExitOk;
    auto running = open_running_lab(o->lab, exit, kExitUsage);
    if (!running) return exit;
    const std::string& lab = running->name;
    const labd::StateDir& dir = running->dir;
    const labd::LabState* st = &running->state;
    auto plan = read_plan_file(dir.plan_json());
    if (!plan) {
      std::cerr << "vklab: " << lab << ": " << dir.plan_json() << ": missing or unreadable\n";
      return static_cast<int>(kExitFailure);
    }
    if (plan->checks.empty()) {
      if (o->json) std::cout << "[]\n";
      else std::cout << lab << ": no checks\n";
      return static_cast<int>(kExitOk);
    }
    bool unsupported = false;
    for (const auto& c : plan->checks) {
      GuestEntry g = enter_guest(*st, c.from.value, "check");
      if (g.problem == GuestEntry::Problem::NotSupported) {
        std::cerr << "vklab: " << g.message << "\n";
        unsupported = true;
        break;
      }
    }
    if (unsupported) return static_cast<int>(kExitFailure);
    if (st->phase != labd::Phase::Up)
      std::cerr << "vklab: " << lab << ": " << labd::phase_name(st->phase) << ", not up; checking anyway\n";
    auto prober = make_guest_prober(*st);
    auto results = run_checks(plan->checks, *prober, opts);
    if (o->json) std::cout << checks_json(results).dump(2) << "\n";
    else print_check_table(std::cout, results);
    for (const auto& r : results)
      if (!r.ok()) return static_cast<int>(kExitFailure);
    return static_cast<int>(kExitOk);
  };
}

}  // namespace vklab::cli
