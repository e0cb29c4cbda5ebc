// The runner and each kind's judgement: one look through the Prober, then
// pure code deciding whether it held and saying what was found.
#include "cli/checks.h"

#include <boost/regex.hpp>

#include <algorithm>
#include <set>
#include <thread>

#include "common/ip.h"
#include "common/text.h"

namespace vklab::cli {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using K = CheckDecl::Kind;

/// One look: did the positive condition hold, and what was there.
struct Finding {
  bool holds = false;
  std::string found;
};

/// How much of a command's output a finding quotes.
constexpr size_t kQuoteMax = 120;
/// How many names a "running: …" list shows.
constexpr size_t kListMax = 12;

/// "\"text\"" with newlines as \n, cut at kQuoteMax.
std::string quote(const std::string& s) {
  std::string q = "\"";
  for (char c : s.substr(0, kQuoteMax)) {
    if (c == '\n') q += "\\n";
    else if (c == '\t') q += "\\t";
    else if (c == '"') q += "\\\"";
    else q += c;
  }
  return q + (s.size() > kQuoteMax ? "…\"" : "\"");
}

std::string strip_newline(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::string first_line(const std::string& s) {
  std::string l = s.substr(0, s.find('\n'));
  return l.substr(0, kQuoteMax);
}

std::string list_some(const std::vector<std::string>& items) {
  std::vector<std::string> some(items.begin(), items.begin() + static_cast<long>(std::min(items.size(), kListMax)));
  return join(some, ", ") + (items.size() > kListMax ? ", …" : "");
}

// ---- route ----

bool contains(const IpPrefix& p, const IpAddr& a) {
  if (p.addr.family != a.family) return false;
  return IpPrefix{a, p.len}.network() == p.network();
}

/// `proto: static` is any route configured by hand: `ip route add` (boot,
/// the kernel's default for a route a user adds), `proto static`, and FRR's
/// staticd (196). Every other name or number is that protocol exactly.
bool proto_matches(const std::string& want, int have) {
  if (want == "static") return have == 3 || have == 4 || have == 196;
  auto n = hostnet::route_proto_number(want);
  return n && *n == have;
}

std::string describe_hops(const hostnet::Route& r) {
  std::string s = r.type != "unicast" ? r.type : "";
  for (size_t i = 0; i < r.hops.size(); ++i) {
    const auto& h = r.hops[i];
    std::string hop;
    if (!h.via.empty()) hop += "via " + h.via;
    if (!h.dev.empty()) hop += (hop.empty() ? "" : " ") + std::string("dev ") + h.dev;
    if (hop.empty()) continue;
    s += (s.empty() ? "" : i == 0 ? " " : ", ") + hop;
  }
  return s + (s.empty() ? "" : " ") + "proto " + hostnet::route_proto_name(r.proto);
}

bool route_matches(const CheckDecl& c, const hostnet::Route& r) {
  if (c.proto && !proto_matches(*c.proto, r.proto)) return false;
  if (!c.via && !c.dev) return true;
  return std::any_of(r.hops.begin(), r.hops.end(), [&](const hostnet::NextHop& h) {
    return (!c.via || h.via == *c.via) && (!c.dev || h.dev == *c.dev);
  });
}

Finding judge_route(const CheckDecl& c, const hostnet::NetState& net) {
  auto want = IpPrefix::parse(c.target.value);
  std::vector<const hostnet::Route*> same;
  for (const auto& r : net.routes)
    if (want && r.dst == *want) same.push_back(&r);
  for (const auto* r : same)
    if (route_matches(c, *r)) return {true, describe_hops(*r)};
  if (!same.empty()) {
    std::vector<std::string> d;
    for (const auto* r : same) d.push_back(describe_hops(*r));
    return {false, join(d, "; ")};
  }
  // None for that prefix: say which route the guest would take instead.
  const hostnet::Route* best = nullptr;
  for (const auto& r : net.routes)
    if (want && contains(r.dst, want->addr) && r.dst.len < want->len && (!best || r.dst.len > best->dst.len))
      best = &r;
  std::string f = "no route to " + c.target.value;
  if (best) f += " (" + c.target.value + " goes " + (best->dst.len == 0 ? "by the default route " : "by " + best->dst.str() + " ") + describe_hops(*best) + ")";
  return {false, f};
}

// ---- address ----

bool worth_listing(const hostnet::Address& a) {
  std::string s = a.local.addr.str();
  return a.dev != "lo" && !s.starts_with("fe80:");
}

Finding judge_address(const CheckDecl& c, const hostnet::NetState& net) {
  auto want = IpPrefix::parse(c.target.value);
  std::vector<std::string> same_addr, on_dev;
  for (const auto& a : net.addresses) {
    bool dev_ok = !c.dev || a.dev == *c.dev;
    if (want && a.local == *want && dev_ok) return {true, a.local.str() + " on " + a.dev};
    if (want && a.local.addr == want->addr) same_addr.push_back(a.local.str() + " on " + a.dev);
    if (c.dev && a.dev == *c.dev && worth_listing(a)) on_dev.push_back(a.local.str());
  }
  if (!same_addr.empty()) return {false, join(same_addr, ", ")};
  if (c.dev) {
    bool exists = std::any_of(net.addresses.begin(), net.addresses.end(),
                              [&](const auto& a) { return a.dev == *c.dev; });
    if (on_dev.empty())
      return {false, exists ? *c.dev + " has no other address" : "no address on " + *c.dev};
    return {false, *c.dev + " has " + join(on_dev, ", ")};
  }
  std::vector<std::string> all;
  for (const auto& a : net.addresses)
    if (worth_listing(a)) all.push_back(a.local.str() + " on " + a.dev);
  return {false, "no interface has " + (want ? want->addr.str() : c.target.value) +
                     (all.empty() ? "" : " (" + list_some(all) + ")")};
}

// ---- process ----

Finding judge_process(const CheckDecl& c, const std::vector<std::string>& names) {
  auto n = std::count(names.begin(), names.end(), c.target.value);
  if (n > 0) return {true, n == 1 ? "1 process named " + c.target.value
                                   : std::to_string(n) + " processes named " + c.target.value};
  std::set<std::string> uniq(names.begin(), names.end());
  return {false, "no process named " + c.target.value + " (running: " +
                     list_some(std::vector<std::string>(uniq.begin(), uniq.end())) + ")"};
}

// ---- command ----

Finding judge_command(const CheckDecl& c, const CommandRun& run, milliseconds limit) {
  if (run.timed_out)
    return {false, "no exit within " + format_duration(limit) + (run.out.empty() ? "" : ", output " + quote(run.out))};
  std::string out = strip_newline(run.out);
  if (run.status != c.exit) {
    std::string f = "exit " + std::to_string(run.status);
    if (!run.err.empty()) f += ": " + quote(first_line(run.err));
    else if (!out.empty()) f += ", output " + quote(out);
    return {false, f};
  }
  if (c.output && out != strip_newline(*c.output)) return {false, "output " + quote(out)};
  if (c.match) {
    bool found = false;
    try {
      found = boost::regex_search(run.out, boost::regex(*c.match, boost::regex::perl));
    } catch (const std::exception& e) {  // too complex for this output: say so, never crash
      return {false, std::string("output the regex cannot be run on (") + e.what() + ")"};
    }
    if (!found) return {false, "output " + quote(out) + ", no match for /" + *c.match + "/"};
  }
  return {true, "exit " + std::to_string(run.status) + (out.empty() ? "" : ", output " + quote(out))};
}

// ---- resolve ----

Finding judge_resolve(const CheckDecl& c, const CommandRun& run, milliseconds limit) {
  if (run.timed_out) return {false, "no answer within " + format_duration(limit)};
  if (run.status == 127) return {false, "no getent in the guest"};
  std::vector<std::string> answers;
  size_t pos = 0;
  while (pos < run.out.size()) {
    size_t end = run.out.find('\n', pos);
    if (end == std::string::npos) end = run.out.size();
    std::string line = run.out.substr(pos, end - pos);
    pos = end + 1;
    std::string first = line.substr(0, line.find_first_of(" \t"));
    auto a = IpAddr::parse(first);
    if (a && std::find(answers.begin(), answers.end(), a->str()) == answers.end()) answers.push_back(a->str());
  }
  if (answers.empty()) return {false, "no answer for " + c.target.value};
  bool holds = !c.address || std::find(answers.begin(), answers.end(), *c.address) != answers.end();
  return {holds, join(answers, ", ")};
}

// ---- http ----

/// curl writes the body, then "\n" and the status code (-w).
Finding judge_http(const CheckDecl& c, const CommandRun& run, milliseconds limit) {
  if (run.timed_out) return {false, "no answer within " + format_duration(limit)};
  if (run.status == 127) return {false, "no curl in the guest"};
  if (run.status != 0)
    return {false, run.err.empty() ? "curl exit " + std::to_string(run.status) : first_line(run.err)};
  size_t nl = run.out.rfind('\n');
  std::string body = nl == std::string::npos ? "" : run.out.substr(0, nl);
  int code = std::atoi(run.out.c_str() + (nl == std::string::npos ? 0 : nl + 1));
  std::string f = "status " + std::to_string(code);
  if (code != c.status) return {false, f};
  if (c.contains && body.find(*c.contains) == std::string::npos)
    return {false, f + ", a body without " + quote(*c.contains) + " (" + std::to_string(body.size()) +
                       " bytes: " + quote(strip_newline(body)) + ")"};
  return {true, f + ", " + std::to_string(body.size()) + " bytes"};
}

// ---- bgp ----

/// FRR's `show bgp summary json`: {"ipv4Unicast": {"peers": {ADDR:
/// {"state": …, "pfxRcd": N}}}, "ipv6Unicast": …}; older releases (and
/// `show ip bgp summary json`) give one family's object at the top.
Finding judge_bgp(const CheckDecl& c, const CommandRun& run, milliseconds limit) {
  if (run.timed_out) return {false, "no answer from vtysh within " + format_duration(limit)};
  if (run.status == 127) return {false, "no vtysh in the guest"};
  if (run.status != 0)
    return {false, "vtysh exit " + std::to_string(run.status) +
                       (run.err.empty() ? "" : ": " + quote(first_line(run.err)))};
  auto j = nlohmann::json::parse(run.out, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return {false, "vtysh output that is not JSON: " + quote(run.out)};
  std::vector<const nlohmann::json*> families;
  if (j.contains("peers")) families.push_back(&j);
  for (const auto& [k, v] : j.items())
    if (v.is_object() && v.contains("peers")) families.push_back(&v);
  std::string state;
  long long received = 0;
  bool seen = false;
  std::set<std::string> others;
  for (const auto* fam : families) {
    const auto& peers = (*fam)["peers"];
    if (!peers.is_object()) continue;
    for (const auto& [addr, peer] : peers.items()) {
      auto a = IpAddr::parse(addr);
      std::string key = a ? a->str() : addr;
      if (key != c.target.value) {
        others.insert(key);
        continue;
      }
      seen = true;
      if (peer.contains("state") && peer["state"].is_string()) state = peer["state"].get<std::string>();
      if (peer.contains("pfxRcd") && peer["pfxRcd"].is_number_integer()) received += peer["pfxRcd"].get<long long>();
    }
  }
  if (!seen)
    return {false, "no session with " + c.target.value +
                       (others.empty() ? " (no peers)" : " (peers: " + list_some({others.begin(), others.end()}) + ")")};
  std::string f = "state " + (state.empty() ? std::string("unknown") : state) + ", " +
                  std::to_string(received) + " prefix" + (received == 1 ? "" : "es") + " received";
  bool holds = state == "Established" && (!c.prefixes || received >= *c.prefixes);
  return {holds, f};
}

/// One look at what `c` asks. `wait`: what is left of the check's wait.
Result<Finding> look(const CheckDecl& c, Prober& p, const CheckOptions& opts, milliseconds left) {
  const std::string& g = c.from.value;
  if (c.kind == K::Ping || c.kind == K::Tcp) {
    auto r = p.reach(c, std::clamp(left, milliseconds(1), opts.attempt));
    if (!r) return r.error();
    return Finding{*r, *r ? "reachable" : "unreachable"};
  }
  if (c.kind == K::Route || c.kind == K::Address) {
    auto net = p.net(g);
    if (!net) return net.error();
    return c.kind == K::Route ? judge_route(c, *net) : judge_address(c, *net);
  }
  if (c.kind == K::Process) {
    auto names = p.processes(g);
    if (!names) return names.error();
    return judge_process(c, *names);
  }
  milliseconds limit = std::max(left, opts.command_limit);
  std::vector<std::string> argv;
  switch (c.kind) {
    case K::Command: argv = {"sh", "-c", c.target.value}; break;
    case K::Resolve: argv = {"getent", "ahosts", c.target.value}; break;
    case K::Http: {
      auto secs = std::max<long long>(1, limit.count() / 1000);
      // -g: no URL globbing; -k: a lab's self-signed certificate is fine.
      argv = {"curl", "-sS", "-g", "-k", "--max-time", std::to_string(secs), "-o", "-", "-w", "\n%{http_code}",
              "--", c.target.value};
      break;
    }
    case K::Bgp: argv = {"vtysh", "-c", "show bgp summary json"}; break;
    default: return make_error("unknown check kind");
  }
  auto run = p.run(g, argv, limit);
  if (!run) return run.error();
  switch (c.kind) {
    case K::Command: return judge_command(c, *run, limit);
    case K::Resolve: return judge_resolve(c, *run, limit);
    case K::Http: return judge_http(c, *run, limit);
    default: return judge_bgp(c, *run, limit);
  }
}

bool cancelled(const CheckOptions& o) { return o.cancel && o.cancel->load(); }

CheckResult run_one(const CheckDecl& c, Prober& prober, const CheckOptions& opts) {
  CheckResult r;
  r.check = c;
  auto start = Clock::now();
  auto deadline = start + c.wait.value_or(opts.wait);
  for (;;) {
    if (cancelled(opts)) {
      if (r.attempts == 0) r.got = Got::Error, r.error = "interrupted";
      break;
    }
    auto t0 = Clock::now();
    auto left = std::chrono::duration_cast<milliseconds>(deadline - t0);
    ++r.attempts;
    auto got = look(c, prober, opts, std::max(left, milliseconds(0)));
    if (!got) {
      r.got = Got::Error;
      r.error = got.error().message;
      r.found.clear();
      break;
    }
    r.got = got->holds ? Got::Held : Got::NotHeld;
    r.found = got->found;
    if (r.ok()) break;
    auto next = t0 + opts.attempt;
    if (next >= deadline) break;
    std::this_thread::sleep_until(next);
  }
  r.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  return r;
}

}  // namespace

std::optional<milliseconds> parse_wait(const std::string& s) {
  if (s == "0") return milliseconds(0);
  auto d = parse_duration(s);
  if (!d || d->count() < 0) return std::nullopt;
  return *d;
}

bool CheckResult::ok() const {
  if (got == Got::Error) return false;
  return (got == Got::Held) == check.expect_present;
}

std::string got_name(const CheckResult& r) {
  if (r.got == Got::Error) return "error";
  bool held = r.got == Got::Held;
  switch (r.check.kind) {
    case K::Ping:
    case K::Tcp: return held ? "reachable" : "unreachable";
    case K::Command:
    case K::Http: return held ? "match" : "mismatch";
    default: return held ? "present" : "absent";
  }
}

std::string check_target(const CheckDecl& c) {
  if (c.kind == K::Tcp)
    return (c.target.value.find(':') != std::string::npos ? "[" + c.target.value + "]" : c.target.value) + ":" +
           std::to_string(c.port);
  return c.target.value;
}

std::string check_label(const CheckDecl& c) {
  if (!c.name.empty()) return c.name;
  return c.from.value + " → " + topology::check_what(c);
}

std::string failure_text(const CheckResult& r) {
  if (r.ok()) return "";
  const CheckDecl& c = r.check;
  std::string expect = topology::expect_name(c);
  if (r.got == Got::Error) return "expected " + expect + ", got error (" + r.error + ")";
  if (c.kind == K::Ping || c.kind == K::Tcp) return "expected " + expect + ", got " + got_name(r);
  if (!c.expect_present) return "expected absent, found " + r.found;
  return "found " + r.found;
}

std::vector<CheckResult> run_checks(const std::vector<CheckDecl>& checks, Prober& prober,
                                    const CheckOptions& opts) {
  std::vector<CheckResult> results(checks.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next++) < checks.size();) results[i] = run_one(checks[i], prober, opts);
  };
  size_t n = std::min<size_t>(checks.size(), static_cast<size_t>(std::max(1, opts.jobs)));
  std::vector<std::thread> pool;
  for (size_t k = 1; k < n; ++k) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return results;
}

}  // namespace vklab::cli
