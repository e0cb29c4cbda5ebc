// vklab status [LAB] [--json]
//
// Read from state.json (no labd needed): guests with state, pid, uptime,
// interfaces, addresses and last console line; says when labd is gone.
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/cli.h"
#include "common/text.h"
#include "labd/netns.h"
#include "labd/state.h"
#include "cli/link_target.h"
#include "topology/plan_json.h"

namespace vklab::cli {
namespace {

std::string last_console_line(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  auto size = static_cast<long long>(in.tellg());
  long long from = size > 4096 ? size - 4096 : 0;
  in.seekg(from);
  std::string tail((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string last;
  std::istringstream ls(tail);
  for (std::string line; std::getline(ls, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) last = line;
  }
  return last;
}

/// Seconds since `p` started, from its /proc start time; nullopt when it
/// is gone or /proc cannot say.
std::optional<int64_t> running_for(const labd::ProcId& p) {
  if (!labd::alive(p)) return std::nullopt;
  std::ifstream in("/proc/uptime");
  double since_boot = 0;
  long ticks = ::sysconf(_SC_CLK_TCK);
  if (!(in >> since_boot) || ticks <= 0) return std::nullopt;
  double s = since_boot - static_cast<double>(p.starttime) / static_cast<double>(ticks);
  return s < 0 ? 0 : static_cast<int64_t>(s);
}

/// How long the guest's system has been up: since it became ready, or
/// since its init started when that is later (the bundled guest: a reboot
/// inside starts a new one), or its current kernel process (a forking
/// kernel's reboot replaces it).
std::string uptime(const labd::GuestRecord& g) {
  if (g.ready_ms == 0 || g.stopped_ms != 0 || g.state != labd::GuestState::Up) return "-";
  int64_t s = (labd::now_ms() - g.ready_ms) / 1000;
  const labd::ProcId& k = g.kernel.valid() ? g.kernel : g.proc;
  std::optional<labd::ProcId> system = k;
  if (g.bundled) {
    auto init = labd::alive(k) ? labd::find_guest_init(k.pid) : std::nullopt;
    system = init ? labd::proc_id(*init) : std::nullopt;
  }
  // A reboot makes that process younger than the guest's readiness.
  if (auto up = system ? running_for(*system) : std::nullopt) s = std::min(s, *up);
  std::ostringstream o;
  if (s >= 3600) o << s / 3600 << "h" << (s % 3600) / 60 << "m";
  else if (s >= 60) o << s / 60 << "m" << s % 60 << "s";
  else o << s << "s";
  return o.str();
}

nlohmann::json status_json(const labd::LabState& st, const topology::Plan* plan) {
  nlohmann::json j = labd::state_to_json(st);
  j["labd_alive"] = labd::alive(st.labd);
  for (auto& g : j["guests"]) {
    const topology::GuestLaunch* gl = plan ? plan->find_guest(g["name"].get<std::string>()) : nullptr;
    nlohmann::json ifs = nlohmann::json::array();
    if (gl) {
      for (const auto& i : gl->ifaces)
        ifs.push_back({{"vke", "vke" + std::to_string(i.index)},
                       {"tap", gl->tap(i)},
                       {"bridge", gl->bridge(i)},
                       {"bridge_name", i.bridge_decl},
                       {"address", gl->address(i) ? gl->address(i)->str() : ""}});
      g["last_console_line"] = last_console_line(gl->console_log);
    }
    g["interfaces"] = ifs;
  }
  return j;
}

}  // namespace

std::optional<topology::Plan> read_plan_file(const std::string& path) {
  auto plan = topology::read_plan_file(path);
  if (!plan) return std::nullopt;
  return std::move(*plan);
}

void print_guest_table(std::ostream& out, const labd::LabState& st, const topology::Plan* plan,
                       bool last_line) {
  // Interface paths of every guest first: their column is as wide as the
  // widest (arrows are 3 bytes each but one column on the screen).
  auto width = [](const std::string& s) {
    size_t arrows = 0;
    for (size_t p = 0; (p = s.find("→", p)) != std::string::npos; p += 3) ++arrows;
    return s.size() - 2 * arrows;
  };
  std::vector<std::vector<std::pair<std::string, std::string>>> rows;
  size_t ifw = std::string("INTERFACE").size();
  for (const auto& g : st.guests) {
    const topology::GuestLaunch* gl = plan ? plan->find_guest(g.name) : nullptr;
    auto& ifs = rows.emplace_back();
    if (gl)
      for (const auto& i : gl->ifaces) {
        std::string path = "vke" + std::to_string(i.index) + " → " + gl->tap(i);
        if (auto b = gl->bridge(i); !b.empty()) path += " → " + b + " (" + i.bridge_decl + ")";
        else if (auto h = gl->host_address(i)) path += " (host " + h->str() + ")";
        ifs.emplace_back(path, gl->address(i) ? gl->address(i)->str() : "-");
      }
    if (ifs.empty()) ifs.emplace_back("-", "-");
    for (const auto& i : ifs) ifw = std::max(ifw, width(i.first));
  }
  ifw += 2;
  // "Up (2 startup errors)": the state column grows for it.
  auto state_text = [](const labd::GuestRecord& g) {
    std::string s = labd::recorded_state_name(g.state);
    if (size_t n = g.startup_errors.size(); n > 0)
      s += " (" + std::to_string(n) + " startup error" + (n == 1 ? ")" : "s)");
    return s;
  };
  size_t stw = 10;
  for (const auto& g : st.guests) stw = std::max(stw, state_text(g).size() + 2);
  const int sw = static_cast<int>(stw);
  out << std::left << std::setw(16) << "GUEST" << std::setw(sw) << "STATE" << std::setw(9) << "PID"
      << std::setw(8) << "UPTIME" << std::setw(static_cast<int>(ifw)) << "INTERFACE" << "ADDRESS\n";
  for (size_t r = 0; r < st.guests.size(); ++r) {
    const auto& g = st.guests[r];
    const topology::GuestLaunch* gl = plan ? plan->find_guest(g.name) : nullptr;
    std::string pid = g.kernel.valid() ? std::to_string(g.kernel.pid)
                      : g.proc.valid() ? std::to_string(g.proc.pid)
                                       : "-";
    if (labd::is_terminal(g.state)) pid = "-";
    const auto& ifs = rows[r];
    for (size_t k = 0; k < ifs.size(); ++k) {
      if (k == 0)
        out << std::setw(16) << g.name << std::setw(sw) << state_text(g) << std::setw(9) << pid
            << std::setw(8) << uptime(g);
      else
        out << std::setw(16 + sw + 9 + 8) << "";
      const std::string& path = ifs[k].first;
      out << std::setw(static_cast<int>(ifw + path.size() - width(path))) << path << ifs[k].second << "\n";
    }
    if (!g.error.empty()) out << std::setw(16) << "" << "error: " << g.error << "\n";
    if (last_line)  // status (up says them after its table)
      for (const auto& e : g.startup_errors)
        out << std::setw(16) << "" << labd::describe(e, gl ? gl->startup_sources : std::vector<topology::ScriptSource>{})
            << "\n";
    if (last_line && gl) {
      std::string l = last_console_line(gl->console_log);
      if (!l.empty()) out << std::setw(16) << "" << "console: " << l << "\n";
    }
  }
}

Runner setup_status(CLI::App& sub) {
  struct Opts {
    std::string lab;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("lab", o->lab, kLabArgHelp);
  sub.add_flag("--json", o->json, "machine-readable output");
  return [o] {
    int exit = kExitOk;
    auto running = open_running_lab(o->lab, exit);
    if (!running) return exit;
    const std::string& lab = running->name;
    const labd::StateDir& dir = running->dir;
    const labd::LabState* st = &running->state;
    auto plan = read_plan_file(dir.plan_json());
    if (o->json) {
      std::cout << status_json(*st, plan ? &*plan : nullptr).dump(2) << "\n";
      return static_cast<int>(kExitOk);
    }
    bool up = labd::alive(st->labd);
    // Guests that ended while the lab runs (a halt from inside, a crash).
    size_t ended = 0;
    if (st->phase == labd::Phase::Up)
      for (const auto& g : st->guests) ended += labd::is_terminal(g.state);
    std::cout << lab << ": " << labd::phase_name(st->phase)
              << (ended ? ", " + std::to_string(ended) + " of " + std::to_string(st->guests.size()) +
                              (st->guests.size() == 1 ? " guest" : " guests") + " ended"
                        : "")
              << (up ? " (labd pid " + std::to_string(st->labd.pid) + ")"
                     : " — labd is gone; `vklab down " + lab + "` cleans up")
              << "\n";
    if (plan && !plan->description.empty()) std::cout << plan->description << "\n";
    if (plan && !plan->meta.empty()) {
      std::vector<std::string> m;
      for (const auto& [k, v] : plan->meta) m.push_back(k + ": " + v);
      std::cout << join(m, " · ") << "\n";
    }
    if (!st->error.empty()) std::cout << "error: " << st->error << "\n";
    print_guest_table(std::cout, *st, plan ? &*plan : nullptr, true);
    if (!st->links.empty()) {
      std::cout << "\nlinks (vklab impair, vklab link):\n";
      print_links_table(std::cout, st->links, plan ? &*plan : nullptr);
    }
    return static_cast<int>(kExitOk);
  };
}

}  // namespace vklab::cli
