// vklab up FILE [--target linux|dragonfly] [--no-wait] [--quiet] [--strict] [--apply]
//
// Validate, compile, start labd (detached, holding the lab's lock), show
// its progress, wait for every guest, print the guest table. On failure
// or Ctrl-C labd rolls everything back; we say what failed and exit 1.
// Up with failed startup commands: each one, a summary, exit 4 (--strict:
// labd rolls back at the first one instead). On a running lab: the plan
// diff, exit 1; with --apply, labd makes those changes (apply_running).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "cli/cli.h"
#include "common/fault.h"
#include "labd/control.h"
#include "labd/lock.h"
#include "labd/protocol.h"
#include "labd/recover.h"
#include "labd/state.h"
#include "topology/plan_diff.h"
#include "topology/plan_json.h"

namespace vklab::cli {
namespace {

namespace fs = std::filesystem;
/// Ctrl-Cs (and SIGTERMs) received; each one is forwarded to labd once.
volatile std::sig_atomic_t g_interrupted = 0;
void on_interrupt(int) { g_interrupted = g_interrupted + 1; }

/// H1: every interrupt reaches labd: the first makes it roll back (or take
/// an up lab down), a second makes that stop a forced one.
void forward_interrupts(pid_t labd, int& forwarded) {
  while (forwarded < g_interrupted) {
    ::kill(labd, SIGTERM);
    ++forwarded;
  }
}

/// Waits for labd to exit, forwarding interrupts meanwhile. Its wait status.
int wait_labd(pid_t labd, int& forwarded) {
  for (;;) {
    forward_interrupts(labd, forwarded);
    int st = 0;
    pid_t r = ::waitpid(labd, &st, WNOHANG);
    if (r == labd) return st;
    if (r < 0 && errno != EINTR) return 0;
    ::usleep(20000);
  }
}

/// labd died without taking the lab down (kill -9): state.json is left.
/// Roll back from it as `vklab down` would; true when nothing is left.
bool recover_after_labd(const std::string& lab, const labd::StateDir& dir) {
  std::optional<labd::LabLock> lock;
  // Its children hold the lock until they exec (launch()): a moment.
  for (int i = 0; i < 250; ++i) {
    auto got = labd::LabLock::try_take(dir, false, lock);
    if (!got || *got != labd::LabLock::Outcome::Busy) break;
    ::usleep(20000);
  }
  if (!lock) {
    std::cerr << "vklab: " << lab << ": cannot take the lab's lock to roll back; run `vklab down " << lab << "`\n";
    return false;
  }
  auto st = labd::read_state(dir.state_json());
  if (!st) {
    std::error_code ec;
    fs::remove_all(dir.dir, ec);
    return true;
  }
  std::cerr << lab << ": labd is gone; stopping guests from state.json\n";
  labd::RecoverOptions ro;
  ro.sink = [](const labd::Progress& p) { std::cerr << p.text << "\n"; };
  auto reply = labd::recover_down(dir, *st, ro, *lock);
  if (!reply) {
    std::cerr << "vklab: " << reply.error().message << "\n";
    return false;
  }
  if (!reply->error.empty()) {
    std::cerr << "vklab: " << reply->error << "\n";
    return false;
  }
  return true;
}

/// The one status sink of `up`: a live line per guest on a terminal tall
/// enough for them all, one live counter line on a smaller one, plain lines
/// when the output is not a terminal.
class UpSink {
 public:
  UpSink(const topology::Plan& plan, bool quiet) : quiet_(quiet) {
    for (const auto& g : plan.guests) {
      order_.push_back(g.name);
      state_[g.name] = "waiting";
      width_ = std::max(width_, g.name.size());
    }
    if (quiet || !::isatty(1)) return;
    winsize ws{};
    // Moving the cursor up past the top of the screen is not possible:
    // with more guests than rows, one counter line instead.
    bool fits = ::ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > order_.size() + 1;
    mode_ = fits ? Mode::Lines : Mode::Counter;
  }
  void show(const labd::Progress& p) {
    if (!p.guest.empty() && !p.state.empty()) {
      state_[p.guest] = p.state;
      // labd's text names the guest first; its column already does.
      std::string note = p.text;
      if (note.starts_with(p.guest + ": ")) note.erase(0, p.guest.size() + 2);
      note_[p.guest] = note;
    }
    if (quiet_) {
      if (p.state == "failed" || p.state == "Failed") std::cerr << p.text << "\n";
      return;
    }
    bool failed = p.state == "Failed" || p.state == "failed";
    if (mode_ == Mode::Plain || p.guest.empty() || (mode_ == Mode::Counter && failed)) {
      erase();
      std::cout << p.text << "\n" << std::flush;
      if (mode_ == Mode::Plain) return;
    }
    redraw();
  }
  void finish() {
    if (mode_ == Mode::Counter) erase();
    std::cout.flush();
  }
  /// A line of our own (on stderr), never on the live lines: they are
  /// taken off first and drawn again by the next show().
  void say(const std::string& line) {
    erase();
    std::cout.flush();
    std::cerr << line << "\n" << std::flush;
  }

