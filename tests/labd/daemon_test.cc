// labd's daemon over a fake world (labd/world.h): FakeHost for the links,
// a namespace keeper that only counts, a journal of every state.json
// write, a launcher that checks what was recorded before each fork, and a
// clock the test can move. The guests are small shell scripts forked by
// the real launch(): no root, no namespace, no netlink.
//
// The daemon runs in this process until the lab is down. What a client
// would do (a down, a Ctrl-C) is done by a forked child once state.json
// shows the moment asked for.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include "../topology/valid_lab.h"
#include "hostnet/fake_host.h"
#include "labd/control.h"
#include "labd/daemon.h"
#include "labd/protocol.h"
#include "labd/state.h"
#include "topology/compile.h"
#include "topology/plan_json.h"

using namespace vklab;
using namespace vklab::labd;
using std::chrono::milliseconds;

namespace {

namespace fs = std::filesystem;

struct TmpDir {
  std::string path;
  TmpDir() {
    char t[] = "/tmp/vklab-daemon-test.XXXXXX";
    path = ::mkdtemp(t);
  }
  ~TmpDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

/// A fake kernel: writes its -p pidfile (unless the body does), then BODY.
std::string kernel(const std::string& dir, const std::string& name, const std::string& body) {
  std::string path = dir + "/" + name + ".sh";
  std::ofstream f(path);
  f << "#!/bin/sh\npf=\nwhile [ $# -gt 0 ]; do [ \"$1\" = -p ] && pf=$2; shift; done\n" << body << "\n";
  f.close();
  fs::permissions(path, fs::perms::owner_all);
  return path;
}

struct Kernels {
  std::string polite, late, stubborn, broken, forking, never;
  explicit Kernels(const std::string& d)
      : polite(kernel(d, "polite", "echo $$ > \"$pf\"; exec sleep 30")),
        late(kernel(d, "late", "sleep 0.3; echo $$ > \"$pf\"; exec sleep 30")),
        stubborn(kernel(d, "stubborn", "trap '' TERM; echo $$ > \"$pf\"; while :; do sleep 0.1; done")),
        broken(kernel(d, "broken", "exit 3")),
        forking(kernel(d, "forking", "sh -c 'echo $$ > \"$1\"; exec sleep 30' child \"$pf\" & wait")),
        never(kernel(d, "never", "exec sleep 30")) {}
};

/// A FakeHost whose last state outlives the daemon (which owns its Host).
struct KeptHost : hostnet::FakeHost {
  std::shared_ptr<hostnet::FakeHost> out;
  ~KeptHost() override { *out = static_cast<const hostnet::FakeHost&>(*this); }
};

struct CountingNetns : Netns {
  int entered = 0, bound = 0, dropped = 0;
  Status enter() override { return ++entered, Status{}; }
  Status bind(const std::string&) override { return ++bound, Status{}; }
  std::vector<std::string> kill_members(const std::string&, int, std::vector<pid_t>&) override { return {}; }
  Status drop(const std::string&) override { return ++dropped, Status{}; }
};

/// Every state.json the daemon writes, in order (and the file itself, for
/// the client child and the launcher's checks).
struct Journal : Store {
  std::vector<LabState> saves;
  std::function<void(const LabState&)> on_save;
  Status save(const std::string& path, const LabState& s) override {
    saves.push_back(s);
    if (on_save) on_save(s);
    return write_state(path, s);
  }
};

/// The real launch(), after checking L1 against the journal: the guest is
/// recorded as launched (Starting, started_ms) before its fork, and each
/// of its depends_on is recorded Up.
struct CheckingLauncher : Launcher {
  std::shared_ptr<Journal> journal;
  const topology::Plan* plan = nullptr;
  std::vector<std::string> order, violations;
  Result<Launched> launch(const std::vector<std::string>& argv, bool readiness, const std::string& record) override {
    const topology::GuestLaunch* g = nullptr;
    for (const auto& x : plan->guests)
      if (x.cmdline.argv() == argv) g = &x;
    if (!g) {
      violations.push_back("launch of an argv no guest has: " + argv[0]);
      return labd::launch(argv, readiness, record);
    }
    order.push_back(g->name);
    const LabState& last = journal->saves.back();
    const GuestRecord* r = last.find(g->name);
    if (!r || r->state != GuestState::Starting || r->started_ms == 0)
      violations.push_back(g->name + ": forked before state.json recorded its launch");
    for (const auto& d : g->depends_on)
      if (const GuestRecord* dr = last.find(d); !dr || dr->state != GuestState::Up)
        violations.push_back(g->name + ": forked before its dependency " + d + " was Up");
    return labd::launch(argv, readiness, record);
  }
};

/// What a client does, in a forked child, once state.json satisfies `when`.
struct ClientAction {
  enum class Kind { None, Down, ForceDown, Signal, ApplyThenDown };
  ClientAction() = default;
  ClientAction(std::function<bool(const LabState&)> w, Kind k, int s = SIGINT) : when(std::move(w)), kind(k), sig(s) {}
  std::function<bool(const LabState&)> when;
  Kind kind = Kind::None;
  int sig = SIGINT;
  std::string next_plan;  ///< ApplyThenDown: plan.next.json's content
};

struct Outcome {
  Status result;
  std::vector<std::string> progress;  ///< the progress lines' texts
  std::optional<DownReply> down;      ///< what the client's down heard
  std::optional<Reply> applied;       ///< what the client's apply heard
  std::shared_ptr<hostnet::FakeHost> host = std::make_shared<hostnet::FakeHost>();
  std::shared_ptr<Journal> journal = std::make_shared<Journal>();
  std::shared_ptr<CountingNetns> netns = std::make_shared<CountingNetns>();
  std::shared_ptr<CheckingLauncher> launcher = std::make_shared<CheckingLauncher>();
  std::atomic<long> skew_ms{0};  ///< the world's clock runs this far ahead
  std::string dir;
};

bool phase_is(const LabState& s, Phase p) { return s.phase == p; }

/// The client: waits (20 s at most) for `a.when`, acts, and writes the
/// down reply line (if any) to `out`. Runs in a forked child: _exit only.
[[noreturn]] void client(const std::string& dir, const ClientAction& a, int out) {
  StateDir sd{dir};
  bool met = false;
  for (int i = 0; i < 2000 && !met; ++i) {
    if (auto st = read_state(sd.state_json()); st && a.when(*st)) met = true;
    else ::usleep(10000);
  }
  if (!met) {  // the moment never came: end the lab so the test fails instead of hanging
    ::kill(::getppid(), SIGTERM);
    _exit(1);
  }
  if (a.kind == ClientAction::Kind::Signal) {
    ::kill(::getppid(), a.sig);
    _exit(0);
  }
  if (a.kind == ClientAction::Kind::ApplyThenDown) {
    if (!write_file_atomic(sd.next_plan_json(), a.next_plan)) _exit(4);
    auto c = ControlClient::connect(sd.control());
    if (!c || !c->send(Request{ApplyRequest{}})) _exit(4);
    for (;;) {
      auto r = c->receive(std::chrono::seconds(30));
      if (!r) _exit(4);
      if (std::holds_alternative<GuestsReply>(*r) || std::holds_alternative<ErrorReply>(*r)) {
        std::string line = encode(*r) + "\n";
        (void)!::write(out, line.data(), line.size());
        break;
      }
    }
  }
  auto c = ControlClient::connect(sd.control());
  if (!c || !c->send(Request{DownRequest{a.kind == ClientAction::Kind::ForceDown, std::nullopt}})) _exit(2);
  for (;;) {
    auto r = c->receive(std::chrono::seconds(30));
    if (!r) _exit(3);
    if (std::holds_alternative<DownReply>(*r)) {
      std::string line = encode(*r) + "\n";
      (void)!::write(out, line.data(), line.size());
      _exit(0);
    }
  }
}

/// Compiles `yaml` (guest kernels already in it) into `o.dir`, then runs
/// labd over the fake world until the lab is down.
void run_lab(Outcome& o, const std::string& yaml, const ClientAction& action,
             const std::function<void(topology::Plan&)>& edit = nullptr, const topology::Plan* launches = nullptr) {
  topology::CompileOptions co;
  co.state_dir = o.dir;
  co.auto_kernel = "/nonexistent";
  topology::Plan plan = topology::compile(topology::testing::valid_lab(yaml), co);
  if (edit) edit(plan);
  REQUIRE(::mkdir(o.dir.c_str(), 0700) == 0);
  StateDir sd{o.dir};
  REQUIRE(write_file_atomic(sd.plan_json(), topology::plan_to_json(plan).dump(1) + "\n").ok());

  World w;
  auto host = o.host;
  w.open_host = [host](const topology::Plan&) -> Result<std::unique_ptr<hostnet::Host>> {
    auto h = std::make_unique<KeptHost>();
    h->out = host;
    return std::unique_ptr<hostnet::Host>(std::move(h));
  };
  o.launcher->journal = o.journal;
  o.launcher->plan = launches ? launches : &plan;
  w.launcher = o.launcher;
  w.netns = o.netns;
  w.store = o.journal;
  std::atomic<long>* skew = &o.skew_ms;
  w.now = [skew] { return Clock::now() + milliseconds(skew->load()); };

  int progress[2], replies[2];
  REQUIRE(::pipe2(progress, O_CLOEXEC | O_NONBLOCK) == 0);
  REQUIRE(::pipe2(replies, O_CLOEXEC) == 0);
  // The daemon blocks these for its signalfd; the client child must not
  // inherit a handler, and this process gets its mask back afterwards.
  sigset_t old;
  ::sigprocmask(SIG_BLOCK, nullptr, &old);
  char name[17] = {};
  ::prctl(PR_GET_NAME, name);
  pid_t child = -1;
  if (action.kind != ClientAction::Kind::None) {
    child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      ::close(replies[0]);
      client(o.dir, action, replies[1]);
    }
  }
  ::close(replies[1]);

