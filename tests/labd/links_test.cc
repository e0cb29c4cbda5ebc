// labd/links.h: link requests checked against the plan, applied to the
// records, encoded both ways; state.json keeps the records.
#include <doctest/doctest.h>

#include "labd/protocol.h"
#include "labd/state.h"

using namespace vklab;
using namespace vklab::labd;

namespace {

topology::Plan plan_ab() {
  topology::Plan p;
  p.lab = "l";
  for (const char* n : {"a", "b"}) {
    topology::GuestLaunch g;
    g.name = n;
    g.bundled = true;
    g.cmdline.env.emplace_back(vkernel::kEnvLinks, std::string("/tmp/") + n + ".links");
    for (int i = 0; i < 2; ++i) {
      topology::GuestIface gi;
      gi.index = i;
      vkernel::NetIf ni;
      ni.iface = "tap" + std::to_string(i);
      g.cmdline.netifs.push_back(ni);
      g.ifaces.push_back(gi);
    }
    p.guests.push_back(g);
  }
  p.guests[0].ifaces[1].impair = *vkernel::parse_impairment("delay=40ms");
  return p;
}

vkernel::Impairment imp(const char* w) { return *vkernel::parse_impairment(w); }

}  // namespace

TEST_CASE("initial_links: every impair: of the plan") {
  auto l = initial_links(plan_ab());
  REQUIRE(l.size() == 1);
  CHECK(l[0] == LinkRecord{"a", 1, true, imp("delay=40ms")});
}

TEST_CASE("apply_link_request: impair, down, up, clear; defaults drop out; plan order") {
  auto plan = plan_ab();
  auto links = initial_links(plan);
  LinkRequest r{{{"b", 0}, {"a", 0}}, LinkRequest::Change::Impair, imp("loss=1%")};
  auto changed = apply_link_request(links, plan, r);
  REQUIRE(changed);
  CHECK(*changed == std::vector<std::string>{"a", "b"});
  REQUIRE(links.size() == 3);
  CHECK(links[0].guest == "a");
  CHECK(links[0].iface == 0);
  CHECK(links[1].iface == 1);
  CHECK(links[2].guest == "b");
  REQUIRE(apply_link_request(links, plan, {{{"a", 0}}, LinkRequest::Change::Down, std::nullopt}));
  CHECK(!links[0].up);
  CHECK(links[0].impair == imp("loss=1%"));  // down keeps the impairment
  REQUIRE(apply_link_request(links, plan, {{{"a", 0}}, LinkRequest::Change::Clear, std::nullopt}));
  REQUIRE(apply_link_request(links, plan, {{{"a", 0}}, LinkRequest::Change::Up, std::nullopt}));
  REQUIRE(links.size() == 2);  // a:0 is the default again
  CHECK(links[0] == LinkRecord{"a", 1, true, imp("delay=40ms")});
  CHECK(guest_links(links, "b") == std::vector<vkernel::LinkConfig>{{0, true, imp("loss=1%")}});
}

TEST_CASE("apply_link_request: bad targets change nothing") {
  auto plan = plan_ab();
  auto links = initial_links(plan);
  auto before = links;
  auto e = apply_link_request(links, plan, {{{"a", 0}, {"c", 0}}, LinkRequest::Change::Down, std::nullopt});
  REQUIRE(!e);
  CHECK(e.error().message == "c: no such guest");
  CHECK(apply_link_request(links, plan, {{{"a", 5}}, LinkRequest::Change::Down, std::nullopt}).error().message ==
        "a: has no vke5");
  plan.guests[1].bundled = false;
  CHECK(!apply_link_request(links, plan, {{{"b", 0}}, LinkRequest::Change::Down, std::nullopt}));
  CHECK(links == before);
}

TEST_CASE("serve_link_request: refused unless the lab is up") {
  LabState st;
  st.lab = "l";
  st.phase = Phase::Starting;
  auto r = serve_link_request(st, plan_ab(), {{{"a", 0}}, LinkRequest::Change::Down, std::nullopt});
  REQUIRE(!r);
  CHECK(r.error().message == "l: not up (starting)");
  CHECK(st.links.empty());
}

TEST_CASE("link requests and replies round trip; bad ones are errors") {
  Request req{LinkRequest{{{"a", 0}, {"b", 1}}, LinkRequest::Change::Impair, imp("delay=5ms rate=10mbit")}};
  auto back = decode_request(encode(req));
  REQUIRE(back);
  CHECK(*back == req);
  Request down{LinkRequest{{{"a", 0}}, LinkRequest::Change::Down, std::nullopt}};
  CHECK(*decode_request(encode(down)) == down);
  Reply rep{LinksReply{{{"a", 0, false, std::nullopt}, {"b", 1, true, imp("loss=0.1%")}}}};
  auto rb = decode_reply(encode(rep));
  REQUIRE(rb);
  CHECK(*rb == rep);
  for (const char* bad : {R"({"op":"link"})",
                          R"({"op":"link","change":"down","targets":[]})",
                          R"({"op":"link","change":"sideways","targets":[{"guest":"a","iface":0}]})",
                          R"({"op":"link","change":"down","targets":[{"guest":"a","iface":16}]})",
                          R"({"op":"link","change":"down","targets":[{"guest":"a","iface":0,"x":1}]})",
                          R"({"op":"link","change":"impair","targets":[{"guest":"a","iface":0}]})",
                          R"({"op":"link","change":"down","impair":"delay=1ms","targets":[{"guest":"a","iface":0}]})",
                          R"({"op":"link","change":"impair","impair":"loss=200%","targets":[{"guest":"a","iface":0}]})",
                          R"({"op":"link","change":"down","targets":[{"guest":"a","iface":0}],"extra":1})"})
    CHECK_MESSAGE(!decode_request(bad), bad);
}

TEST_CASE("state.json keeps the links; an older one without them reads as none") {
  LabState s;
  s.lab = "l";
  s.links = {{"a", 0, false, imp("delay=1ms jitter=1ms")}};
  auto back = state_from_json(state_to_json(s));
  REQUIRE(back);
  CHECK(back->links == s.links);
  auto j = state_to_json(s);
  j.erase("links");
  auto old = state_from_json(j);
  REQUIRE(old);
  CHECK(old->links.empty());
}