 private:
  enum class Mode { Plain, Lines, Counter };

  /// Takes the live part off the screen (before a plain line, or at the end).
  void erase() {
    if (!drawn_) return;
    if (mode_ == Mode::Lines) std::cout << "\033[" << order_.size() << "A\033[J";
    if (mode_ == Mode::Counter) std::cout << "\r\033[2K";
    drawn_ = false;
  }
  void redraw() {
    if (mode_ == Mode::Counter) {
      std::map<std::string, int> n;
      for (const auto& g : order_) ++n[state_[g]];
      std::cout << "\r\033[2K  " << order_.size() << " guests:";
      for (const auto& [state, count] : n) std::cout << " " << count << " " << state;
    } else {
      if (drawn_) std::cout << "\033[" << order_.size() << "A";
      for (const auto& g : order_) {
        std::string st = state_[g];
        std::cout << "\033[2K  " << g << std::string(width_ - g.size() + 2, ' ') << st
                  << std::string(st.size() < 10 ? 10 - st.size() : 1, ' ') << note_[g] << "\n";
      }
    }
    drawn_ = true;
    std::cout.flush();
  }
  bool quiet_;
  Mode mode_ = Mode::Plain;
  bool drawn_ = false;
  size_t width_ = 0;
  std::vector<std::string> order_;
  std::map<std::string, std::string> state_, note_;
};

// Forks labd in its own session: fd 3 = progress pipe, fd 4 = the lock.
Result<pid_t> start_labd(const topology::Plan& plan, const labd::StateDir& dir, int progress_w, int lock,
                         bool strict) {
  std::string exe = labd_path();
  std::string name = "labd: " + plan.lab;
  std::vector<std::string> args = {name, "--plan", dir.plan_json(), "--progress-fd", "3", "--lock-fd", "4"};
  if (strict) args.push_back("--strict");
  int log = ::open(dir.log().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  // H1: an interrupt forwarded before labd reads its signalfd must wait
  // for it, neither lost (our handler would run in the child until exec)
  // nor fatal: the child starts with them blocked, so they stay pending
  // for labd's signalfd. Ours are delivered once the fork is done.
  sigset_t set, old;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, sig);
  ::sigprocmask(SIG_BLOCK, &set, &old);
  pid_t pid = ::fork();
  if (pid != 0) ::sigprocmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) return make_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::setsid();
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(log >= 0 ? log : null, 1);
    ::dup2(log >= 0 ? log : null, 2);
    // Lift both above the target numbers first: dup2 must not clobber either.
    int pw = ::fcntl(progress_w, F_DUPFD, 10);
    int lk = ::fcntl(lock, F_DUPFD, 10);
    ::dup2(pw, 3);
    ::dup2(lk, 4);
    ::close_range(5, ~0U, 0);
    std::vector<char*> av;
    for (auto& a : args) av.push_back(a.data());
    av.push_back(nullptr);
    ::execv(exe.c_str(), av.data());
    std::fprintf(stderr, "vklab: %s: %s\n", exe.c_str(), std::strerror(errno));
    _exit(127);
  }
  if (log >= 0) ::close(log);
  return pid;
}

