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

std::optional<std::string> str_field(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<int> iface_field(const json& j) {
  auto it = j.find("iface");
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  int64_t v = it->get<int64_t>();
  if (v < 0 || v >= vkernel::kMaxNetIfs) return std::nullopt;
  return static_cast<int>(v);
}

/// Unknown keys of `j` other than `known`, as an error message ("" if none).
std::string unknown(const json& j, std::initializer_list<const char*> known, const std::string& what) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool ok = false;
    for (const char* k : known) ok = ok || it.key() == k;
    if (!ok) return what + ": unknown field \"" + it.key() + "\"";
  }
  return "";
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

Result<std::vector<LinkRecord>> links_from_json(const json& j) {
  if (!j.is_array()) return make_error("\"links\" is not an array");
  std::vector<LinkRecord> out;
  for (const auto& o : j) {
    if (!o.is_object()) return make_error("\"links\" holds a non-object");
    if (auto u = unknown(o, {"guest", "iface", "up", "impair"}, "links"); !u.empty()) return make_error(u);
    LinkRecord l;
    auto g = str_field(o, "guest");
    auto i = iface_field(o);
    auto up = o.find("up");
    if (!g || g->empty() || !i || up == o.end() || !up->is_boolean())
      return make_error("links: each needs \"guest\", \"iface\" (0..15) and \"up\"");
    l.guest = *g;
    l.iface = *i;
    l.up = up->get<bool>();
    if (o.contains("impair")) {
      auto s = str_field(o, "impair");
      if (!s) return make_error("links: \"impair\" is not a string");
      auto imp = vkernel::parse_impairment(*s);
      if (!imp) return make_error("links: impair: " + imp.error().message);
      l.impair = *imp;
    }
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

Result<LinkRequest> link_request_from_json(const json& j) {
  if (auto u = unknown(j, {"op", "targets", "change", "impair"}, "request link"); !u.empty()) return make_error(u);
  LinkRequest r;
  auto change = str_field(j, "change");
  bool found = false;
  for (auto c : {LinkRequest::Change::Impair, LinkRequest::Change::Clear, LinkRequest::Change::Down,
                 LinkRequest::Change::Up})
    if (change && *change == change_name(c)) r.change = c, found = true;
  if (!found) return make_error("request link: \"change\" must be impair, clear, down or up");
  auto t = j.find("targets");
  if (t == j.end() || !t->is_array() || t->empty() || t->size() > 4096)
    return make_error("request link: \"targets\" must be a list of {guest, iface}");
  for (const auto& x : *t) {
    auto g = x.is_object() ? str_field(x, "guest") : std::nullopt;
    auto i = x.is_object() ? iface_field(x) : std::nullopt;
    if (!g || g->empty() || !i || !unknown(x, {"guest", "iface"}, "").empty())
      return make_error("request link: each target is {guest, iface (0..15)}");
    r.targets.push_back({*g, *i});
  }
  if (j.contains("impair")) {
    auto s = str_field(j, "impair");
    if (!s) return make_error("request link: \"impair\" is not a string");
    auto imp = vkernel::parse_impairment(*s);
    if (!imp) return make_error("request link: impair: " + imp.error().message);
    r.impair = *imp;
  }
  if ((r.change == LinkRequest::Change::Impair) != r.impair.has_value())
    return make_error("request link: \"impair\" goes with change \"impair\" and only with it");
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
