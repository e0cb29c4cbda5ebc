#include <doctest/doctest.h>

#include "common/net.h"

using namespace vklab;

TEST_CASE("ipv4 parse and format") {
  CHECK(Ipv4::parse("10.1.2.3")->str() == "10.1.2.3");
  CHECK_FALSE(Ipv4::parse("10.1.2"));
  CHECK_FALSE(Ipv4::parse("10.1.2.256"));
  CHECK_FALSE(Ipv4::parse("::1"));
  CHECK_FALSE(Ipv4::parse(""));
}

TEST_CASE("prefix arithmetic") {
  auto p = Ipv4Prefix::parse("10.2.0.77/24").value();
  CHECK(p.network().str() == "10.2.0.0");
  CHECK(p.broadcast().str() == "10.2.0.255");
  CHECK(p.contains(*Ipv4::parse("10.2.0.1")));
  CHECK_FALSE(p.contains(*Ipv4::parse("10.3.0.1")));
  CHECK(p.is_host_address());
  CHECK_FALSE(Ipv4Prefix::parse("10.2.0.0/24")->is_host_address());
  CHECK(Ipv4Prefix::parse("10.2.0.0/31")->is_host_address());
  CHECK_FALSE(Ipv4Prefix::parse("10.2.0.0/33"));
  CHECK_FALSE(Ipv4Prefix::parse("10.2.0.0"));
  CHECK_FALSE(Ipv4Prefix::parse("10.2.0.0/"));
  CHECK_FALSE(Ipv4Prefix::parse("10.2.0.0/2x"));
}

TEST_CASE("mac parse") {
  auto m = Mac::parse("02:AA:bb:0c:00:ff").value();
  CHECK(m.str() == "02:aa:bb:0c:00:ff");
  CHECK_FALSE(m.is_multicast());
  CHECK(Mac::parse("01:00:5e:00:00:01")->is_multicast());
  CHECK_FALSE(Mac::parse("02:aa:bb:0c:00"));
  CHECK_FALSE(Mac::parse("02-aa-bb-0c-00-ff"));
}
