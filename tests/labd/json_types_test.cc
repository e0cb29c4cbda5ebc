// state.json and control messages: a value of the wrong type anywhere is
// an error naming its place, never an exception (the plan's own test is
// tests/topology/plan_json_test.cc).
#include <doctest/doctest.h>

#include "../json_mutations.h"
#include "labd/protocol.h"

using namespace vklab::labd;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {
LabState rich_state() {
  LabState s;
  s.lab = "l";
  s.phase = Phase::Up;
  s.labd = {10, 20};
  s.netns = "/run/vklab/l/netns";
  s.tag = "vklab:l";
  s.created.push_back({vklab::netsetup::CreatedObject::Kind::Bridge, "bridge0", "", "bridge0"});
  s.created.push_back({vklab::netsetup::CreatedObject::Kind::Forwarding, "4", "", "", "0"});
  GuestRecord g;
  g.name = "r1";
  g.state = GuestState::Up;
  g.proc = {11, 21};
  g.kernel = {12, 22};
  g.bundled = true;
  g.started_ms = 1;
  g.ready_ms = 2;
  g.startup_errors.push_back({3, 2, "ip route add default via 10.0.1.1"});
  s.guests.push_back(g);
  auto imp = vklab::vkernel::parse_impairment("delay=5ms");
  REQUIRE(imp.ok());
  s.links.push_back({"r1", 0, false, *imp});
  return s;
}

void expect_errors(const json& doc, const std::function<bool(const json&, std::string&)>& decode_ok) {
  int cases = 0;
  vklab::testing::for_each_wrong_type(doc, [&](const json& bad, const json::json_pointer& at) {
    ++cases;
    CAPTURE(at.to_string());
    CAPTURE(bad.at(at).dump());
    std::string err;
    REQUIRE_FALSE(decode_ok(bad, err));
    CHECK(err.find(vklab::testing::reader_path(at)) != std::string::npos);
  });
  CHECK(cases > 0);
}
}  // namespace

TEST_CASE("state json: a wrong type anywhere is an error naming the place") {
  json doc = state_to_json(rich_state());
  REQUIRE(state_from_json(doc).ok());
  expect_errors(doc, [](const json& bad, std::string& err) {
    auto s = state_from_json(bad);
    if (!s) err = s.error().message;
    return s.ok();
  });
}

TEST_CASE("protocol: a wrong type anywhere in a request is an error naming the place") {
  auto imp = vklab::vkernel::parse_impairment("loss=1%");
  REQUIRE(imp.ok());
  for (const Request& r : {Request{DownRequest{true, 2500ms}}, Request{ConsoleRequest{"r1"}},
                           Request{ConsoleRequest{"r1", 30, 100, true}},
                           Request{GuestsRequest{GuestsRequest::Op::Restart, {"r1", "r2"}, 1500ms}},
                           Request{LinkRequest{{{"r1", 0}, {"r2", 3}}, LinkRequest::Change::Impair, *imp}}}) {
    json doc = json::parse(encode(r));
    CAPTURE(doc.dump());
    expect_errors(doc, [](const json& bad, std::string& err) {
      auto d = decode_request(bad.dump());
      if (!d) err = d.error().message;
      return d.ok();
    });
  }
}

TEST_CASE("protocol: a wrong type anywhere in a reply is an error naming the place") {
  DownReply d;
  d.guests.push_back({"r1", GuestState::Halted, 400ms});
  d.strays = 1;
  for (const Reply& r : {Reply{ErrorReply{"boom"}}, Reply{StatusReply{rich_state()}},
                         Reply{Progress{"r1", "Up", "r1: up"}}, Reply{d}, Reply{ConsoleReply{"r1"}},
                         Reply{LinksReply{rich_state().links}}, Reply{GuestsReply{d.guests, "bridge lan2: exists"}}}) {
    json doc = json::parse(encode(r));
    CAPTURE(doc.dump());
    REQUIRE(decode_reply(doc.dump()).ok());
    expect_errors(doc, [](const json& bad, std::string& err) {
      auto d = decode_reply(bad.dump());
      if (!d) err = d.error().message;
      return d.ok();
    });
  }
}
