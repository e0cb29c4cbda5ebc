#include <doctest/doctest.h>

#include "labd/protocol.h"

using namespace vklab::labd;
using namespace std::chrono_literals;

TEST_CASE("protocol: requests round trip") {
  for (const Request& r : {Request{StatusRequest{}}, Request{DownRequest{}},
                           Request{DownRequest{true, 2500ms}}, Request{ConsoleRequest{"r1"}},
                           Request{ConsoleRequest{"r1", 45, 150, false}},
                           Request{ConsoleRequest{"r1", 30, 100, true}},
                           Request{GuestsRequest{GuestsRequest::Op::Start, {"r1", "r2"}, std::nullopt}},
                           Request{GuestsRequest{GuestsRequest::Op::Stop, {"r1"}, 1500ms}},
                           Request{GuestsRequest{GuestsRequest::Op::Restart, {"r1"}, std::nullopt}},
                           Request{ApplyRequest{}}}) {
    auto back = decode_request(encode(r));
    REQUIRE(back.ok());
    CHECK(*back == r);
  }
}

TEST_CASE("protocol: bad requests are errors, never crashes") {
  const char* bad[] = {
      "",
      "not json",
      "[]",
      "42",
      "{}",
      R"({"op":7})",
      R"({"op":"fly"})",
      R"({"op":"status","extra":1})",
      R"({"op":"down","force":"yes"})",
      R"({"op":"down","timeout_ms":-1})",
      R"({"op":"down","timeout_ms":1.5})",
      R"({"op":"console"})",
      R"({"op":"console","guest":"r1","rows":-1,"cols":80})",
      R"({"op":"console","guest":"r1","rows":24,"cols":70000})",
      R"({"op":"console","guest":"r1","rows":"24"})",
      R"({"op":"console","guest":"r1","resize":1})",
      R"({"op":"console","guest":""})",
      R"({"op":"console","guest":["r1"]})",
      R"({"op":"start"})",
      R"({"op":"start","guests":[]})",
      R"({"op":"stop","guests":"r1"})",
      R"({"op":"stop","guests":[""]})",
      R"({"op":"restart","guests":[7]})",
      R"({"op":"restart","guests":["r1"],"timeout_ms":-5})",
      R"({"op":"start","guests":["r1"],"force":true})",
      R"({"op":"apply","plan":"/etc/passwd"})",
      "{\"op\":\"status\"",
      "\xff\xfe",
  };
  for (const char* line : bad) {
    CAPTURE(line);
    auto r = decode_request(line);
    CHECK_FALSE(r.ok());
    if (!r.ok()) CHECK(r.error().message.rfind("request", 0) == 0);
  }
  CHECK_FALSE(decode_request(std::string(kMaxRequestLine + 1, ' ')).ok());
}

TEST_CASE("protocol: replies round trip") {
  LabState st;
  st.lab = "x";
  GuestRecord g;
  g.name = "r1";
  st.guests.push_back(g);
  DownReply d;
  d.guests.push_back({"r1", GuestState::Halted, 400ms});
  d.guests.push_back({"r2", GuestState::Forced, 2000ms});
  for (const Reply& r : {Reply{ErrorReply{"boom"}}, Reply{StatusReply{st}},
                         Reply{Progress{"r1", "Up", "r1: up"}}, Reply{d}, Reply{ConsoleReply{"r1"}},
                         Reply{GuestsReply{d.guests, ""}}, Reply{GuestsReply{{}, "bridge lan2: exists"}}}) {
    auto back = decode_reply(encode(r));
    REQUIRE(back.ok());
    CHECK(*back == r);
  }
  CHECK_FALSE(decode_reply(R"({"type":"down","guests":[{"guest":"a","state":"Zz","took_ms":1}],"error":""})").ok());
  CHECK_FALSE(decode_reply(R"({"type":"nope"})").ok());
  CHECK_FALSE(decode_reply(R"({"type":"guests","guests":{}})").ok());
  CHECK_FALSE(decode_reply("garbage").ok());
}

TEST_CASE("protocol: outcome lines") {
  CHECK(describe({"gw", GuestState::Halted, 400ms}, 30s) == "gw: halted cleanly in 0.4s");
  CHECK(describe({"gw", GuestState::Forced, 30000ms}, 30s) == "gw: forced after 30s");
  CHECK(describe({"gw", GuestState::Forced, 0ms}, 0ms) == "gw: forced (killed at once)");
}
