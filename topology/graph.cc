#include "topology/graph.h"

#include <boost/graph/connected_components.hpp>
#include <boost/graph/graphviz.hpp>

#include <sstream>

namespace vklab::topology {

namespace {

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

std::string address_text(const InterfaceDecl& i) {
  if (i.address) return i.address->value.str();
  if (i.address_auto) return "auto";
  return "";
}

class VertexWriter {
 public:
  VertexWriter(const Lab& lab, const LabGraph& graph) : lab_(lab), graph_(graph) {}
  void operator()(std::ostream& out, LabVertexId v) const {
    const LabVertex& p = graph_.g[v];
    switch (p.kind) {
      case NodeKind::Guest:
        out << "[shape=box,label=" << dot_quote({lab_.guests[p.index].name}) << "]";
        break;
      case NodeKind::Bridge: {
        const BridgeDecl& b = lab_.bridges[p.index];
        std::vector<std::string> lines{b.name};
        if (b.subnet) lines.push_back(b.subnet->value.str());
        if (b.address) lines.push_back("host " + b.address->value.str());
        if (b.uplink) lines.push_back("uplink " + b.uplink->value);
        out << "[shape=ellipse,label=" << dot_quote(lines) << "]";
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
  const LabGraph& graph_;
};

class EdgeWriter {
 public:
  EdgeWriter(const Lab& lab, const LabGraph& graph) : lab_(lab), graph_(graph) {}
  void operator()(std::ostream& out, LabGraphType::edge_descriptor e) const {
    const LabEdge& p = graph_.g[e];
    const InterfaceDecl& i = lab_.guests[p.guest].interfaces[static_cast<size_t>(p.iface)];
    std::vector<std::string> lines{"vke" + std::to_string(p.iface)};
    if (auto a = address_text(i); !a.empty()) lines.push_back(a);
    out << "[label=" << dot_quote(lines) << "]";
  }

 private:
  const Lab& lab_;
  const LabGraph& graph_;
};

class GraphWriter {
 public:
  explicit GraphWriter(const Lab& lab) : lab_(lab) {}
  void operator()(std::ostream& out) const {
    // The lab's name, then what it says about itself (description, meta).
    std::vector<std::string> lines{lab_.name.value};
    if (!lab_.description.empty()) lines.push_back(lab_.description);
    for (const auto& [k, v] : lab_.meta) lines.push_back(k + ": " + v);
    out << "label=" << dot_quote(lines) << ";\n";
    out << "node [fontname=\"monospace\"];\n";
    out << "edge [fontname=\"monospace\",fontsize=10];\n";
  }

 private:
  const Lab& lab_;
};

}  // namespace

LabGraph build_graph(const Lab& lab) {
  LabGraph graph;
  for (size_t i = 0; i < lab.guests.size(); ++i)
    graph.guest_vertex.push_back(boost::add_vertex(LabVertex{NodeKind::Guest, i, -1}, graph.g));
  for (size_t i = 0; i < lab.bridges.size(); ++i)
    graph.bridge_vertex.push_back(boost::add_vertex(LabVertex{NodeKind::Bridge, i, -1}, graph.g));
  for (size_t gi = 0; gi < lab.guests.size(); ++gi) {
    const auto& ifaces = lab.guests[gi].interfaces;
    for (size_t n = 0; n < ifaces.size(); ++n) {
      int iface = static_cast<int>(n);
      LabVertexId other;
      if (ifaces[n].kind == InterfaceDecl::Kind::Tap) {
        other = boost::add_vertex(LabVertex{NodeKind::TapHost, gi, iface}, graph.g);
        graph.tap_vertex[{gi, iface}] = other;
      } else {
        int b = lab.bridge_index(ifaces[n].bridge.value);
        if (b < 0) continue;
        other = graph.bridge_vertex[static_cast<size_t>(b)];
      }
      boost::add_edge(graph.guest_vertex[gi], other, LabEdge{gi, iface}, graph.g);
    }
  }
  return graph;
}

Components components(const LabGraph& graph) {
  Components c;
  c.of.assign(boost::num_vertices(graph.g), 0);
  if (!c.of.empty()) c.count = boost::connected_components(graph.g, c.of.data());
  return c;
}

std::string describe_vertex(const Lab& lab, const LabGraph& graph, LabVertexId v) {
  const LabVertex& p = graph.g[v];
  switch (p.kind) {
    case NodeKind::Guest: return lab.guests[p.index].name;
    case NodeKind::Bridge: return "bridge \"" + lab.bridges[p.index].name + "\"";
    case NodeKind::TapHost:
      return "host end of " + lab.guests[p.index].name + " vke" + std::to_string(p.iface);
  }
  return "";
}

std::string to_dot(const Lab& lab) {
  LabGraph graph = build_graph(lab);
  std::ostringstream out;
  boost::write_graphviz(out, graph.g, VertexWriter(lab, graph), EdgeWriter(lab, graph),
                        GraphWriter(lab));
  return out.str();
}

}  // namespace vklab::topology
