// The Plan: everything `vklab up` will do, as plain data.
//
// compile(Lab) → Plan is pure: the same lab gives the same plan, byte for
// byte. Executors (netsetup/, vkernel/, labd/) interpret it; the renderers
// (render.h) print it for review.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/net.h"
#include "topology/model.h"
#include "vkernel/cmdline.h"
#include "vkernel/link.h"

namespace vklab::topology {

enum class Target { Linux, DragonFly };

/// One host-side action. Interface names are the lab's own names inside
/// its namespace (bridge0…, tap0…); in host mode the executor maps them to
/// the first free units and rewrites guest argv accordingly.
struct HostStep {
  enum class Op {
    LoadModule,     ///< `module`: kldload -n if_bridge / Linux: check bridge,tun support
    EnableVkernel,  ///< sysctl vm.vkernel_enable=1 (DragonFly only)
    CreateBridge,   ///< `ifname`
    AddAddress,     ///< `ifname` gets `address`
    CreateTap,      ///< `ifname` (persistent tap)
    AddMember,      ///< `member` joins bridge `ifname`; `foreign` = the member is a host NIC
    LinkUp,         ///< `ifname` up
    RemoveMember,   ///< teardown of an uplink: `member` leaves bridge `ifname`
    DestroyLink,    ///< teardown: delete `ifname`
    SetForwarding,  ///< IP forwarding of family `family` (4|6) set to `enable`
    AddRoute,       ///< route to `prefix` via `via` (the lab's `host: routes:`)
    DelRoute,       ///< teardown: the route to `prefix` via `via` removed
  };
  Op op = Op::CreateBridge;
  std::string ifname;
  std::string member;
  std::string module;
  std::optional<Ipv4Prefix> address;  ///< AddAddress: an IPv4 address
  /// AddAddress: an IPv6 address (then `address` is empty);
  /// AddRoute/DelRoute: the destination.
  std::optional<IpPrefix> prefix;
  std::optional<IpAddr> via;  ///< AddRoute/DelRoute: the gateway
  int family = 0;             ///< SetForwarding: 4 or 6
  bool enable = false;        ///< SetForwarding
  bool foreign = false;
  /// The lab object this step serves ("bridge lan1", "r1 vke0"), for
  /// messages and rendered comments.
  std::string origin;

  bool operator==(const HostStep&) const = default;
};

/// One vkeN of a launched guest: what the -I argument cannot say. The tap,
/// the bridge and the IPv4 addresses are cmdline.netifs[index]'s, read
/// through GuestLaunch (each fact written once: host mode renames them
/// in argv only).
struct GuestIface {
  int index = 0;                    ///< N of vkeN; also its place in ifaces and in cmdline.netifs
  std::string bridge_decl;          ///< the lab's bridge name, "" for a tap link
  std::vector<IpPrefix> addresses6;   ///< guest side, IPv6 (the <guest>.addrs file)
  /// What the guest sends on it is shaped (the interface's own `impair:`,
  /// else its bridge's); nullopt = unimpaired.
  std::optional<vkernel::Impairment> impair;
  bool operator==(const GuestIface&) const = default;
};

struct GuestLaunch {
  std::string name;
  vkernel::Cmdline cmdline;  ///< argv = cmdline.argv(); holds the pidfile (-p) and the -I list
  bool bundled = false;      ///< the bundled Linux guest (readiness notification available)
  std::string console_log;
  std::chrono::milliseconds stop_timeout{kDefaultStopTimeout};
  /// From launch to ready (labd: not ready in time = the up fails).
  std::chrono::milliseconds ready_timeout{kDefaultReadyTimeout};
  std::vector<std::string> depends_on;
  /// The startup script's parts when composed from several files (GuestDecl).
  std::vector<ScriptSource> startup_sources;
  /// One per cmdline.netifs entry, in the same order (ifaces[i].index == i).
  std::vector<GuestIface> ifaces;
  /// The bundled guest's folder in the lab (absolute; "" = none known):
  /// laid over its root when it existed at load (then it is also
  /// -e vklab_files), and where `vklab save` writes the guest's changes.
  std::string files_dir;
  bool operator==(const GuestLaunch&) const = default;

  /// The -p pidfile.
  const std::string& pidfile() const { return cmdline.pidfile; }
  /// vkeN's tap (tapN, without /dev/), "" when there is no such interface.
  std::string tap(const GuestIface& i) const;
  /// vkeN's bridge interface (bridgeX), "" for a tap link.
  std::string bridge(const GuestIface& i) const;
  /// vkeN's own IPv4 address (guest side).
  std::optional<Ipv4Prefix> address(const GuestIface& i) const;
  /// A tap link's host-side address.
  std::optional<Ipv4> host_address(const GuestIface& i) const;
};

/// A file the executor writes before launching guests (startup/shutdown
/// scripts, sysctl lists handed to the guest through -e).
struct PlanFile {
  std::string path;
  std::string content;
  int mode = 0644;
  bool operator==(const PlanFile&) const = default;
};

struct Plan {
  std::string lab;
  std::string description;
  /// The lab's metadata (Lab::meta), for status; in JSON only when any.
  std::vector<std::pair<std::string, std::string>> meta;
  Target target = Target::Linux;
  NetworkMode network = NetworkMode::Isolated;
  std::string state_dir;              ///< /run/vklab/<lab> (Linux) or /var/run/vklab/<lab>
  std::vector<HostStep> setup;        ///< in order
  std::vector<PlanFile> files;
  std::vector<GuestLaunch> guests;    ///< launch order: dependencies first
  std::vector<HostStep> teardown;     ///< setup undone, in reverse
  std::vector<CheckDecl> checks;
  /// What the plan could not carry out of the lab file, for people to read
  /// ("r1: startup commands are not passed to this kernel; …").
  std::vector<std::string> notes;

  const GuestLaunch* find_guest(const std::string& name) const;
};

}  // namespace vklab::topology
