#include "common/ip.h"

#include <doctest/doctest.h>

using namespace vklab;

TEST_CASE("IpAddr parses both families and prints the canonical form") {
  CHECK(IpAddr::parse("10.0.0.1")->str() == "10.0.0.1");
  CHECK_FALSE(IpAddr::parse("10.0.0.1")->v6());
  CHECK(IpAddr::parse("2001:DB8:0:0::1")->str() == "2001:db8::1");
  CHECK(IpAddr::parse("2001:db8::1")->v6());
  CHECK(IpAddr::parse("::ffff:10.0.0.1")->v6());
  for (const char* bad : {"", "10.0.0", "10.0.0.256", "fe80::1%eth0", "[::1]", "host", "1::2::3"})
    CHECK_FALSE(IpAddr::parse(bad));
  CHECK(*IpAddr::parse("2001:db8::1") == *IpAddr::parse("2001:0db8::0001"));
  uint8_t b[4] = {192, 0, 2, 7};
  CHECK(IpAddr::from_bytes(b, 4)->str() == "192.0.2.7");
  CHECK_FALSE(IpAddr::from_bytes(b, 3));
}

TEST_CASE("IpPrefix: lengths per family, default, host bits") {
  CHECK(IpPrefix::parse("10.3.0.0/24")->str() == "10.3.0.0/24");
  CHECK(IpPrefix::parse("default")->str() == "0.0.0.0/0");
  CHECK(IpPrefix::parse("2001:db8:1::/64")->str() == "2001:db8:1::/64");
  CHECK(IpPrefix::parse("::/0")->len == 0);
  CHECK(IpPrefix::parse("2001:db8::1/128"));
  CHECK_FALSE(IpPrefix::parse("10.0.0.0/33"));
  CHECK_FALSE(IpPrefix::parse("2001:db8::/129"));
  CHECK_FALSE(IpPrefix::parse("10.0.0.0"));
  CHECK_FALSE(IpPrefix::parse("10.0.0.0/"));
  CHECK_FALSE(IpPrefix::parse("10.0.0.0/2x"));
  CHECK(IpPrefix::parse("10.3.0.1/24")->network().str() == "10.3.0.0/24");
  CHECK_FALSE(IpPrefix::parse("10.3.0.1/24")->is_network());
  CHECK(IpPrefix::parse("10.3.0.0/24")->is_network());
  CHECK(IpPrefix::parse("10.0.0.1/31")->network().str() == "10.0.0.0/31");
  CHECK(IpPrefix::parse("2001:db8:1:2:3::1/52")->network().str() == "2001:db8:1::/52");
  CHECK(IpPrefix::parse("10.9.8.7/0")->network().str() == "0.0.0.0/0");
}
