// graph: the lab as a Boost.Graph — guests, bridges and tap-link host ends
// as vertices, one edge per guest interface.
//
// The validator asks it for connected components (islands); `vklab graph`
// draws a picture of it (picture.h). Building it is pure and deterministic: vertices
// are numbered guests first (declaration order), then bridges, then the
// host ends of tap links (guest order, then interface order).
#pragma once

#include <boost/graph/adjacency_list.hpp>

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "topology/model.h"

namespace vklab::topology {

/// What a vertex stands for.
enum class NodeKind {
  Guest,    ///< lab.guests[index]
  Bridge,   ///< lab.bridges[index]
  TapHost,  ///< the host end of tap link lab.guests[index].interfaces[iface]
};

struct LabVertex {
  NodeKind kind = NodeKind::Guest;
  size_t index = 0;  ///< into lab.guests (Guest, TapHost) or lab.bridges (Bridge)
  int iface = -1;    ///< TapHost only: the interface index
};

/// One guest interface vkeN.
struct LabEdge {
  size_t guest = 0;  ///< index into lab.guests
  int iface = 0;     ///< N of vkeN
};

using LabGraphType = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS,
                                           LabVertex, LabEdge>;
using LabVertexId = LabGraphType::vertex_descriptor;

struct LabGraph {
  LabGraphType g;
  std::vector<LabVertexId> guest_vertex;   ///< vertex of lab.guests[i]
  std::vector<LabVertexId> bridge_vertex;  ///< vertex of lab.bridges[i]
  /// Host end of each tap link, keyed by (guest index, interface index).
  std::map<std::pair<size_t, int>, LabVertexId> tap_vertex;
};

/// Builds the graph. An interface naming an undeclared bridge gets no
/// edge; when a bridge name is declared twice the first declaration wins.
LabGraph build_graph(const Lab& lab);

/// Connected components (boost::connected_components). Component ids are
/// numbered in vertex order: the component of the first guest is 0.
struct Components {
  int count = 0;
  std::vector<int> of;  ///< component id per vertex
};
Components components(const LabGraph& graph);

/// A vertex as people read it: `r1`, `bridge "lan1"`, `host end of r1 vke3`.
std::string describe_vertex(const Lab& lab, const LabGraph& graph, LabVertexId v);


}  // namespace vklab::topology
