// vklab down [LAB] [--timeout D] [--force]
//
// Through labd when it lives; from state.json and the ownership tags when
// it died. Exit 0: every guest halted cleanly; 3: some were forced; 1:
// anything else went wrong. Nothing to take down is not an error.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <thread>

#include "cli/cli.h"
#include "common/text.h"
#include "labd/control.h"
#include "labd/netns.h"
#include "labd/recover.h"
#include "labd/state.h"

namespace vklab::cli {
namespace {

using std::chrono::milliseconds;

int verdict(const labd::DownReply& r) {
  bool forced = false, failed = !r.error.empty();
  for (const auto& g : r.guests) {
    forced = forced || g.state == labd::GuestState::Forced;
    failed = failed || g.state == labd::GuestState::Failed;
  }
  if (!r.error.empty()) std::cerr << "vklab: " << r.error << "\n";
  return failed ? kExitFailure : forced ? kExitForced : kExitOk;
}

Result<labd::DownReply> via_labd(const labd::StateDir& dir, const labd::LabState& st,
                                 const labd::DownRequest& req) {
  auto c = labd::ControlClient::connect(dir.control());
  if (!c) return c.error();
  if (Status s = c->send(req); !s) return s.error();
  for (;;) {
    auto r = c->receive(std::chrono::hours(24));
    if (!r) return r.error();
    if (auto* p = std::get_if<labd::Progress>(&*r)) {
      if (!p->guest.empty() || p->state.empty()) std::cout << p->text << "\n" << std::flush;
    } else if (auto* d = std::get_if<labd::DownReply>(&*r)) {
      // labd exits right after this reply: wait for it (bounded).
      for (int i = 0; i < 500 && labd::alive(st.labd); ++i) std::this_thread::sleep_for(milliseconds(10));
      return *d;
    } else if (auto* e = std::get_if<labd::ErrorReply>(&*r)) {
      return make_error(e->error);
    }
  }
}

}  // namespace

Runner setup_down(CLI::App& sub) {
  struct Opts {
    std::string lab, timeout;
    bool force = false;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("lab", o->lab, kLabArgHelp);
  sub.add_option("--timeout", o->timeout, "wait this long for each guest (overrides stop_timeout), e.g. 10s");
  sub.add_flag("--force", o->force, "SIGKILL every guest at once (a power cord pull)");
  return [o] {
    labd::DownRequest req;
    req.force = o->force;
    if (!o->timeout.empty()) {
      auto d = parse_duration(o->timeout);
      if (!d) {
        std::cerr << "vklab: --timeout " << o->timeout << ": not a duration (e.g. 500ms, 10s, 2m)\n";
        return static_cast<int>(kExitUsage);
      }
      req.timeout = *d;
    }
    int exit = kExitOk;
    std::string lab = resolve_lab(o->lab, exit);
    if (exit != kExitOk) return exit;
    if (lab.empty()) {
      std::cout << "vklab: nothing to do (no lab is running)\n";
      return static_cast<int>(kExitOk);
    }
    labd::StateDir dir{labd::state_root() + "/" + lab};
    auto st = labd::read_state(dir.state_json());
    if (!st) {
      std::error_code ec;
      if (std::filesystem::exists(dir.dir, ec) && !labd::is_netns_mount(dir.netns()))
        std::filesystem::remove_all(dir.dir, ec);  // an up that never got as far as state.json
      std::cout << lab << ": nothing to do (not running)\n";
      return static_cast<int>(kExitOk);
    }
    Result<labd::DownReply> reply = make_error("");
    if (labd::alive(st->labd)) {
      reply = via_labd(dir, *st, req);
      if (!reply) std::cerr << "vklab: " << lab << ": " << reply.error().message << "; cleaning up from state\n";
    }
    if (!reply || !labd::alive(st->labd)) {
      if (!reply) {
        std::cout << lab << ": labd is gone; stopping guests from state.json\n";
        labd::RecoverOptions ro;
        ro.force = req.force;
        ro.timeout = req.timeout;
        ro.sink = [](const labd::Progress& p) { std::cout << p.text << "\n" << std::flush; };
        auto st2 = labd::read_state(dir.state_json());
        reply = labd::recover_down(dir, st2 ? *st2 : *st, ro);
        if (!reply) {
          std::cerr << "vklab: " << reply.error().message << "\n";
          return static_cast<int>(kExitFailure);
        }
      }
    }
    std::cout << lab << ": down\n";
    return verdict(*reply);
  };
}

}  // namespace vklab::cli
