#include "topology/plan_diff.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/text.h"

namespace vklab::topology {
namespace {

using Op = HostStep::Op;

/// The plan files of a guest: <state>/<guest>.<suffix>.
std::map<std::string, std::string> guest_files(const Plan& p, const std::string& guest) {
  std::map<std::string, std::string> out;
  const std::string prefix = p.state_dir + "/" + guest + ".";
  for (const auto& f : p.files)
    if (f.path.starts_with(prefix)) out[f.path.substr(prefix.size())] = f.content + "\x01" + std::to_string(f.mode);
  return out;
}

/// What differs between two launches of one guest, by name; empty = nothing.
std::vector<std::string> launch_changes(const Plan& a, const GuestLaunch& x, const Plan& b, const GuestLaunch& y) {
  std::vector<std::string> what;
  auto fa = guest_files(a, x.name), fb = guest_files(b, y.name);
  for (const char* f : {"rc", "rc.shutdown"})
    if (fa[f] != fb[f]) what.push_back(std::string(f) == "rc" ? "startup" : "shutdown");
  bool other_files = false;
  for (auto& [k, v] : fa)
    if (k != "rc" && k != "rc.shutdown" && fb[k] != v) other_files = true;
  for (auto& [k, v] : fb)
    if (k != "rc" && k != "rc.shutdown" && fa[k] != v) other_files = true;
  if (other_files) what.push_back("files");
  // An interface is its GuestIface and its -I entry (tap, bridge, addresses).
  const bool ifaces = x.ifaces != y.ifaces || x.cmdline.netifs != y.cmdline.netifs;
  if (ifaces) what.push_back("interfaces");
  if (x.cmdline != y.cmdline && !ifaces) what.push_back("command line");
  if (x.stop_timeout != y.stop_timeout) what.push_back("stop_timeout");
  if (x.depends_on != y.depends_on) what.push_back("depends_on");
  if (x.files_dir != y.files_dir || x.bundled != y.bundled) what.push_back("root");
  return what;
}

/// The setup steps of one bridge (by its "bridge NAME" origin), besides
/// its creation and members: addresses, uplinks.
std::vector<HostStep> bridge_steps(const Plan& p, const std::string& origin) {
  std::vector<HostStep> out;
  for (const auto& s : p.setup)
    if (s.origin == origin && s.op != Op::CreateBridge && s.op != Op::LinkUp) out.push_back(s);
  return out;
}

std::vector<std::pair<std::string, std::string>> bridges(const Plan& p) {  // (name, ifname)
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& s : p.setup)
    if (s.op == Op::CreateBridge && s.origin.starts_with("bridge ")) out.emplace_back(s.origin.substr(7), s.ifname);
  return out;
}

std::vector<std::string> host_section(const Plan& p) {
  std::vector<std::string> out;
  for (const auto& s : p.setup)
    if (s.op == Op::SetForwarding || s.op == Op::AddRoute)
      out.push_back(std::to_string(static_cast<int>(s.op)) + (s.prefix ? s.prefix->str() : "") +
                    (s.via ? s.via->str() : "") + (s.enable ? "1" : "0") + std::to_string(s.family));
  return out;
}

/// The bridge and tap names a plan creates.
std::set<std::string> link_names(const Plan& p) {
  std::set<std::string> out;
  for (const auto& s : p.setup)
    if (s.op == Op::CreateBridge || s.op == Op::CreateTap) out.insert(s.ifname);
  return out;
}

bool has_member(const Plan& p, const std::string& bridge, const std::string& member) {
  return std::any_of(p.setup.begin(), p.setup.end(), [&](const HostStep& s) {
    return s.op == Op::AddMember && s.ifname == bridge && s.member == member;
  });
}

std::vector<HostStep> added_steps(const Plan& running, const Plan& next) {
  const auto old = link_names(running);
  auto is_new = [&](const std::string& n) { return !n.empty() && !old.count(n); };
  std::vector<HostStep> out;
  for (const auto& s : next.setup) {
    switch (s.op) {
      case Op::CreateBridge:
      case Op::CreateTap:
      case Op::AddAddress:
      case Op::LinkUp:
        if (is_new(s.ifname)) out.push_back(s);
        break;
      case Op::AddMember:
        // A running tap joining a new bridge waits for its guest to stop (moved_steps).
        if (s.foreign ? is_new(s.ifname) : is_new(s.member)) out.push_back(s);
        break;
      default: break;  // modules are loaded; forwarding and routes are unchanged (else refused)
    }
  }
  return out;
}

/// Running taps that join another bridge (a new one too).
std::vector<HostStep> moved_steps(const Plan& running, const Plan& next) {
  const auto old = link_names(running);
  std::vector<HostStep> out;
  for (const auto& s : next.setup)
    if (s.op == Op::AddMember && !s.foreign && old.count(s.member) &&
        !has_member(running, s.ifname, s.member))
      out.push_back(s);
  return out;
}

/// The running taps, then bridges, that `next` no longer has.
std::vector<HostStep> removed_steps(const Plan& running, const Plan& next) {
  const auto keep = link_names(next);
  std::vector<HostStep> out;
  for (Op kind : {Op::CreateTap, Op::CreateBridge})
    for (const auto& s : running.setup)
      if (s.op == kind && !keep.count(s.ifname)) {
        HostStep d;
        d.op = Op::DestroyLink;
        d.ifname = s.ifname;
        d.origin = s.origin;
        out.push_back(d);
      }
  return out;
}

std::string link_name(const GuestLaunch& g, const GuestIface& i) {
  return g.name + " vke" + std::to_string(i.index) + " (" + g.tap(i) + ")";
}

}  // namespace

