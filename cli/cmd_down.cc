// vklab down [LAB] [--timeout D] [--force]
//
// Through labd when it lives; from state.json and the ownership tags when
// it died. Exit 0: every guest halted cleanly; 3: some were forced; 1:
// anything else went wrong. Nothing to take down is not an error.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <iostream>
#include <thread>

#include "cli/cli.h"
#include "common/text.h"
#include "labd/control.h"
#include "labd/lock.h"
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
  forced = forced || r.strays > 0;
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
    // C1: whoever holds the lab's lock owns it. A labd that lives is asked;
    // a lock held without a labd to ask (an up before its labd wrote
    // state.json, a labd exiting, another down recovering) is waited for;
    // a free lock with state left means labd is gone: recover from state.
    bool seen_state = false, said_waiting = false;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(10);
    for (;;) {
      if (Status a = check_lab_access(dir); !a) {
        std::cerr << "vklab: " << a.error().message << "\n";
        return static_cast<int>(kExitFailure);
      }
      auto st = labd::read_state(dir.state_json());
      seen_state = seen_state || st.ok();
      if (st && labd::alive(st->labd)) {
        auto reply = via_labd(dir, *st, req);
        if (reply) {
          std::cout << lab << ": down\n";
          return verdict(*reply);
        }
        // Not listening yet (starting) or any more (exiting): look again.
      }
      std::optional<labd::LabLock> lock;
      auto got = labd::LabLock::try_take(dir, false, lock);
      if (!got) {
        std::cerr << "vklab: " << got.error().message << "\n";
        return static_cast<int>(kExitFailure);
      }
      if (*got == labd::LabLock::Outcome::Taken) {
        st = labd::read_state(dir.state_json());
        if (!st) {
          // An up that never got as far as state.json: its leftovers are ours now.
          (void)labd::drop_netns(dir.netns());
          std::error_code ec;
          std::filesystem::remove_all(dir.dir, ec);
          if (seen_state) std::cout << lab << ": down (it went down while we waited)\n";
          else std::cout << lab << ": nothing to do (not running)\n";
          return static_cast<int>(kExitOk);
        }
        std::cout << lab << ": labd is gone; stopping guests from state.json\n";
        labd::RecoverOptions ro;
        ro.force = req.force;
        ro.timeout = req.timeout;
        ro.sink = [](const labd::Progress& p) { std::cout << p.text << "\n" << std::flush; };
        auto reply = labd::recover_down(dir, *st, ro, *lock);
        if (!reply) {
          std::cerr << "vklab: " << reply.error().message << "\n";
          return static_cast<int>(kExitFailure);
        }
        std::cout << lab << (reply->error.empty() ? ": down\n" : ": not entirely down\n");
        return verdict(*reply);
      }
      if (*got == labd::LabLock::Outcome::Absent) {
        if (seen_state) std::cout << lab << ": down (it went down while we waited)\n";
        else std::cout << lab << ": nothing to do (not running)\n";
        return static_cast<int>(kExitOk);
      }
      // Busy.
      if (std::chrono::steady_clock::now() > give_up) {
        std::cerr << "vklab: " << lab << ": the lab's lock is still held after 10 minutes; giving up\n";
        return static_cast<int>(kExitFailure);
      }
      if (!said_waiting && !(st && labd::alive(st->labd))) {
        std::cout << lab << ": waiting for the up or down under way\n" << std::flush;
        said_waiting = true;
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
  };
}

}  // namespace vklab::cli
