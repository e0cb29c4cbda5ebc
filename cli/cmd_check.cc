// vklab check [LAB] [--checks KEY] [--wait D] [--jobs N] [--json] [--junit FILE]
//
// Runs the lab's `checks:` (from <state>/plan.json), or a key file's,
// inside the guests they name and prints one line per check in file
// order. Exit 0: every check gave what it expected; 1: some did not; 2:
// usage, bad input, or the lab is not up.
#include <fstream>
#include <iostream>

#include "cli/checks.h"
#include "cli/cli.h"
#include "cli/guest.h"
#include "common/text.h"
#include "labd/state.h"
#include "topology/load.h"

namespace vklab::cli {

Runner setup_check(CLI::App& sub) {
  struct Opts {
    std::string lab, wait, timeout, junit, key;
    int jobs = CheckOptions{}.jobs;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("lab", o->lab, kLabArgHelp);
  sub.add_flag("--json", o->json, "machine-readable output (an array, one object per check)");
  sub.add_option("--junit", o->junit, "also write the results as JUnit XML to this file");
  sub.add_option("--checks", o->key, "run this file's `checks:` (a grading key) instead of the lab's");
  sub.add_option("--wait", o->wait,
                 "retry a failing check until it passes or this is spent (default 3s; one try a second); "
                 "a check's own wait: wins");
  sub.add_option("--timeout", o->timeout, "the older name of --wait");
  sub.add_option("--jobs,-j", o->jobs, "checks run at once, at most (default 16; 1: one after the other)");
  return [o] {
    CheckOptions opts;
    for (const std::string* w : {&o->timeout, &o->wait}) {
      if (w->empty()) continue;
      auto d = parse_wait(*w);
      if (!d) {
        std::cerr << "vklab: " << (w == &o->wait ? "--wait " : "--timeout ") << *w
                  << ": not a duration (e.g. 500ms, 3s, 1m)\n";
        return static_cast<int>(kExitUsage);
      }
      opts.wait = *d;
    }
    if (o->jobs < 1) {
      std::cerr << "vklab: --jobs " << o->jobs << ": at least 1\n";
      return static_cast<int>(kExitUsage);
    }
    opts.jobs = o->jobs;
    std::vector<CheckDecl> key;
    if (!o->key.empty()) {
      Diagnostics d;
      auto k = topology::load_checks_file(o->key, d);
      d.sort();
      std::cerr << d.str();
      if (!k || d.has_errors()) return static_cast<int>(kExitUsage);
      key = std::move(*k);
    }
    int exit = kExitOk;
    auto running = open_running_lab(o->lab, exit, kExitUsage);
    if (!running) return exit;
    const std::string& lab = running->name;
    const labd::StateDir& dir = running->dir;
    const labd::LabState* st = &running->state;
    if (st->phase != labd::Phase::Up) {
      std::cerr << "vklab: " << lab << ": " << labd::phase_name(st->phase) << ", not up\n";
      return static_cast<int>(kExitUsage);
    }
    std::vector<CheckDecl> checks;
    if (!o->key.empty()) {
      checks = std::move(key);
    } else {
      auto plan = read_plan_file(dir.plan_json());
      if (!plan) {
        std::cerr << "vklab: " << lab << ": " << dir.plan_json() << ": missing or unreadable\n";
        return static_cast<int>(kExitFailure);
      }
      checks = plan->checks;
    }
    if (checks.empty() && !o->json) std::cout << lab << ": no checks\n";
    for (const auto& c : checks) {
      GuestEntry g = enter_guest(*st, c.from.value, "check");
      if (g.problem == GuestEntry::Problem::NotSupported) {
        std::cerr << "vklab: " << g.message << "\n";
        return static_cast<int>(kExitFailure);
      }
    }
    auto prober = make_guest_prober(*st);
    auto results = run_checks(checks, *prober, opts);
    if (!o->junit.empty()) {
      std::ofstream f(o->junit, std::ios::trunc);
      Suite s{lab, results, std::nullopt, {}};
      for (const auto& r : results) s.elapsed = std::max(s.elapsed, r.elapsed);
      write_junit(f, {s});
      if (!f.flush()) {
        std::cerr << "vklab: " << o->junit << ": cannot write\n";
        return static_cast<int>(kExitUsage);
      }
    }
    if (o->json) std::cout << checks_json(results).dump(2) << "\n";
    else if (!checks.empty()) print_check_table(std::cout, results);
    for (const auto& r : results)
      if (!r.ok()) return static_cast<int>(kExitFailure);
    return static_cast<int>(kExitOk);
  };
}

}  // namespace vklab::cli
