// validate: the rules of LAB-FORMAT.md, on a loaded Lab.
#pragma once

#include "common/diag.h"
#include "topology/model.h"

namespace vklab::topology {

/// Checks every rule (names, references, limits, addresses, memory,
/// durations, network mode) and the graph questions (islands, L2 loops,
/// depends_on cycles, checks that cannot pass), adding errors and warnings
/// to `diags`. Also resolves the lab for the compiler: fills `address` of
/// every `address: auto` interface and sets `launch_order`. Only a lab
/// that produced no errors may be compiled.
void validate(Lab& lab, Diagnostics& diags);

}  // namespace vklab::topology
