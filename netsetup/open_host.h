// The Host a plan runs on, chosen from its target: the one place that
// knows which Host implementations this build has.
#pragma once

#include <memory>

#include "common/result.h"
#include "hostnet/host.h"
#include "topology/plan.h"

namespace vklab::netsetup {

/// Linux: LinuxHost over netlink (only in a build with VKLAB_LINUX);
/// DragonFly: DragonFlyHost running kldload/ifconfig/sysctl from $PATH by
/// execve (dragonfly.h). An error names what this build cannot drive.
Result<std::unique_ptr<hostnet::Host>> open_host(topology::Target target);

}  // namespace vklab::netsetup
