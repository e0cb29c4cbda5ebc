#include "labd/supervise.h"

namespace vklab::labd {

using S = GuestState;
using E = GuestEvent;
using A = GuestAction;

Transition next(GuestState s, GuestEvent e) {
  if (e == E::Launch) return {s == S::Queued ? S::Starting : s, A::None};
  if (e == E::Start) return {is_terminal(s) ? S::Queued : s, A::None};
  switch (s) {
    case S::Queued:
      switch (e) {
        case E::LaunchFailed:
        case E::Stop:
        case E::Kill: return {S::Failed, A::None};
        default: return {s, A::None};
      }
    case S::Starting:
      switch (e) {
        case E::Launch: return {s, A::None};
        case E::Ready: return {S::Up, A::None};
        case E::Exited:
        case E::Crashed:
        case E::LaunchFailed: return {S::Failed, A::None};
        case E::ReadyTimeout: return {S::Failed, A::SendKill};
        case E::Stop: return {S::Stopping, A::SendTerm};
        case E::Kill: return {S::Forced, A::SendKill};
        case E::Deadline:
        case E::Start: return {S::Starting, A::None};
      }
      break;
    case S::Up:
      switch (e) {
        case E::Launch:
        case E::Ready:
        case E::LaunchFailed:
        case E::ReadyTimeout:
        case E::Deadline:
        case E::Start: return {S::Up, A::None};
        case E::Exited: return {S::Halted, A::None};
        case E::Crashed: return {S::Failed, A::None};
        case E::Stop: return {S::Stopping, A::SendTerm};
        case E::Kill: return {S::Forced, A::SendKill};
      }
      break;
    case S::Stopping:
      switch (e) {
        case E::Launch:
        case E::Ready:
        case E::LaunchFailed:
        case E::ReadyTimeout:
        case E::Stop:
        case E::Start: return {S::Stopping, A::None};
        case E::Exited: return {S::Halted, A::None};
        case E::Crashed: return {S::Failed, A::None};
        case E::Kill:
        case E::Deadline: return {S::Forced, A::SendKill};
      }
      break;
    case S::Halted:
    case S::Forced:
    case S::Failed: return {s, A::None};
  }
  return {s, A::None};
}

bool is_terminal(GuestState s) {
  return s == S::Halted || s == S::Forced || s == S::Failed;
}

const char* state_name(GuestState s) {
  switch (s) {
    case S::Queued: return "Queued";
    case S::Starting: return "Starting";
    case S::Up: return "Up";
    case S::Stopping: return "Stopping";
    case S::Halted: return "Halted";
    case S::Forced: return "Forced";
    case S::Failed: return "Failed";
  }
  return "?";
}

std::optional<GuestState> parse_state(std::string_view name) {
  for (S s : kAllStates)
    if (name == state_name(s)) return s;
  return std::nullopt;
}

const char* event_name(GuestEvent e) {
  switch (e) {
    case E::Launch: return "Launch";
    case E::Ready: return "Ready";
    case E::Exited: return "Exited";
    case E::Crashed: return "Crashed";
    case E::LaunchFailed: return "LaunchFailed";
    case E::ReadyTimeout: return "ReadyTimeout";
    case E::Stop: return "Stop";
    case E::Kill: return "Kill";
    case E::Deadline: return "Deadline";
    case E::Start: return "Start";
  }
  return "?";
}

const char* action_name(GuestAction a) {
  switch (a) {
    case A::None: return "None";
    case A::SendTerm: return "SendTerm";
    case A::SendKill: return "SendKill";
  }
  return "?";
}

}  // namespace vklab::labd
