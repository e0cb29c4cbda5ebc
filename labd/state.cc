#include "labd/state.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace vklab::labd {
namespace {

using nlohmann::json;

json proc_json(const ProcId& p) { return {{"pid", p.pid}, {"starttime", p.starttime}}; }

// A checked reader that keeps the first error, naming the field.
struct Reader {
  std::string err;
  void fail(const std::string& m) {
    if (err.empty()) err = "state.json: " + m;
  }
  std::string str(const json& j, const char* key, const std::string& ctx) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) {
      fail(ctx + "\"" + key + "\" is not a string");
      return "";
    }
    return it->get<std::string>();
  }
  int64_t num(const json& j, const char* key, const std::string& ctx) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) {
      fail(ctx + "\"" + key + "\" is not an integer");
      return 0;
    }
    return it->get<int64_t>();
  }
  bool boolean(const json& j, const char* key, const std::string& ctx) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_boolean()) {
      fail(ctx + "\"" + key + "\" is not a boolean");
      return false;
    }
    return it->get<bool>();
  }
  ProcId proc(const json& j, const char* key, const std::string& ctx) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_object()) {
      fail(ctx + "\"" + key + "\" is not an object");
      return {};
    }
    ProcId p;
    p.pid = static_cast<pid_t>(num(*it, "pid", ctx + key + "."));
    p.starttime = static_cast<uint64_t>(num(*it, "starttime", ctx + key + "."));
    return p;
  }
};

using Kind = netsetup::CreatedObject::Kind;
const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Bridge: return "bridge";
    case Kind::Tap: return "tap";
    case Kind::Membership: return "membership";
    case Kind::Route: return "route";
    case Kind::Forwarding: return "forwarding";
  }
  return "?";
}
std::optional<Kind> parse_kind(const std::string& s) {
  for (Kind k : {Kind::Bridge, Kind::Tap, Kind::Membership, Kind::Route, Kind::Forwarding})
    if (s == kind_name(k)) return k;
  return std::nullopt;
}

}  // namespace

std::string state_root() {
  if (const char* e = std::getenv("VKLAB_STATE_ROOT"); e && *e) return e;
  if (geteuid() == 0) return "/run/vklab";
  if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x) return std::string(x) + "/vklab";
  return "/tmp/vklab-" + std::to_string(geteuid());
}

const char* recorded_state_name(GuestState s) {
  return s == GuestState::Queued ? state_name(GuestState::Starting) : state_name(s);
}

GuestRecord* LabState::find(const std::string& name) {
  for (auto& g : guests)
    if (g.name == name) return &g;
  return nullptr;
}

const GuestRecord* LabState::find(const std::string& name) const {
  return const_cast<LabState*>(this)->find(name);
}

std::string describe(const StartupError& e) {
  return "startup line " + std::to_string(e.line) + " failed (exit " + std::to_string(e.exit) + "): " + e.command;
}

json state_to_json(const LabState& s) {
  json created = json::array();
  for (const auto& o : s.created) {
    created.push_back({{"kind", kind_name(o.kind)}, {"name", o.name}, {"bridge", o.bridge},
                       {"plan_name", o.plan_name}});
    if (!o.value.empty()) created.back()["value"] = o.value;
  }
  json guests = json::array();
  for (const auto& g : s.guests) {
    guests.push_back({{"name", g.name},
                      {"state", recorded_state_name(g.state)},
                      {"proc", proc_json(g.proc)},
                      {"kernel", proc_json(g.kernel)},
                      {"bundled", g.bundled},
                      {"started_ms", g.started_ms},
                      {"ready_ms", g.ready_ms},
                      {"stopped_ms", g.stopped_ms},
                      {"exit", g.exit},
                      {"error", g.error}});
    json errors = json::array();
    for (const auto& e : g.startup_errors) errors.push_back({{"line", e.line}, {"exit", e.exit}, {"command", e.command}});
    guests.back()["startup_errors"] = errors;
  }
  return {{"version", 1},
          {"lab", s.lab},
          {"phase", phase_name(s.phase)},
          {"plan_digest", s.plan_digest},
          {"isolated", s.isolated},
          {"labd", proc_json(s.labd)},
          {"netns", s.netns},
          {"tag", s.tag},
          {"created", created},
          {"guests", guests},
          {"links", links_to_json(s.links)},
          {"error", s.error}};
}

