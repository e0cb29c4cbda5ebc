// Rendering a Plan for people: a summary (text) or a reviewable shell
// script (sh) for either target. The host commands come from the command
// tables (commands.h), so a rendered DragonFly script issues exactly what
// DragonFlyHost would run.
#pragma once

#include <string>

#include "topology/plan.h"

namespace vklab::netsetup {

/// Human summary: host steps with their commands, each guest's argv and
/// vkeN → tap → bridge table, checks, teardown.
std::string render_text(const topology::Plan& plan);

/// A POSIX sh script with `up` and `down` actions. DragonFly: what an admin
/// runs (kldload -n, sysctl vm.vkernel_enable=1, ifconfig …, the kernels
/// with every argument shell-quoted). Linux: the iproute2 equivalent of
/// what vklab does over netlink inside the lab's namespace, for review.
/// `sh -n` accepts it.
std::string render_sh(const topology::Plan& plan);

}  // namespace vklab::netsetup
