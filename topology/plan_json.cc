#include "topology/plan_json.h"

#include <fstream>
#include <sstream>

#include "common/json_in.h"

namespace vklab::topology {
namespace {

using nlohmann::json;
using Op = HostStep::Op;

constexpr Op kOps[] = {Op::LoadModule, Op::EnableVkernel, Op::CreateBridge,
                       Op::AddAddress, Op::CreateTap,     Op::AddMember,
                       Op::LinkUp,     Op::RemoveMember,  Op::DestroyLink,
                       Op::SetForwarding, Op::AddRoute,  Op::DelRoute};

json step_json(const HostStep& s) {
  json j = {{"op", op_name(s.op)}, {"origin", s.origin}};
  if (!s.ifname.empty()) j["ifname"] = s.ifname;
  if (!s.member.empty()) j["member"] = s.member;
  if (!s.module.empty()) j["module"] = s.module;
  if (s.address) j["address"] = s.address->str();
  if (s.prefix) j["prefix"] = s.prefix->str();
  if (s.via) j["via"] = s.via->str();
  if (s.op == Op::SetForwarding) {
    j["family"] = s.family;
    j["enable"] = s.enable;
  }
  if (s.foreign) j["foreign"] = true;
  return j;
}

json check_json(const CheckDecl& c) {
  using K = CheckDecl::Kind;
  json j = {{"from", c.from.value},
            {"kind", kind_name(c.kind)},
            {"target", c.target.value},
            {"expect", expect_name(c)},
            {"loc", c.loc.str()}};
  if (c.kind == K::Tcp) j["port"] = c.port;
  if (c.kind == K::Command) j["exit"] = c.exit;
  if (c.kind == K::Http) j["status"] = c.status;
  auto opt = [&](const char* key, const std::optional<std::string>& v) {
    if (v) j[key] = *v;
  };
  if (!c.name.empty()) j["name"] = c.name;
  opt("via", c.via);
  opt("dev", c.dev);
  opt("proto", c.proto);
  opt("output", c.output);
  opt("match", c.match);
  opt("address", c.address);
  opt("contains", c.contains);
  if (c.prefixes) j["prefixes"] = *c.prefixes;
  if (c.wait) j["wait_ms"] = c.wait->count();
  return j;
}

template <class T>
std::optional<T> parsed(const JsonIn& in, const char* key, std::optional<T> (*parse)(std::string_view),
                        const char* what) {
  auto text = in.opt_str(key);
  if (!text) return std::nullopt;
  auto v = parse(*text);
  if (!v) in.fail(key, std::string("bad ") + what + " \"" + *text + "\"");
  return v;
}

HostStep read_step(const JsonIn& j) {
  HostStep s;
  std::string op = j.str("op");
  bool found = false;
  for (Op o : kOps)
    if (op == op_name(o)) s.op = o, found = true;
  if (!found && j.is_object()) j.fail("op", "unknown op \"" + op + "\"");
  s.origin = j.str("origin");
  s.ifname = j.str_or("ifname", "");
  s.member = j.str_or("member", "");
  s.module = j.str_or("module", "");
  s.address = parsed<Ipv4Prefix>(j, "address", Ipv4Prefix::parse, "address");
  s.prefix = parsed<IpPrefix>(j, "prefix", IpPrefix::parse, "prefix");
  s.via = parsed<IpAddr>(j, "via", IpAddr::parse, "gateway");
  s.family = static_cast<int>(j.opt_integer("family", 0, 6).value_or(0));
  s.enable = j.boolean_or("enable", false);
  s.foreign = j.boolean_or("foreign", false);
  return s;
}

// The tap, bridge and addresses of an interface live in argv's -I only;
// "tap", "bridge", "address" and "host_address" are written for readers of
// the JSON and are not read back (see GuestLaunch).
GuestIface read_iface(const JsonIn& ij) {
  GuestIface gi;
  gi.index = static_cast<int>(ij.integer("index", 0, vkernel::kMaxNetIfs - 1));
  gi.bridge_decl = ij.str_or("bridge_decl", "");
  for (const JsonIn& a : ij.opt_list("addresses6"))
    if (auto text = a.as_str()) {
      if (auto p = IpPrefix::parse(*text)) gi.addresses6.push_back(*p);
      else a.fail("bad address \"" + *text + "\"");
    }
  if (auto a = ij.opt_str("impair")) {
    auto imp = vkernel::parse_impairment(*a);
    if (imp) gi.impair = *imp;
    else ij.fail("impair", imp.error().message);
  }
  return gi;
}

/// A field written only for readers of the JSON (its fact lives in argv):
/// absent is fine; present, it must say what argv says.
void agrees(const JsonIn& j, const char* key, const std::string& derived) {
  if (auto v = j.opt_str(key); v && *v != derived) j.fail(key, "\"" + *v + "\" does not match argv (\"" + derived + "\")");
}

GuestLaunch read_guest(const JsonIn& gj) {
  GuestLaunch g;
  g.name = gj.str("name");
  std::vector<std::string> argv = gj.strings("argv");
  if (!argv.empty()) {
    auto cmd = vkernel::Cmdline::parse(argv);
    if (cmd) g.cmdline = std::move(cmd.value());
    else gj.fail("argv", cmd.error().message);
  } else if (gj.is_object()) {
    gj.fail("argv", "empty");
  }
  g.bundled = gj.boolean_or("bundled", false);
  g.console_log = gj.str("console_log");
  g.stop_timeout = std::chrono::milliseconds(gj.integer("stop_timeout_ms", 0));
  // "ready_timeout_ms": absent in a plan.json from before ready_timeout.
  if (auto t = gj.opt_integer("ready_timeout_ms", 1)) g.ready_timeout = std::chrono::milliseconds(*t);
  g.depends_on = gj.strings("depends_on");
  auto ifaces = gj.list("ifaces");
  for (const JsonIn& ij : ifaces) g.ifaces.push_back(read_iface(ij));
  bool match = g.ifaces.size() == g.cmdline.netifs.size();
  for (size_t i = 0; i < g.ifaces.size(); ++i) match = match && g.ifaces[i].index == static_cast<int>(i);
  if (!match && gj.is_object()) gj.fail("ifaces", "do not match argv's -I list");
  // Written for readers of the JSON (argv holds them): present, they must agree.
  agrees(gj, "pidfile", g.pidfile());
  for (size_t i = 0; match && i < ifaces.size(); ++i) {
    const GuestIface& gi = g.ifaces[i];
    auto addr = g.address(gi);
    auto host = g.host_address(gi);
    agrees(ifaces[i], "tap", g.tap(gi));
    agrees(ifaces[i], "bridge", g.bridge(gi));
    agrees(ifaces[i], "address", addr ? addr->str() : "");
    agrees(ifaces[i], "host_address", host ? host->str() : "");
  }
  g.files_dir = gj.str_or("files_dir", "");
  for (const JsonIn& pj : gj.opt_list("startup_sources"))  // absent: the script is as written
    g.startup_sources.push_back({static_cast<int>(pj.integer("line", 1, 1 << 30)), pj.str("file"),
                                 static_cast<int>(pj.opt_integer("file_line", 1, 1 << 30).value_or(1))});
  return g;
}

CheckDecl read_check(const JsonIn& cj) {
  using K = CheckDecl::Kind;
  CheckDecl c;
  c.from.value = cj.str("from");
  std::string kind_text = cj.str("kind");
  auto kind = kind_from_name(kind_text);
  if (!kind && cj.is_object()) cj.fail("kind", "unknown kind \"" + kind_text + "\"");
  c.kind = kind.value_or(K::Ping);
  c.target.value = cj.str("target");
  std::string expect = cj.str("expect");
  c.expect_present = expect != "unreachable" && expect != "absent";
  if (c.kind == K::Tcp) c.port = static_cast<int>(cj.integer("port", 0, 65535));
  if (c.kind == K::Command) c.exit = static_cast<int>(cj.integer("exit", 0, 255));
  if (c.kind == K::Http) c.status = static_cast<int>(cj.integer("status", 0, 999));
  c.name = cj.str_or("name", "");
  for (auto [key, field] : {std::pair{"via", &c.via}, {"dev", &c.dev}, {"proto", &c.proto}, {"output", &c.output},
                            {"match", &c.match}, {"address", &c.address}, {"contains", &c.contains}})
    *field = cj.opt_str(key);
  if (auto n = cj.opt_integer("prefixes", 0, 1 << 20)) c.prefixes = static_cast<int>(*n);
  if (auto w = cj.opt_integer("wait_ms", 0)) c.wait = std::chrono::milliseconds(*w);
  c.loc.file = cj.str_or("loc", "");
  return c;
}

Result<Plan> read_plan(const json& j, std::string what) {
  JsonReader r(std::move(what));
  JsonIn top = r.top(j);
  Plan p;
  p.lab = top.str("lab");
  p.description = top.str_or("description", "");
  std::string t = top.str("target");
  if (t == "linux") p.target = Target::Linux;
  else if (t == "dragonfly") p.target = Target::DragonFly;
  else if (top.is_object()) top.fail("target", "unknown target \"" + t + "\"");
  std::string network = top.str("network");
  if (network == "host") p.network = NetworkMode::Host;
  else if (network != "isolated" && top.is_object()) top.fail("network", "unknown network \"" + network + "\"");
  p.state_dir = top.str("state_dir");
  for (const JsonIn& s : top.list("setup")) p.setup.push_back(read_step(s));
  for (const JsonIn& s : top.list("teardown")) p.teardown.push_back(read_step(s));
  for (const JsonIn& f : top.list("files"))
    p.files.push_back({f.str("path"), f.str("content"), static_cast<int>(f.integer("mode", 0, 07777))});
  for (const JsonIn& g : top.list("guests")) p.guests.push_back(read_guest(g));
  for (const JsonIn& c : top.list("checks")) p.checks.push_back(read_check(c));
  for (const JsonIn& m : top.opt_list("meta")) {
    auto kv = m.items();
    if (kv.size() != 2) {
      m.fail("not a [key, value] pair");
      continue;
    }
    auto k = kv[0].as_str();
    auto v = kv[1].as_str();
    if (k && v) p.meta.emplace_back(*k, *v);
  }
  p.notes = top.strings("notes", false);
  if (!r.ok()) return r.error();
  return p;
}

}  // namespace

const char* op_name(Op op) {
  switch (op) {
    case Op::LoadModule: return "load-module";
    case Op::EnableVkernel: return "enable-vkernel";
    case Op::CreateBridge: return "create-bridge";
    case Op::AddAddress: return "add-address";
    case Op::CreateTap: return "create-tap";
    case Op::AddMember: return "add-member";
    case Op::LinkUp: return "link-up";
    case Op::RemoveMember: return "remove-member";
    case Op::DestroyLink: return "destroy-link";
    case Op::SetForwarding: return "set-forwarding";
    case Op::AddRoute: return "add-route";
    case Op::DelRoute: return "del-route";
  }
  return "?";
}

const char* target_name(Target t) { return t == Target::Linux ? "linux" : "dragonfly"; }
const char* network_name(NetworkMode m) { return m == NetworkMode::Isolated ? "isolated" : "host"; }

json plan_to_json(const Plan& plan) {
  json j;
  j["lab"] = plan.lab;
  j["description"] = plan.description;
  j["target"] = target_name(plan.target);
  j["network"] = network_name(plan.network);
  j["state_dir"] = plan.state_dir;
  j["setup"] = json::array();
  for (const auto& s : plan.setup) j["setup"].push_back(step_json(s));
  j["teardown"] = json::array();
  for (const auto& s : plan.teardown) j["teardown"].push_back(step_json(s));
  j["files"] = json::array();
  for (const auto& f : plan.files)
    j["files"].push_back({{"path", f.path}, {"content", f.content}, {"mode", f.mode}});
  j["guests"] = json::array();
  for (const auto& g : plan.guests) {
    json gj = {{"name", g.name},
               {"argv", g.cmdline.argv()},
               {"bundled", g.bundled},
               {"pidfile", g.pidfile()},  // derived (argv's -p), for readers of the JSON
               {"console_log", g.console_log},
               {"stop_timeout_ms", g.stop_timeout.count()},
               {"ready_timeout_ms", g.ready_timeout.count()},
               {"depends_on", g.depends_on},
               {"ifaces", json::array()}};
    for (const auto& i : g.ifaces) {
      // tap, bridge and the IPv4 addresses are argv's -I, repeated for readers
      json ij = {{"index", i.index}, {"tap", g.tap(i)}};
      if (auto b = g.bridge(i); !b.empty()) ij["bridge"] = b, ij["bridge_decl"] = i.bridge_decl;
      if (auto a = g.address(i)) ij["address"] = a->str();
      if (auto a = g.host_address(i)) ij["host_address"] = a->str();
      if (!i.addresses6.empty()) {
        ij["addresses6"] = json::array();
        for (const auto& a : i.addresses6) ij["addresses6"].push_back(a.str());
      }
      if (i.impair) ij["impair"] = i.impair->str();
      gj["ifaces"].push_back(ij);
    }
    if (!g.files_dir.empty()) gj["files_dir"] = g.files_dir;
    if (!g.startup_sources.empty()) {
      gj["startup_sources"] = json::array();
      for (const auto& p : g.startup_sources)
        gj["startup_sources"].push_back({{"line", p.line}, {"file", p.file}, {"file_line", p.file_line}});
    }
    j["guests"].push_back(gj);
  }
  j["checks"] = json::array();
  for (const auto& c : plan.checks) j["checks"].push_back(check_json(c));
  if (!plan.notes.empty()) j["notes"] = plan.notes;
  if (!plan.meta.empty()) {
    j["meta"] = json::array();
    for (const auto& [k, v] : plan.meta) j["meta"].push_back(json::array({k, v}));
  }
  return j;
}

Result<Plan> plan_from_json(const json& j) { return read_plan(j, "plan"); }

Result<Plan> read_plan_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(path + ": cannot read");
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return make_error(path + ": not valid JSON");
  return read_plan(j, path);
}

}  // namespace vklab::topology
