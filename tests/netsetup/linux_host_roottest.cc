// LinuxHost against the real kernel (inside the private namespace).
#include <doctest/doctest.h>

#include <algorithm>

#include "hostnet/linux_host.h"

using namespace vklab;
using namespace vklab::hostnet;

namespace {

std::unique_ptr<LinuxHost> open_host() {
  auto h = LinuxHost::open();
  REQUIRE_MESSAGE(h.ok(), (h.ok() ? "" : h.error().message));
  return std::move(h).value();
}

LinkInfo must_find(Host& h, const std::string& name) {
  auto f = h.find(name);
  REQUIRE(f.ok());
  REQUIRE_MESSAGE(f->has_value(), name);
  return **f;
}

}  // namespace

TEST_CASE("LinuxHost: bridge, tap, member, address, up, read back, destroy") {
  auto h = open_host();
  REQUIRE(h->check_modules().ok());
  const std::string tag = ownership_tag("t1");
  REQUIRE(h->create_bridge("lhbr0", tag).ok());
  REQUIRE(h->create_tap("lhtap0", tag).ok());
  REQUIRE(h->add_member("lhbr0", "lhtap0").ok());
  REQUIRE(h->add_member("lhbr0", "lhtap0").ok());  // already a member: done
  auto addr = *Ipv4Prefix::parse("10.1.0.254/24");
  REQUIRE(h->add_address("lhbr0", addr).ok());
  REQUIRE(h->add_address("lhbr0", addr).ok());  // already there: done
  REQUIRE(h->set_up("lhbr0", true).ok());
  REQUIRE(h->set_up("lhtap0", true).ok());

  LinkInfo br = must_find(*h, "lhbr0");
  CHECK(br.kind == "bridge");
  CHECK(br.alias == tag);
  CHECK(br.group == link_group(tag));
  CHECK(br.up);
  REQUIRE(br.addresses.size() == 1);
  CHECK(br.addresses[0] == addr);
  CHECK(br.mac.has_value());

  LinkInfo tap = must_find(*h, "lhtap0");
  CHECK(tap.kind == "tun");
  CHECK(tap.alias == tag);
  CHECK(tap.master == "lhbr0");

  auto dup = h->create_tap("lhtap0", tag);
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().message == "lhtap0: File exists");
  auto dupb = h->create_bridge("lhbr0", tag);
  REQUIRE_FALSE(dupb.ok());
  CHECK(dupb.error().message == "lhbr0: File exists");

  REQUIRE(h->remove_member("lhbr0", "lhtap0").ok());
  CHECK(must_find(*h, "lhtap0").master.empty());
  REQUIRE(h->remove_member("lhbr0", "lhtap0").ok());  // not a member: done

  auto all = h->list();
  REQUIRE(all.ok());
  CHECK(tagged(*all, tag).size() == 2);

  REQUIRE(h->destroy("lhtap0").ok());
  REQUIRE(h->destroy("lhtap0").ok());  // gone: done
  REQUIRE(h->destroy("lhbr0").ok());
  auto gone = h->find("lhbr0");
  REQUIRE(gone.ok());
  CHECK_FALSE(gone->has_value());
}

TEST_CASE("LinuxHost: find() reads back the link's own IPv4 addresses only, then a link dump still works") {
  auto h = open_host();
  const std::string tag = ownership_tag("t3");
  const auto a1 = *Ipv4Prefix::parse("10.7.0.1/24"), a2 = *Ipv4Prefix::parse("10.7.1.1/24"),
             b1 = *Ipv4Prefix::parse("10.8.0.1/16");
  REQUIRE(h->create_bridge("fbr0", tag).ok());
  REQUIRE(h->create_bridge("fbr1", tag).ok());
  REQUIRE(h->create_tap("ftap0", tag).ok());
  REQUIRE(h->add_address("fbr0", a1).ok());
  REQUIRE(h->add_address("fbr0", a2).ok());
  REQUIRE(h->add_address("fbr1", b1).ok());
  for (const char* n : {"fbr0", "fbr1", "ftap0"}) REQUIRE(h->set_up(n, true).ok());  // IPv6 link-locals too

  CHECK(must_find(*h, "fbr0").addresses == std::vector{a1, a2});
  CHECK(must_find(*h, "fbr1").addresses == std::vector{b1});
  CHECK(must_find(*h, "ftap0").addresses.empty());
  // The per-link dump switches the socket's strict checking on and off
  // again: a whole-namespace dump on the same socket afterwards still works.
  auto all = h->list();
  REQUIRE_MESSAGE(all.ok(), (all.ok() ? "" : all.error().message));
  auto ours = tagged(*all, tag);
  CHECK(ours.size() == 3);
  for (const LinkInfo& l : *all)
    if (l.name == "fbr0") CHECK(l.addresses == std::vector{a1, a2});
  REQUIRE(h->destroy_tagged(tag).ok());
}

TEST_CASE("LinuxHost: destroy_tagged removes only the tag's links, in one group delete") {
  auto h = open_host();
  const std::string tag = ownership_tag("grp");
  REQUIRE(h->create_bridge("foreign0", "").ok());
  REQUIRE(h->create_bridge("gbr0", tag).ok());
  for (int i = 0; i < 8; ++i) REQUIRE(h->create_tap("gtap" + std::to_string(i), tag).ok());
  REQUIRE(h->create_tap("otap0", ownership_tag("other")).ok());
  auto n = h->destroy_tagged(tag);
  REQUIRE_MESSAGE(n.ok(), (n.ok() ? "" : n.error().message));
  CHECK(*n == 9);
  auto all = h->list();
  REQUIRE(all.ok());
  CHECK(tagged(*all, tag).empty());
  CHECK(h->find("foreign0")->has_value());
  CHECK(h->find("otap0")->has_value());
  auto again = h->destroy_tagged(tag);
  REQUIRE(again.ok());
  CHECK(*again == 0);
  REQUIRE(h->destroy("foreign0").ok());
  REQUIRE(h->destroy("otap0").ok());
}

TEST_CASE("LinuxHost: link_group is never the default group") {
  CHECK(link_group("vklab:a") != 0);
  CHECK((link_group("vklab:a") & 0xFFFF0000u) == 0x564B0000u);
  CHECK(link_group("vklab:a") == link_group("vklab:a"));
}
