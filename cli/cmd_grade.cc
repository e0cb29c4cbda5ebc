// vklab grade --checks KEY [--wait D] [--report DIR] [--jobs N] LAB…
//
// For each student's lab: validate (in this process) → `vklab up` → the
// key's checks (in this process, as `vklab check` runs them) → `vklab
// down`, whatever happened. up and down run as this same binary in a child
// process, so grading takes exactly the paths a student's own `up` takes.
// One line per lab; with --report, DIR/STUDENT.json, .junit.xml, .up.log and
// DIR/summary.csv. Ctrl-C: no new lab starts, the current ones are taken
// down. Exit 0: every lab scored 100 %; 1: some did not; 2: bad input;
// 130: interrupted.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "cli/checks.h"
#include "cli/cli.h"
#include "cli/grade.h"
#include "common/text.h"
#include "labd/state.h"
#include "topology/load.h"

namespace vklab::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::atomic<bool> g_stop{false};
void on_stop(int) { g_stop = true; }

constexpr int kExitInterrupted = 130;

struct Child {
  int status = -1;     ///< exit status, 128 + signal when killed
  std::string output;  ///< stdout and stderr, interleaved
};

/// Runs this vklab binary with `args`. Output goes to an anonymous file,
/// not a pipe: a daemon `up` starts may keep inherited descriptors open.
/// `own_group`: in a process group of its own, so a Ctrl-C at the
/// terminal does not interrupt it (down must finish).
Result<Child> run_self(const std::vector<std::string>& args, bool own_group) {
  int out = ::memfd_create("vklab-grade", MFD_CLOEXEC);
  if (out < 0) return make_error(std::string("memfd_create: ") + std::strerror(errno));
  std::vector<std::string> argv{"/proc/self/exe"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> av;
  for (auto& a : argv) av.push_back(a.data());
  av.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(out);
    return make_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    if (own_group) ::setpgid(0, 0);
    int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    // Children ignore nothing we ignore and block nothing we block.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv("/proc/self/exe", av.data());
    _exit(127);
  }
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) break;
  Child c;
  c.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  ::lseek(out, 0, SEEK_SET);
  char buf[8192];
  ssize_t n;
  while ((n = ::read(out, buf, sizeof buf)) > 0 && c.output.size() < (1u << 20)) c.output.append(buf, static_cast<size_t>(n));
  ::close(out);
  return c;
}