  // Quiet: the daemon's own lines go to stderr (the test keeps them as progress).
  int saved_err = ::dup(2);
  int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  ::dup2(null, 2);
  ::close(null);
  DaemonOptions opts;
  opts.plan_path = sd.plan_json();
  opts.progress_fd = progress[1];
  opts.world = w;
  o.result = run_daemon(opts);
  ::dup2(saved_err, 2);
  ::close(saved_err);
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  ::prctl(PR_SET_NAME, name);

  // Progress lines (the daemon closed its end once up, or not at all).
  std::string buf;
  char chunk[4096];
  for (ssize_t n; (n = ::read(progress[0], chunk, sizeof chunk)) > 0;) buf.append(chunk, static_cast<size_t>(n));
  ::close(progress[0]);
  if (fcntl(progress[1], F_GETFD) >= 0) ::close(progress[1]);
  for (size_t at = 0, nl; (nl = buf.find('\n', at)) != std::string::npos; at = nl + 1)
    if (auto r = decode_reply(std::string_view(buf).substr(at, nl - at)))
      if (auto* p = std::get_if<Progress>(&*r)) o.progress.push_back(p->text);
  // The client's reply, if it had one (5 s at most for it to finish).
  std::string reply;
  pollfd p{replies[0], POLLIN, 0};
  while (child > 0 && ::poll(&p, 1, 5000) > 0) {
    ssize_t n = ::read(replies[0], chunk, sizeof chunk);
    if (n <= 0) break;
    reply.append(chunk, static_cast<size_t>(n));
  }
  ::close(replies[0]);
  if (child > 0) {
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);  // ECHILD when the daemon reaped it: fine
  }
  for (size_t at = 0, nl; (nl = reply.find('\n', at)) != std::string::npos; at = nl + 1)
    if (auto r = decode_reply(std::string_view(reply).substr(at, nl - at))) {
      if (auto* d = std::get_if<DownReply>(&*r)) o.down = *d;
      else o.applied = *r;
    }
}

