#include <doctest/doctest.h>

#include "guest/tapdev.h"

using namespace vklab::vkernel;

TEST_CASE("guest MAC: byte 1 incremented") {
  auto m = guest_mac(vklab::Mac{{0x02, 0xff, 0x00, 0x11, 0x22, 0x33}});
  CHECK(m.str() == "02:00:00:11:22:33");
  CHECK(guest_mac(vklab::Mac{{0x52, 0x10, 1, 2, 3, 4}}).str() == "52:11:01:02:03:04");
}
