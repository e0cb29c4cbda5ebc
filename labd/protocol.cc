#include "labd/protocol.h"

#include <cstdio>

#include <nlohmann/json.hpp>

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

// Field access that records the first problem instead of throwing.
struct Fields {
  const json& j;
  std::string what;
  std::string err;
  void fail(const std::string& m) {
    if (err.empty()) err = what + ": " + m;
  }
  std::string str(const char* key, bool required = true) {
    auto it = j.find(key);
    if (it == j.end()) {
      if (required) fail(std::string("missing \"") + key + "\"");
      return "";
    }
    if (!it->is_string()) {
      fail(std::string("\"") + key + "\" is not a string");
      return "";
    }
    return it->get<std::string>();
  }
  bool boolean(const char* key) {
    auto it = j.find(key);
    if (it == j.end()) return false;
    if (!it->is_boolean()) fail(std::string("\"") + key + "\" is not a boolean");
    return it->is_boolean() && it->get<bool>();
  }
  std::optional<int64_t> num(const char* key, bool required) {
    auto it = j.find(key);
    if (it == j.end()) {
      if (required) fail(std::string("missing \"") + key + "\"");
      return std::nullopt;
    }
    if (!it->is_number_integer()) {
      fail(std::string("\"") + key + "\" is not an integer");
      return std::nullopt;
    }
    return it->get<int64_t>();
  }
  /// Keys other than `known` are errors: a typo must not pass silently.
  void only(std::initializer_list<const char*> known) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      bool ok = false;
      for (const char* k : known) ok = ok || it.key() == k;
      if (!ok) fail("unknown field \"" + it.key() + "\"");
    }
  }
};

json outcomes_to_json(const std::vector<GuestOutcome>& os) {
  json gs = json::array();
  for (const auto& o : os)
    gs.push_back({{"guest", o.guest}, {"state", state_name(o.state)}, {"took_ms", o.took.count()}});
  return gs;
}

std::vector<GuestOutcome> outcomes_from_json(const json& j, Fields& f) {
  std::vector<GuestOutcome> out;
  auto it = j.find("guests");
  if (it == j.end() || !it->is_array()) {
    f.fail("\"guests\" is not an array");
    return out;
  }
  for (const auto& g : *it) {
    if (!g.is_object()) {
      f.fail("\"guests\" holds a non-object");
      continue;
    }
    Fields gf{g, f.what + " guest", ""};
    GuestOutcome o;
    o.guest = gf.str("guest");
    std::string st = gf.str("state");
    if (auto s = parse_state(st)) o.state = *s;
    else gf.fail("unknown state \"" + st + "\"");
    o.took = std::chrono::milliseconds(gf.num("took_ms", true).value_or(0));
    if (!gf.err.empty()) f.fail(gf.err);
    out.push_back(o);
  }
  return out;
}

std::optional<GuestsRequest::Op> parse_guests_op(std::string_view op) {
  for (auto o : {GuestsRequest::Op::Start, GuestsRequest::Op::Stop, GuestsRequest::Op::Restart})
    if (op == guests_op_name(o)) return o;
  return std::nullopt;
}

Result<Request> decode_guests(const json& j, Fields& f, GuestsRequest::Op op) {
  f.only({"op", "guests", "timeout_ms"});
  GuestsRequest r;
  r.op = op;
  auto it = j.find("guests");
  if (it == j.end() || !it->is_array() || it->empty()) f.fail("\"guests\" is not a non-empty array");
  else
    for (const auto& g : *it) {
      if (!g.is_string() || g.get<std::string>().empty()) {
        f.fail("\"guests\" holds something other than a guest name");
        break;
      }
      r.guests.push_back(g.get<std::string>());
    }
  if (auto t = f.num("timeout_ms", false)) {
    if (*t < 0 || *t > 24 * 3600 * 1000) f.fail("\"timeout_ms\" out of range");
    r.timeout = std::chrono::milliseconds(*t);
  }
  if (!f.err.empty()) return make_error(f.err);
  return Request{r};
}

