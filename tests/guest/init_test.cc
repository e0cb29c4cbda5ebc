#include <doctest/doctest.h>

#include <set>

#include "guest/init.h"
#include "guest/tapdev.h"

using namespace vklab::vkernel;

TEST_CASE("split_rc: one command per complete line group") {
  // a fake syntax check: a group is complete when its if/fi balance
  auto complete = [](const std::string& t) {
    int depth = 0;
    for (size_t p = 0; (p = t.find("if ", p)) != std::string::npos; ++p) ++depth;
    for (size_t p = 0; (p = t.find("fi", p)) != std::string::npos; ++p) --depth;
    return depth <= 0;
  };
  auto cmds = split_rc("echo a\n\n# comment\n  \nif true; then\n  echo b\nfi\nfalse\n", complete);
  REQUIRE(cmds.size() == 3);
  CHECK(cmds[0] == RcCommand{1, "echo a"});
  CHECK(cmds[1] == RcCommand{5, "if true; then\n  echo b\nfi"});
  CHECK(cmds[2] == RcCommand{8, "false"});
  // never complete: the rest is one command
  auto bad = split_rc("echo x\nif oops\necho y", complete);
  REQUIRE(bad.size() == 2);
  CHECK(bad[1].line == 2);
  CHECK(bad[1].text == "if oops\necho y");
}

TEST_CASE("split_rc with /bin/sh -n") {
  auto cmds = split_rc("ip link\nfor i in 1 2; do\n echo $i\ndone\necho 'a\nb'\necho c \\\n d\n",
                       sh_complete);
  REQUIRE(cmds.size() == 4);
  CHECK(cmds[1].line == 2);
  CHECK(cmds[2].text == "echo 'a\nb'");
  CHECK(cmds[3].text == "echo c \\\n d");
}

TEST_CASE("rc_wrapper reports each failing command") {
  auto w = rc_wrapper("r1", "startup", {{1, "false"}, {3, "echo 'it'"}});
  CHECK(w.find("vklab_failed()") == 0);
  CHECK(w.find("{\nfalse\n} || vklab_failed 1 $? false\n") != std::string::npos);
  CHECK(w.find("} || vklab_failed 3 $? 'echo '\\''it'\\'''\n") != std::string::npos);
  CHECK(w.find("r1: startup: line $1: exit $2: $3") != std::string::npos);
}

TEST_CASE("guest MAC: byte 1 incremented") {
  auto m = guest_mac(vklab::Mac{{0x02, 0xff, 0x00, 0x11, 0x22, 0x33}});
  CHECK(m.str() == "02:00:00:11:22:33");
  CHECK(guest_mac(vklab::Mac{{0x52, 0x10, 1, 2, 3, 4}}).str() == "52:11:01:02:03:04");
}
