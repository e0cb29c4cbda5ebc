#include "labd/lab_machine.h"

namespace vklab::labd {

using P = Phase;
using E = LabEvent;
using A = LabAction;

LabTransition next(LabStatus s, LabEvent e) {
  const bool f = s.forced;
  switch (s.phase) {
    case P::Starting:
      switch (e) {
        case E::AllUp: return {{P::Up, false}, A::AnnounceReady};
        case E::GuestFailed:
        case E::SetupFailed:
        case E::Signal: return {{P::Failed, false}, A::Rollback};
        case E::Down: return {{P::Stopping, false}, A::StopAll};
        case E::DownForced: return {{P::Stopping, true}, A::KillAll};
        case E::AllGone: return {s, A::None};  // guests are still to be launched
        case E::Change: return {s, A::None};   // refused: up is under way
      }
      break;
    case P::Up:
      switch (e) {
        case E::AllUp:
        case E::GuestFailed:  // a guest crashing once the lab is up: status shows it
        case E::SetupFailed:
        case E::AllGone: return {s, A::None};
        case E::Signal:
        case E::Down: return {{P::Stopping, false}, A::StopAll};
        case E::DownForced: return {{P::Stopping, true}, A::KillAll};
        case E::Change: return {s, A::ServeChange};
      }
      break;
    case P::Stopping:
    case P::Failed:
      switch (e) {
        case E::AllUp:
        case E::GuestFailed:
        case E::SetupFailed:
        case E::Change:
        case E::Down: return {s, A::None};
        case E::Signal:
        case E::DownForced: return {{s.phase, true}, f ? A::None : A::KillAll};
        case E::AllGone: return {{P::Down, f}, A::Teardown};
      }
      break;
    case P::Down: return {s, A::None};
  }
  return {s, A::None};
}

const char* phase_name(Phase p) {
  switch (p) {
    case P::Starting: return "starting";
    case P::Up: return "up";
    case P::Stopping: return "stopping";
    case P::Failed: return "failed";
    case P::Down: return "down";
  }
  return "?";
}

std::optional<Phase> parse_phase(std::string_view s) {
  for (Phase p : kAllPhases)
    if (s == phase_name(p)) return p;
  return std::nullopt;
}

const char* lab_event_name(LabEvent e) {
  switch (e) {
    case E::AllUp: return "AllUp";
    case E::GuestFailed: return "GuestFailed";
    case E::SetupFailed: return "SetupFailed";
    case E::Signal: return "Signal";
    case E::Down: return "Down";
    case E::DownForced: return "DownForced";
    case E::AllGone: return "AllGone";
    case E::Change: return "Change";
  }
  return "?";
}

const char* lab_action_name(LabAction a) {
  switch (a) {
    case A::None: return "None";
    case A::AnnounceReady: return "AnnounceReady";
    case A::Rollback: return "Rollback";
    case A::StopAll: return "StopAll";
    case A::KillAll: return "KillAll";
    case A::Teardown: return "Teardown";
    case A::ServeChange: return "ServeChange";
  }
  return "?";
}

}  // namespace vklab::labd
