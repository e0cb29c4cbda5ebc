#include "topology/picture.h"

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/range/iterator_range.hpp>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <sstream>

namespace vklab::topology {

namespace {

constexpr size_t kNone = std::numeric_limits<size_t>::max();

/// A drawn node: a guest, a LAN (a bridge that is not a line) or a tap
/// link's host end.
struct PicNode {
  NodeKind kind = NodeKind::Guest;
  size_t index = 0;  ///< into lab.guests (Guest, TapHost) or lab.bridges (Bridge)
  int iface = -1;    ///< TapHost only
};

/// A drawn edge: guest interface `a` to a LAN or tap node, or (bridge !=
/// kNone) a line between interfaces `a` and `b` of two guests.
struct PicEdge {
  LabEdge a, b;
  size_t bridge = kNone;
  int minlen = 1;  ///< dot only: ranks between its ends
};

using PicGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, PicNode, PicEdge>;
using V = PicGraph::vertex_descriptor;

/// Members of every bridge, in guest then interface order.
std::vector<std::vector<LabEdge>> bridge_members(const Lab& lab) {
  std::vector<std::vector<LabEdge>> out(lab.bridges.size());
  for (size_t gi = 0; gi < lab.guests.size(); ++gi) {
    const auto& ifaces = lab.guests[gi].interfaces;
    for (size_t n = 0; n < ifaces.size(); ++n) {
      if (ifaces[n].kind != InterfaceDecl::Kind::Bridge) continue;
      int b = lab.bridge_index(ifaces[n].bridge.value);
      if (b >= 0) out[static_cast<size_t>(b)].push_back(LabEdge{gi, static_cast<int>(n)});
    }
  }
  return out;
}

std::optional<PointToPoint> as_line(const Lab& lab, size_t b, const std::vector<LabEdge>& m) {
  const BridgeDecl& d = lab.bridges[b];
  if (m.size() != 2 || m[0].guest == m[1].guest) return std::nullopt;
  if (d.address || !d.addresses6.empty() || d.uplink) return std::nullopt;
  return PointToPoint{b, m[0], m[1]};
}

/// The drawn graph; vertices: guests (declaration order), LANs (bridge
/// order), tap host ends (guest, then interface order); edges in guest,
/// then interface order.
PicGraph build_picture(const Lab& lab) {
  PicGraph g;
  auto members = bridge_members(lab);
  std::vector<std::optional<PointToPoint>> lines(lab.bridges.size());
  for (size_t i = 0; i < lab.guests.size(); ++i) boost::add_vertex(PicNode{NodeKind::Guest, i, -1}, g);
  std::vector<V> lan(lab.bridges.size(), 0);
  for (size_t b = 0; b < lab.bridges.size(); ++b) {
    lines[b] = as_line(lab, b, members[b]);
    if (!lines[b]) lan[b] = boost::add_vertex(PicNode{NodeKind::Bridge, b, -1}, g);
  }
  std::map<std::pair<size_t, int>, V> tap;
  for (size_t gi = 0; gi < lab.guests.size(); ++gi) {
    const auto& ifaces = lab.guests[gi].interfaces;
    for (size_t n = 0; n < ifaces.size(); ++n)
      if (ifaces[n].kind == InterfaceDecl::Kind::Tap)
        tap[{gi, static_cast<int>(n)}] = boost::add_vertex(PicNode{NodeKind::TapHost, gi, static_cast<int>(n)}, g);
  }
  for (size_t gi = 0; gi < lab.guests.size(); ++gi) {
    const auto& ifaces = lab.guests[gi].interfaces;
    for (size_t n = 0; n < ifaces.size(); ++n) {
      LabEdge here{gi, static_cast<int>(n)};
      if (ifaces[n].kind == InterfaceDecl::Kind::Tap) {
        boost::add_edge(gi, tap.at({gi, here.iface}), PicEdge{here, {}, kNone, 1}, g);
        continue;
      }
      int b = lab.bridge_index(ifaces[n].bridge.value);
      if (b < 0) continue;
      const auto& line = lines[static_cast<size_t>(b)];
      if (!line) {
        boost::add_edge(gi, lan[static_cast<size_t>(b)], PicEdge{here, {}, kNone, 1}, g);
      } else if (line->a.guest == gi && line->a.iface == here.iface) {
        boost::add_edge(gi, line->b.guest, PicEdge{line->a, line->b, line->bridge, 1}, g);
      }
    }
  }
  return g;
}

/// BFS from `root`: the distance (in edges) of every vertex reached, and
/// the BFS tree's parent of each; unreached vertices keep kNone.
void bfs_from(const PicGraph& g, V root, std::vector<size_t>& dist, std::vector<V>& parent) {
  dist.assign(boost::num_vertices(g), kNone);
  parent.assign(boost::num_vertices(g), root);
  dist[root] = 0;
  auto vis = boost::make_bfs_visitor(std::make_pair(
      boost::record_distances(dist.data(), boost::on_tree_edge()),
      boost::record_predecessors(parent.data(), boost::on_tree_edge())));
  boost::breadth_first_search(g, root, boost::visitor(vis));
}

/// The vertex of `from`'s component farthest from it (the first such).
V farthest(const std::vector<size_t>& dist, V from) {
  V best = from;
  for (V v = 0; v < dist.size(); ++v)
    if (dist[v] != kNone && dist[v] > dist[best]) best = v;
  return best;
}

/// Where a component's ranks start: a chain from its first end, any other
/// shape from its center (the middle of a longest shortest path).
V component_root(const PicGraph& g, V first, bool chain) {
  std::vector<size_t> dist;
  std::vector<V> parent;
  if (chain) {
    bfs_from(g, first, dist, parent);
    for (V v = 0; v < dist.size(); ++v)
      if (dist[v] != kNone && boost::degree(v, g) <= 1) return v;
    return first;
  }
  bfs_from(g, first, dist, parent);
  V u = farthest(dist, first);
  bfs_from(g, u, dist, parent);
  V w = farthest(dist, u);
  for (size_t steps = dist[w] / 2; steps > 0; --steps) w = parent[w];
  return w;
}

Shape shape_of(const PicGraph& g, std::vector<int>& comp) {
  Shape s;
  s.nodes = boost::num_vertices(g);
  s.edges = boost::num_edges(g);
  comp.assign(s.nodes, 0);
  if (s.nodes) s.components = boost::connected_components(g, comp.data());
  s.cycles = s.edges + static_cast<size_t>(s.components) > s.nodes;
  bool branch = false;
  for (V v = 0; v < s.nodes; ++v) branch |= boost::degree(v, g) > 2;
  s.chains = s.nodes > 0 && !s.cycles && !branch;
  return s;
}

/// A DOT quoted string; lines joined with DOT's own "\n" escape.
std::string dot_quote(const std::vector<std::string>& lines) {
  std::string out = "\"";
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) out += "\\n";
    for (char c : lines[i]) {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n' || c == '\r') c = ' ';
      out += c;
    }
  }
  return out + "\"";
}