/// After a rolled-back up: where labd kept the failed guests' console logs.
void say_failed_logs(const labd::StateDir& dir) {
  std::error_code ec;
  std::vector<std::string> logs;
  for (const auto& e : fs::directory_iterator(dir.failed(), ec)) logs.push_back(e.path().filename().string());
  if (logs.empty()) return;
  std::sort(logs.begin(), logs.end());
  std::cerr << "vklab: the failed guests' console logs are kept in " << dir.failed() << "/:";
  for (const auto& l : logs) std::cerr << " " << l;
  std::cerr << "\n";
}

/// Up, each failed startup command and a summary; how many there were.
size_t say_startup_errors(const labd::LabState& st, const topology::Plan* plan) {
  size_t n = 0, guests = 0;
  for (const auto& g : st.guests) {
    const topology::GuestLaunch* gl = plan ? plan->find_guest(g.name) : nullptr;
    for (const auto& e : g.startup_errors)
      std::cerr << g.name << ": "
                << labd::describe(e, gl ? gl->startup_sources : std::vector<topology::ScriptSource>{}) << "\n";
    n += g.startup_errors.size();
    guests += g.startup_errors.empty() ? 0 : 1;
  }
  if (n > 0)
    std::cerr << st.lab << ": up, with " << n << " startup error" << (n == 1 ? "" : "s") << " in " << guests
              << " guest" << (guests == 1 ? "" : "s") << " (the guests' console logs say more: vklab console GUEST)\n";
  return n;
}

/// `up FILE --apply` on a running lab: labd makes the changes `d` lists
/// (labd/apply.cc). Exit 0 applied; 4 applied, with startup errors in a
/// started guest; 1 refused or a guest failed.
int apply_running(const std::string& lab, const labd::StateDir& dir, const topology::Plan& next,
                  const topology::PlanDiff& d) {
  if (!d.unsupported.empty()) {
    std::cerr << "vklab: " << lab << ": not applied: the changes marked ! need `vklab down " << lab
              << "`, then up\n";
    return static_cast<int>(kExitFailure);
  }
  if (d.size() == 0) {
    std::cerr << lab << ": already running; no changes to apply\n";
    return static_cast<int>(kExitOk);
  }
  int exit = kExitOk;
  auto running = open_running_lab(lab, exit);
  if (!running) return exit;
  if (Status s = labd::write_file_atomic(dir.next_plan_json(), topology::plan_to_json(next).dump(1) + "\n"); !s) {
    std::cerr << "vklab: " << s.error().message << "\n";
    return static_cast<int>(kExitFailure);
  }
  auto t0 = std::chrono::steady_clock::now();
  auto reply = send_guests_request(*running, labd::Request{labd::ApplyRequest{}});
  if (!reply) {
    std::cerr << "vklab: " << reply.error().message << "\n";
    return static_cast<int>(kExitFailure);
  }
  int rc = kExitOk;
  const auto& removed = d.guests_removed;
  for (const auto& o : reply->guests) {
    bool gone = std::find(removed.begin(), removed.end(), o.guest) != removed.end();
    if (gone ? o.state == labd::GuestState::Halted : o.state == labd::GuestState::Up) continue;
    if (gone && o.state == labd::GuestState::Forced) continue;  // removed all the same
    std::cerr << "vklab: " << o.guest << ": " << labd::state_name(o.state) << " (see `vklab status " << lab
              << "`)\n";
    rc = kExitFailure;
  }
  if (!reply->error.empty()) {
    std::cerr << "vklab: " << reply->error << "\n";
    rc = kExitFailure;
  }
  auto st = labd::read_state(dir.state_json());
  if (st) {
    auto ran = read_plan_file(dir.plan_json());
    print_guest_table(std::cout, *st, ran ? &*ran : &next, false);
  }
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  char took[32];
  std::snprintf(took, sizeof took, "%.1f", secs);
  std::cout << lab << ": applied " << d.size() << (d.size() == 1 ? " change" : " changes") << " in " << took
            << "s\n" << std::flush;
  if (st && rc == kExitOk) {
    // Only the guests this apply started can have new startup errors.
    labd::LabState touched = *st;
    std::erase_if(touched.guests, [&](const labd::GuestRecord& g) {
      return std::none_of(reply->guests.begin(), reply->guests.end(),
                          [&](const labd::GuestOutcome& o) { return o.guest == g.name; });
    });
    if (say_startup_errors(touched, &next) > 0) return static_cast<int>(kExitStartupErrors);
  }
  return rc;
}

}  // namespace

