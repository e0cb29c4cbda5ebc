#include "cli/link_target.h"

#include <algorithm>
#include <cctype>
#include <iostream>
#include <cstdio>
#include <ostream>

#include "common/text.h"
#include "labd/control.h"

namespace vklab::cli {
namespace {

std::string prefix_of(const topology::GuestLaunch& g) {
  return g.cmdline.getenv(vkernel::kEnvIfname).value_or(topology::kDefaultIfname);
}

const topology::GuestIface* find_iface(const topology::GuestLaunch& g, int index) {
  for (const auto& i : g.ifaces)
    if (i.index == index) return &i;
  return nullptr;
}

std::vector<std::string> bridge_names(const topology::Plan& plan) {
  std::vector<std::string> out;
  for (const auto& s : plan.setup)
    if (s.op == topology::HostStep::Op::CreateBridge && s.origin.starts_with("bridge "))
      out.push_back(s.origin.substr(7));
  return out;
}

std::string bridge_ifname(const topology::Plan& plan, const std::string& name) {
  for (const auto& s : plan.setup)
    if (s.op == topology::HostStep::Op::CreateBridge && s.origin == "bridge " + name) return s.ifname;
  return "";
}

}  // namespace

std::string iface_label(const topology::Plan& plan, const std::string& guest, int index) {
  const topology::GuestLaunch* g = plan.find_guest(guest);
  return guest + ":" + (g ? prefix_of(*g) : std::string(topology::kDefaultIfname)) + std::to_string(index);
}

std::string iface_tap(const topology::Plan& plan, const std::string& guest, int index) {
  const topology::GuestLaunch* g = plan.find_guest(guest);
  const topology::GuestIface* i = g ? find_iface(*g, index) : nullptr;
  return i ? g->tap(*i) : "";
}

Result<LinkTargets> resolve_link_target(const topology::Plan& plan, const std::string& target, bool bridges) {
  std::vector<std::string> guests;
  for (const auto& g : plan.guests) guests.push_back(g.name);
  std::vector<std::string> brs = bridge_names(plan);
  LinkTargets out;
  if (auto colon = target.find(':'); colon != std::string::npos) {
    std::string gname = target.substr(0, colon), ifname = target.substr(colon + 1);
    const topology::GuestLaunch* g = plan.find_guest(gname);
    if (!g)
      return make_error("no guest " + vklab::quoted(gname) + " in lab " + plan.lab + did_you_mean_suffix(gname, guests) +
                        "; its guests: " + join(guests, ", "));
    std::vector<std::string> names;
    for (const auto& i : g->ifaces) {
      std::string own = prefix_of(*g) + std::to_string(i.index);
      names.push_back(own);
      if (ifname == own || ifname == "vke" + std::to_string(i.index)) {
        out.ifaces.push_back({g->name, i.index});
        return out;
      }
    }
    if (names.empty()) return make_error(gname + " has no interface");
    return make_error(gname + ": no interface " + vklab::quoted(ifname) + did_you_mean_suffix(ifname, names) + "; " +
                      gname + " has " + join(names, ", "));
  }
  if (std::find(brs.begin(), brs.end(), target) != brs.end()) {
    if (!bridges) {
      std::vector<std::string> members;
      for (const auto& g : plan.guests)
        for (const auto& i : g.ifaces)
          if (i.bridge_decl == target) members.push_back(iface_label(plan, g.name, i.index));
      return make_error(target + " is a bridge: name one interface (GUEST:IF)" +
                        (members.empty() ? "" : ", one of " + join(members, ", ")));
    }
    out.bridge = target;
    out.bridge_if = bridge_ifname(plan, target);
    for (const auto& g : plan.guests)
      for (const auto& i : g.ifaces)
        if (i.bridge_decl == target) out.ifaces.push_back({g.name, i.index});
    return out;
  }
  if (plan.find_guest(target)) {
    std::vector<std::string> names;
    for (const auto& i : plan.find_guest(target)->ifaces) names.push_back(iface_label(plan, target, i.index));
    return make_error(target + " is a guest: name one of its interfaces (GUEST:IF)" +
                      (names.empty() ? "" : ", such as " + join(names, ", ")));
  }
  std::vector<std::string> all = bridges ? brs : std::vector<std::string>{};
  all.insert(all.end(), guests.begin(), guests.end());
  std::string what = bridges ? "bridge or GUEST:IF" : "GUEST:IF";
  return make_error("no " + what + " " + vklab::quoted(target) + " in lab " + plan.lab + did_you_mean_suffix(target, all) +
                    (bridges && !brs.empty() ? "; its bridges: " + join(brs, ", ") : "") +
                    (guests.empty() ? "" : "; its guests: " + join(guests, ", ")));
}

namespace {

std::string bridge_of(const topology::Plan* plan, const labd::LinkRecord& l) {
  if (!plan) return "";
  const topology::GuestLaunch* g = plan->find_guest(l.guest);
  const topology::GuestIface* i = g ? find_iface(*g, l.iface) : nullptr;
  if (!i) return "";
  return i->bridge_decl.empty() ? "(tap " + g->tap(*i) + ")" : i->bridge_decl;
}

std::string cell(const std::optional<vkernel::Impairment>& imp, const std::string& key) {
  if (!imp) return "-";
  std::string t = vkernel::field_text(*imp, key);
  // "delay=0ms" alone is an impairment (the shaped path): say so once.
  if (key == "delay" && *imp == vkernel::Impairment{}) return "0ms";
  if (t.empty() || t == "0ms" || t == "0%") return "-";
  return t;
}

}  // namespace

void print_links_table(std::ostream& out, const std::vector<labd::LinkRecord>& links, const topology::Plan* plan) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"INTERFACE", "BRIDGE", "LINK"});
  for (const auto& k : vkernel::kImpairKeys) {
    std::string up = k;
    for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    rows.front().push_back(up);
  }
  for (const auto& l : links) {
    std::vector<std::string> r = {plan ? iface_label(*plan, l.guest, l.iface) : l.guest + ":vke" + std::to_string(l.iface),
                                  bridge_of(plan, l), l.up ? "up" : "DOWN"};
    if (r[1].empty()) r[1] = "-";
    for (const auto& k : vkernel::kImpairKeys) r.push_back(cell(l.impair, k));
    rows.push_back(r);
  }
  std::vector<size_t> width(rows.front().size(), 0);
  for (const auto& r : rows)
    for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  for (const auto& r : rows) {
    std::string line;
    for (size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size()) line += std::string(width[c] - r[c].size() + 2, ' ');
    }
    out << line << "\n";
  }
}

