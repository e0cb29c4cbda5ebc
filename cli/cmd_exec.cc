// vklab exec [--lab LAB] GUEST -- CMD…   run CMD inside a Linux guest
// vklab exec [--lab LAB] --host -- CMD…  run CMD in the lab's namespace
//
// Everything after the first "--" is the command, word for word: main()
// cuts it off before CLI11 parses (command_separator, cli.h).
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

CommandRunner setup_exec(CLI::App& sub) {
  struct Opts {
    std::string lab, guest;
    bool host = false;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("--lab", o->lab, kLabArgHelp);
  sub.add_flag("--host", o->host, "run in the lab's host-side namespace instead of a guest");
  sub.add_option("guest", o->guest, "guest name");
  sub.footer("Everything after the first -- is the command and its arguments, passed on unchanged.");
  sub.allow_extras();  // words before "--" that are no option of exec: refused below, with the fix
  return [o, &sub](const TrailingCommand& command) {
    std::vector<std::string> stray = sub.remaining();
    if (command && !stray.empty()) {  // a mistyped option, or a word too many, before "--"
      std::cerr << "vklab: exec: " << (stray[0].starts_with('-') ? "unknown option " : "unexpected word ")
                << stray[0] << " before --\n";
      return static_cast<int>(kExitUsage);
    }
    if (!command) {  // the command (if any) was written without "--": show where it goes
      if (o->host && !o->guest.empty()) stray.insert(stray.begin(), o->guest);
      std::string fix = "vklab exec";
      if (!o->lab.empty()) fix += " --lab " + o->lab;
      fix += o->host ? " --host" : " " + (o->guest.empty() ? std::string("GUEST") : o->guest);
      fix += " --";
      for (const auto& w : stray) fix += " " + w;
      if (stray.empty()) fix += " CMD…";
      std::cerr << "vklab: exec: the command goes after --: " << fix << "\n";
      return static_cast<int>(kExitUsage);
    }
    if (o->host && !o->guest.empty()) {
      std::cerr << "vklab: exec: --host runs in the lab's namespace, not in guest " << o->guest
                << ": give one or the other\n";
      return static_cast<int>(kExitUsage);
    }
    if (command->empty() || (!o->host && o->guest.empty())) {
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
    auto rc = labd::run_in_namespaces(ns, *command, run);
    if (!rc) {
      std::cerr << "vklab: " << rc.error().message << "\n";
      return static_cast<int>(kExitFailure);
    }
    return *rc;  // the command's own status passes through
  };
}

}  // namespace vklab::cli
