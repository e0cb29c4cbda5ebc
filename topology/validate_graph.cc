// Graph questions: depends_on order and cycles (a directed Boost.Graph of
// guests), islands, loops and hopeless checks (the lab graph of graph.h).
//
// What counts as an L2 loop here: bridges are only ever joined through
// guests, and a guest is a router unless told otherwise, so a cycle
// through guests (a triangle of routers) is normal and not reported. The
// one shape that loops at L2 as soon as a guest bridges its interfaces is
// a guest with two interfaces on the same bridge: that is the warning.
#include <boost/graph/adjacency_list.hpp>

#include <map>
#include <set>

#include "common/text.h"
#include "topology/graph.h"
#include "topology/validate_internal.h"

namespace vklab::topology::detail {

namespace {


/// Guest u → guest v when u depends on v; the edge keeps where v was named.
using DepGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS,
                                       boost::no_property, SourceLoc>;

DepGraph dependency_graph(const Lab& lab) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < lab.guests.size(); ++i) index.emplace(lab.guests[i].name, i);
  DepGraph g(lab.guests.size());
  for (size_t u = 0; u < lab.guests.size(); ++u) {
    std::set<size_t> done;
    for (const auto& dep : lab.guests[u].depends_on) {
      auto it = index.find(dep.value);
      if (it != index.end() && done.insert(it->second).second)
        boost::add_edge(u, it->second, dep.loc, g);
    }
  }
  return g;
}

/// Iterative DFS; each back edge closes a cycle, reported at the
/// depends_on entry that closes it: "depends_on cycle: r1 -> r2 -> r1".
void report_cycles(const Lab& lab, const DepGraph& g, Diagnostics& d) {
  enum Color { White, Gray, Black };
  using OutIt = boost::graph_traits<DepGraph>::out_edge_iterator;
  size_t n = boost::num_vertices(g);
  std::vector<Color> color(n, White);
  struct Frame {
    size_t v;
    OutIt it, end;
  };
  for (size_t s = 0; s < n; ++s) {
    if (color[s] != White) continue;
    std::vector<Frame> stack;
    auto [b0, e0] = boost::out_edges(s, g);
    stack.push_back({s, b0, e0});
    color[s] = Gray;
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.it == f.end) {
        color[f.v] = Black;
        stack.pop_back();
        continue;
      }
      auto e = *f.it++;
      size_t w = boost::target(e, g);
      if (color[w] == Gray) {
        std::string path;
        bool on = false;
        for (const auto& fr : stack) {
          on = on || fr.v == w;
          if (on) path += lab.guests[fr.v].name + " -> ";
        }
        d.error(g[e], "depends_on cycle: " + path + lab.guests[w].name);
      } else if (color[w] == White) {
        color[w] = Gray;
        auto [b, en] = boost::out_edges(w, g);
        stack.push_back({w, b, en});
      }
    }
  }
}

}  // namespace

// Launch order: Kahn's algorithm taking the lowest declaration index among
// the guests whose dependencies are all placed — dependencies first, then
// declaration order (the smallest topological order). Guests caught in a
// cycle follow in declaration order; the cycle is an error anyway.
void order_launch(Lab& lab, Diagnostics& d) {
  DepGraph g = dependency_graph(lab);
  report_cycles(lab, g, d);
  size_t n = boost::num_vertices(g);
  std::vector<size_t> waiting(n);
  std::vector<std::vector<size_t>> dependents(n);
  for (size_t u = 0; u < n; ++u) {
    waiting[u] = boost::out_degree(u, g);
    for (auto e : boost::make_iterator_range(boost::out_edges(u, g)))
      dependents[boost::target(e, g)].push_back(u);
  }
  std::set<size_t> ready;
  for (size_t u = 0; u < n; ++u)
    if (waiting[u] == 0) ready.insert(u);
  std::vector<bool> placed(n, false);
  lab.launch_order.clear();
  while (!ready.empty()) {
    size_t u = *ready.begin();
    ready.erase(ready.begin());
    placed[u] = true;
    lab.launch_order.push_back(u);
    for (size_t v : dependents[u])
      if (--waiting[v] == 0) ready.insert(v);
  }
  for (size_t u = 0; u < n; ++u)
    if (!placed[u]) lab.launch_order.push_back(u);
}

