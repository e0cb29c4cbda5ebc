// The lab's life as an explicit machine, beside the guests' (supervise.h):
// a pure `next(phase, event) → {phase, action}`; labd performs the action.
//
//   Starting ─AllUp→ Up ─Down/Signal→ Stopping ─AllGone→ Down
//      │                 └─DownForced→ Stopping (forced)
//      ├─GuestFailed/SetupFailed/Signal→ Failed (rollback) ─AllGone→ Down
//      └─Down→ Stopping ("down requested during up")
//   Stopping/Failed ─DownForced/Signal→ the same phase, forced (SIGKILL all)
//   Up ─Change→ Up (ServeChange: start/stop/restart guests, apply a plan)
//
// A Change is served only while the lab is Up: during up, down or a
// rollback the guests belong to that operation, and labd refuses it.
//
// `forced` is part of the state: a second Ctrl-C or a `down --force`
// during a graceful stop kills what is left, once. Down is terminal.
#pragma once

#include <optional>
#include <string_view>

namespace vklab::labd {

/// Where the lab's life is (state.json "phase"; Down is never written:
/// the state directory goes with it).
enum class Phase {
  Starting,  ///< host steps and guest launches under way
  Up,        ///< every guest Up
  Stopping,  ///< down under way
  Failed,    ///< up failed; rollback under way
  Down,      ///< every guest gone, teardown done or under way
};
const char* phase_name(Phase p);
std::optional<Phase> parse_phase(std::string_view s);

struct LabStatus {
  Phase phase = Phase::Starting;
  bool forced = false;  ///< stopping with SIGKILL (down --force, a second signal)
  bool operator==(const LabStatus&) const = default;
};

enum class LabEvent {
  AllUp,        ///< the last guest became Up
  GuestFailed,  ///< a guest failed (launch, crash, readiness timeout)
  SetupFailed,  ///< the namespace, plan files or host steps failed
  Signal,       ///< SIGTERM/SIGINT/SIGHUP to labd (Ctrl-C of `vklab up`)
  Down,         ///< a `down` request
  DownForced,   ///< a `down --force` request
  AllGone,      ///< no guest runs any more (every one terminal and reaped)
  Change,       ///< a start, stop, restart or apply request
};

enum class LabAction {
  None,
  AnnounceReady,  ///< "ready" to `vklab up`; close the progress pipe
  Rollback,       ///< up failed: stop every guest (gracefully), say why
  StopAll,        ///< stop every guest gracefully, dependents first
  KillAll,        ///< SIGKILL every guest still running
  Teardown,       ///< remove host objects and the state directory
  ServeChange,    ///< carry out the start/stop/restart/apply request
};

struct LabTransition {
  LabStatus status;
  LabAction action;
  bool operator==(const LabTransition&) const = default;
};

/// The transition function. Pure and total.
LabTransition next(LabStatus s, LabEvent e);

/// Stopping or Failed: guests are being stopped.
inline bool stopping(Phase p) { return p == Phase::Stopping || p == Phase::Failed; }

inline constexpr Phase kAllPhases[] = {Phase::Starting, Phase::Up, Phase::Stopping, Phase::Failed,
                                       Phase::Down};
inline constexpr LabEvent kAllLabEvents[] = {LabEvent::AllUp,  LabEvent::GuestFailed, LabEvent::SetupFailed,
                                             LabEvent::Signal, LabEvent::Down,        LabEvent::DownForced,
                                             LabEvent::AllGone, LabEvent::Change};
const char* lab_event_name(LabEvent e);
const char* lab_action_name(LabAction a);

}  // namespace vklab::labd
