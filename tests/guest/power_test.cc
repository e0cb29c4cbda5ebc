// The guest's halt/poweroff/reboot/shutdown: which names, and what each
// command line asks for. (Signalling init is tested in tests/integration.)
#include <doctest/doctest.h>

#include "guest/power.h"

using namespace vklab::vkernel;
using Action = PowerRequest::Action;

TEST_CASE("power commands: recognised by the last path component only") {
  CHECK(is_power_command("halt"));
  CHECK(is_power_command("/run/vkernel/bin/reboot"));
  CHECK(is_power_command("poweroff"));
  CHECK(is_power_command("shutdown"));
  CHECK_FALSE(is_power_command("vkernel"));
  CHECK_FALSE(is_power_command("/usr/lib/vklab/vkernel"));
  CHECK_FALSE(is_power_command("halt/vkernel"));
  CHECK_FALSE(is_power_command("rebooter"));
  CHECK_FALSE(is_power_command(""));
}

TEST_CASE("power commands: halt, poweroff and reboot take no argument") {
  CHECK(parse_power("halt", {}).action == Action::Halt);
  CHECK(parse_power("poweroff", {}).action == Action::Halt);
  CHECK(parse_power("reboot", {}).action == Action::Reboot);
  CHECK(parse_power("halt", {}).error.empty());
  auto r = parse_power("reboot", {"now"});
  CHECK(r.error == "reboot: unexpected argument 'now'\nusage: reboot");
  CHECK(parse_power("halt", {"--help"}).action == Action::Help);
}

TEST_CASE("power commands: shutdown -h|-p|-r now, and nothing later") {
  CHECK(parse_power("shutdown", {"-h", "now"}).action == Action::Halt);
  CHECK(parse_power("shutdown", {"-p", "now"}).action == Action::Halt);
  CHECK(parse_power("shutdown", {"-r", "now"}).action == Action::Reboot);
  CHECK(parse_power("shutdown", {"now", "-r"}).action == Action::Reboot);
  CHECK(parse_power("shutdown", {"-r", "+0"}).error.empty());
  CHECK(parse_power("shutdown", {"-r", "+5"}).error ==
        "shutdown: only 'now' is supported, got '+5'\nusage: shutdown -h | -p | -r now");
  CHECK(parse_power("shutdown", {"-h"}).error.starts_with("shutdown: only 'now' is supported, got ''"));
  CHECK(parse_power("shutdown", {"now"}).error.starts_with("shutdown: say -h (halt), -p (power off) or -r (reboot)"));
  CHECK(parse_power("shutdown", {"-h", "-r", "now"}).error.starts_with("shutdown: one of -h, -p, -r"));
  CHECK(parse_power("shutdown", {"-k", "now"}).error.starts_with("shutdown: unknown option '-k'"));
  CHECK(parse_power("shutdown", {"-h", "now", "bye"}).error.starts_with("shutdown: unexpected argument 'bye'"));
}
