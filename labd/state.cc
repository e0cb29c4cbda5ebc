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
#include <limits>
#include <sstream>

namespace vklab::labd {
namespace {

using nlohmann::json;

json proc_json(const ProcId& p) { return {{"pid", p.pid}, {"starttime", p.starttime}}; }

ProcId read_proc(const JsonIn& j) {
  ProcId p;
  p.pid = static_cast<pid_t>(j.integer("pid", 0, std::numeric_limits<pid_t>::max()));
  p.starttime = static_cast<uint64_t>(j.integer("starttime", 0));
  return p;
}

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
#ifdef __DragonFly__
  if (geteuid() == 0) return "/var/run/vklab";  // DragonFly has no /run
#else
  if (geteuid() == 0) return "/run/vklab";
#endif
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

std::string describe(const StartupError& e, const std::vector<topology::ScriptSource>& parts) {
  std::string place = topology::script_place(parts, e.line);
  return "startup line " + std::to_string(e.line) + (place.empty() ? "" : " (" + place + ")") + " failed (exit " +
         std::to_string(e.exit) + "): " + e.command;
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
          {"isolated", s.isolated},
          {"labd", proc_json(s.labd)},
          {"netns", s.netns},
          {"tag", s.tag},
          {"created", created},
          {"guests", guests},
          {"links", links_to_json(s.links)},
          {"error", s.error}};
}

GuestState guest_state_field(const JsonIn& j, const char* key) {
  std::string name = j.str(key);
  if (auto s = parse_state(name)) return *s;
  if (j.is_object() && j.has(key)) j.fail(key, "unknown state \"" + name + "\"");
  return GuestState::Failed;
}

LabState state_from_json(const JsonIn& top) {
  LabState s;
  if (top.integer("version") != 1 && top.is_object()) top.fail("version", "unsupported version");
  s.lab = top.str("lab");
  std::string phase = top.str("phase");
  if (auto p = parse_phase(phase)) s.phase = *p;
  else top.fail("phase", "unknown phase \"" + phase + "\"");
  s.isolated = top.boolean("isolated");
  s.labd = read_proc(top.at("labd"));
  s.netns = top.str("netns");
  s.tag = top.str("tag");
  s.error = top.str("error");
  for (const JsonIn& c : top.list("created")) {
    netsetup::CreatedObject o;
    std::string kind = c.str("kind");
    if (auto k = parse_kind(kind)) o.kind = *k;
    else c.fail("kind", "unknown kind \"" + kind + "\"");
    o.name = c.str("name");
    o.bridge = c.str("bridge");
    o.plan_name = c.str("plan_name");
    o.value = c.str_or("value", "");
    s.created.push_back(std::move(o));
  }
  for (const JsonIn& g : top.list("guests")) {
    GuestRecord rec;
    rec.name = g.str("name");
    rec.state = guest_state_field(g, "state");
    rec.proc = read_proc(g.at("proc"));
    rec.kernel = read_proc(g.at("kernel"));
    rec.bundled = g.boolean("bundled");
    rec.started_ms = g.integer("started_ms");
    if (rec.state == GuestState::Starting && rec.started_ms == 0) rec.state = GuestState::Queued;
    rec.ready_ms = g.integer("ready_ms");
    rec.stopped_ms = g.integer("stopped_ms");
    rec.exit = g.str("exit");
    rec.error = g.str("error");
    // "startup_errors": absent in a state.json from before they were kept.
    for (const JsonIn& e : g.opt_list("startup_errors"))
      rec.startup_errors.push_back({static_cast<int>(e.integer("line", 0, std::numeric_limits<int>::max())),
                                    static_cast<int>(e.integer("exit", std::numeric_limits<int>::min(),
                                                               std::numeric_limits<int>::max())),
                                    e.str("command")});
    s.guests.push_back(std::move(rec));
  }
  // "links": absent in a state.json from before links. "plan_digest": written
  // until the digest was dropped (nothing read it); ignored.
  if (top.has("links")) s.links = links_from_json(top.at("links"));
  return s;
}

Result<LabState> state_from_json(const json& j) {
  JsonReader r("state.json");
  LabState s = state_from_json(r.top(j));
  if (!r.ok()) return r.error();
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