std::string ifname(const Lab& lab, const LabEdge& e) {
  return lab.guests[e.guest].ifname.value + std::to_string(e.iface);
}

const InterfaceDecl& iface_of(const Lab& lab, const LabEdge& e) {
  return lab.guests[e.guest].interfaces[static_cast<size_t>(e.iface)];
}

/// Every address of an interface: IPv4 ("auto" before validation) then IPv6.
std::vector<std::string> addresses(const InterfaceDecl& i, bool with_len) {
  std::vector<std::string> out;
  if (i.address) out.push_back(with_len ? i.address->value.str() : i.address->value.addr.str());
  else if (i.address_auto) out.push_back("auto");
  for (const auto& a : i.addresses6) out.push_back(with_len ? a.value.str() : a.value.addr.str());
  return out;
}

/// A line's subnets: the bridge's own, else the network both ends share.
std::vector<std::string> line_subnets(const Lab& lab, const PicEdge& e) {
  const BridgeDecl& b = lab.bridges[e.bridge];
  const InterfaceDecl& x = iface_of(lab, e.a);
  const InterfaceDecl& y = iface_of(lab, e.b);
  std::vector<std::string> out;
  if (b.subnet) out.push_back(b.subnet->value.str());
  else if (x.address && y.address && x.address->value.len == y.address->value.len &&
           x.address->value.network() == y.address->value.network())
    out.push_back(Ipv4Prefix{x.address->value.network(), x.address->value.len}.str());
  if (b.subnet6) out.push_back(b.subnet6->value.str());
  return out;
}

