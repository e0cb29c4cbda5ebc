#include "topology/graph.h"

#include <boost/graph/connected_components.hpp>

namespace vklab::topology {

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

}  // namespace vklab::topology
