#include "labd/links.h"

#include <csignal>

#include "labd/state.h"

namespace vklab::labd {
namespace {

using nlohmann::json;

const char* change_name(LinkRequest::Change c) {
  switch (c) {
    case LinkRequest::Change::Impair: return "impair";
    case LinkRequest::Change::Clear: return "clear";
    case LinkRequest::Change::Down: return "down";
    case LinkRequest::Change::Up: return "up";
  }
  return "?";
}

/// A guest's links file: the -e vklab_links of its command line.
std::optional<std::string> links_file(const topology::GuestLaunch& g) { return g.cmdline.getenv(vkernel::kEnvLinks); }

int read_iface(const JsonIn& j) { return static_cast<int>(j.integer("iface", 0, vkernel::kMaxNetIfs - 1)); }

std::optional<vkernel::Impairment> read_impair(const JsonIn& j) {
  auto s = j.opt_str("impair");
  if (!s) return std::nullopt;
  auto imp = vkernel::parse_impairment(*s);
  if (!imp) {
    j.fail("impair", imp.error().message);
    return std::nullopt;
  }
  return *imp;
}

LinkRecord* find(std::vector<LinkRecord>& links, const std::string& guest, int iface) {
  for (auto& l : links)
    if (l.guest == guest && l.iface == iface) return &l;
  return nullptr;
}

}  // namespace

json links_to_json(const std::vector<LinkRecord>& links) {
  json a = json::array();
  for (const auto& l : links) {
    json o = {{"guest", l.guest}, {"iface", l.iface}, {"up", l.up}};
    if (l.impair) o["impair"] = l.impair->str();
    a.push_back(o);
  }
  return a;
}

std::vector<LinkRecord> links_from_json(const JsonIn& j) {
  std::vector<LinkRecord> out;
  for (const JsonIn& o : j.items()) {
    o.only({"guest", "iface", "up", "impair"});
    LinkRecord l;
    l.guest = o.str("guest");
    if (l.guest.empty() && o.is_object()) o.fail("guest", "empty");
    l.iface = read_iface(o);
    l.up = o.boolean("up");
    l.impair = read_impair(o);
    out.push_back(std::move(l));
  }
  return out;
}

json link_request_to_json(const LinkRequest& r) {
  json t = json::array();
  for (const auto& x : r.targets) t.push_back({{"guest", x.guest}, {"iface", x.iface}});
  json o = {{"op", "link"}, {"targets", t}, {"change", change_name(r.change)}};
  if (r.impair) o["impair"] = r.impair->str();
  return o;
}

LinkRequest link_request_from_json(const JsonIn& j) {
  j.only({"op", "targets", "change", "impair"});
  LinkRequest r;
  std::string change = j.str("change");
  bool found = false;
  for (auto c : {LinkRequest::Change::Impair, LinkRequest::Change::Clear, LinkRequest::Change::Down,
                 LinkRequest::Change::Up})
    if (change == change_name(c)) r.change = c, found = true;
  if (!found) j.fail("change", "must be impair, clear, down or up");
  auto targets = j.list("targets");
  if (targets.empty() || targets.size() > 4096) j.fail("targets", "must be a list of 1 to 4096 {guest, iface}");
  for (const JsonIn& x : targets) {
    x.only({"guest", "iface"});
    LinkTarget t{x.str("guest"), read_iface(x)};
    if (t.guest.empty() && x.is_object()) x.fail("guest", "empty");
    r.targets.push_back(std::move(t));
  }
  r.impair = read_impair(j);
  if (found && (r.change == LinkRequest::Change::Impair) != j.has("impair"))
    j.fail("impair", "goes with change \"impair\" and only with it");
  return r;
}

std::vector<LinkRecord> initial_links(const topology::Plan& plan) {
  std::vector<LinkRecord> out;
  for (const auto& g : plan.guests)
    for (const auto& i : g.ifaces)
      if (i.impair) out.push_back({g.name, i.index, true, i.impair});
  return out;
}

std::vector<vkernel::LinkConfig> guest_links(const std::vector<LinkRecord>& links, const std::string& guest) {
  std::vector<vkernel::LinkConfig> out;
  for (const auto& l : links)
    if (l.guest == guest) out.push_back({l.iface, l.up, l.impair});
  return out;
}

Result<std::vector<std::string>> apply_link_request(std::vector<LinkRecord>& links, const topology::Plan& plan,
                                                    const LinkRequest& req) {
  for (const auto& t : req.targets) {
    const topology::GuestLaunch* g = plan.find_guest(t.guest);
    if (!g) return make_error(t.guest + ": no such guest");
    bool has = false;
    for (const auto& i : g->ifaces) has = has || i.index == t.iface;
    if (!has) return make_error(t.guest + ": has no vke" + std::to_string(t.iface));
    if (!g->bundled || !links_file(*g))
      return make_error(t.guest + ": its kernel takes no link changes at run time (only the bundled Linux guest does)");
  }
  std::vector<LinkRecord> next = links;
  for (const auto& t : req.targets) {
    LinkRecord* l = find(next, t.guest, t.iface);
    if (!l) {
      next.push_back({t.guest, t.iface, true, std::nullopt});
      l = &next.back();
    }
    switch (req.change) {
      case LinkRequest::Change::Impair: l->impair = req.impair; break;
      case LinkRequest::Change::Clear: l->impair.reset(); break;
      case LinkRequest::Change::Down: l->up = false; break;
      case LinkRequest::Change::Up: l->up = true; break;
    }
  }
  std::erase_if(next, [](const LinkRecord& l) { return l.up && !l.impair; });
  // Plan order: guests, then interfaces.
  std::vector<LinkRecord> ordered;
  std::vector<std::string> changed;
  for (const auto& g : plan.guests) {
    for (const auto& i : g.ifaces)
      for (const auto& l : next)
        if (l.guest == g.name && l.iface == i.index) ordered.push_back(l);
    for (const auto& t : req.targets)
      if (t.guest == g.name) {
        changed.push_back(g.name);
        break;
      }
  }
  links = std::move(ordered);
  return changed;
}

Result<LinksReply> serve_link_request(LabState& st, const topology::Plan& plan, const LinkRequest& req) {
  if (st.phase != Phase::Up) return make_error(st.lab + ": not up (" + phase_name(st.phase) + ")");
  std::vector<LinkRecord> links = st.links;
  auto changed = apply_link_request(links, plan, req);
  if (!changed) return changed.error();
  for (const auto& name : *changed) {
    const topology::GuestLaunch* g = plan.find_guest(name);
    if (Status s = write_file_atomic(*links_file(*g), vkernel::format_links(guest_links(links, name))); !s)
      return s.error();
  }
  st.links = std::move(links);
  for (const auto& name : *changed)
    if (const GuestRecord* r = st.find(name); r && r->state == GuestState::Up && r->kernel.valid())
      signal_if_same(r->kernel, SIGUSR1);
  return LinksReply{st.links};
}

}  // namespace vklab::labd
