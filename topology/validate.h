// validate: the rules of LAB-FORMAT.md, on a loaded Lab.
#pragma once

#include "common/diag.h"
#include "topology/model.h"
#include "topology/plan.h"

namespace vklab::topology {

/// Checks every rule (names, references, limits, addresses, memory,
/// durations, network mode) and the graph questions (islands, L2 loops,
/// depends_on cycles, checks that cannot pass), adding errors and warnings
/// to `diags`. Also resolves the lab for the compiler: fills `address` of
/// every `address: auto` interface and sets `launch_order`. Only a lab
/// that produced no errors may be compiled. `target` is the one the lab
/// will be compiled for: what only the bundled Linux guest does (its own
/// root, files, shared/, ifname, sysctl) is a warning for DragonFly.
void validate(Lab& lab, Diagnostics& diags, Target target = Target::Linux);

}  // namespace vklab::topology
