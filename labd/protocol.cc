#include "labd/protocol.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "common/json_in.h"
#include "common/text.h"

namespace vklab::labd {
namespace {

using nlohmann::json;

template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

json outcomes_to_json(const std::vector<GuestOutcome>& os) {
  json gs = json::array();
  for (const auto& o : os)
    gs.push_back({{"guest", o.guest}, {"state", state_name(o.state)}, {"took_ms", o.took.count()}});
  return gs;
}

std::vector<GuestOutcome> outcomes_from_json(const JsonIn& f) {
  std::vector<GuestOutcome> out;
  for (const JsonIn& g : f.list("guests")) {
    GuestOutcome o;
    o.guest = g.str("guest");
    o.state = guest_state_field(g, "state");
    o.took = std::chrono::milliseconds(g.integer("took_ms", 0));
    out.push_back(o);
  }
  return out;
}

std::optional<GuestsRequest::Op> parse_guests_op(std::string_view op) {
  for (auto o : {GuestsRequest::Op::Start, GuestsRequest::Op::Stop, GuestsRequest::Op::Restart})
    if (op == guests_op_name(o)) return o;
  return std::nullopt;
}

std::optional<json> parse_object(std::string_view line) {
  json j = json::parse(line.begin(), line.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

/// One message: its kind from field `tag` ("op", "type"), then `of(kind,
/// fields)` with messages named "<what> <kind>"; the first problem wins.
template <class T, class Of>
Result<T> decode(std::string_view line, const char* what, const char* tag, Of of) {
  auto j = parse_object(line);
  if (!j) return make_error(std::string(what) + ": not a JSON object");
  JsonReader head(what);
  std::string kind = head.top(*j).str(tag);
  if (!head.ok()) return head.error();
  JsonReader r(std::string(what) + " " + kind);
  Result<T> out = of(kind, r.top(*j));
  if (out && !r.ok()) return r.error();
  return out;
}

Result<Request> request_of(const std::string& op, const JsonIn& f) {
  if (op == "status") {
    f.only({"op"});
    return Request{StatusRequest{}};
  }
  if (op == "down") {
    f.only({"op", "force", "timeout_ms"});
    DownRequest d;
    d.force = f.boolean_or("force", false);
    if (auto t = f.opt_integer("timeout_ms", 0, 24 * 3600 * 1000)) d.timeout = std::chrono::milliseconds(*t);
    return Request{d};
  }
  if (op == "console") {
    f.only({"op", "guest", "rows", "cols", "resize"});
    ConsoleRequest c{f.str("guest")};
    if (c.guest.empty()) f.fail("guest", "empty");
    c.rows = static_cast<int>(f.opt_integer("rows", 0, 65535).value_or(0));
    c.cols = static_cast<int>(f.opt_integer("cols", 0, 65535).value_or(0));
    c.resize = f.boolean_or("resize", false);
    return Request{c};
  }
  if (op == "link") return Request{link_request_from_json(f)};
  if (auto g = parse_guests_op(op)) {
    f.only({"op", "guests", "timeout_ms"});
    GuestsRequest r;
    r.op = *g;
    std::vector<JsonIn> names = f.list("guests");
    if (names.empty()) f.fail("guests", "empty");
    for (const JsonIn& n : names) {
      std::string name = n.as_str().value_or("");
      if (name.empty()) n.fail("not a guest name");
      r.guests.push_back(std::move(name));
    }
    if (auto t = f.opt_integer("timeout_ms", 0, 24 * 3600 * 1000)) r.timeout = std::chrono::milliseconds(*t);
    return Request{r};
  }
  if (op == "apply") {
    f.only({"op"});
    return Request{ApplyRequest{}};
  }
  return make_error("request: unknown op \"" + op + "\"");
}

Result<Reply> reply_of(const std::string& type, const JsonIn& f) {
  if (type == "error") return Reply{ErrorReply{f.str("error")}};
  if (type == "status") return Reply{StatusReply{state_from_json(f.at("state"))}};
  if (type == "progress") {
    Progress p;
    p.guest = f.str("guest");
    p.state = f.str("state");
    p.text = f.str("text");
    return Reply{p};
  }
  if (type == "down") {
    DownReply d;
    d.error = f.str("error");
    d.strays = static_cast<int>(f.opt_integer("strays", 0, 1 << 20).value_or(0));
    d.guests = outcomes_from_json(f);
    return Reply{d};
  }
  if (type == "console") return Reply{ConsoleReply{f.str("guest")}};
  if (type == "links") return Reply{LinksReply{links_from_json(f.at("links"))}};
  if (type == "guests") {
    GuestsReply g;
    g.error = f.str_or("error", "");
    g.guests = outcomes_from_json(f);
    return Reply{g};
  }
  return make_error("reply: unknown type \"" + type + "\"");
}

}  // namespace

std::string encode(const Request& r) {
  json j = std::visit(overloaded{
                          [](const StatusRequest&) { return json{{"op", "status"}}; },
                          [](const DownRequest& d) {
                            json o = {{"op", "down"}, {"force", d.force}};
                            if (d.timeout) o["timeout_ms"] = d.timeout->count();
                            return o;
                          },
                          [](const ConsoleRequest& c) {
                            json o = {{"op", "console"}, {"guest", c.guest}};
                            if (c.rows > 0 && c.cols > 0) o["rows"] = c.rows, o["cols"] = c.cols;
                            if (c.resize) o["resize"] = true;
                            return o;
                          },
                          [](const LinkRequest& l) { return link_request_to_json(l); },
                          [](const GuestsRequest& g) {
                            json o = {{"op", guests_op_name(g.op)}, {"guests", g.guests}};
                            if (g.timeout) o["timeout_ms"] = g.timeout->count();
                            return o;
                          },
                          [](const ApplyRequest&) { return json{{"op", "apply"}}; },
                      },
                      r);
  return j.dump();
}

Result<Request> decode_request(std::string_view line) {
  if (line.size() > kMaxRequestLine) return make_error("request: too long");
  return decode<Request>(line, "request", "op", request_of);
}

std::string encode(const Reply& r) {
  json j = std::visit(
      overloaded{
          [](const ErrorReply& e) { return json{{"type", "error"}, {"error", e.error}}; },
          [](const StatusReply& s) { return json{{"type", "status"}, {"state", state_to_json(s.state)}}; },
          [](const Progress& p) {
            return json{{"type", "progress"}, {"guest", p.guest}, {"state", p.state}, {"text", p.text}};
          },
          [](const DownReply& d) {
            json o = {{"type", "down"}, {"guests", outcomes_to_json(d.guests)}, {"error", d.error}};
            if (d.strays) o["strays"] = d.strays;
            return o;
          },
          [](const ConsoleReply& c) { return json{{"type", "console"}, {"guest", c.guest}}; },
          [](const LinksReply& l) { return json{{"type", "links"}, {"links", links_to_json(l.links)}}; },
          [](const GuestsReply& g) {
            return json{{"type", "guests"}, {"guests", outcomes_to_json(g.guests)}, {"error", g.error}};
          },
      },
      r);
  return j.dump();
}

Result<Reply> decode_reply(std::string_view line) {
  return decode<Reply>(line, "reply", "type", reply_of);
}

const char* guests_op_name(GuestsRequest::Op op) {
  switch (op) {
    case GuestsRequest::Op::Start: return "start";
    case GuestsRequest::Op::Stop: return "stop";
    case GuestsRequest::Op::Restart: return "restart";
  }
  return "?";
}

std::string describe(const GuestOutcome& o, std::chrono::milliseconds timeout) {
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.1fs", static_cast<double>(o.took.count()) / 1000.0);
  switch (o.state) {
    case GuestState::Halted: return o.guest + ": halted cleanly in " + secs;
    case GuestState::Forced:
      return timeout.count() > 0 ? o.guest + ": forced after " + format_duration(timeout)
                                 : o.guest + ": forced (killed at once)";
    default: return o.guest + ": " + state_name(o.state);
  }
}

}  // namespace vklab::labd