namespace {

void check_members(const Lab& lab, const LabGraph& graph, Diagnostics& d) {
  for (size_t i = 0; i < lab.bridges.size(); ++i) {
    const BridgeDecl& b = lab.bridges[i];
    if (lab.bridge_index(b.name) != static_cast<int>(i)) continue;  // duplicate: an error already
    size_t members = boost::degree(graph.bridge_vertex[i], graph.g) + (b.address ? 1 : 0) +
                     (b.uplink ? 1 : 0);
    if (members == 0)
      d.warning(b.loc, "bridge " + quoted(b.name) + " has no members");
    else if (members == 1)
      d.warning(b.loc, "bridge " + quoted(b.name) + " has only one member");
  }
  for (const auto& g : lab.guests) {
    if (g.interfaces.empty()) d.warning(g.loc, "guest " + quoted(g.name) + " has no interfaces");
    std::map<std::string, size_t> first;
    for (size_t n = 0; n < g.interfaces.size(); ++n) {
      const auto& i = g.interfaces[n];
      if (i.kind != InterfaceDecl::Kind::Bridge || lab.bridge_index(i.bridge.value) < 0) continue;
      auto [it, fresh] = first.emplace(i.bridge.value, n);
      if (!fresh)
        d.warning(i.loc, iface_name(g, n) + " is a second interface on bridge " +
                             quoted(i.bridge.value) + " (with vke" + std::to_string(it->second) +
                             "): an L2 loop as soon as " + g.name + " bridges them");
    }
  }
}

/// Islands: components among the vertices that have an edge (a guest
/// without interfaces and an empty bridge are warned about on their own).
void check_islands(const Lab& lab, const LabGraph& graph, const Components& comps,
                   Diagnostics& d) {
  std::map<int, std::vector<std::string>> islands;
  for (auto v : boost::make_iterator_range(boost::vertices(graph.g))) {
    if (boost::degree(v, graph.g) == 0) continue;
    auto& names = islands[comps.of[v]];
    const LabVertex& p = graph.g[v];
    if (p.kind == NodeKind::Guest) names.push_back(lab.guests[p.index].name);
    else if (p.kind == NodeKind::Bridge) names.push_back(lab.bridges[p.index].name);
  }
  if (islands.size() < 2) return;
  std::string list;
  size_t k = 0;
  for (const auto& [id, names] : islands) {
    if (k) list += k + 1 == islands.size() ? " and " : ", ";
    list += "{" + join(names, " ") + "}";
    ++k;
  }
  SourceLoc at = lab.name.loc.line > 0 ? lab.name.loc : SourceLoc{lab.file, 0, 0};
  d.warning(at, "the lab is split into " + std::to_string(islands.size()) +
                    " islands that cannot reach each other: " + list);
}

/// A check expecting reachability whose target sits in another island.
void check_reachability(const Lab& lab, const LabGraph& graph, const Components& comps,
                        Diagnostics& d) {
  std::map<uint32_t, LabVertexId> owner;
  for (size_t i = 0; i < lab.bridges.size(); ++i)
    if (lab.bridges[i].address) owner.emplace(lab.bridges[i].address->value.addr.value, graph.bridge_vertex[i]);
  for (size_t gi = 0; gi < lab.guests.size(); ++gi) {
    const auto& ifaces = lab.guests[gi].interfaces;
    for (size_t n = 0; n < ifaces.size(); ++n) {
      if (ifaces[n].address) owner.emplace(ifaces[n].address->value.addr.value, graph.guest_vertex[gi]);
      auto t = graph.tap_vertex.find({gi, static_cast<int>(n)});
      if (ifaces[n].tap_host && t != graph.tap_vertex.end())
        owner.emplace(ifaces[n].tap_host->value.value, t->second);
    }
  }
  for (const auto& c : lab.checks) {
    bool reach = c.kind == CheckDecl::Kind::Ping || c.kind == CheckDecl::Kind::Tcp;
    if (!reach || !c.expect_present) continue;
    auto target = Ipv4::parse(c.target.value);  // an IPv6 target: no lab interface has it
    const GuestDecl* from = lab.find_guest(c.from.value);
    auto it = target ? owner.find(target->value) : owner.end();
    if (!from || it == owner.end()) continue;
    auto fv = graph.guest_vertex[static_cast<size_t>(from - lab.guests.data())];
    if (comps.of[fv] == comps.of[it->second]) continue;
    d.warning(c.target.loc, c.target.value + " (" + describe_vertex(lab, graph, it->second) +
                                ") is in another island than " + quoted(from->name) +
                                ": this check cannot pass");
  }
}

}  // namespace

void check_graph(const Lab& lab, Diagnostics& d) {
  LabGraph graph = build_graph(lab);
  Components comps = components(graph);
  check_members(lab, graph, d);
  check_islands(lab, graph, comps, d);
  check_reachability(lab, graph, comps, d);
}

}  // namespace vklab::topology::detail
