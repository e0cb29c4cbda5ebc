// The addresses file (-e vklab_addrs) the plan writes and the guest reads.
#include <doctest/doctest.h>

#include "guest/addrs.h"

using namespace vklab;
using namespace vklab::vkernel;

TEST_CASE("addrs: vkeN ADDR/LEN lines, comments and blank lines skipped") {
  auto r = parse_addrs("# r1\nvke0 2001:db8::2/64\n\nvke12 2001:db8:2::1/64\nvke0 10.0.0.5/24\n", "r1.addrs");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 3);
  CHECK((*r)[0].first == 0);
  CHECK((*r)[0].second.str() == "2001:db8::2/64");
  CHECK((*r)[1].first == 12);
  CHECK((*r)[2].second.str() == "10.0.0.5/24");
}

TEST_CASE("addrs: a bad line is an error naming it") {
  for (const char* bad : {"eth0 2001:db8::2/64", "vke 2001:db8::2/64", "vke0 2001:db8::2", "vke0 ::/0",
                          "vke0 2001:db8::2/64 extra", "vkex 2001:db8::2/64", "vke0 2001:db8::2/129"}) {
    auto r = parse_addrs(std::string("vke1 2001:db8::1/64\n") + bad + "\n", "x.addrs");
    INFO(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.rfind("x.addrs:2: expected vkeN ADDR/LEN", 0) == 0);
  }
}