Runner setup_up(CLI::App& sub) {
  struct Opts {
    std::string file;
    bool no_wait = false, quiet = false, strict = false, apply = false;
    topology::Target target = topology::Target::Linux;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("file", o->file, "lab file")->required();
  add_target_option(sub, o->target,
                    "linux or dragonfly (default: this system's): labd sets up the host through netlink (linux) "
                    "or kldload, ifconfig and sysctl (dragonfly)");
  sub.add_flag("--no-wait", o->no_wait, "return once labd has started; guests keep booting");
  sub.add_flag("--quiet,-q", o->quiet, "print only failures and the final table");
  sub.add_flag("--strict", o->strict, "a failed startup command fails the up (everything is rolled back)");
  sub.add_flag("--apply", o->apply,
               "the lab is running: make the file's changes (added, removed, changed guests and links) "
               "and leave the rest running");
  return [o] {
    auto loaded = load_lab(o->file, o->target);
    if (!loaded) return static_cast<int>(kExitUsage);
    const std::string& lab = loaded->lab.name.value;
    auto plan = topology::compile(loaded->lab, host_compile_options(o->file, lab, o->target, true));
    labd::StateDir dir{plan.state_dir};
    std::error_code ec;
    std::optional<labd::LabLock> lock;
    auto got = labd::LabLock::try_take(dir, true, lock);
    if (!got) {
      std::cerr << "vklab: " << got.error().message << "\n";
      return static_cast<int>(kExitFailure);
    }
    if (*got != labd::LabLock::Outcome::Taken) {
      // The lab file may have been edited: say what would change.
      if (auto running = read_plan_file(dir.plan_json()); running && running->network == topology::NetworkMode::Isolated) {
        auto opts = host_compile_options(o->file, lab, o->target, true);
        opts.keep_names = &*running;
        auto next = topology::compile(loaded->lab, opts);
        auto d = topology::plan_diff(*running, next);
        for (const auto& line : topology::describe(d)) std::cout << line << "\n";
        if (o->apply) return apply_running(lab, dir, next, d);
        if (d.size() > 0) {
          std::cerr << "vklab: " << lab << ": already running; " << d.size() << (d.size() == 1 ? " change" : " changes")
                    << ", run with --apply to make " << (d.size() == 1 ? "it" : "them") << "\n";
          return static_cast<int>(kExitFailure);
        }
        std::cerr << "vklab: " << lab << ": already running; no changes (see `vklab status " << lab << "`)\n";
        return static_cast<int>(kExitFailure);
      }
      if (o->apply)
        std::cerr << "vklab: " << lab << ": --apply works on isolated labs only (this one uses the host's network, "
                  << "whose names were taken at up): vklab down " << lab << ", then up\n";
      else
        std::cerr << "vklab: " << lab << ": already running (see `vklab status " << lab << "`)\n";
      return static_cast<int>(kExitFailure);
    }
    if (fs::exists(dir.state_json(), ec)) {
      std::cerr << "vklab: " << lab << ": state left by a labd that is gone; run `vklab down " << lab
                << "` first\n";
      return static_cast<int>(kExitFailure);
    }
    fs::remove_all(dir.failed(), ec);  // the logs of the last failed up: this one replaces them
    if (Status s = labd::write_file_atomic(dir.plan_json(), topology::plan_to_json(plan).dump(1) + "\n"); !s) {
      std::cerr << "vklab: " << s.error().message << "\n";
      return static_cast<int>(kExitFailure);
    }
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0) {
      std::cerr << "vklab: pipe: " << std::strerror(errno) << "\n";
      return static_cast<int>(kExitFailure);
    }
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;  // no SA_RESTART: poll() returns EINTR
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    auto pid = start_labd(plan, dir, pipefd[1], lock->fd(), o->strict);
    ::close(pipefd[1]);
    lock.reset();
    if (!pid) {
      std::cerr << "vklab: " << pid.error().message << "\n";
      return static_cast<int>(kExitFailure);
    }

    UpSink sink(plan, o->quiet);
    labd::LineBuffer buf;
    bool ready = false, failed = false;
    int forwarded = 0;
    std::string failure, summary;
    fault_point("up.started");
    for (;;) {
      if (g_interrupted && !forwarded) sink.say(lab + ": interrupted; rolling back");
      forward_interrupts(*pid, forwarded);
      pollfd p{pipefd[0], POLLIN, 0};
      int rc = ::poll(&p, 1, 200);
      if (rc <= 0) continue;
      char chunk[4096];
      ssize_t n = ::read(pipefd[0], chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      buf.feed(std::string_view(chunk, static_cast<size_t>(n)), 1 << 20);
      while (auto line = buf.next()) {
        auto reply = labd::decode_reply(*line);
        if (!reply) continue;
        auto* pr = std::get_if<labd::Progress>(&*reply);
        if (!pr) continue;
        // The lab's own last word comes after the guest table; an
        // interruption we already reported is not said again.
        if (pr->state == "ready" && pr->guest.empty()) summary = pr->text;
        else if (!(g_interrupted && pr->state == "failed" && pr->guest.empty())) sink.show(*pr);
        fault_point("up.progress");
        if (pr->state == "ready") ready = true;
        if (ready && !failed) break;
        if (pr->state == "failed") {
          failed = true;
          if (failure.empty()) failure = pr->text;
        }
      }
      if ((o->no_wait || ready) && !failed) break;
    }
    ::close(pipefd[0]);
    sink.finish();
    fault_point("up.ready");
    if (o->no_wait && !failed && !ready && !g_interrupted) {
      std::cout << lab << ": labd started (pid " << *pid << "); guests are booting\n";
      return static_cast<int>(kExitOk);
    }
    if (!ready || failed || g_interrupted) {
      if (g_interrupted && !forwarded) std::cerr << lab << ": interrupted; rolling back\n";
      if (g_interrupted) failure = lab + ": interrupted";
      int st = wait_labd(*pid, forwarded);
      std::error_code ec2;
      bool died = WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
      if (failure.empty() && fs::exists(dir.log(), ec2)) {  // labd died before it could say why
        std::ifstream log(dir.log());
        for (std::string line; std::getline(log, line);) std::cerr << "labd: " << line << "\n";
      }
      if (WIFSIGNALED(st)) {
        std::cerr << "vklab: " << lab << ": labd was killed (signal " << WTERMSIG(st) << ")\n";
        if (failure.empty()) failure = lab + ": labd was killed";
        died = true;
      }
      if (died || fs::exists(dir.state_json(), ec2)) {
        // L1: labd left the lab behind; roll it back from its state, and
        // say "rolled back" only when that is true.
        if (!recover_after_labd(lab, dir)) {
          std::cerr << "vklab: up failed: " << failure << "; NOT everything could be rolled back\n";
          return static_cast<int>(kExitFailure);
        }
      } else if (fs::exists(dir.dir, ec2)) {
        std::optional<labd::LabLock> l;
        if (auto g = labd::LabLock::try_take(dir, false, l); g && *g == labd::LabLock::Outcome::Taken)
          fs::remove_all(dir.dir, ec2);
      }
      std::cerr << "vklab: up failed: " << (failure.empty() ? lab + ": labd exited" : failure)
                << "; everything was rolled back\n";
      say_failed_logs(dir);
      return static_cast<int>(kExitFailure);
    }
    auto st = labd::read_state(dir.state_json());
    auto ran = read_plan_file(dir.plan_json());  // host mode: the units labd really took
    if (st) print_guest_table(std::cout, *st, ran ? &*ran : &plan, false);
    // Last, so a long table (60 guests) never scrolls it away.
    if (!summary.empty() && !o->quiet) std::cout << summary << "\n";
    std::cout.flush();
    if (st && say_startup_errors(*st, ran ? &*ran : &plan) > 0) return static_cast<int>(kExitStartupErrors);
    return static_cast<int>(kExitOk);
  };
}

}  // namespace vklab::cli
