// picture: how `vklab graph` draws a lab — which bridges are lines, which
// guests are routers, which Graphviz layout shows the lab's shape.
//
// What is drawn: every guest; a bridge with exactly two member interfaces
// of two different guests and no host side (no host address, no uplink)
// as a line between those guests, labelled with its name, subnet and both
// addresses; every other bridge (a LAN) as a node; the host end of each tap
// link as a node. The shape decisions (cycles, chains, the root of a tree)
// are made with Boost.Graph over exactly that picture. Pure and
// deterministic: the same lab gives the same DOT text.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "topology/graph.h"
#include "topology/model.h"

namespace vklab::topology {

/// A guest drawn as a router: more than one interface, a forwarding sysctl
/// (in `sysctls:` or set by its startup commands), or FRR among its files
/// (etc/frr/), startup or image.
bool is_router(const GuestDecl& g);

/// A bridge drawn as a line: its two member interfaces, `a` of the guest
/// declared first.
struct PointToPoint {
  size_t bridge = 0;
  LabEdge a, b;
};

/// lab.bridges[bridge] as a line, or nullopt when it stays a node (not
/// exactly two members, both members on one guest, a host address or an
/// uplink).
std::optional<PointToPoint> point_to_point(const Lab& lab, size_t bridge);

/// The Graphviz layout engines `vklab graph --layout` offers.
enum class Layout { Auto, Dot, Neato, Fdp, Circo };
/// "auto", "dot", "neato", "fdp", "circo".
const char* layout_name(Layout l);
std::optional<Layout> layout_from_name(std::string_view name);

/// Above this many drawn nodes a tree is laid out by neato too: dot's
/// ranks of labelled edges would not fit a page.
inline constexpr size_t kLargePicture = 40;
/// Above this many, fdp instead of neato (neato's cost grows as n²).
inline constexpr size_t kHugePicture = 200;
/// In a top-down tree, at most this many leaves share a rank; more are
/// spread over several ranks (as Graphviz's `unflatten -l` does).
inline constexpr size_t kRankWidth = 6;
/// The page the picture is scaled down to fit, in inches (A4 landscape).
inline constexpr const char* kPageSize = "11.7,8.3";

/// The shape of the picture (what is drawn, above).
struct Shape {
  size_t nodes = 0;
  size_t edges = 0;
  int components = 0;
  bool cycles = false;  ///< some component has a cycle (edges > nodes - components)
  bool chains = false;  ///< no cycle and no node with more than two neighbours
};
Shape picture_shape(const Lab& lab);

/// What Layout::Auto stands for: a mesh (cycles) or a tree above
/// kLargePicture nodes → neato (fdp above kHugePicture); chains → dot left
/// to right; other trees → dot top down from the tree's center.
Layout choose_layout(const Shape& s);

/// The picture in Graphviz DOT (boost::write_graphviz), its layout engine
/// named in the graph's `layout` attribute so `dot -Tpng` honours it:
/// hosts as boxes, routers as filled circles, LANs as ellipses labelled
/// with name, subnets, host addresses and uplink, tap-link host ends as
/// diamonds; an attachment edge labelled "IFNAME\naddress…", a line
/// labelled "name\nsubnet" with each end's interface and address at that
/// end. For dot, edges run from the root outwards so ranks follow the
/// tree.
std::string to_dot(const Lab& lab, Layout layout = Layout::Auto);

}  // namespace vklab::topology
