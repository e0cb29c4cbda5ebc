// Every (phase, forced) × event pair of the lab-level machine.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <tuple>

#include "labd/lab_machine.h"

using namespace vklab::labd;
using P = Phase;
using E = LabEvent;
using A = LabAction;

TEST_CASE("lab machine: the full transition table") {
  // {phase, forced, event} → {phase, forced, action}
  using Key = std::tuple<P, bool, E>;
  const std::map<Key, LabTransition> table = {
      {{P::Starting, false, E::AllUp}, {{P::Up, false}, A::AnnounceReady}},
      {{P::Starting, false, E::GuestFailed}, {{P::Failed, false}, A::Rollback}},
      {{P::Starting, false, E::SetupFailed}, {{P::Failed, false}, A::Rollback}},
      {{P::Starting, false, E::Signal}, {{P::Failed, false}, A::Rollback}},
      {{P::Starting, false, E::Down}, {{P::Stopping, false}, A::StopAll}},
      {{P::Starting, false, E::DownForced}, {{P::Stopping, true}, A::KillAll}},
      {{P::Starting, false, E::AllGone}, {{P::Starting, false}, A::None}},
      {{P::Starting, false, E::Change}, {{P::Starting, false}, A::None}},  // refused

      {{P::Up, false, E::AllUp}, {{P::Up, false}, A::None}},
      {{P::Up, false, E::GuestFailed}, {{P::Up, false}, A::None}},
      {{P::Up, false, E::SetupFailed}, {{P::Up, false}, A::None}},
      {{P::Up, false, E::Signal}, {{P::Stopping, false}, A::StopAll}},
      {{P::Up, false, E::Down}, {{P::Stopping, false}, A::StopAll}},
      {{P::Up, false, E::DownForced}, {{P::Stopping, true}, A::KillAll}},
      {{P::Up, false, E::AllGone}, {{P::Up, false}, A::None}},
      {{P::Up, false, E::Change}, {{P::Up, false}, A::ServeChange}},

      {{P::Stopping, false, E::AllUp}, {{P::Stopping, false}, A::None}},
      {{P::Stopping, false, E::GuestFailed}, {{P::Stopping, false}, A::None}},
      {{P::Stopping, false, E::SetupFailed}, {{P::Stopping, false}, A::None}},
      {{P::Stopping, false, E::Signal}, {{P::Stopping, true}, A::KillAll}},
      {{P::Stopping, false, E::Down}, {{P::Stopping, false}, A::None}},
      {{P::Stopping, false, E::DownForced}, {{P::Stopping, true}, A::KillAll}},
      {{P::Stopping, false, E::Change}, {{P::Stopping, false}, A::None}},
      {{P::Stopping, false, E::AllGone}, {{P::Down, false}, A::Teardown}},
      {{P::Stopping, true, E::AllUp}, {{P::Stopping, true}, A::None}},
      {{P::Stopping, true, E::GuestFailed}, {{P::Stopping, true}, A::None}},
      {{P::Stopping, true, E::SetupFailed}, {{P::Stopping, true}, A::None}},
      {{P::Stopping, true, E::Signal}, {{P::Stopping, true}, A::None}},
      {{P::Stopping, true, E::Down}, {{P::Stopping, true}, A::None}},
      {{P::Stopping, true, E::DownForced}, {{P::Stopping, true}, A::None}},
      {{P::Stopping, true, E::Change}, {{P::Stopping, true}, A::None}},
      {{P::Stopping, true, E::AllGone}, {{P::Down, true}, A::Teardown}},

      {{P::Failed, false, E::AllUp}, {{P::Failed, false}, A::None}},
      {{P::Failed, false, E::GuestFailed}, {{P::Failed, false}, A::None}},
      {{P::Failed, false, E::SetupFailed}, {{P::Failed, false}, A::None}},
      {{P::Failed, false, E::Signal}, {{P::Failed, true}, A::KillAll}},
      {{P::Failed, false, E::Down}, {{P::Failed, false}, A::None}},
      {{P::Failed, false, E::DownForced}, {{P::Failed, true}, A::KillAll}},
      {{P::Failed, false, E::Change}, {{P::Failed, false}, A::None}},
      {{P::Failed, false, E::AllGone}, {{P::Down, false}, A::Teardown}},
      {{P::Failed, true, E::AllUp}, {{P::Failed, true}, A::None}},
      {{P::Failed, true, E::GuestFailed}, {{P::Failed, true}, A::None}},
      {{P::Failed, true, E::SetupFailed}, {{P::Failed, true}, A::None}},
      {{P::Failed, true, E::Signal}, {{P::Failed, true}, A::None}},
      {{P::Failed, true, E::Down}, {{P::Failed, true}, A::None}},
      {{P::Failed, true, E::DownForced}, {{P::Failed, true}, A::None}},
      {{P::Failed, true, E::Change}, {{P::Failed, true}, A::None}},
      {{P::Failed, true, E::AllGone}, {{P::Down, true}, A::Teardown}},
  };
  int checked = 0;
  for (P p : kAllPhases)
    for (bool forced : {false, true})
      for (E e : kAllLabEvents) {
        LabStatus s{p, forced};
        LabTransition t = next(s, e);
        CAPTURE(phase_name(p));
        CAPTURE(forced);
        CAPTURE(lab_event_name(e));
        auto it = table.find({p, forced, e});
        if (it != table.end()) {
          CHECK(t == it->second);
        } else {
          // Not listed: a forced flag outside a stop, or Down (terminal):
          // the phase stays and nothing happens... unless the same pair
          // unforced says otherwise, which the machine must then also do.
          if (p == P::Down) CHECK(t == LabTransition{s, A::None});
          else {
            auto plain = next(LabStatus{p, false}, e);
            CHECK(t.status.phase == plain.status.phase);
            CHECK(t.action == plain.action);
          }
        }
        ++checked;
      }
  CHECK(checked == 5 * 2 * 8);
}

TEST_CASE("lab machine: a second signal forces the stop once, a third does nothing") {
  LabStatus s;
  auto t = next(s, E::Signal);
  CHECK(t.status == LabStatus{P::Failed, false});
  t = next(t.status, E::Signal);
  CHECK(t == LabTransition{{P::Failed, true}, A::KillAll});
  t = next(t.status, E::Signal);
  CHECK(t.action == A::None);
  CHECK(next(t.status, E::AllGone).status.phase == P::Down);
}

TEST_CASE("lab machine: phase names round-trip") {
  for (P p : kAllPhases) CHECK(parse_phase(phase_name(p)) == p);
  CHECK(!parse_phase("Up"));
}