/// `yaml` compiled as run_lab does, with `running`'s names kept (up --apply).
std::string next_plan(const std::string& yaml, const std::string& dir, const topology::Plan& running) {
  topology::CompileOptions co;
  co.state_dir = dir;
  co.auto_kernel = "/nonexistent";
  co.keep_names = &running;
  return topology::plan_to_json(topology::compile(topology::testing::valid_lab(yaml), co)).dump(1) + "\n";
}

std::string lab_yaml(const std::string& network, const std::string& guests) {
  return "name: t\nnetwork: " + network + "\ndefaults: {memory: 64m, stop_timeout: 5s}\nbridges: [lan]\nguests:\n" +
         guests;
}

size_t index_of(const std::vector<std::string>& v, const std::string& s) {
  return static_cast<size_t>(std::find(v.begin(), v.end(), s) - v.begin());
}

/// No process any record of the journal names still runs.
void nothing_runs(const Outcome& o) {
  for (const auto& s : o.journal->saves)
    for (const auto& g : s.guests) {
      CAPTURE(g.name);
      if (g.proc.valid()) CHECK_FALSE(alive(g.proc));
      if (g.kernel.valid()) CHECK_FALSE(alive(g.kernel));
    }
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

/// A temporary state root, its fake kernels, and the outcome of one run.
struct Fixture {
  TmpDir t;
  Kernels k{t.path};
  Outcome o;
  Fixture() { o.dir = t.path + "/t"; }
};

/// One guest on bridge lan: "  NAME: {kernel: K, interfaces: [lan]EXTRA}".
std::string guest(const std::string& name, const std::string& kernel, const std::string& extra = "") {
  return "  " + name + ": {kernel: " + kernel + ", interfaces: [lan]" + extra + "}\n";
}

}  // namespace

