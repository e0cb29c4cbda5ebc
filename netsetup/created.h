// What a lab created on a host and must remove at teardown: recorded in
// state.json by labd, read back by recovery. Plain data, no Applier.
#pragma once

#include <string>

namespace vklab::netsetup {

/// Something the lab created and must remove at teardown.
struct CreatedObject {
  enum class Kind {
    Bridge,      ///< a bridge link `name`
    Tap,         ///< a persistent tap `name`
    Membership,  ///< foreign link `name` (an uplink) made a member of `bridge`
    Route,       ///< a route to `name` (a prefix) via `value` (host: routes)
    Forwarding,  ///< IP forwarding of family `name` ("4"|"6") changed; `value` = the old "0"|"1"
  };
  Kind kind = Kind::Bridge;
  std::string name;       ///< actual link name
  std::string bridge;     ///< Membership only
  std::string plan_name;  ///< the plan's name for `name` (Membership: the plan's bridge)
  std::string value;      ///< Route: the gateway; Forwarding: the value to restore

  bool operator==(const CreatedObject&) const = default;
};

/// "bridge bridge1", "tap tap0", "membership eth0 in bridge1",
/// "route 10.0.0.0/8 via 172.16.0.2", "IPv4 forwarding (was 0)".
std::string to_string(const CreatedObject& o);

}  // namespace vklab::netsetup
