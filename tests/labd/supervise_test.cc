// Every state × event pair of the guest state machine.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <utility>

#include "labd/supervise.h"

using namespace vklab::labd;
using S = GuestState;
using E = GuestEvent;
using A = GuestAction;

TEST_CASE("supervise: the full transition table") {
  const std::map<std::pair<S, E>, Transition> table = {
      {{S::Queued, E::Launch}, {S::Starting, A::None}},
      {{S::Queued, E::Ready}, {S::Queued, A::None}},
      {{S::Queued, E::Exited}, {S::Queued, A::None}},
      {{S::Queued, E::Crashed}, {S::Queued, A::None}},
      {{S::Queued, E::LaunchFailed}, {S::Failed, A::None}},
      {{S::Queued, E::ReadyTimeout}, {S::Queued, A::None}},
      {{S::Queued, E::Stop}, {S::Failed, A::None}},  // never launched: nothing to signal
      {{S::Queued, E::Kill}, {S::Failed, A::None}},
      {{S::Queued, E::Deadline}, {S::Queued, A::None}},
      {{S::Queued, E::Start}, {S::Queued, A::None}},  // already waiting for its launch

      {{S::Starting, E::Launch}, {S::Starting, A::None}},
      {{S::Starting, E::Ready}, {S::Up, A::None}},
      {{S::Starting, E::Exited}, {S::Failed, A::None}},
      {{S::Starting, E::Crashed}, {S::Failed, A::None}},
      {{S::Starting, E::LaunchFailed}, {S::Failed, A::None}},
      {{S::Starting, E::ReadyTimeout}, {S::Failed, A::SendKill}},
      {{S::Starting, E::Stop}, {S::Stopping, A::SendTerm}},
      {{S::Starting, E::Kill}, {S::Forced, A::SendKill}},
      {{S::Starting, E::Deadline}, {S::Starting, A::None}},
      {{S::Starting, E::Start}, {S::Starting, A::None}},

      {{S::Up, E::Launch}, {S::Up, A::None}},
      {{S::Up, E::Ready}, {S::Up, A::None}},
      {{S::Up, E::Exited}, {S::Halted, A::None}},
      {{S::Up, E::Crashed}, {S::Failed, A::None}},
      {{S::Up, E::LaunchFailed}, {S::Up, A::None}},
      {{S::Up, E::ReadyTimeout}, {S::Up, A::None}},
      {{S::Up, E::Stop}, {S::Stopping, A::SendTerm}},
      {{S::Up, E::Kill}, {S::Forced, A::SendKill}},
      {{S::Up, E::Deadline}, {S::Up, A::None}},
      {{S::Up, E::Start}, {S::Up, A::None}},  // already up: nothing to do

      {{S::Stopping, E::Launch}, {S::Stopping, A::None}},
      {{S::Stopping, E::Ready}, {S::Stopping, A::None}},
      {{S::Stopping, E::Exited}, {S::Halted, A::None}},
      {{S::Stopping, E::Crashed}, {S::Failed, A::None}},
      {{S::Stopping, E::LaunchFailed}, {S::Stopping, A::None}},
      {{S::Stopping, E::ReadyTimeout}, {S::Stopping, A::None}},
      {{S::Stopping, E::Stop}, {S::Stopping, A::None}},
      {{S::Stopping, E::Kill}, {S::Forced, A::SendKill}},
      {{S::Stopping, E::Deadline}, {S::Forced, A::SendKill}},
      {{S::Stopping, E::Start}, {S::Stopping, A::None}},  // labd waits for the exit (restart)
  };
  int checked = 0;
  for (S s : kAllStates) {
    for (E e : kAllEvents) {
      CAPTURE(state_name(s));
      CAPTURE(event_name(e));
      Transition t = next(s, e);
      if (is_terminal(s) && e == E::Start) {
        CHECK(t == Transition{S::Queued, A::None});  // `vklab start`: launched again
      } else if (is_terminal(s)) {
        CHECK(t == Transition{s, A::None});  // terminal states absorb everything else
      } else {
        auto it = table.find({s, e});
        REQUIRE(it != table.end());
        CHECK(state_name(t.state) == std::string(state_name(it->second.state)));
        CHECK(action_name(t.action) == std::string(action_name(it->second.action)));
      }
      ++checked;
    }
  }
  CHECK(checked == 7 * 10);
}

TEST_CASE("supervise: terminal states and names") {
  CHECK(is_terminal(S::Halted));
  CHECK(is_terminal(S::Forced));
  CHECK(is_terminal(S::Failed));
  CHECK_FALSE(is_terminal(S::Queued));
  CHECK_FALSE(is_terminal(S::Starting));
  CHECK_FALSE(is_terminal(S::Up));
  CHECK_FALSE(is_terminal(S::Stopping));
  for (S s : kAllStates) CHECK(parse_state(state_name(s)) == s);
  CHECK_FALSE(parse_state("up").has_value());
}

TEST_CASE("supervise: a graceful down and a stubborn guest") {
  Transition t = next(S::Starting, E::Ready);
  t = next(t.state, E::Stop);
  CHECK(t == Transition{S::Stopping, A::SendTerm});
  CHECK(next(t.state, E::Exited) == Transition{S::Halted, A::None});
  Transition f = next(t.state, E::Deadline);
  CHECK(f == Transition{S::Forced, A::SendKill});
  CHECK(next(f.state, E::Crashed) == Transition{S::Forced, A::None});  // the SIGKILL's reap
}
