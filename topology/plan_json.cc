#include "topology/plan_json.h"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>

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

// Reading: a small checked accessor that records the first error.
struct Reader {
  std::string err;
  std::string str(const json& j, const char* key, const std::string& ctx, bool required = true) {
    auto it = j.find(key);
    if (it == j.end()) {
      if (required && err.empty()) err = ctx + ": missing \"" + key + "\"";
      return "";
    }
    if (!it->is_string()) {
      if (err.empty()) err = ctx + ": \"" + key + "\" is not a string";
      return "";
    }
    return it->get<std::string>();
  }
  int64_t num(const json& j, const char* key, const std::string& ctx) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) {
      if (err.empty()) err = ctx + ": \"" + key + "\" is not an integer";
      return 0;
    }
    return it->get<int64_t>();
  }
  const json& arr(const json& j, const char* key, const std::string& ctx) {
    static const json empty = json::array();
    auto it = j.find(key);
    if (it == j.end() || !it->is_array()) {
      if (err.empty()) err = ctx + ": \"" + key + "\" is not a list";
      return empty;
    }
    return *it;
  }
};

HostStep read_step(Reader& r, const json& j, const std::string& ctx) {
  HostStep s;
  if (!j.is_object()) {
    if (r.err.empty()) r.err = ctx + ": not an object";
    return s;
  }
  std::string op = r.str(j, "op", ctx);
  bool found = false;
  for (Op o : kOps)
    if (op == op_name(o)) s.op = o, found = true;
  if (!found && r.err.empty()) r.err = ctx + ": unknown op \"" + op + "\"";
  s.origin = r.str(j, "origin", ctx);
  s.ifname = r.str(j, "ifname", ctx, false);
  s.member = r.str(j, "member", ctx, false);
  s.module = r.str(j, "module", ctx, false);
  std::string a = r.str(j, "address", ctx, false);
  if (!a.empty()) {
    s.address = Ipv4Prefix::parse(a);
    if (!s.address && r.err.empty()) r.err = ctx + ": bad address \"" + a + "\"";
  }
  if (std::string p = r.str(j, "prefix", ctx, false); !p.empty()) {
    s.prefix = IpPrefix::parse(p);
    if (!s.prefix && r.err.empty()) r.err = ctx + ": bad prefix \"" + p + "\"";
  }
  if (std::string v = r.str(j, "via", ctx, false); !v.empty()) {
    s.via = IpAddr::parse(v);
    if (!s.via && r.err.empty()) r.err = ctx + ": bad gateway \"" + v + "\"";
  }
  s.family = j.value("family", 0);
  s.enable = j.value("enable", false);
  s.foreign = j.value("foreign", false);
  return s;
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
               {"pidfile", g.pidfile},
               {"console_log", g.console_log},
               {"stop_timeout_ms", g.stop_timeout.count()},
               {"ready_timeout_ms", g.ready_timeout.count()},
               {"depends_on", g.depends_on},
               {"ifaces", json::array()}};
    for (const auto& i : g.ifaces) {
      json ij = {{"index", i.index}, {"tap", i.tap}};
      if (!i.bridge.empty()) ij["bridge"] = i.bridge, ij["bridge_decl"] = i.bridge_decl;
      if (i.address) ij["address"] = i.address->str();
      if (i.host_address) ij["host_address"] = i.host_address->str();
      if (!i.addresses6.empty()) {
        ij["addresses6"] = json::array();
        for (const auto& a : i.addresses6) ij["addresses6"].push_back(a.str());
      }
      if (i.impair) ij["impair"] = i.impair->str();
      gj["ifaces"].push_back(ij);
    }
    if (!g.files_dir.empty()) gj["files_dir"] = g.files_dir;
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