TEST_CASE_FIXTURE(Fixture, "daemon: depends_on order, each guest recorded before its fork, down halts all (host mode)") {
  run_lab(o,
          lab_yaml("host", guest("a", k.late) + guest("b", k.polite, ", depends_on: [a]") +
                               guest("c", k.late, ", depends_on: [b]") + guest("d", k.polite)),
          {[](const LabState& s) { return phase_is(s, Phase::Up); }, ClientAction::Kind::Down});
  INFO(joined(o.progress));
  CHECK(o.result.ok());
  CHECK(o.launcher->violations == std::vector<std::string>{});
  REQUIRE(o.launcher->order.size() == 4);
  CHECK(index_of(o.launcher->order, "a") < index_of(o.launcher->order, "b"));
  CHECK(index_of(o.launcher->order, "b") < index_of(o.launcher->order, "c"));
  REQUIRE(o.down);
  REQUIRE(o.down->guests.size() == 4);
  for (const auto& g : o.down->guests) CHECK(g.state == GuestState::Halted);
  // Host mode: the links were made on the host and are all gone again.
  CHECK(std::count_if(o.host->calls.begin(), o.host->calls.end(),
                      [](const std::string& c) { return c.starts_with("create_tap"); }) == 4);
  CHECK(o.host->links.empty());
  CHECK(o.netns->entered == 0);
  CHECK_FALSE(fs::exists(o.dir));
  nothing_runs(o);
}

TEST_CASE_FIXTURE(Fixture, "daemon: an isolated lab enters, binds and drops its namespace once") {
  run_lab(o, lab_yaml("isolated", guest("a", k.polite) + ""),
          {[](const LabState& s) { return phase_is(s, Phase::Up); }, ClientAction::Kind::Down});
  CHECK(o.result.ok());
  CHECK(o.netns->entered == 1);
  CHECK(o.netns->bound == 1);
  CHECK(o.netns->dropped == 1);
  // The links were made after entering; the dropped namespace takes them
  // (the fake keeps them: the daemon does not destroy them one by one).
  CHECK(o.host->links.count("tap0"));
  nothing_runs(o);
}

TEST_CASE_FIXTURE(Fixture, "daemon: a guest failing during up rolls everything back; its dependents never start") {
  run_lab(o,
          lab_yaml("host", guest("a", k.polite) + guest("b", k.broken, ", depends_on: [a]") +
                               guest("c", k.polite, ", depends_on: [b]")),
          {});
  INFO(joined(o.progress));
  REQUIRE_FALSE(o.result.ok());
  CHECK(o.result.error().message.find("b: exited before it was ready (exit 3)") != std::string::npos);
  CHECK(o.launcher->order == std::vector<std::string>{"a", "b"});
  const LabState& last = o.journal->saves.back();
  CHECK(last.phase == Phase::Failed);
  CHECK(last.find("a")->state == GuestState::Halted);
  CHECK(last.find("b")->state == GuestState::Failed);
  CHECK(last.find("c")->started_ms == 0);
  CHECK(o.host->links.empty());
  nothing_runs(o);
}

