// SIGQUIT to the vkernel process: a "debugger dump" of the guest on the
// console (its processes and its interfaces with their counters), after
// which the guest goes on, like the DragonFly vkernel dropping into and out
// of ddb.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "guest/vke.h"

namespace vklab::vkernel {

/// The dump's text: "db> ps" (host pid, guest pid, state, command of every
/// process in init's PID namespace), "db> show vke" (each interface: host
/// tap, bridge, MAC, address, rx/tx counters; a "shaped:" line once its
/// shaper lost, limited, corrupted, duplicated or reordered a frame),
/// "db> continue".
std::string dump_text(pid_t init_pid, const std::vector<std::unique_ptr<Vke>>& vkes);

}  // namespace vklab::vkernel