nlohmann::json links_json(const std::vector<labd::LinkRecord>& links, const topology::Plan* plan) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& l : links) {
    nlohmann::json o = {{"guest", l.guest},
                        {"iface", plan ? iface_label(*plan, l.guest, l.iface).substr(l.guest.size() + 1)
                                       : "vke" + std::to_string(l.iface)},
                        {"index", l.iface},
                        {"bridge", bridge_of(plan, l)},
                        {"up", l.up},
                        {"impaired", l.impair.has_value()}};
    if (l.impair)
      for (const auto& k : vkernel::kImpairKeys) {
        std::string t = vkernel::field_text(*l.impair, k);
        o[k] = t.empty() ? nlohmann::json(nullptr) : nlohmann::json(t);
      }
    a.push_back(o);
  }
  return a;
}

std::optional<UpLab> open_up_lab(const std::string& name, int& exit) {
  auto running = open_running_lab(name, exit, kExitUsage);
  if (!running) return std::nullopt;
  if (running->state.phase != labd::Phase::Up) {
    std::cerr << "vklab: " << running->name << ": not up (" << labd::phase_name(running->state.phase) << ")\n";
    exit = kExitUsage;
    return std::nullopt;
  }
  auto plan = read_plan_file(running->dir.plan_json());
  if (!plan) {
    std::cerr << "vklab: " << running->name << ": cannot read " << running->dir.plan_json() << "\n";
    exit = kExitFailure;
    return std::nullopt;
  }
  return UpLab{std::move(*running), std::move(*plan)};
}

Result<labd::LinksReply> send_link_request(const RunningLab& lab, const labd::LinkRequest& req) {
  if (!labd::alive(lab.state.labd))
    return make_error(lab.name + ": labd is gone, so links cannot change; `vklab down " + lab.name + "` cleans up");
  auto c = labd::ControlClient::connect(lab.dir.control());
  if (!c) return c.error();
  if (Status s = c->send(req); !s) return s.error();
  auto r = c->receive(std::chrono::seconds(10));
  if (!r) return r.error();
  if (auto* l = std::get_if<labd::LinksReply>(&*r)) return *l;
  if (auto* e = std::get_if<labd::ErrorReply>(&*r)) return make_error(e->error);
  return make_error(lab.name + ": unexpected reply from labd");
}

}  // namespace vklab::cli