TEST_CASE_FIXTURE(Fixture, "daemon: a guest not ready in time fails the up, on the world's clock") {
  // When the journal first records n launched, the clock jumps past its
  // ready_timeout (30 s by default): no real waiting.
  std::atomic<long>* skew = &o.skew_ms;
  o.journal->on_save = [skew](const LabState& s) {
    const GuestRecord* n = s.find("n");
    if (n && n->state == GuestState::Starting && n->proc.valid() && skew->load() == 0) skew->store(60'000);
  };
  run_lab(o, lab_yaml("host", guest("n", k.never) + ""), {});
  REQUIRE_FALSE(o.result.ok());
  CHECK(o.result.error().message.find("n: not ready after 30s") != std::string::npos);
  CHECK(o.host->links.empty());
  nothing_runs(o);
}

TEST_CASE_FIXTURE(Fixture, "daemon: a stubborn guest is killed at its stop_timeout, on the world's clock") {
  std::atomic<long>* skew = &o.skew_ms;
  o.journal->on_save = [skew](const LabState& s) {
    // Once p has halted (its own deadline must not pass too), while s still stops.
    const GuestRecord* g = s.find("s");
    const GuestRecord* p = s.find("p");
    if (g && g->state == GuestState::Stopping && p && p->state == GuestState::Halted && skew->load() == 0)
      skew->store(120'000);
  };
  run_lab(o,
          lab_yaml("host", guest("p", k.polite) + guest("s", k.stubborn, ", stop_timeout: 60s")),
          {[](const LabState& s) { return phase_is(s, Phase::Up); }, ClientAction::Kind::Down});
  INFO(joined(o.progress));
  CHECK(o.result.ok());
  REQUIRE(o.down);
  for (const auto& g : o.down->guests) {
    CAPTURE(g.guest);
    CHECK(g.state == (g.guest == "s" ? GuestState::Forced : GuestState::Halted));
    if (g.guest == "s") CHECK(g.took >= std::chrono::seconds(60));  // on the world's clock
  }
  nothing_runs(o);
}

TEST_CASE_FIXTURE(Fixture, "daemon: SIGINT during up rolls it back") {
  run_lab(o,
          lab_yaml("host", guest("a", k.polite) + guest("b", k.never, ", depends_on: [a]") +
                               guest("c", k.polite, ", depends_on: [b]")),
          {[](const LabState& s) {
             const GuestRecord* b = s.find("b");
             return b && b->state == GuestState::Starting && b->proc.valid();
           },
           ClientAction::Kind::Signal, SIGINT});
  INFO(joined(o.progress));
  REQUIRE_FALSE(o.result.ok());
  CHECK(o.result.error().message.find("interrupted (signal") != std::string::npos);
  CHECK(std::find(o.launcher->order.begin(), o.launcher->order.end(), "c") == o.launcher->order.end());
  CHECK(o.host->links.empty());
  CHECK_FALSE(fs::exists(o.dir));
  nothing_runs(o);
}

TEST_CASE_FIXTURE(Fixture, "daemon: a forking kernel: the pidfile's child is the guest, and both are gone after down") {
  run_lab(o, lab_yaml("host", guest("f", k.forking) + ""),
          {[](const LabState& s) { return phase_is(s, Phase::Up); }, ClientAction::Kind::Down});
  CHECK(o.result.ok());
  bool seen = false;
  for (const auto& s : o.journal->saves)
    if (const GuestRecord* f = s.find("f"); f && f->state == GuestState::Up) {
      seen = true;
      CHECK(f->kernel.valid());
      CHECK(f->kernel.pid != f->proc.pid);
    }
  CHECK(seen);
  REQUIRE(o.down);
  CHECK(o.down->guests.at(0).state == GuestState::Halted);
  nothing_runs(o);
}

TEST_CASE_FIXTURE(Fixture, "daemon: a down while the lab starts stops it (C1)") {
  run_lab(o,
          lab_yaml("host", guest("a", k.polite) + guest("b", k.never, ", depends_on: [a]")),
          {[](const LabState& s) {
             const GuestRecord* b = s.find("b");
             return b && b->state == GuestState::Starting && b->proc.valid();
           },
           ClientAction::Kind::Down});
  INFO(joined(o.progress));
  REQUIRE(o.down);
  CHECK(std::count(o.progress.begin(), o.progress.end(), "t: down requested during up") == 1);
  CHECK(o.host->links.empty());
  CHECK_FALSE(fs::exists(o.dir));
  nothing_runs(o);
}

TEST_CASE_FIXTURE(Fixture, "daemon: a forced down kills every guest at once") {
  run_lab(o,
          lab_yaml("host", guest("s", k.stubborn, ", stop_timeout: 60s") + guest("p", k.polite)),
          {[](const LabState& s) { return phase_is(s, Phase::Up); }, ClientAction::Kind::ForceDown});
  CHECK(o.result.ok());
  REQUIRE(o.down);
  for (const auto& g : o.down->guests) CHECK(g.state == GuestState::Forced);
  CHECK(o.skew_ms.load() == 0);  // no deadline was needed
  nothing_runs(o);
}

TEST_CASE_FIXTURE(Fixture, "daemon: up --apply starts the added guest, restarts the changed one, leaves the rest running") {
  const std::string v1 = lab_yaml("isolated", guest("a", k.polite) + guest("b", k.polite) + guest("c", k.polite));
  // b changed (its kernel), c removed, d added on a new bridge.
  const std::string v2 = "name: t\nnetwork: isolated\ndefaults: {memory: 64m, stop_timeout: 5s}\nbridges: [lan, dmz]\n"
                         "guests:\n" + guest("a", k.polite) + guest("b", k.late) + "  d: {kernel: " + k.polite +
                         ", interfaces: [dmz], depends_on: [a]}\n";
  topology::CompileOptions co;
  co.state_dir = o.dir;
  co.auto_kernel = "/nonexistent";
  const topology::Plan running = topology::compile(topology::testing::valid_lab(v1), co);
  ClientAction act{[](const LabState& s) { return phase_is(s, Phase::Up); }, ClientAction::Kind::ApplyThenDown};
  act.next_plan = next_plan(v2, o.dir, running);
  // The launcher checks argv against the plan it was given: give it both.
  topology::Plan both = running;
  auto v2plan = topology::plan_from_json(nlohmann::json::parse(act.next_plan));
  REQUIRE(v2plan);
  for (const auto& g : v2plan->guests)
    if (!both.find_guest(g.name) || g.name == "b") both.guests.push_back(g);
  o.launcher->plan = &both;
  run_lab(o, v1, act, nullptr, &both);
  INFO(joined(o.progress));
  CHECK(o.result.ok());
  REQUIRE(o.applied);
  auto* r = std::get_if<GuestsReply>(&*o.applied);
  REQUIRE(r);
  CHECK(r->error == "");
  std::map<std::string, GuestState> got;
  for (const auto& g : r->guests) got[g.guest] = g.state;
  CHECK(got == std::map<std::string, GuestState>{{"b", GuestState::Up}, {"c", GuestState::Halted},
                                                 {"d", GuestState::Up}});
  CHECK(o.launcher->order == std::vector<std::string>{"a", "b", "c", "b", "d"});
  CHECK(o.launcher->violations == std::vector<std::string>{});
  // a kept its process across the apply: one proc in every record of it.
  std::set<pid_t> a_procs;
  for (const auto& s : o.journal->saves)
    if (const GuestRecord* a = s.find("a"); a && a->proc.valid()) a_procs.insert(a->proc.pid);
  CHECK(a_procs.size() == 1);
  // The host side: dmz's bridge and d's tap made, c's tap destroyed.
  const std::string c_tap = running.find_guest("c")->tap(running.find_guest("c")->ifaces[0]);
  const std::string d_tap = v2plan->find_guest("d")->tap(v2plan->find_guest("d")->ifaces[0]);
  CHECK(std::count(o.host->calls.begin(), o.host->calls.end(), "destroy " + c_tap) == 1);
  CHECK(o.host->links.count(d_tap) == 1);
  CHECK(o.host->links.count(c_tap) == 0);
  REQUIRE(o.down);
  CHECK(o.down->guests.size() == 3);  // a, b, d
  nothing_runs(o);
}
