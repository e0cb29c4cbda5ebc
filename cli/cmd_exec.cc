// vklab exec [--lab LAB] GUEST -- CMD…   run CMD inside a Linux guest
// vklab exec [--lab LAB] --host -- CMD…  run CMD in the lab's namespace
//
// setns() into the guest init's net, uts, ipc, pid and mount namespaces
// (or the lab's netns bind mount), then fork/exec; stdin/stdout/stderr and
// the exit status pass through; SIGINT, SIGTERM and SIGHUP sent to vklab
// are passed on to the command. With several labs up and none named, the
// lab is the one that has GUEST.
#include <cstdlib>
#include <iostream>

#include "cli/cli.h"
#include "cli/guest.h"
#include "labd/netns.h"
#include "labd/state.h"
#include "common/sys.h"
#include "vkernel/cmdline.h"

namespace vklab::cli {

Runner setup_exec(CLI::App& sub) {
  struct Opts {
    std::string lab, guest;
    bool host = false;
    std::vector<std::string> cmd;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("--lab", o->lab, kLabArgHelp);
  sub.add_flag("--host", o->host, "run in the lab's host-side namespace instead of a guest");
  sub.add_option("guest", o->guest, "guest name");
  sub.add_option("cmd", o->cmd, "command and arguments (after --)");
  sub.positionals_at_end();
  return [o] {
    if (!o->cmd.empty() && o->cmd.front() == "--") o->cmd.erase(o->cmd.begin());
    if (o->host && !o->guest.empty() && o->guest != "--") o->cmd.insert(o->cmd.begin(), o->guest);
    if (o->cmd.empty() || (!o->host && o->guest.empty())) {
      std::cerr << "vklab: usage: vklab exec [--lab LAB] GUEST -- CMD… | --host -- CMD…\n";
      return static_cast<int>(kExitUsage);
    }
    int exit = kExitOk;
    auto running = open_running_lab(o->lab, exit, kExitFailure, o->host ? "" : o->guest);
    if (!running) return exit;
    const labd::StateDir& dir = running->dir;
    const labd::LabState* st = &running->state;
    labd::NsTarget ns;
    if (o->host) {
      if (st->isolated) ns.files = {dir.netns()};
    } else {
      GuestEntry g = enter_guest(*st, o->guest, "exec");
      if (!g.ok()) {
        std::cerr << "vklab: " << g.message << "\n";
        return static_cast<int>(g.problem == GuestEntry::Problem::NoSuchGuest ? kExitUsage : kExitFailure);
      }
      ns = g.ns;
      // As on the guest's console: its own halt/reboot/shutdown first.
      ::setenv("PATH", path_with(vkernel::kGuestBinDir, std::getenv("PATH")).c_str(), 1);
    }
    labd::RunOptions run;
    run.forward_signals = true;  // a kill of vklab reaches the command, never orphans it
    auto rc = labd::run_in_namespaces(ns, o->cmd, run);
    if (!rc) {
      std::cerr << "vklab: " << rc.error().message << "\n";
      return static_cast<int>(kExitFailure);
    }
    return *rc;  // the command's own status passes through
  };
}

}  // namespace vklab::cli
