#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "labd/state.h"

using namespace vklab::labd;
namespace fs = std::filesystem;

namespace {
LabState sample() {
  LabState s;
  s.lab = "triangle";
  s.phase = Phase::Up;
  s.isolated = true;
  s.labd = {1234, 99887766};
  s.netns = "/run/vklab/triangle/netns";
  s.tag = "vklab:triangle";
  s.created.push_back({vklab::netsetup::CreatedObject::Kind::Bridge, "bridge0", "", "bridge0"});
  s.created.push_back({vklab::netsetup::CreatedObject::Kind::Tap, "tap0", "", "tap0"});
  s.created.push_back({vklab::netsetup::CreatedObject::Kind::Membership, "eth0", "bridge0", "bridge0"});
  GuestRecord g;
  g.name = "r1";
  g.state = GuestState::Up;
  g.proc = {2000, 555};
  g.kernel = {2001, 556};
  g.bundled = true;
  g.started_ms = 1700000000000;
  g.ready_ms = 1700000000300;
  g.startup_errors = {{3, 2, "ip route add default via 10.0.1.1"}, {7, 127, "frobnicate 'it'"}};
  s.guests.push_back(g);
  g.startup_errors.clear();
  g.name = "r2";
  g.state = GuestState::Failed;
  g.error = "r2: /nope: No such file or directory";
  g.exit = "exit 127";
  s.guests.push_back(g);
  return s;
}
}  // namespace

TEST_CASE("state: JSON round trip") {
  LabState s = sample();
  auto back = state_from_json(state_to_json(s));
  REQUIRE(back.ok());
  CHECK(*back == s);
  CHECK(back->find("r2")->state == GuestState::Failed);
  CHECK(back->find("nope") == nullptr);
}

TEST_CASE("state: startup errors") {
  CHECK(describe(sample().guests[0].startup_errors[0]) ==
        "startup line 3 failed (exit 2): ip route add default via 10.0.1.1");
  auto j = state_to_json(sample());
  CHECK(j["guests"][0]["startup_errors"][1] ==
        nlohmann::json{{"line", 7}, {"exit", 127}, {"command", "frobnicate 'it'"}});
  CHECK(j["guests"][1]["startup_errors"] == nlohmann::json::array());
  // a state.json from before startup errors were kept
  j["guests"][0].erase("startup_errors");
  auto old = state_from_json(j);
  REQUIRE(old.ok());
  CHECK(old->guests[0].startup_errors.empty());
  j = state_to_json(sample());
  j["guests"][0]["startup_errors"][0]["line"] = "3";
  auto bad = state_from_json(j);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("guests[0].startup_errors[0].line") != std::string::npos);
  j["guests"][0]["startup_errors"] = "x";
  CHECK_FALSE(state_from_json(j).ok());
}

TEST_CASE("state: malformed state.json names the field") {
  auto j = state_to_json(sample());
  j["guests"][1]["state"] = "Flying";
  auto r = state_from_json(j);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("guests[1]") != std::string::npos);
  j = state_to_json(sample());
  j["labd"]["pid"] = "x";
  CHECK_FALSE(state_from_json(j).ok());
  j = state_to_json(sample());
  j.erase("phase");
  CHECK_FALSE(state_from_json(j).ok());
  CHECK_FALSE(state_from_json(nlohmann::json::array()).ok());
}

TEST_CASE("state: atomic write and read back") {
  fs::path dir = fs::temp_directory_path() / ("labd-state-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string path = (dir / "state.json").string();
  LabState s = sample();
  REQUIRE(write_state(path, s).ok());
  CHECK_FALSE(fs::exists(path + ".tmp"));
  auto back = read_state(path);
  REQUIRE(back.ok());
  CHECK(*back == s);
  { std::ofstream(path) << "{not json"; }
  CHECK_FALSE(read_state(path).ok());
  CHECK_FALSE(read_state((dir / "missing.json").string()).ok());
  fs::remove_all(dir);
}

TEST_CASE("state: VKLAB_STATE_ROOT overrides the root") {
  setenv("VKLAB_STATE_ROOT", "/tmp/vk-root", 1);
  CHECK(state_root() == "/tmp/vk-root");
  unsetenv("VKLAB_STATE_ROOT");
  CHECK(state_root() != "/tmp/vk-root");
}

TEST_CASE("state: /proc/PID/stat parsing") {
  // comm with spaces and parentheses: fields count from the last ')'.
  std::string text = "4242 (labd: a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
                     "123456789 1000 100 18446744073709551615";
  auto st = parse_proc_stat(text);
  REQUIRE(st);
  CHECK(st->state == 'S');
  CHECK(st->ppid == 1);
  CHECK(st->starttime == 123456789u);
  CHECK_FALSE(parse_proc_stat("garbage").has_value());
  CHECK_FALSE(parse_proc_stat("1 (x) S 1 2").has_value());
}

TEST_CASE("state: pid + start time identify a process") {
  auto me = proc_id(getpid());
  REQUIRE(me);
  CHECK(alive(*me));
  ProcId reused = *me;
  reused.starttime += 1;  // same pid, another process
  CHECK_FALSE(alive(reused));
  CHECK_FALSE(signal_if_same(reused, 0));
  CHECK(signal_if_same(*me, 0));
  CHECK_FALSE(alive(ProcId{}));

  pid_t child = fork();
  if (child == 0) _exit(0);
  auto cid = proc_id(child);
  REQUIRE(cid);
  usleep(100 * 1000);
  CHECK_FALSE(alive(*cid));  // a zombie has exited
  int st;
  waitpid(child, &st, 0);
  CHECK_FALSE(alive(*cid));
}
