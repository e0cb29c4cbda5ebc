// compile: Lab → Plan. Pure: no I/O, no clock, no randomness.
#pragma once

#include <string>

#include "topology/model.h"
#include "topology/plan.h"

namespace vklab::topology {

struct CompileOptions {
  Target target = Target::Linux;
  /// The lab's state directory; "" = the target's default
  /// (/run/vklab/<lab> on Linux, /var/run/vklab/<lab> on DragonFly).
  std::string state_dir;
  /// What `kernel: auto` means; "" = the target's default (Linux: the
  /// bundled guest at kDefaultLinuxKernel; DragonFly: kDefaultDragonFlyKernel).
  std::string auto_kernel;
  /// Directory relative disk/cdrom paths are taken from (the lab file's).
  std::string base_dir = ".";
  /// `vklab up --apply`: the plan the lab runs from. A bridge (by its lab
  /// name) and a guest's vkeN that it has keep their interface names there;
  /// new ones take the lowest units it does not use, so adding a guest
  /// renames nothing that runs. nullptr = number from 0 in file order.
  const Plan* keep_names = nullptr;
};

inline constexpr const char* kDefaultLinuxKernel = "/usr/local/libexec/vklab/vkernel";
inline constexpr const char* kDefaultDragonFlyKernel = "/usr/obj/usr/src/sys/VKERNEL64/kernel.debug";

/// The default state directory of a lab for a target.
std::string default_state_dir(Target target, const std::string& lab);

/// Compiles a validated lab (validate() reported no errors).
Plan compile(const Lab& lab, const CompileOptions& opts);

}  // namespace vklab::topology
