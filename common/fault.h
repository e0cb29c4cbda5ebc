// Test-only fault injection: a named step where a test may make this
// process receive a signal, so the fault suite (tests/fault/) can kill labd
// or interrupt `vklab up` at an exact point instead of at a random time.
//
//   VKLAB_FAULT=STEP[@N][:SIG][,…]  at the Nth time (default 1) this process
//                                    reaches STEP, raise SIG (KILL, TERM,
//                                    INT or STOP; default KILL)
//   VKLAB_FAULT_TRACE=FILE           append "STEP@N" for every step reached
//
// Both unset (every normal run): fault_point() is one getenv per call.
// The steps are listed in labd(8) under ENVIRONMENT.
#pragma once

#include <string_view>

namespace vklab {

/// Marks a step; see the header comment.
void fault_point(std::string_view step);

}  // namespace vklab
