// vklab up FILE [--no-wait] [--quiet]
//
// Validate, compile, start labd (detached, holding the lab's lock), show
// its progress, wait for every guest, print the guest table. On failure
// or Ctrl-C labd rolls everything back; we say what failed and exit 1.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "cli/cli.h"
#include "labd/control.h"
#include "labd/protocol.h"
#include "labd/state.h"
#include "topology/plan_json.h"

namespace vklab::cli {
namespace {

namespace fs = std::filesystem;
volatile std::sig_atomic_t g_interrupted = 0;
void on_interrupt(int) { g_interrupted = 1; }

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
Result<pid_t> start_labd(const topology::Plan& plan, const labd::StateDir& dir, int progress_w, int lock) {
  std::string exe = labd_path();
  std::string name = "labd: " + plan.lab;
  std::vector<std::string> args = {name, "--plan", dir.plan_json(), "--progress-fd", "3", "--lock-fd", "4"};
  int log = ::open(dir.log().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  pid_t pid = ::fork();
  if (pid < 0) return make_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::setsid();
    signal(SIGINT, SIG_DFL);
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

}  // namespace

Runner setup_up(CLI::App& sub) {
  struct Opts {
    std::string file;
    bool no_wait = false, quiet = false;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("file", o->file, "lab file")->required();
  sub.add_flag("--no-wait", o->no_wait, "return once labd has started; guests keep booting");
  sub.add_flag("--quiet,-q", o->quiet, "print only failures and the final table");
  return [o] {
    auto loaded = load_lab(o->file);
    if (!loaded) return static_cast<int>(kExitUsage);
    const std::string& lab = loaded->lab.name.value;
    auto plan = topology::compile(loaded->lab, host_compile_options(o->file, lab, topology::Target::Linux));
    labd::StateDir dir{plan.state_dir};
    std::error_code ec;
    fs::create_directories(dir.dir, ec);
    if (ec) {
      std::cerr << "vklab: " << dir.dir << ": " << ec.message() << "\n";
      return static_cast<int>(kExitFailure);
    }
    int lock = ::open(dir.lock().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0 || ::flock(lock, LOCK_EX | LOCK_NB) != 0) {
      std::cerr << "vklab: " << lab << ": already running (see `vklab status " << lab << "`)\n";
      return static_cast<int>(kExitFailure);
    }
    if (fs::exists(dir.state_json(), ec)) {
      std::cerr << "vklab: " << lab << ": state left by a labd that is gone; run `vklab down " << lab
                << "` first\n";
      return static_cast<int>(kExitFailure);
    }
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
    auto pid = start_labd(plan, dir, pipefd[1], lock);
    ::close(pipefd[1]);
    ::close(lock);
    if (!pid) {
      std::cerr << "vklab: " << pid.error().message << "\n";
      return static_cast<int>(kExitFailure);
    }

    UpSink sink(plan, o->quiet);
    labd::LineBuffer buf;
    bool ready = false, failed = false, signalled = false;
    std::string failure;
    for (;;) {
      if (g_interrupted && !signalled) {
        signalled = true;
        std::cerr << lab << ": interrupted; rolling back\n";
        ::kill(*pid, SIGTERM);
      }
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
        sink.show(*pr);
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
    if (o->no_wait && !failed && !ready && !g_interrupted) {
      std::cout << lab << ": labd started (pid " << *pid << "); guests are booting\n";
      return static_cast<int>(kExitOk);
    }
    if (!ready || failed || g_interrupted) {
      int st;
      while (::waitpid(*pid, &st, 0) < 0 && errno == EINTR) {
      }
      std::error_code ec2;
      if (failure.empty() && fs::exists(dir.log(), ec2)) {  // labd died before it could say why
        std::ifstream log(dir.log());
        for (std::string line; std::getline(log, line);) std::cerr << "labd: " << line << "\n";
      }
      if (!fs::exists(dir.state_json(), ec2)) fs::remove_all(dir.dir, ec2);
      std::cerr << "vklab: up failed: " << (failure.empty() ? lab + ": labd exited" : failure)
                << "; everything was rolled back\n";
      return static_cast<int>(kExitFailure);
    }
    auto st = labd::read_state(dir.state_json());
    auto ran = read_plan_file(dir.plan_json());  // host mode: the units labd really took
    if (st) print_guest_table(std::cout, *st, ran ? &*ran : &plan, false);
    return static_cast<int>(kExitOk);
  };
}

}  // namespace vklab::cli
