// Guest supervision as an explicit state machine (s6 style): a pure
// `next(state, event) → {state, action}`; labd performs the action.
//
//   Queued ─Launch→ Starting ─Ready→ Up ─Stop→ Stopping ─Exited→ Halted
//      └─LaunchFailed/Stop/Kill→ Failed (never launched)
//      │              │           └─Deadline→ Forced (SIGKILL)
//      └─Exited/Crashed/LaunchFailed/ReadyTimeout→ Failed
//   Up/Stopping ─Kill (down --force)→ Forced (SIGKILL)
//   Halted/Forced/Failed ─Start (`vklab start`)→ Queued
//
// Halted, Forced and Failed are terminal: the guest's process is gone (or
// going) and only Start leaves them — back to Queued, so the scheduler
// launches it again with the same argv, over the same taps. Every other
// event leaves them as they are, with no action. Whether the process is
// still to be reaped is the daemon's business, not the machine's (labd
// feeds Start only once it is reaped).
#pragma once

#include <optional>
#include <string_view>

namespace vklab::labd {

enum class GuestState {
  Queued,    ///< not launched yet (waits for its dependencies or a slot)
  Starting,  ///< launched, not yet ready
  Up,        ///< ready (notification, or a live pid in its pidfile)
  Stopping,  ///< SIGTERM sent; deadline armed
  Halted,    ///< exited cleanly (on its own or after SIGTERM)
  Forced,    ///< SIGKILLed: ignored SIGTERM past its deadline, or down --force
  Failed,    ///< could not start, crashed, or never became ready
};

enum class GuestEvent {
  Launch,        ///< labd forks it now
  Ready,         ///< readiness observed
  Exited,        ///< the process ended cleanly (exit 0, or SIGTERM's default action)
  Crashed,       ///< the process ended otherwise (non-zero exit, other signal)
  LaunchFailed,  ///< fork/exec failed
  ReadyTimeout,  ///< not ready in time
  Stop,          ///< a graceful stop was asked for
  Kill,          ///< an immediate stop was asked for (power cord pull)
  Deadline,      ///< the stop deadline passed
  Start,         ///< `vklab start|restart`: launch an ended guest again
};

enum class GuestAction {
  None,
  SendTerm,  ///< SIGTERM to the kernel pid; arm the stop deadline
  SendKill,  ///< SIGKILL to the kernel pid and its wrapper
};

struct Transition {
  GuestState state;
  GuestAction action;
  bool operator==(const Transition&) const = default;
};

/// The transition function. Pure and total.
Transition next(GuestState s, GuestEvent e);

/// Halted, Forced or Failed: no process runs (Start may launch one again).
bool is_terminal(GuestState s);

inline constexpr GuestState kAllStates[] = {GuestState::Queued, GuestState::Starting, GuestState::Up,
                                            GuestState::Stopping, GuestState::Halted,
                                            GuestState::Forced,   GuestState::Failed};
inline constexpr GuestEvent kAllEvents[] = {
    GuestEvent::Launch,       GuestEvent::Ready,        GuestEvent::Exited, GuestEvent::Crashed,
    GuestEvent::LaunchFailed, GuestEvent::ReadyTimeout, GuestEvent::Stop,
    GuestEvent::Kill,         GuestEvent::Deadline,     GuestEvent::Start};

const char* state_name(GuestState s);  ///< "Queued", "Starting", "Up", …
std::optional<GuestState> parse_state(std::string_view s);
const char* event_name(GuestEvent e);
const char* action_name(GuestAction a);

}  // namespace vklab::labd
