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
  };
  Kind kind = Kind::Bridge;
  std::string name;       ///< actual link name
  std::string bridge;     ///< Membership only
  std::string plan_name;  ///< the plan's name for `name` (Membership: the plan's bridge)

  bool operator==(const CreatedObject&) const = default;
};

/// "bridge bridge1", "tap tap0", "membership eth0 in bridge1".
std::string to_string(const CreatedObject& o);

}  // namespace vklab::netsetup
