// The picture of a lab (picture.h): lines, routers, shapes and layouts.
#include <doctest/doctest.h>

#include "topology/picture.h"
#include "valid_lab.h"

using namespace vklab;
using namespace vklab::topology;
using vklab::topology::testing::valid_lab;

namespace {

const char* kTriangle = R"(name: tri
bridges:
  lan1: {subnet: 10.1.0.0/24}
  r1-r2: {}
  r1-r3: {subnet: 10.13.0.0/30}
  r2-r3: {}
guests:
  r1:
    interfaces:
      - {bridge: lan1, address: 10.1.0.1/24}
      - {bridge: r1-r2, address: 10.12.0.1/30}
      - {bridge: r1-r3, address: 10.13.0.1/30}
  r2:
    interfaces:
      - {bridge: r1-r2, address: 10.12.0.2/30}
      - {bridge: r2-r3, address: 10.23.0.1/30}
  r3:
    interfaces:
      - {bridge: r1-r3, address: 10.13.0.2/30}
      - {bridge: r2-r3, address: 10.23.0.2/30}
  pc1:
    interfaces: [{bridge: lan1, address: auto}]
)";

const char* kChain = R"(name: chain
bridges: [ab, bc, cd]
guests:
  a: {interfaces: [ab]}
  b: {interfaces: [ab, bc]}
  c: {interfaces: [bc, cd]}
  d: {interfaces: [cd]}
)";

const char* kStar = R"(name: star
bridges:
  lan: {subnet: 10.0.0.0/24}
guests:
  a: {interfaces: [{bridge: lan, address: auto}]}
  b: {interfaces: [{bridge: lan, address: auto}]}
  c: {interfaces: [{bridge: lan, address: auto}]}
)";

}  // namespace

TEST_CASE("point_to_point: exactly two members on two guests, no host side") {
  Lab lab = valid_lab(kTriangle);
  auto lan1 = point_to_point(lab, 0);  // r1 and pc1 only: a line too
  REQUIRE(lan1);
  CHECK(lan1->a.guest == 0);
  CHECK(lan1->b.guest == 3);
  auto r1r2 = point_to_point(lab, 1);
  REQUIRE(r1r2);
  CHECK(r1r2->a.guest == 0);
  CHECK(r1r2->a.iface == 1);
  CHECK(r1r2->b.guest == 1);
  CHECK(r1r2->b.iface == 0);
  CHECK_FALSE(point_to_point(lab, 99));
}

TEST_CASE("point_to_point: a host address, an uplink, three members or one guest twice keep a node") {
  Lab lab = valid_lab(R"(name: nodes
bridges:
  hosted: {subnet: 10.0.0.0/24, address: 10.0.0.254/24}
  three: {}
  loop: {}
  single: {}
guests:
  a: {interfaces: [{bridge: hosted, address: auto}, three, loop, loop]}
  b: {interfaces: [{bridge: hosted, address: auto}, three, single]}
  c: {interfaces: [three]}
)");
  for (size_t b = 0; b < lab.bridges.size(); ++b) {
    INFO(lab.bridges[b].name);
    CHECK_FALSE(point_to_point(lab, b));
  }
}

TEST_CASE("is_router: interfaces, forwarding sysctls, FRR") {
  GuestDecl g;
  g.interfaces.resize(1);
  CHECK_FALSE(is_router(g));
  g.startup = "ip route add default via 10.0.0.1";
  CHECK_FALSE(is_router(g));
  g.startup = "sysctl -qw net.ipv4.ip_forward=1";
  CHECK(is_router(g));
  g.startup = "/etc/init.d/frr start";
  CHECK(is_router(g));
  g.startup.clear();
  g.sysctls.push_back({{"net.ipv4.ip_forward", "1"}, {}});
  CHECK(is_router(g));
  g.sysctls.back().value.second = "0";
  CHECK_FALSE(is_router(g));
  g.sysctls.clear();
  g.image = "kathara/frr";
  CHECK(is_router(g));
  g.image.clear();
  g.interfaces.resize(2);
  CHECK(is_router(g));
}

TEST_CASE("picture_shape and choose_layout: a triangle is a mesh, a chain a chain, a star a tree") {
  Shape tri = picture_shape(valid_lab(kTriangle));
  CHECK(tri.nodes == 4);   // r1 r2 r3 pc1; lan1 (two members) is a line too
  CHECK(tri.edges == 4);
  CHECK(tri.components == 1);
  CHECK(tri.cycles);
  CHECK_FALSE(tri.chains);
  CHECK(choose_layout(tri) == Layout::Neato);

  Shape chain = picture_shape(valid_lab(kChain));
  CHECK(chain.nodes == 4);
  CHECK(chain.edges == 3);
  CHECK_FALSE(chain.cycles);
  CHECK(chain.chains);
  CHECK(choose_layout(chain) == Layout::Dot);

  Shape star = picture_shape(valid_lab(kStar));
  CHECK(star.nodes == 4);  // three guests and the LAN
  CHECK_FALSE(star.cycles);
  CHECK_FALSE(star.chains);
  CHECK(choose_layout(star) == Layout::Dot);

  Shape big;  // a tree too large for dot's ranks on a page
  big.nodes = kLargePicture + 1;
  CHECK(choose_layout(big) == Layout::Neato);
  big.cycles = true;
  CHECK(choose_layout(big) == Layout::Neato);
  big.nodes = kHugePicture + 1;
  CHECK(choose_layout(big) == Layout::Fdp);
}

TEST_CASE("layout names round trip") {
  for (Layout l : {Layout::Auto, Layout::Dot, Layout::Neato, Layout::Fdp, Layout::Circo})
    CHECK(layout_from_name(layout_name(l)) == l);
  CHECK_FALSE(layout_from_name("twopi"));
}

TEST_CASE("to_dot: a line between two guests carries name, subnet and both ends") {
  std::string dot = to_dot(valid_lab(kTriangle));
  // r1-r3 has a subnet: ends without lengths.
  CHECK(dot.find("0--2 [label=\"r1-r3\\n10.13.0.0/30\",taillabel=\"vke2\\n10.13.0.1\",headlabel=\"vke0\\n10.13.0.2\"") !=
        std::string::npos);
  // r1-r2 has none: the network both ends share.
  CHECK(dot.find("label=\"r1-r2\\n10.12.0.0/30\"") != std::string::npos);
  CHECK(dot.find("layout=neato;") != std::string::npos);
  CHECK(dot.find("0[shape=circle") != std::string::npos);  // r1 routes
  CHECK(dot.find("3[shape=box,label=\"pc1\"]") != std::string::npos);
  CHECK(dot == to_dot(valid_lab(kTriangle)));
  CHECK(to_dot(valid_lab(kTriangle), Layout::Circo).find("layout=circo;") != std::string::npos);
}

TEST_CASE("to_dot: a chain runs left to right from its first end; a tree top down from its center") {
  std::string chain = to_dot(valid_lab(kChain));
  CHECK(chain.find("rankdir=LR;") != std::string::npos);
  CHECK(chain.find("0--1 ") != std::string::npos);
  CHECK(chain.find("1--2 ") != std::string::npos);
  CHECK(chain.find("2--3 ") != std::string::npos);
  std::string star = to_dot(valid_lab(kStar));
  CHECK(star.find("rankdir=TB;") != std::string::npos);
  CHECK(star.find("3--0 ") != std::string::npos);  // the LAN (vertex 3) is the root
  CHECK(star.find("3--2 ") != std::string::npos);
}
