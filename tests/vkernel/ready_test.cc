#include <doctest/doctest.h>

#include "vkernel/ready.h"

using namespace vklab::vkernel;
using K = ReadyLine::Kind;

TEST_CASE("ready lines: round trip") {
  for (const ReadyLine& r : {ReadyLine{}, ReadyLine{K::Run, 3, 0, "ip route add default via 10.0.1.1"},
                             ReadyLine{K::Failed, 12, 2, "cat > /etc/frr/frr.conf <<EOF"}}) {
    auto back = parse_ready_line(format_ready_line(r));
    REQUIRE(back);
    CHECK(*back == r);
  }
  CHECK(format_ready_line({K::Failed, 3, 2, "x y"}) == "failed 3 2 x y");
}

TEST_CASE("ready lines: anything else is noise") {
  for (const char* bad : {"", "readyx", "run", "run x y", "run 0 x", "run -1 x", "run 3", "failed 3 x",
                          "failed 3 -1 x", "failed 3 2", "booted", "halt", "run 99999999999999999999 x"})
    CHECK_MESSAGE(!parse_ready_line(bad), bad);
  CHECK(!parse_ready_line("run 1 " + std::string(kReadyLineMax, 'x')));
  // text is kept as written (spaces, quotes), cut to the limit
  auto r = parse_ready_line("failed 7 127 echo 'a  b' \"c\"");
  REQUIRE(r);
  CHECK(r->text == "echo 'a  b' \"c\"");
  CHECK(r->exit == 127);
}