std::optional<json> parse_object(std::string_view line) {
  json j = json::parse(line.begin(), line.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
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
  auto j = parse_object(line);
  if (!j) return make_error("request: not a JSON object");
  Fields f{*j, "request", ""};
  std::string op = f.str("op");
  if (!f.err.empty()) return make_error(f.err);
  f.what = "request " + op;
  if (op == "status") {
    f.only({"op"});
    if (!f.err.empty()) return make_error(f.err);
    return Request{StatusRequest{}};
  }
  if (op == "down") {
    f.only({"op", "force", "timeout_ms"});
    DownRequest d;
    d.force = f.boolean("force");
    if (auto t = f.num("timeout_ms", false)) {
      if (*t < 0 || *t > 24 * 3600 * 1000) f.fail("\"timeout_ms\" out of range");
      d.timeout = std::chrono::milliseconds(*t);
    }
    if (!f.err.empty()) return make_error(f.err);
    return Request{d};
  }
  if (op == "console") {
    f.only({"op", "guest", "rows", "cols", "resize"});
    ConsoleRequest c{f.str("guest")};
    if (f.err.empty() && c.guest.empty()) f.fail("\"guest\" is empty");
    for (auto [key, out] : {std::pair{"rows", &c.rows}, std::pair{"cols", &c.cols}})
      if (auto n = f.num(key, false)) {
        if (*n < 0 || *n > 65535) f.fail(std::string("\"") + key + "\" out of range");
        else *out = static_cast<int>(*n);
      }
    c.resize = f.boolean("resize");
    if (!f.err.empty()) return make_error(f.err);
    return Request{c};
  }
  if (op == "link") {
    auto l = link_request_from_json(*j);
    if (!l) return l.error();
    return Request{*l};
  }
  if (auto g = parse_guests_op(op)) return decode_guests(*j, f, *g);
  if (op == "apply") {
    f.only({"op"});
    if (!f.err.empty()) return make_error(f.err);
    return Request{ApplyRequest{}};
  }
  return make_error("request: unknown op \"" + op + "\"");
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
  auto j = parse_object(line);
  if (!j) return make_error("reply: not a JSON object");
  Fields f{*j, "reply", ""};
  std::string type = f.str("type");
  if (!f.err.empty()) return make_error(f.err);
  f.what = "reply " + type;
  if (type == "error") {
    ErrorReply e{f.str("error")};
    if (!f.err.empty()) return make_error(f.err);
    return Reply{e};
  }
  if (type == "status") {
    auto it = j->find("state");
    if (it == j->end()) return make_error("reply status: missing \"state\"");
    auto s = state_from_json(*it);
    if (!s) return s.error();
    return Reply{StatusReply{std::move(*s)}};
  }
  if (type == "progress") {
    Progress p{f.str("guest"), f.str("state"), f.str("text")};
    if (!f.err.empty()) return make_error(f.err);
    return Reply{p};
  }
  if (type == "down") {
    DownReply d;
    d.error = f.str("error");
    if (auto n = f.num("strays", false)) d.strays = static_cast<int>(*n);
    d.guests = outcomes_from_json(*j, f);
    if (!f.err.empty()) return make_error(f.err);
    return Reply{d};
  }
  if (type == "console") {
    ConsoleReply c{f.str("guest")};
    if (!f.err.empty()) return make_error(f.err);
    return Reply{c};
  }
  if (type == "links") {
    auto it = j->find("links");
    if (it == j->end()) return make_error("reply links: missing \"links\"");
    auto l = links_from_json(*it);
    if (!l) return make_error("reply links: " + l.error().message);
    return Reply{LinksReply{std::move(*l)}};
  }
  if (type == "guests") {
    GuestsReply g;
    g.error = f.str("error", false);
    g.guests = outcomes_from_json(*j, f);
    if (!f.err.empty()) return make_error(f.err);
    return Reply{g};
  }
  return make_error("reply: unknown type \"" + type + "\"");
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
