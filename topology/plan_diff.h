// plan_diff: what `vklab up FILE` would change in a running lab. Pure: two
// Plans in, a PlanDiff out (no I/O).
//
// Guests are matched by name; one is changed when anything that reaches
// its launch differs: argv (kernel, memory, env, disks, -I), interfaces,
// stop_timeout, depends_on, its folder, or the content of its plan files
// (startup/shutdown scripts, sysctl lists, …). Bridges are matched by their
// lab name, taps by (guest, vkeN). Compile the new plan with
// CompileOptions::keep_names = the running plan, so that a guest added
// does not renumber every tap after it.
#pragma once

#include <string>
#include <vector>

#include "topology/plan.h"

namespace vklab::topology {

struct PlanDiff {
  std::vector<std::string> guests_added;    ///< in the new plan's launch order
  std::vector<std::string> guests_removed;  ///< in the running plan's order
  /// Each with what differs: "r1 (startup, interfaces)".
  std::vector<std::string> guests_changed;
  std::vector<std::string> bridges_added, bridges_removed;  ///< lab bridge names
  std::vector<std::string> links_added, links_removed;      ///< "r1 vke2 (tap5)"
  /// Changes `--apply` does not make (a bridge's address or uplink, the
  /// host: section, the network mode or target): down and up again.
  std::vector<std::string> unsupported;

  /// The guests whose name appears in guests_changed.
  std::vector<std::string> changed_names() const;
  /// Every change listed above, unsupported ones included.
  size_t size() const;
  bool operator==(const PlanDiff&) const = default;
};

PlanDiff plan_diff(const Plan& running, const Plan& next);

/// One line per change: "+ guest h3", "~ guest r1 (startup)",
/// "- bridge lan2", "+ link h3 vke0 (tap4)", "! bridge lan: address
/// changed (not applied by --apply)".
std::vector<std::string> describe(const PlanDiff& d);

}  // namespace vklab::topology