Result<LabState> state_from_json(const json& j) {
  if (!j.is_object()) return make_error("state.json: not an object");
  Reader r;
  LabState s;
  if (r.num(j, "version", "") != 1) r.fail("unsupported \"version\"");
  s.lab = r.str(j, "lab", "");
  std::string phase = r.str(j, "phase", "");
  if (auto p = parse_phase(phase)) s.phase = *p;
  else r.fail("unknown phase \"" + phase + "\"");
  s.plan_digest = r.str(j, "plan_digest", "");
  s.isolated = r.boolean(j, "isolated", "");
  s.labd = r.proc(j, "labd", "");
  s.netns = r.str(j, "netns", "");
  s.tag = r.str(j, "tag", "");
  s.error = r.str(j, "error", "");
  auto created = j.find("created");
  if (created == j.end() || !created->is_array()) r.fail("\"created\" is not an array");
  else
    for (const auto& c : *created) {
      netsetup::CreatedObject o;
      if (!c.is_object()) {
        r.fail("\"created\" holds a non-object");
        continue;
      }
      std::string kind = r.str(c, "kind", "created.");
      if (auto k = parse_kind(kind)) o.kind = *k;
      else r.fail("created.kind: unknown kind \"" + kind + "\"");
      o.name = r.str(c, "name", "created.");
      o.bridge = r.str(c, "bridge", "created.");
      o.plan_name = r.str(c, "plan_name", "created.");
      if (auto v = c.find("value"); v != c.end() && v->is_string()) o.value = v->get<std::string>();
      s.created.push_back(std::move(o));
    }
  auto guests = j.find("guests");
  if (guests == j.end() || !guests->is_array()) r.fail("\"guests\" is not an array");
  else
    for (size_t i = 0; i < guests->size(); ++i) {
      const json& g = (*guests)[i];
      std::string ctx = "guests[" + std::to_string(i) + "].";
      if (!g.is_object()) {
        r.fail(ctx + " is not an object");
        continue;
      }
      GuestRecord rec;
      rec.name = r.str(g, "name", ctx);
      std::string st = r.str(g, "state", ctx);
      if (auto gs = parse_state(st)) rec.state = *gs;
      else r.fail(ctx + "state: unknown state \"" + st + "\"");
      rec.proc = r.proc(g, "proc", ctx);
      rec.kernel = r.proc(g, "kernel", ctx);
      rec.bundled = r.boolean(g, "bundled", ctx);
      rec.started_ms = r.num(g, "started_ms", ctx);
      if (rec.state == GuestState::Starting && rec.started_ms == 0) rec.state = GuestState::Queued;
      rec.ready_ms = r.num(g, "ready_ms", ctx);
      rec.stopped_ms = r.num(g, "stopped_ms", ctx);
      rec.exit = r.str(g, "exit", ctx);
      rec.error = r.str(g, "error", ctx);
      if (auto se = g.find("startup_errors"); se != g.end()) {  // absent before startup errors were kept
        if (!se->is_array()) r.fail(ctx + "startup_errors is not an array");
        else
          for (const auto& e : *se) {
            if (!e.is_object()) {
              r.fail(ctx + "startup_errors holds a non-object");
              continue;
            }
            std::string ectx = ctx + "startup_errors.";
            rec.startup_errors.push_back({static_cast<int>(r.num(e, "line", ectx)),
                                          static_cast<int>(r.num(e, "exit", ectx)), r.str(e, "command", ectx)});
          }
      }
      s.guests.push_back(std::move(rec));
    }
  if (auto l = j.find("links"); l != j.end()) {  // absent in a state.json from before links
    if (auto links = links_from_json(*l)) s.links = std::move(*links);
    else r.fail(links.error().message);
  }
  if (!r.err.empty()) return make_error(r.err);
  return s;
}

Status write_file_atomic(const std::string& path, const std::string& content, int mode) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return make_error(tmp + ": " + std::strerror(errno));
  ::fchmod(fd, static_cast<mode_t>(mode));  // a stale tmp file keeps its old mode otherwise
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return make_error(tmp + ": " + std::strerror(e));
    }
    off += static_cast<size_t>(n);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return make_error(path + ": " + std::strerror(e));
  }
  return {};
}

Status write_state(const std::string& path, const LabState& s) {
  return write_file_atomic(path, state_to_json(s).dump(1) + "\n");
}

Result<LabState> read_state(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(path + ": " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return make_error(path + ": not valid JSON");
  return state_from_json(j);
}

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  size_t rp = text.rfind(')');
  if (rp == std::string_view::npos) return std::nullopt;
  // After ") ": field 3 (state) is the first token.
  std::string rest(text.substr(rp + 1));
  std::istringstream in(rest);
  std::string tok;
  ProcStat st;
  for (int field = 3; field <= 22; ++field) {
    if (!(in >> tok)) return std::nullopt;
    if (field == 3) {
      if (tok.size() != 1) return std::nullopt;
      st.state = tok[0];
    } else if (field == 4) {
      char* end = nullptr;
      long v = std::strtol(tok.c_str(), &end, 10);
      if (*end) return std::nullopt;
      st.ppid = static_cast<pid_t>(v);
    } else if (field == 22) {
      char* end = nullptr;
      unsigned long long v = std::strtoull(tok.c_str(), &end, 10);
      if (*end || tok[0] == '-') return std::nullopt;
      st.starttime = v;
    }
  }
  return st;
}

std::optional<ProcStat> read_proc_stat(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[1024];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  return parse_proc_stat(std::string_view(buf, static_cast<size_t>(n)));
}

std::optional<ProcId> proc_id(pid_t pid) {
  auto st = read_proc_stat(pid);
  if (!st) return std::nullopt;
  return ProcId{pid, st->starttime};
}

bool alive(const ProcId& p) {
  if (!p.valid()) return false;
  auto st = read_proc_stat(p.pid);
  return st && st->starttime == p.starttime && st->state != 'Z' && st->state != 'X';
}

bool signal_if_same(const ProcId& p, int sig) {
  if (!alive(p)) return false;
  return ::kill(p.pid, sig) == 0;
}

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace vklab::labd