class NodeWriter {
 public:
  NodeWriter(const Lab& lab, const PicGraph& g) : lab_(lab), g_(g) {}
  void operator()(std::ostream& out, V v) const {
    const PicNode& p = g_[v];
    switch (p.kind) {
      case NodeKind::Guest: {
        const GuestDecl& d = lab_.guests[p.index];
        if (is_router(d))
          out << "[shape=circle,style=filled,fillcolor=\"#cfe2f3\",label=" << dot_quote({d.name}) << "]";
        else
          out << "[shape=box,label=" << dot_quote({d.name}) << "]";
        break;
      }
      case NodeKind::Bridge: {
        const BridgeDecl& b = lab_.bridges[p.index];
        std::vector<std::string> lines{b.name};
        if (b.subnet) lines.push_back(b.subnet->value.str());
        if (b.subnet6) lines.push_back(b.subnet6->value.str());
        if (b.address) lines.push_back("host " + b.address->value.str());
        for (const auto& a : b.addresses6) lines.push_back("host " + a.value.str());
        if (b.uplink) lines.push_back("uplink " + b.uplink->value);
        out << "[shape=ellipse,style=dashed,label=" << dot_quote(lines) << "]";
        break;
      }
      case NodeKind::TapHost: {
        const InterfaceDecl& i = lab_.guests[p.index].interfaces[static_cast<size_t>(p.iface)];
        std::vector<std::string> lines{"host"};
        if (i.tap_host) lines.push_back(i.tap_host->value.str());
        out << "[shape=diamond,label=" << dot_quote(lines) << "]";
        break;
      }
    }
  }

 private:
  const Lab& lab_;
  const PicGraph& g_;
};

class EdgeWriter {
 public:
  EdgeWriter(const Lab& lab, const PicGraph& g, bool dot) : lab_(lab), g_(g), dot_(dot) {}
  void operator()(std::ostream& out, PicGraph::edge_descriptor e) const {
    const PicEdge& p = g_[e];
    out << "[";
    if (p.bridge == kNone) {
      std::vector<std::string> lines{ifname(lab_, p.a)};
      for (auto& a : addresses(iface_of(lab_, p.a), true)) lines.push_back(a);
      out << "label=" << dot_quote(lines);
    } else {
      std::vector<std::string> lines{lab_.bridges[p.bridge].name};
      auto subnets = line_subnets(lab_, p);
      for (auto& s : subnets) lines.push_back(s);
      // The ends as written out: tail = source.
      bool a_tail = boost::source(e, g_) == p.a.guest;
      const LabEdge& tail = a_tail ? p.a : p.b;
      const LabEdge& head = a_tail ? p.b : p.a;
      auto end = [&](const LabEdge& x) {
        std::vector<std::string> l{ifname(lab_, x)};
        for (auto& a : addresses(iface_of(lab_, x), subnets.empty())) l.push_back(a);
        return dot_quote(l);
      };
      out << "label=" << dot_quote(lines) << ",taillabel=" << end(tail) << ",headlabel=" << end(head)
          << ",style=bold";
      // Router to router lines longer: the core's shape shows.
      if (!dot_)
        out << ",len="
            << (is_router(lab_.guests[p.a.guest]) && is_router(lab_.guests[p.b.guest]) ? "3" : "2.2");
    }
    if (dot_ && p.minlen != 1) out << ",minlen=" << p.minlen;
    out << "]";
  }

 private:
  const Lab& lab_;
  const PicGraph& g_;
  bool dot_;
};

class GraphWriter {
 public:
  GraphWriter(const Lab& lab, Layout layout, bool chains) : lab_(lab), layout_(layout), chains_(chains) {}
  void operator()(std::ostream& out) const {
    // The lab's name, then what it says about itself (description, meta).
    std::vector<std::string> lines{lab_.name.value};
    if (!lab_.description.empty()) lines.push_back(lab_.description);
    for (const auto& [k, v] : lab_.meta) lines.push_back(k + ": " + v);
    out << "label=" << dot_quote(lines) << ";\n";
    out << "layout=" << layout_name(layout_) << ";\n";
    out << "size=\"" << kPageSize << "\";\n";
    if (layout_ == Layout::Dot) {
      out << "rankdir=" << (chains_ ? "LR" : "TB") << ";\n";
    } else {
      // overlap=scale: spread apart, the shape kept (=false shrank it here).
      out << "overlap=scale;\nsplines=true;\n";
      if (layout_ == Layout::Neato) out << "mode=major;\nstart=1;\n";
    }
    out << "node [fontname=\"monospace\"];\n";
    out << "edge [fontname=\"monospace\",fontsize=10,labelfontsize=9,labeldistance=2.2];\n";
  }

 private:
  const Lab& lab_;
  Layout layout_;
  bool chains_;
};