PlanDiff plan_diff(const Plan& a, const Plan& b) {
  PlanDiff d;
  for (const auto& y : b.guests) {
    const GuestLaunch* x = a.find_guest(y.name);
    if (!x) {
      d.guests_added.push_back(y.name);
      for (const auto& i : y.ifaces) d.links_added.push_back(link_name(y, i));
      continue;
    }
    if (auto what = launch_changes(a, *x, b, y); !what.empty())
      d.guests_changed.push_back(y.name + " (" + join(what, ", ") + ")");
    for (const auto& i : y.ifaces)
      if (std::none_of(x->ifaces.begin(), x->ifaces.end(), [&](const GuestIface& o) { return o.index == i.index; }))
        d.links_added.push_back(link_name(y, i));
    for (const auto& i : x->ifaces)
      if (std::none_of(y.ifaces.begin(), y.ifaces.end(), [&](const GuestIface& o) { return o.index == i.index; }))
        d.links_removed.push_back(link_name(*x, i));
  }
  for (const auto& x : a.guests)
    if (!b.find_guest(x.name)) {
      d.guests_removed.push_back(x.name);
      for (const auto& i : x.ifaces) d.links_removed.push_back(link_name(x, i));
    }
  auto ba = bridges(a), bb = bridges(b);
  auto has = [](const auto& v, const std::string& n) {
    return std::any_of(v.begin(), v.end(), [&](const auto& p) { return p.first == n; });
  };
  for (const auto& [n, ifn] : bb) {
    if (!has(ba, n)) d.bridges_added.push_back(n);
    else if (bridge_steps(a, "bridge " + n) != bridge_steps(b, "bridge " + n))
      d.unsupported.push_back("bridge " + n + ": address or uplink changed");
  }
  for (const auto& [n, ifn] : ba)
    if (!has(bb, n)) d.bridges_removed.push_back(n);
  if (host_section(a) != host_section(b)) d.unsupported.push_back("host: forwarding or routes changed");
  if (a.network != b.network) d.unsupported.push_back("network mode changed");
  if (a.target != b.target) d.unsupported.push_back("target changed");
  return d;
}

ApplySteps apply_steps(const Plan& running, const Plan& next) {
  return {added_steps(running, next), moved_steps(running, next), removed_steps(running, next)};
}

std::vector<std::string> PlanDiff::changed_names() const {
  std::vector<std::string> out;
  for (const auto& c : guests_changed) out.push_back(c.substr(0, c.find(' ')));
  return out;
}

size_t PlanDiff::size() const {
  return guests_added.size() + guests_removed.size() + guests_changed.size() + bridges_added.size() +
         bridges_removed.size() + links_added.size() + links_removed.size() + unsupported.size();
}

std::vector<std::string> describe(const PlanDiff& d) {
  std::vector<std::string> out;
  for (const auto& b : d.bridges_added) out.push_back("+ bridge " + b);
  for (const auto& g : d.guests_added) out.push_back("+ guest " + g);
  for (const auto& l : d.links_added) out.push_back("+ link " + l);
  for (const auto& g : d.guests_changed) out.push_back("~ guest " + g);
  for (const auto& l : d.links_removed) out.push_back("- link " + l);
  for (const auto& g : d.guests_removed) out.push_back("- guest " + g);
  for (const auto& b : d.bridges_removed) out.push_back("- bridge " + b);
  for (const auto& u : d.unsupported) out.push_back("! " + u + " (not applied by --apply: down and up again)");
  return out;
}

}  // namespace vklab::topology
