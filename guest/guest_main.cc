// The bundled Linux guest: `vkernel [vkernel(7) options]`; inside a guest,
// also its halt, poweroff, reboot and shutdown (power.h), systemctl and
// service (services.h).
#include <cstdio>
#include <string>
#include <vector>

#include "vkernel/cmdline.h"
#include "guest/guest.h"
#include "guest/power.h"
#include "guest/services.h"

using namespace vklab::vkernel;

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  if (argc > 0 && is_power_command(argv[0])) return power_main(args);
  if (argc > 0 && is_service_command(argv[0])) return services_main(args);
  auto c = Cmdline::parse(args);
  if (!c) {
    std::fprintf(stderr, "%s\n", c.error().message.c_str());
    return kExitUsage;
  }
  if (c->help) {
    std::fputs(usage("vkernel").c_str(), stdout);
    return 0;
  }
  auto o = GuestOptions::from(c.value());
  if (!o) {
    std::fprintf(stderr, "vkernel: %s\n", o.error().message.c_str());
    return kExitUsage;
  }
  return run_guest(c.value(), o.value());
}