/// The picture with every edge oriented from its component's root
/// outwards (tree edges parent → child; others from the nearer end), in
/// the original edge order; in a tree drawn by dot, the leaves of a crowded
/// rank spread over several ranks (minlen).
PicGraph oriented(const PicGraph& g, const std::vector<int>& comp, int components, bool chains) {
  size_t n = boost::num_vertices(g);
  std::vector<size_t> depth(n, kNone), dist;
  std::vector<V> parent(n, 0), par;
  std::vector<bool> done(static_cast<size_t>(components), false);
  for (V v = 0; v < n; ++v) {
    if (done[static_cast<size_t>(comp[v])]) continue;
    done[static_cast<size_t>(comp[v])] = true;
    V root = component_root(g, v, chains);
    bfs_from(g, root, dist, par);
    for (V u = 0; u < n; ++u)
      if (dist[u] != kNone) depth[u] = dist[u], parent[u] = par[u];
  }
  // Leaves per rank, to spread the crowded ones.
  std::map<size_t, size_t> leaves_at;
  for (V v = 0; v < n; ++v)
    if (boost::degree(v, g) == 1 && depth[v] > 0) ++leaves_at[depth[v]];
  std::map<V, size_t> nth_leaf;  // per parent
  PicGraph out;
  for (V v = 0; v < n; ++v) boost::add_vertex(g[v], out);
  for (auto e : boost::make_iterator_range(boost::edges(g))) {
    V s = boost::source(e, g), t = boost::target(e, g);
    bool flip = parent[s] == t && depth[s] == depth[t] + 1;
    if (!flip && !(parent[t] == s && depth[t] == depth[s] + 1)) flip = depth[s] > depth[t];
    if (flip) std::swap(s, t);
    PicEdge p = g[e];
    if (!chains && boost::degree(t, g) == 1 && depth[t] > 0) {
      size_t rows = (leaves_at[depth[t]] + kRankWidth - 1) / kRankWidth;
      if (rows > 1) p.minlen = 1 + static_cast<int>(nth_leaf[s]++ % rows);
    }
    boost::add_edge(s, t, p, out);
  }
  return out;
}

bool mentions(const std::string& text, std::initializer_list<const char*> words) {
  for (const char* w : words)
    if (text.find(w) != std::string::npos) return true;
  return false;
}

}  // namespace

bool is_router(const GuestDecl& g) {
  if (g.interfaces.size() > 1) return true;
  for (const auto& s : g.sysctls) {
    const auto& [k, v] = s.value;
    if ((k.ends_with("ip_forward") || k.ends_with(".forwarding")) && v != "0") return true;
  }
  if (mentions(g.startup, {"ip_forward=1", "ip_forward = 1", "forwarding=1", "forwarding = 1",
                           "/proc/sys/net/ipv4/ip_forward", "frr", "zebra", "bird"}))
    return true;
  if (mentions(g.image, {"frr", "quagga", "bird"})) return true;
  std::error_code ec;
  return !g.files_dir.empty() && std::filesystem::is_directory(std::filesystem::path(g.files_dir) / "etc/frr", ec);
}

std::optional<PointToPoint> point_to_point(const Lab& lab, size_t bridge) {
  if (bridge >= lab.bridges.size()) return std::nullopt;
  return as_line(lab, bridge, bridge_members(lab)[bridge]);
}

const char* layout_name(Layout l) {
  switch (l) {
    case Layout::Auto: return "auto";
    case Layout::Dot: return "dot";
    case Layout::Neato: return "neato";
    case Layout::Fdp: return "fdp";
    case Layout::Circo: return "circo";
  }
  return "auto";
}

std::optional<Layout> layout_from_name(std::string_view name) {
  for (Layout l : {Layout::Auto, Layout::Dot, Layout::Neato, Layout::Fdp, Layout::Circo})
    if (name == layout_name(l)) return l;
  return std::nullopt;
}

Shape picture_shape(const Lab& lab) {
  std::vector<int> comp;
  return shape_of(build_picture(lab), comp);
}

Layout choose_layout(const Shape& s) {
  if (s.nodes > kHugePicture) return Layout::Fdp;
  if (s.cycles || s.nodes > kLargePicture) return Layout::Neato;
  return Layout::Dot;
}

std::string to_dot(const Lab& lab, Layout layout) {
  PicGraph g = build_picture(lab);
  std::vector<int> comp;
  Shape s = shape_of(g, comp);
  if (layout == Layout::Auto) layout = choose_layout(s);
  bool dot = layout == Layout::Dot;
  PicGraph out = oriented(g, comp, s.components, s.chains);
  if (!dot)
    for (auto e : boost::make_iterator_range(boost::edges(out))) out[e].minlen = 1;
  std::ostringstream text;
  boost::write_graphviz(text, out, NodeWriter(lab, out), EdgeWriter(lab, out, dot),
                        GraphWriter(lab, layout, s.chains));
  return text.str();
}

}  // namespace vklab::topology
