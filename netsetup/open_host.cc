#include "netsetup/open_host.h"

#include "netsetup/dragonfly.h"
#if VKLAB_LINUX
#include "hostnet/linux_host.h"
#endif

namespace vklab::netsetup {
Result<std::unique_ptr<hostnet::Host>> open_host(topology::Target target) {
  if (target == topology::Target::DragonFly) return std::unique_ptr<hostnet::Host>(std::make_unique<DragonFlyHost>(std::make_unique<ExecRunner>()));
#if VKLAB_LINUX
  auto h = hostnet::LinuxHost::open();
  if (!h) return h.error();
  return std::unique_ptr<hostnet::Host>(std::move(*h));
#else
  return make_error("a Linux host needs netlink, left out of this build (VKLAB_LINUX=OFF)");
#endif
}

}  // namespace vklab::netsetup
