// The vkernel(7) command line: build it for a guest, parse it like the
// DragonFly kernel does (getopt "c:hsvztTl:m:n:r:R:e:i:p:I:Ud").
//
// One type, two directions: the compiler builds a Cmdline and renders it
// with argv(); the bundled Linux guest parses its own argv with parse().
// parse(build(x)) == x for every Cmdline the compiler can produce.
//
// Unlike the real kernel, which warns about a bad -I and skips it, parse()
// rejects it: a guest must never boot with its interfaces shifted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/net.h"
#include "common/result.h"

namespace vklab::vkernel {

inline constexpr int kMaxNetIfs = 16;  // VKNETIF_MAX
inline constexpr int kMaxDisks = 16;   // -r/-R/-c together
inline constexpr uint64_t kMinMemory = 64ull << 20;
inline constexpr uint64_t kMemoryGranule = 2ull << 20;

/// Parses a -m size with the kernel's rules: strtoull base 0 then a
/// REQUIRED k/K/m/M/g/G suffix; >= 64 MB and a multiple of 2 MB. Errors are
/// the kernel's own words ("Bad maxmem option", "Bad maxmem specification:
/// 64MB minimum, multiples of 2MB only").
Result<uint64_t> parse_memory(std::string_view spec);

/// One -I argument: interface[:address1[:address2]][/netmask][=MAC].
struct NetIf {
  std::string iface;              ///< "tap0", "auto", "/dev/tap0", or a vknetd socket path
  std::string bridge;             ///< address1 when it names a bridge (forms 5-7), else ""
  std::optional<Ipv4> addr1;      ///< address1 when it is an address (forms 1-4): the tap's
  std::optional<Ipv4> addr2;      ///< address2: the guest's vkeN address
  std::optional<int> netmask;     ///< /len, 1..31
  std::optional<Mac> mac;         ///< =MAC: vkeN's MAC (never multicast)

  /// The -I argument text.
  std::string str() const;
  /// Parses one -I argument with the seven forms of vkernel(7); IPv4 only,
  /// netmask length 1..31, unicast MAC.
  static Result<NetIf> parse(std::string_view arg);
  /// The tap's device name without "/dev/" ("tap3"; "auto" stays "auto").
  std::string tap_name() const;
  bool operator==(const NetIf&) const = default;
};

struct Disk {
  enum class Kind {
    ReadWrite,    ///< -r: opened O_DIRECT and locked exclusively
    CopyOnWrite,  ///< -R: copy-on-write, not locked
    Cdrom,        ///< -c: read-only CD image
  };
  Kind kind = Kind::ReadWrite;
  std::string path;
  std::string serno;  ///< optional ":serno" after the path (-r/-R only)
  bool operator==(const Disk&) const = default;
};

struct Cmdline {
  std::string kernel;  ///< argv[0]
  std::string memory;  ///< -m as written ("128m"); empty = not given
  std::string ncpus;   ///< -n as written ("2" or "4:1:1"); empty = not given
  std::string sched;   ///< -l as written; empty = not given
  std::vector<Disk> disks;  ///< command-line order; the first one boots
  std::vector<std::pair<std::string, std::string>> env;  ///< -e name=value, in order
  std::vector<NetIf> netifs;  ///< vke0, vke1, … in order
  std::string pidfile;   ///< -p
  std::string memimage;  ///< -i
  bool single_user = false;      ///< -s
  bool verbose = false;          ///< -v
  bool writable_kernel = false;  ///< -U
  bool no_vmm = false;           ///< -d
  bool precise_timer = false;    ///< -t
  bool prezero = false;          ///< -z
  bool help = false;             ///< -h

  /// The exact argv, argv[0] = kernel. Options in a fixed order:
  /// -m -n -l -s -v -U -d -t -z -i, disks, -e (one per variable), -I…, -p.
  std::vector<std::string> argv() const;

  /// Parses argv (argv[0] = kernel). Errors carry the kernel's wording where
  /// it has one; a bad -I, a 17th -I, a 17th disk, an unknown option, a
  /// missing argument and a missing -m (without -i) are all errors.
  static Result<Cmdline> parse(const std::vector<std::string>& argv);

  /// The value of -e variable `name`, or nullopt.
  std::optional<std::string> getenv(std::string_view name) const;

  bool operator==(const Cmdline&) const = default;
};

/// -e variables vklab passes to the bundled Linux guest (plain identifiers,
/// so init and /bin/sh see them as ordinary environment variables).
inline constexpr const char* kEnvHostname = "vklab_hostname";        ///< guest hostname
inline constexpr const char* kEnvRc = "vklab_rc";                    ///< path of the startup script
inline constexpr const char* kEnvRcShutdown = "vklab_rc_shutdown";   ///< path of the shutdown script

/// The usage text printed by -h.
std::string usage(std::string_view prog);

}  // namespace vklab::vkernel