std::string last_line(const std::string& s) {
  std::istringstream in(s);
  std::string line, last;
  while (std::getline(in, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  if (last.starts_with("vklab: ")) last.erase(0, 7);
  return last;
}

std::string first_error(const std::string& diags) {
  std::istringstream in(diags);
  std::string line;
  while (std::getline(in, line))
    if (line.find(": error: ") != std::string::npos) return line;
  return last_line(diags);
}

/// A lab path as `up` takes it: a directory holding lab.yaml means that
/// file; a directory with lab.conf stays a directory (a Kathará lab).
std::optional<std::string> lab_path(const std::string& p, std::string& why) {
  std::error_code ec;
  if (!fs::exists(p, ec)) {
    why = p + ": no such file or directory";
    return std::nullopt;
  }
  if (!fs::is_directory(p, ec)) return p;
  if (fs::exists(fs::path(p) / "lab.conf", ec)) return p;
  for (const char* f : {"lab.yaml", "lab.yml"})
    if (fs::exists(fs::path(p) / f, ec)) return (fs::path(p) / f).string();
  why = p + ": not a lab (a directory without lab.conf or lab.yaml)";
  return std::nullopt;
}

/// validate, in this process: load_lab prints to std::cerr, which is
/// taken for the call (grading validates every lab before any thread starts).
std::optional<topology::Lab> validate_quietly(const std::string& path, std::string& diags) {
  std::ostringstream text;
  std::streambuf* saved = std::cerr.rdbuf(text.rdbuf());
  auto loaded = load_lab(path);
  std::cerr.rdbuf(saved);
  diags = text.str();
  if (!loaded) return std::nullopt;
  return std::move(loaded->lab);
}

struct Job {
  GradeResult result;
  std::string up_path;  ///< what `up` is given
  bool host_mode = false;
  bool ready = false;  ///< validated: to be brought up
};

class Grader {
 public:
  Grader(std::vector<CheckDecl> key, CheckOptions opts, std::string report, size_t width)
      : key_(std::move(key)), opts_(opts), report_(std::move(report)), width_(width) {}

  /// Brings up, checks and takes down one lab; fills job.result.
  void grade(Job& job) {
    GradeResult& g = job.result;
    auto start = Clock::now();
    labd::StateDir dir{labd::state_root() + "/" + g.lab};
    if (labd::read_state(dir.state_json())) {
      finish(g, GradeStatus::Busy, "a lab named " + g.lab + " is already up on this host; not touched", start);
      return;
    }
    auto up = run_self({"up", "--quiet", job.up_path}, false);
    if (up) g.up_log = up->output;
    if (!up || up->status != 0) {
      std::string why = !up ? up.error().message : last_line(up->output);
      take_down(g);
      finish(g, g_stop ? GradeStatus::Interrupted : GradeStatus::NotUp,
             g_stop ? "interrupted while coming up" : "did not come up: " + why, start);
      return;
    }
    auto st = labd::read_state(dir.state_json());
    if (!st) {
      take_down(g);
      finish(g, GradeStatus::NotUp, "up said it is up, but it has no state", start);
      return;
    }
    auto prober = make_guest_prober(*st);
    g.results = run_checks(key_, *prober, opts_);
    take_down(g);
    if (g_stop) {  // retries were cut short: the marks would not be fair
      finish(g, GradeStatus::Interrupted, "interrupted while checking", start);
      return;
    }
    finish(g, GradeStatus::Graded, "", start);
  }

  /// Records a lab that never reached up.
  void finish(GradeResult& g, GradeStatus s, const std::string& reason, Clock::time_point start) {
    g.status = s;
    g.reason = reason;
    if (s != GradeStatus::Graded) g.results = ungraded(key_, reason);
    g.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    std::lock_guard lock(out_mu_);
    std::cout << grade_line(g, width_) << "\n" << std::flush;
    write_reports(g);
  }

 private:
  /// `down`, then `down --force` if that did not work; never left up.
  void take_down(GradeResult& g) {
    auto d = run_self({"down", g.lab}, true);
    if (d && (d->status == kExitOk || d->status == kExitForced)) {
      if (d->status == kExitForced) g.down_note = "some guests had to be killed";
      return;
    }
    auto f = run_self({"down", "--force", g.lab}, true);
    g.down_note = "down failed (" + (d ? last_line(d->output) : d.error().message) + ")" +
                  (f && f->status != kExitFailure ? ", forced" : ", and --force failed too");
  }

  void write_reports(const GradeResult& g) {
    if (report_.empty()) return;
    fs::path base = fs::path(report_) / g.student;
    std::ofstream(base.string() + ".json") << grade_json(g).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    std::ofstream junit(base.string() + ".junit.xml");
    write_junit(junit, {grade_suite(g)});
    if (!g.up_log.empty()) std::ofstream(base.string() + ".up.log") << g.up_log;
  }

  std::vector<CheckDecl> key_;
  CheckOptions opts_;
  std::string report_;
  size_t width_;
  std::mutex out_mu_;
};

/// Hands out jobs so that two labs of one name never run at once, and a
/// host-mode lab (which touches the host's own namespace) runs alone.
class Scheduler {
 public:
  explicit Scheduler(std::vector<Job>& jobs) : jobs_(jobs) {}

  /// The next job that may start now, waiting while every pending one
  /// clashes with a running one; nullptr when none is left (or Ctrl-C).
  Job* take() {
    std::unique_lock lock(mu_);
    for (;;) {
      if (g_stop) return nullptr;
      bool pending = false;
      for (auto& j : jobs_) {
        if (!j.ready || j.result.status != GradeStatus::Graded || started_.count(&j)) continue;
        pending = true;
        bool clash = busy_names_.count(j.result.lab) || host_running_ || (j.host_mode && running_ > 0);
        if (clash) continue;
        started_.insert(&j);
        busy_names_.insert(j.result.lab);
        host_running_ = j.host_mode;
        ++running_;
        return &j;
      }
      if (!pending) return nullptr;
      cv_.wait_for(lock, std::chrono::milliseconds(200));
    }
  }

  void done(Job& j) {
    std::lock_guard lock(mu_);
    busy_names_.erase(j.result.lab);
    if (j.host_mode) host_running_ = false;
    --running_;
    cv_.notify_all();
  }

 private:
  std::vector<Job>& jobs_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::set<const Job*> started_;
  std::set<std::string> busy_names_;
  bool host_running_ = false;
  int running_ = 0;
};

}  // namespace

Runner setup_grade(CLI::App& sub) {
  struct Opts {
    std::string key, wait, report;
    int jobs = 1;
    std::vector<std::string> labs;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("--checks", o->key, "the answer key: a file with a `checks:` list")->required();
  sub.add_option("--wait", o->wait, "retry a failing check this long (routing convergence; default 3s)");
  sub.add_option("--report", o->report, "write DIR/STUDENT.json, .junit.xml, .up.log and DIR/summary.csv");
  sub.add_option("--jobs,-j", o->jobs, "labs graded at once (default 1; labs of one name never at once)");
  sub.add_option("labs", o->labs, "the students' labs: lab files or lab directories")->required();
  return [o] {
    g_stop = false;
    CheckOptions opts;
    opts.cancel = &g_stop;
    if (!o->wait.empty()) {
      auto d = parse_wait(o->wait);
      if (!d) {
        std::cerr << "vklab: --wait " << o->wait << ": not a duration (e.g. 500ms, 30s, 2m)\n";
        return static_cast<int>(kExitUsage);
      }
      opts.wait = *d;
    }
    if (o->jobs < 1) {
      std::cerr << "vklab: --jobs " << o->jobs << ": at least 1\n";
      return static_cast<int>(kExitUsage);
    }
    Diagnostics d;
    auto key = topology::load_checks_file(o->key, d);
    d.sort();
    std::cerr << d.str();
    if (!key || d.has_errors()) return static_cast<int>(kExitUsage);
    if (key->empty()) {
      std::cerr << "vklab: " << o->key << ": no checks: nothing to grade\n";
      return static_cast<int>(kExitUsage);
    }
    if (!o->report.empty()) {
      std::error_code ec;
      fs::create_directories(o->report, ec);
      if (ec || !fs::is_directory(o->report)) {
        std::cerr << "vklab: --report " << o->report << ": " << (ec ? ec.message() : "not a directory") << "\n";
        return static_cast<int>(kExitUsage);
      }
    }

    // Validate every lab first, in this thread (validate_quietly).
    auto names = student_names(o->labs);
    std::vector<Job> jobs(o->labs.size());
    size_t width = 0;
    for (const auto& n : names) width = std::max(width, n.size());
    Grader grader(*key, opts, o->report, width);
    for (size_t i = 0; i < jobs.size(); ++i) {
      GradeResult& g = jobs[i].result;
      g.student = names[i];
      g.path = o->labs[i];
      std::string why;
      auto path = lab_path(o->labs[i], why);
      if (!path) {
        grader.finish(g, GradeStatus::NotALab, why, Clock::now());
        continue;
      }
      auto lab = validate_quietly(*path, g.diagnostics);
      if (!lab) {
        grader.finish(g, GradeStatus::Invalid, "does not validate: " + first_error(g.diagnostics), Clock::now());
        continue;
      }
      g.lab = lab->name.value;
      jobs[i].up_path = *path;
      jobs[i].host_mode = lab->network.value == topology::NetworkMode::Host;
      jobs[i].ready = true;
    }

    struct sigaction sa {};
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    struct sigaction old_int, old_term;
    ::sigaction(SIGINT, &sa, &old_int);
    ::sigaction(SIGTERM, &sa, &old_term);
    Scheduler sched(jobs);
    auto worker = [&] {
      while (Job* j = sched.take()) {
        grader.grade(*j);
        sched.done(*j);
      }
    };
    std::vector<std::thread> pool;
    for (int k = 1; k < o->jobs; ++k) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
    for (auto& j : jobs)
      if (j.ready && j.result.status == GradeStatus::Graded && j.result.results.empty() && !key->empty())
        grader.finish(j.result, GradeStatus::Interrupted, "interrupted before it was graded", Clock::now());

    std::vector<GradeResult> all;
    for (auto& j : jobs) all.push_back(j.result);
    if (!o->report.empty()) {
      std::ofstream csv((fs::path(o->report) / "summary.csv").string());
      write_summary_csv(csv, all);
    }
    size_t full = 0, graded = 0;
    for (const auto& g : all) {
      graded += g.status == GradeStatus::Graded;
      full += g.status == GradeStatus::Graded && g.passed() == g.total();
    }
    std::cout << all.size() << " lab" << (all.size() == 1 ? "" : "s") << " against " << key->size() << " check"
              << (key->size() == 1 ? "" : "s") << ": " << graded << " graded, " << full << " with full marks"
              << (o->report.empty() ? "" : "; reports in " + o->report) << "\n";
    if (g_stop) return kExitInterrupted;
    return full == all.size() ? static_cast<int>(kExitOk) : static_cast<int>(kExitFailure);
  };
}

}  // namespace vklab::cli