Result<Plan> plan_from_json(const json& j) {
  if (!j.is_object()) return make_error("plan: not a JSON object");
  Reader r;
  Plan p;
  p.lab = r.str(j, "lab", "plan");
  p.description = r.str(j, "description", "plan", false);
  std::string t = r.str(j, "target", "plan");
  if (t == "linux") p.target = Target::Linux;
  else if (t == "dragonfly") p.target = Target::DragonFly;
  else if (r.err.empty()) r.err = "plan: unknown target \"" + t + "\"";
  p.network = r.str(j, "network", "plan") == "host" ? NetworkMode::Host : NetworkMode::Isolated;
  p.state_dir = r.str(j, "state_dir", "plan");
  for (const auto& s : r.arr(j, "setup", "plan")) p.setup.push_back(read_step(r, s, "plan setup"));
  for (const auto& s : r.arr(j, "teardown", "plan"))
    p.teardown.push_back(read_step(r, s, "plan teardown"));
  for (const auto& f : r.arr(j, "files", "plan")) {
    PlanFile pf;
    pf.path = r.str(f, "path", "plan file");
    pf.content = r.str(f, "content", "plan file");
    pf.mode = static_cast<int>(r.num(f, "mode", "plan file"));
    p.files.push_back(pf);
  }
  for (const auto& gj : r.arr(j, "guests", "plan")) {
    if (!gj.is_object()) return make_error("plan: guest is not an object");
    GuestLaunch g;
    g.name = r.str(gj, "name", "plan guest");
    const std::string ctx = "plan guest " + g.name;
    std::vector<std::string> argv;
    for (const auto& a : r.arr(gj, "argv", ctx)) {
      if (!a.is_string()) return make_error(ctx + ": argv holds a non-string");
      argv.push_back(a.get<std::string>());
    }
    if (!r.err.empty()) return make_error(r.err);
    auto cmd = vkernel::Cmdline::parse(argv);
    if (!cmd) return make_error(ctx + ": " + cmd.error().message);
    g.cmdline = std::move(cmd.value());
    g.bundled = gj.value("bundled", false);
    g.pidfile = r.str(gj, "pidfile", ctx);
    g.console_log = r.str(gj, "console_log", ctx);
    g.stop_timeout = std::chrono::milliseconds(r.num(gj, "stop_timeout_ms", ctx));
    if (gj.contains("ready_timeout_ms"))  // absent in a plan.json from before ready_timeout
      g.ready_timeout = std::chrono::milliseconds(r.num(gj, "ready_timeout_ms", ctx));
    for (const auto& d : r.arr(gj, "depends_on", ctx))
      if (d.is_string()) g.depends_on.push_back(d.get<std::string>());
    for (const auto& ij : r.arr(gj, "ifaces", ctx)) {
      GuestIface gi;
      gi.index = static_cast<int>(r.num(ij, "index", ctx));
      gi.tap = r.str(ij, "tap", ctx);
      gi.bridge = r.str(ij, "bridge", ctx, false);
      gi.bridge_decl = r.str(ij, "bridge_decl", ctx, false);
      if (auto a = r.str(ij, "address", ctx, false); !a.empty()) gi.address = Ipv4Prefix::parse(a);
      if (auto a = r.str(ij, "host_address", ctx, false); !a.empty()) gi.host_address = Ipv4::parse(a);
      if (auto it = ij.find("addresses6"); it != ij.end() && it->is_array())
        for (const auto& a : *it)
          if (auto p = a.is_string() ? IpPrefix::parse(a.get<std::string>()) : std::nullopt) gi.addresses6.push_back(*p);
          else if (r.err.empty()) r.err = ctx + ": bad addresses6 item";
      if (auto a = r.str(ij, "impair", ctx, false); !a.empty()) {
        auto imp = vkernel::parse_impairment(a);
        if (!imp) return make_error(ctx + ": impair: " + imp.error().message);
        gi.impair = *imp;
      }
      g.ifaces.push_back(gi);
    }
    g.files_dir = r.str(gj, "files_dir", ctx, false);
    p.guests.push_back(std::move(g));
  }
  for (const auto& cj : r.arr(j, "checks", "plan")) {
    using K = CheckDecl::Kind;
    const std::string ctx = "plan check";
    CheckDecl c;
    c.from.value = r.str(cj, "from", ctx);
    auto kind = kind_from_name(r.str(cj, "kind", ctx));
    if (!kind && r.err.empty()) r.err = ctx + ": unknown kind";
    c.kind = kind.value_or(K::Ping);
    c.target.value = r.str(cj, "target", ctx);
    std::string expect = r.str(cj, "expect", ctx);
    c.expect_present = expect != "unreachable" && expect != "absent";
    if (c.kind == K::Tcp) c.port = static_cast<int>(r.num(cj, "port", ctx));
    if (c.kind == K::Command) c.exit = static_cast<int>(r.num(cj, "exit", ctx));
    if (c.kind == K::Http) c.status = static_cast<int>(r.num(cj, "status", ctx));
    auto opt = [&](const char* key, std::optional<std::string>& v) {
      if (cj.contains(key)) v = r.str(cj, key, ctx);
    };
    c.name = r.str(cj, "name", ctx, false);
    opt("via", c.via);
    opt("dev", c.dev);
    opt("proto", c.proto);
    opt("output", c.output);
    opt("match", c.match);
    opt("address", c.address);
    opt("contains", c.contains);
    if (cj.contains("prefixes")) c.prefixes = static_cast<int>(r.num(cj, "prefixes", ctx));
    if (cj.contains("wait_ms")) c.wait = std::chrono::milliseconds(r.num(cj, "wait_ms", ctx));
    c.loc.file = r.str(cj, "loc", ctx, false);
    p.checks.push_back(c);
  }
  if (auto it = j.find("meta"); it != j.end() && it->is_array())
    for (const auto& m : *it)
      if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string())
        p.meta.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
  if (auto it = j.find("notes"); it != j.end() && it->is_array())
    for (const auto& n : *it)
      if (n.is_string()) p.notes.push_back(n.get<std::string>());
  if (!r.err.empty()) return make_error(r.err);
  return p;
}

std::string Plan::digest() const {
  const std::string s = plan_to_json(*this).dump();
  uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

Result<Plan> read_plan_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(path + ": cannot read");
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return make_error(path + ": not valid JSON");
  try {  // plan_from_json checks every type; this is the boundary all the same
    auto plan = plan_from_json(j);
    if (!plan) return make_error(path + ": " + plan.error().message);
    return plan;
  } catch (const std::exception& e) {
    return make_error(path + ": " + e.what());
  }
}

}  // namespace vklab::topology
