// labd: one per lab, started (detached) by `vklab up`. Thin: parse the
// command line, run the daemon, choose the exit code.
//   labd --plan <state>/plan.json [--progress-fd N] [--lock-fd N] [--strict]
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "labd/daemon.h"

int main(int argc, char** argv) {
  vklab::labd::DaemonOptions o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--plan" && (v = value())) o.plan_path = v;
    else if (a == "--progress-fd" && (v = value())) o.progress_fd = std::atoi(v);
    else if (a == "--lock-fd" && (v = value())) o.lock_fd = std::atoi(v);
    else if (a == "--strict") o.strict = true;
    else {
      std::cerr << "usage: labd --plan FILE [--progress-fd N] [--lock-fd N] [--strict]\n";
      return 2;
    }
  }
  if (o.plan_path.empty()) {
    std::cerr << "usage: labd --plan FILE [--progress-fd N] [--lock-fd N] [--strict]\n";
    return 2;
  }
  vklab::Status s = vklab::labd::run_daemon(o);
  if (!s) {
    std::cerr << "labd: " << s.error().message << "\n";
    return 1;
  }
  return 0;
}
