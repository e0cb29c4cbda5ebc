// The host interface: the narrow set of link operations a lab needs.
//
// Everything vklab does to a host's network goes through `Host`: create a
// bridge or a persistent tap, add or remove a bridge member, set a link up
// or down, add an IPv4 address, delete a link, and read links back.
// Implementations: LinuxHost (netlink, linux_host.h), DragonFlyHost
// (ifconfig/kldload/sysctl by execve, dragonfly.h) and FakeHost (in memory,
// fake_host.h, for unit tests).
//
// A Host is deliberately dumb: it does what it is asked and reports errors
// that name the object ("tap3: File exists"). Ownership decisions ("exists
// and is ours" = done, "exists and is not ours" = error) belong to the
// applier (applier.h), which asks find() before it creates anything.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip.h"
#include "common/net.h"
#include "common/result.h"

namespace vklab::hostnet {

/// The ownership tag vklab gives every link it creates in a lab:
/// "vklab:<lab>". On Linux it is the link's alias (ifalias).
std::string ownership_tag(std::string_view lab);

/// A link as read back from the host.
struct LinkInfo {
  std::string name;
  int ifindex = 0;
  /// The kernel's kind: "bridge", "tun" (Linux taps), "tap" (DragonFly),
  /// "veth", …; "" for a physical NIC or when unknown.
  std::string kind;
  std::string alias;   ///< ifalias / description; "" when none
  std::string master;  ///< name of the bridge this link is a member of; "" when none
  bool up = false;     ///< administratively up (IFF_UP)
  std::vector<Ipv4Prefix> addresses;  ///< IPv4 only, kernel order
  std::optional<Mac> mac;
  /// The link's group (Linux IFLA_GROUP; 0 = default group and elsewhere).
  uint32_t group = 0;

  bool operator==(const LinkInfo&) const = default;
};

/// The narrow host interface. All names are actual interface names on the
/// host (the applier maps plan names to them). Every call is synchronous.
class Host {
 public:
  virtual ~Host() = default;

  /// Checks that bridges and taps can be made (Linux: bridge creation probe
  /// and /dev/net/tun; DragonFly: nothing, LoadModule steps do it). The
  /// error says how to fix it ("modprobe bridge tun").
  virtual Status check_modules() = 0;
  /// LoadModule step: DragonFly runs `kldload -n <module>`; Linux checks
  /// support once (check_modules()).
  virtual Status load_module(const std::string& module) = 0;
  /// EnableVkernel step: DragonFly `sysctl vm.vkernel_enable=1`; Linux: no-op.
  virtual Status enable_vkernel() = 0;

  /// Creates bridge `name`, down. `tag` ("" = none) becomes its ownership
  /// tag where the host supports one. Error if `name` exists.
  virtual Status create_bridge(const std::string& name, const std::string& tag) = 0;
  /// Creates persistent tap `name` (it survives with no process attached;
  /// a guest attaches later by name), down. `tag` as for create_bridge.
  /// Error if `name` exists.
  virtual Status create_tap(const std::string& name, const std::string& tag) = 0;
  /// Makes `member` a port of `bridge`. Already a member of it: done.
  virtual Status add_member(const std::string& bridge, const std::string& member) = 0;
  /// Takes `member` out of `bridge`. Not a member of it (or gone): done.
  virtual Status remove_member(const std::string& bridge, const std::string& member) = 0;
  /// Sets `name` administratively up or down.
  virtual Status set_up(const std::string& name, bool up) = 0;
  /// Adds an IPv4 address. The same address already there: done.
  virtual Status add_address(const std::string& name, const Ipv4Prefix& address) = 0;
  /// Adds an IPv6 address (IPv4 ones go through add_address), without
  /// duplicate address detection: a lab's addresses are checked unique by
  /// the validator, and a tentative address would fail the first pings.
  /// The same address already there: done.
  virtual Status add_address6(const std::string& name, const IpPrefix& address) = 0;
  /// Adds a route to `to` via `via` in the main table. true = added;
  /// false = a route to `to` was there already and was left as it was.
  virtual Result<bool> add_route(const IpPrefix& to, const IpAddr& via) = 0;
  /// Deletes the route to `to` via `via`. Already gone: done.
  virtual Status del_route(const IpPrefix& to, const IpAddr& via) = 0;
  /// IP forwarding of `family` (4 or 6; Linux: net.ipv4.ip_forward,
  /// net.ipv6.conf.all.forwarding of the current namespace).
  virtual Result<bool> forwarding(int family) = 0;
  virtual Status set_forwarding(int family, bool on) = 0;
  /// Deletes link `name`. Already gone: done. Never checks ownership: the
  /// caller does.
  virtual Status destroy(const std::string& name) = 0;

  /// The link called `name`, nullopt if there is none.
  virtual Result<std::optional<LinkInfo>> find(const std::string& name) = 0;
  /// Every link of the host (of the current namespace on Linux).
  virtual Result<std::vector<LinkInfo>> list() = 0;

  /// True when create_* really tags links (find() then reports the tag as
  /// `alias`), so ownership can be proven from the host alone.
  virtual bool tags_links() const = 0;

  /// Deletes every link whose tag is `tag` (non-empty), fast where the host
  /// allows it (Linux: one RTM_DELLINK for the tag's link group). Links
  /// with another tag are never touched. Returns how many were deleted.
  /// The default lists the links and destroys them one by one.
  virtual Result<int> destroy_tagged(const std::string& tag);
};

/// Only the links of `links` whose alias is `tag`.
std::vector<LinkInfo> tagged(const std::vector<LinkInfo>& links, const std::string& tag);

}  // namespace vklab::hostnet
