// The Lab model: what a lab file says, with the location of every value.
//
// The loader (load.h) fills it from YAML, the validator (validate.h) checks
// it and resolves `address: auto`, the compiler (compile.h) turns it into a
// Plan. Every field that came from the file has a SourceLoc beside it so a
// later stage can point at the exact line:col.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/diag.h"
#include "common/ip.h"
#include "common/net.h"
#include "vkernel/cmdline.h"
#include "vkernel/link.h"

namespace vklab::topology {

/// A value and where it was written.
template <class T>
struct Located {
  T value{};
  SourceLoc loc;
};

enum class NetworkMode { Isolated, Host };

/// Named once: the defaults the format promises when nothing is written.
inline constexpr const char* kDefaultMemory = "64m";
inline constexpr std::chrono::milliseconds kDefaultStopTimeout{30'000};
/// How long a guest may take from its launch until it is ready (its
/// startup commands ran) before the up fails.
inline constexpr std::chrono::milliseconds kDefaultReadyTimeout{30'000};
inline constexpr size_t kMaxLabName = 16;
/// Guest and bridge names become interface names' parts: at most IFNAMSIZ - 1.
inline constexpr size_t kMaxObjectName = vkernel::kMaxIfName;
inline constexpr const char* kDefaultIfname = "vke";

/// One L2 segment. Point-to-point links are bridges with two members.
struct BridgeDecl {
  std::string name;
  SourceLoc loc;                               ///< the name key
  std::optional<Located<Ipv4Prefix>> subnet;   ///< enables `address: auto`
  std::optional<Located<Ipv4Prefix>> address;  ///< host-side address of the bridge
  std::optional<Located<std::string>> uplink;  ///< host NIC added as member (host mode)
  /// `subnet6:` an IPv6 subnet; enables `address: auto6`. Always IPv6.
  std::optional<Located<IpPrefix>> subnet6;
  /// IPv6 host-side addresses of the bridge (`address:` or `addresses:`
  /// items written as IPv6), in file order. Always IPv6.
  std::vector<Located<IpPrefix>> addresses6;
  /// `impair:` for every member interface that has none of its own
  /// (what each member guest SENDS on the segment is shaped).
  std::optional<Located<vkernel::Impairment>> impair;
};

/// One guest interface vkeN (N = its index in GuestDecl::interfaces).
struct InterfaceDecl {
  enum class Kind {
    Bridge,  ///< tap attached to a bridge:  -I tapN:bridgeX[:addr/len]
    Tap,     ///< host<->guest tap link:     -I tapN:hostaddr:addr/len
  };
  Kind kind = Kind::Bridge;
  SourceLoc loc;                          ///< the list item
  Located<std::string> bridge;            ///< Kind::Bridge: the bridge's name
  std::optional<Located<Ipv4>> tap_host;  ///< Kind::Tap: the host side's address
  /// `address: auto` was written; the validator fills `address` from the
  /// bridge's subnet and leaves this true.
  bool address_auto = false;
  std::optional<Located<Ipv4Prefix>> address;  ///< the guest side's vkeN address
  std::optional<Located<Mac>> mac;             ///< `mac:` → -I …=MAC
  /// IPv6 addresses of vkeN (`address:` or `addresses:` items written as
  /// IPv6), in file order. Always IPv6. The Linux guest configures them
  /// from the plan's <guest>.addrs file; -I carries IPv4 only.
  std::vector<Located<IpPrefix>> addresses6;
  /// `auto6` was written; the validator appends the picked address from
  /// the bridge's subnet6 to `addresses6` and leaves this true.
  bool address6_auto = false;
  SourceLoc address6_auto_loc;
  /// `impair:` what the guest SENDS on this interface is shaped (by the
  /// bundled guest's frame relay; dummynet pipes on DragonFly). Replaces
  /// the bridge's `impair:` for this interface.
  std::optional<Located<vkernel::Impairment>> impair;
};

/// Where a part of a startup script comes from: the lab file's `startup:`
/// (one part), or a Kathará device's shared.startup, then DEV.startup,
/// then lab.conf's DEV[exec].
struct ScriptSource {
  int line = 0;      ///< the part's first line in the composed script (1-based)
  std::string file;  ///< "shared.startup", "pc1.startup", "lab.conf pc1[exec]", "lab.yaml"
  int file_line = 1;  ///< where that first line is in `file` (a lab file's `startup: |` block: the line after it)
  bool operator==(const ScriptSource&) const = default;
};

/// "pc1.startup:2" (or "lab.yaml:17") for line `line` of a script
/// composed of `parts`; "" when there are none or the line is not in a
/// part (a part's label comment).
std::string script_place(const std::vector<ScriptSource>& parts, int line);

struct GuestDecl {
  std::string name;
  SourceLoc loc;  ///< the name key
  Located<std::string> kernel{"auto", {}};
  Located<std::string> memory{kDefaultMemory, {}};  ///< as written, e.g. "128m"
  std::optional<Located<int>> cpus;                 ///< -n
  std::vector<Located<std::string>> disks;          ///< -r, as written (relative to the lab file)
  std::vector<Located<std::string>> cdroms;         ///< -c
  std::vector<std::pair<std::string, std::string>> env;  ///< -e, in file order
  SourceLoc env_loc;
  bool single_user = false;      ///< -s
  bool verbose = false;          ///< -v
  bool writable_kernel = false;  ///< -U
  std::vector<InterfaceDecl> interfaces;
  SourceLoc interfaces_loc;
  std::string startup;   ///< the guest's rc
  /// Where its lines are: the lab file's `startup:` (one part), or the
  /// files a Kathará device's is composed of; empty = unknown.
  std::vector<ScriptSource> startup_sources;
  std::string shutdown;  ///< the guest's rc.shutdown
  Located<std::chrono::milliseconds> stop_timeout{kDefaultStopTimeout, {}};
  Located<std::chrono::milliseconds> ready_timeout{kDefaultReadyTimeout, {}};
  std::vector<Located<std::string>> depends_on;  ///< guests started before this one

  // ---- the guest as a machine (Linux guest; notes on DragonFly) ----
  /// `root: DIR`: the base tree of the guest's root instead of the host's
  /// own root, as written (relative to the lab file). nullopt = the host's /.
  std::optional<Located<std::string>> root;
  /// `files: DIR`: the lab's files for this guest, laid over its root, as
  /// written (relative to the lab file). nullopt = the folder named like the
  /// guest beside the lab file, when it exists (see files_dir).
  std::optional<Located<std::string>> files;
  /// The folder actually laid over the root: absolute, "" = none. Filled by
  /// the loader's front-end (YAML: `files:` or ./<name>/; Kathará: DEV/).
  std::string files_dir;
  /// `ifname:` the Linux guest's interface name prefix ("vke" → vke0…;
  /// Kathará labs: "eth" → eth0…). The DragonFly target keeps vkeN.
  Located<std::string> ifname{kDefaultIfname, {}};
  /// Kernel parameters applied inside the guest before its startup
  /// commands, in order ("net.ipv4.ip_forward", "1").
  std::vector<Located<std::pair<std::string, std::string>>> sysctls;
  /// Kathará's `image`, recorded and shown; "" = none.
  std::string image;
};

/// One entry of `checks:` (a lab's own, or a grading key's), run by
/// `vklab check` / `vklab grade` inside guest `from`. Exactly one kind; the
/// loader refuses the keys of another kind, so fields a kind does not use
/// keep their defaults. Addresses and prefixes are held in the canonical
/// text of common/ip.h ("2001:db8::1", "10.3.0.0/24"), so comparing them
/// with what a guest reports is comparing text.
struct CheckDecl {
  enum class Kind { Ping, Tcp, Route, Address, Process, Command, Resolve, Http, Bgp };
  SourceLoc loc;  ///< the list item
  Located<std::string> from;
  std::string name;  ///< `name:` shown in reports instead of the generated label; "" = none
  Kind kind = Kind::Ping;
  /// The kind's value: ping/tcp address, route prefix, address ADDR/LEN,
  /// process name, command (a shell command line), resolve name, URL, bgp
  /// neighbor (an address or an interface name).
  Located<std::string> target;
  int port = 0;                        ///< Tcp: 1..65535
  std::optional<std::string> via;      ///< Route: the gateway
  std::optional<std::string> dev;      ///< Route, Address: the interface
  std::optional<std::string> proto;    ///< Route: a protocol name (hostnet/routes.h) or number
  std::optional<std::string> output;   ///< Command: stdout, exactly (one trailing newline ignored)
  std::optional<std::string> match;    ///< Command: a Perl regex found in stdout
  int exit = 0;                        ///< Command: the exit status wanted
  std::optional<std::string> address;  ///< Resolve: one of the answers
  int status = 200;                    ///< Http: the status wanted
  std::optional<std::string> contains;  ///< Http: text the body holds
  std::optional<int> prefixes;         ///< Bgp: at least this many prefixes received
  /// false: `expect: unreachable` (ping, tcp) or `expect: absent`.
  bool expect_present = true;
  /// `wait:`: how long a failing check is retried; nullopt = the run's.
  std::optional<std::chrono::milliseconds> wait;
};

/// "ping", "tcp", "route", … — the key that names the kind.
const char* kind_name(CheckDecl::Kind k);
/// The inverse of kind_name.
std::optional<CheckDecl::Kind> kind_from_name(const std::string& name);
/// What the check asks, without its guest: "ping 10.3.0.2",
/// "tcp 10.0.0.2:80", "route 10.3.0.0/24 via 10.12.0.2 proto ospf",
/// "command vtysh -c 'show ip ospf neighbor' ~ /Full/".
std::string check_what(const CheckDecl& c);
/// "reachable"/"unreachable" (ping, tcp), "match" (command, http: no
/// negation), else "present"/"absent".
const char* expect_name(const CheckDecl& c);
/// The kinds for which `expect: absent` (or unreachable) means something.
bool kind_negates(CheckDecl::Kind k);

/// One route of the lab's host side (`host: routes:`).
struct RouteDecl {
  SourceLoc loc;           ///< the list item
  Located<IpPrefix> to;    ///< destination; "default" = 0.0.0.0/0
  Located<IpAddr> via;     ///< gateway, same family as `to`
};

/// The lab's host side (`host:`): the lab's namespace in isolated mode,
/// the host itself in host mode.
struct HostDecl {
  SourceLoc loc;  ///< the `host` key; empty when there is no section
  /// `forwarding:` true/false; nullopt = leave the kernel's setting.
  std::optional<Located<bool>> forwarding;
  std::vector<RouteDecl> routes;
};

struct Lab {
  std::string file;  ///< path as given, used in every SourceLoc
  Located<std::string> name;
  std::string description;
  Located<NetworkMode> network{NetworkMode::Isolated, {}};
  std::vector<BridgeDecl> bridges;  ///< declaration order
  std::vector<GuestDecl> guests;    ///< declaration order
  std::vector<CheckDecl> checks;
  HostDecl host;
  /// The lab's `shared/` folder (absolute), mounted at /shared in every
  /// guest; "" = none. Filled by the front-end.
  std::string shared_dir;
  /// Lab metadata (Kathará's LAB_VERSION, LAB_AUTHOR, LAB_EMAIL, LAB_WEB;
  /// YAML: not yet), in file order; shown by status and graph.
  std::vector<std::pair<std::string, std::string>> meta;
  /// Which front-end read it: "yaml" or "netkit" (a directory with lab.conf).
  std::string format = "yaml";

  /// Filled by the validator: indices into `guests`, dependencies first,
  /// declaration order among equals (a stable topological order).
  std::vector<size_t> launch_order;

  const BridgeDecl* find_bridge(const std::string& n) const;
  const GuestDecl* find_guest(const std::string& n) const;
  /// Index of the (first) bridge called `n` in `bridges`, or -1.
  int bridge_index(const std::string& n) const;
  /// Index of the (first) guest called `n` in `guests`, or -1.
  int guest_index(const std::string& n) const;
  /// Any IPv6 address, subnet or route is written in the lab.
  bool uses_ipv6() const;

 private:
  /// Name → index caches behind the lookups, rebuilt whenever a lookup
  /// finds them stale (so a Lab stays a plain, freely edited value).
  mutable std::unordered_map<std::string, size_t> bridge_idx_, guest_idx_;
};

}  // namespace vklab::topology
