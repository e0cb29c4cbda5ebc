#include "netsetup/render.h"

#include <sstream>

#include "common/text.h"
#include "netsetup/commands.h"
#include "topology/plan_json.h"

namespace vklab::netsetup {
namespace {

using topology::Plan;
using topology::Target;

std::vector<std::string> host_argv(const Plan& plan, const topology::HostStep& s) {
  return plan.target == Target::DragonFly ? dragonfly_argv(s) : linux_ip_argv(s);
}

std::string shell_words(const std::vector<std::string>& argv) {
  std::vector<std::string> q;
  q.reserve(argv.size());
  for (const auto& a : argv) q.push_back(shell_quote(a));
  return join(q, " ");
}

/// `text` as shell comment lines: every line of it starts with "# ", so a
/// newline in a lab value can never start a command.
std::string comment(std::string_view prefix, std::string_view text) {
  std::string out;
  size_t start = 0;
  do {
    size_t nl = text.find_first_of("\n\r", start);
    if (nl == std::string_view::npos) nl = text.size();
    out += "# ";
    out += prefix;
    out += text.substr(start, nl - start);
    out += "\n";
    start = nl + 1;
  } while (start < text.size());
  return out;
}

std::string iface_line(const topology::GuestLaunch& g, const topology::GuestIface& i) {
  std::string s = "vke" + std::to_string(i.index) + " -> " + g.tap(i) + " -> ";
  if (auto b = g.bridge(i); !b.empty()) s += b + " (" + i.bridge_decl + ")";
  else s += "host " + (g.host_address(i) ? g.host_address(i)->str() : std::string("-"));
  if (auto a = g.address(i)) s += "  " + a->str();
  if (i.impair) s += "  impair " + i.impair->str();
  return s;
}

/// First dummynet pipe and ipfw rule number of a lab's impairments: far
/// above the rules an admin numbers by hand.
constexpr int kFirstPipe = 10000;

/// "0.01" for 1%: dummynet's plr is a probability.
std::string probability(uint32_t ppm) {
  std::string s = std::to_string(ppm / 1'000'000) + "." + std::to_string(1'000'000 + ppm % 1'000'000).substr(1);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

/// DragonFly: one dummynet pipe per shaped tap, fed by the frames that
/// come IN from the tap (what the guest sends), like the Linux guest's
/// relay. Pairs of (up, down) command lines, each ending in a newline.
std::vector<std::pair<std::string, std::string>> dummynet_lines(const Plan& plan) {
  std::vector<std::pair<std::string, std::string>> out;
  int n = kFirstPipe;
  for (const auto& g : plan.guests)
    for (const auto& i : g.ifaces) {
      if (!i.impair) continue;
      std::vector<std::string> pipe = {"ipfw", "pipe", std::to_string(n), "config"};
      if (i.impair->delay.count() > 0)
        pipe.insert(pipe.end(), {"delay", std::to_string((i.impair->delay.count() + 500) / 1000)});
      if (i.impair->loss_ppm > 0) pipe.insert(pipe.end(), {"plr", probability(i.impair->loss_ppm)});
      if (i.impair->rate_bps > 0)
        pipe.insert(pipe.end(), {"bw", std::to_string((i.impair->rate_bps + 999) / 1000) + "Kbit/s"});
      std::string origin = "    " + comment("", g.name + " vke" + std::to_string(i.index));
      out.push_back({shell_words(pipe) + origin, shell_words({"ipfw", "pipe", std::to_string(n), "delete"}) + " || true" + origin});
      out.push_back({shell_words({"ipfw", "add", std::to_string(n), "pipe", std::to_string(n), "ip", "from", "any", "to",
                                  "any", "in", "recv", g.tap(i)}) + origin,
                     shell_words({"ipfw", "delete", std::to_string(n)}) + " || true" + origin});
      ++n;
    }
  return out;
}

std::string check_line(const topology::CheckDecl& c) {
  return c.from.value + ": " + topology::check_what(c) + " (" + topology::expect_name(c) + ")";
}

}  // namespace

std::string render_text(const Plan& plan) {
  std::ostringstream o;
  o << "lab " << plan.lab << " (" << topology::target_name(plan.target) << ", "
    << topology::network_name(plan.network) << " network)";
  if (!plan.description.empty()) o << ": " << plan.description;
  o << "\nstate: " << plan.state_dir << "\n\nhost setup (" << plan.setup.size() << " steps):\n";
  int n = 0;
  for (const auto& s : plan.setup) {
    auto argv = host_argv(plan, s);
    o << "  " << ++n << ". " << describe(s);
    if (!argv.empty()) o << "\n       " << shell_words(argv);
    o << "\n";
  }
  o << "\nguests (" << plan.guests.size() << ", in launch order):\n";
  for (const auto& g : plan.guests) {
    o << "  " << g.name << ": stop timeout " << format_duration(g.stop_timeout);
    if (!g.depends_on.empty()) o << ", after " << join(g.depends_on, ", ");
    o << "\n    " << shell_words(g.cmdline.argv()) << "\n";
    for (const auto& i : g.ifaces) o << "    " << iface_line(g, i) << "\n";
  }
  if (!plan.checks.empty()) {
    o << "\nchecks (" << plan.checks.size() << "):\n";
    for (const auto& c : plan.checks) o << "  " << check_line(c) << "\n";
  }
  if (!plan.notes.empty()) {
    o << "\nnotes:\n";
    for (const auto& n : plan.notes) o << "  " << n << "\n";
  }
  o << "\nteardown (" << plan.teardown.size() << " steps):\n";
  n = 0;
  for (const auto& s : plan.teardown) o << "  " << ++n << ". " << describe(s) << "\n";
  return o.str();
}

std::string render_sh(const Plan& plan) {
  const bool dfly = plan.target == Target::DragonFly;
  std::ostringstream o;
  o << "#!/bin/sh\n# vklab plan for lab " << plan.lab << " ("
    << (dfly ? "DragonFly: run as root with `sh THIS up` and `sh THIS down`"
             : "Linux: the iproute2 equivalent of what vklab does over netlink, for review")
    << ")\n";
  if (!plan.description.empty()) o << comment("", plan.description);
  for (const auto& n : plan.notes) o << comment("note: ", n);
  o << "set -e\nstate=" << shell_quote(plan.state_dir) << "\n\nup() {\n";
  for (const auto& s : plan.setup) {
    auto argv = host_argv(plan, s);
    if (!argv.empty()) o << "  " << shell_words(argv) << "    " << comment("", s.origin);
  }
  const auto pipes = dfly ? dummynet_lines(plan) : decltype(dummynet_lines(plan)){};
  if (!pipes.empty())
    o << "  # impair: dummynet pipes (need `kldload ipfw dummynet`; bridged taps also\n"
         "  # sysctl net.link.bridge.ipfw=1); jitter, corrupt, duplicate, reorder have no equivalent\n";
  for (const auto& p : pipes) o << "  " << p.first;
  o << "  mkdir -p \"$state\"\n";
  for (const auto& f : plan.files) {
    // One single-quoted word: no content can end it early or expand (a
    // here-document would end at a line equal to its delimiter).
    o << "  printf '%s' " << shell_quote(f.content) << " > " << shell_quote(f.path) << "\n";
  }
  for (const auto& g : plan.guests) {
    o << "  " << shell_words(g.cmdline.argv()) << " \\\n      </dev/null >>"
      << shell_quote(g.console_log) << " 2>&1 &    " << comment("", g.name);
  }
  o << "}\n\ndown() {\n";
  for (auto it = plan.guests.rbegin(); it != plan.guests.rend(); ++it) {
    o << "  stop_guest " << shell_quote(it->name) << " " << shell_quote(it->pidfile()) << " "
      << it->stop_timeout.count() / 1000 << "\n";
  }
  for (auto it = pipes.rbegin(); it != pipes.rend(); ++it) o << "  " << it->second;
  for (const auto& s : plan.teardown) {
    auto argv = host_argv(plan, s);
    if (!argv.empty()) o << "  " << shell_words(argv) << " || true    " << comment("", s.origin);
  }
  o << "}\n\n"
       "# SIGTERM, wait up to the stop timeout, then SIGKILL (like rc.d/vkernel).\n"
       "stop_guest() {\n"
       "  [ -f \"$2\" ] || return 0\n"
       "  pid=$(cat \"$2\"); kill -TERM \"$pid\" 2>/dev/null || return 0\n"
       "  i=0\n"
       "  while kill -0 \"$pid\" 2>/dev/null && [ \"$i\" -lt \"$3\" ]; do sleep 1; i=$((i + 1)); done\n"
       "  if kill -0 \"$pid\" 2>/dev/null; then echo \"$1: forced after $3s\"; kill -KILL \"$pid\"; "
       "else echo \"$1: halted cleanly\"; fi\n"
       "}\n\n"
       "case \"${1:-}\" in\n"
       "  up) up ;;\n"
       "  down) down ;;\n"
       "  *) echo \"usage: $0 up|down\" >&2; exit 2 ;;\n"
       "esac\n";
  return o.str();
}

}  // namespace vklab::netsetup
