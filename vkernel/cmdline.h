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

/// Limits of the kernel and of the host's interfaces, named once: the
/// validator, this parser, the applier and the guest use these.
inline constexpr int kMaxNetIfs = 16;  // VKNETIF_MAX
inline constexpr int kMaxDisks = 16;   // -r/-R/-c together
inline constexpr size_t kMaxIfName = 15;  // IFNAMSIZ - 1: the longest interface name
inline constexpr uint64_t kMinMemory = 64ull << 20;
inline constexpr uint64_t kMemoryGranule = 2ull << 20;

/// Parses a -m size with the kernel's rules: strtoull base 0 then a
/// REQUIRED k/K/m/M/g/G suffix; >= 64 MB and a multiple of 2 MB. Errors are
/// the kernel's own words ("Bad maxmem option", "Bad maxmem specification:
/// 64MB minimum, multiples of 2MB only"). Stricter than the kernel: a
/// sign, leading blanks, text after the suffix and overflow are "Bad maxmem
/// option" too. "0x40m" and "0100m" are 64 MB (base 0).
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
  /// `auto`: the first free tap.
  bool is_auto() const { return iface == "auto"; }
  /// A vknetd socket path (contains '/' but is not under /dev/): no host
  /// setup is done for it.
  bool is_socket() const;
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
  bool flag_T = false;           ///< -T (in the getopt string; accepted, no effect on Linux)
  bool prezero = false;          ///< -z
  bool help = false;             ///< -h

  /// The exact argv, argv[0] = kernel. Options in a fixed order:
  /// -m -n -l -s -v -U -d -t -T -z -i, disks, -e (one per variable), -I…,
  /// -p, -h. Options with a value take it as the next element ("-m", "64m").
  /// An -e variable whose text holds ':' is rendered inside double quotes;
  /// names and values can never contain '"' or '\'' (the kernel removes
  /// every quote character), so the compiler must reject those.
  std::vector<std::string> argv() const;

  /// Parses argv (argv[0] = kernel) with getopt(3) semantics: bundled
  /// flags ("-sv"), "-mVALUE" and "-m VALUE", "--" ends the options; an
  /// operand left over is an error. Errors carry the kernel's wording where
  /// it has one and start with the program name, ready for stderr
  /// ("vkernel: illegal option -- q", "vkernel: -m 100: Bad maxmem option",
  /// "vkernel: -I tap0:10.0.0.1/32: Invalid netmask len"). A bad -I, a 17th
  /// -I, a 17th disk, an unknown option, a missing argument and a missing -m
  /// (without -i) are all errors; with -h only the syntax is checked.
  /// -e: unquoted ':' separates variables, '"' and '\'' toggle quoting and
  /// are removed, empty items are skipped, each item must be name=value.
  static Result<Cmdline> parse(const std::vector<std::string>& argv);

  /// The value of -e variable `name` (the last one when repeated), or nullopt.
  std::optional<std::string> getenv(std::string_view name) const;

  bool operator==(const Cmdline&) const = default;
};

/// -e variables vklab passes to the bundled Linux guest (plain identifiers,
/// so init and /bin/sh see them as ordinary environment variables).
inline constexpr const char* kEnvHostname = "vklab_hostname";        ///< guest hostname
inline constexpr const char* kEnvRc = "vklab_rc";                    ///< path of the startup script
inline constexpr const char* kEnvRcShutdown = "vklab_rc_shutdown";   ///< path of the shutdown script
/// Readiness: fd number (of the vkernel process) that gets "ready\n" and is
/// closed once the startup commands ran. Also read from the environment
/// variable kEnvReadyFdVar when -e does not give it.
inline constexpr const char* kEnvReadyFd = "vklab_ready_fd";
inline constexpr const char* kEnvReadyFdVar = "VKLAB_READY_FD";
/// Bound of the shutdown commands on halt (a duration: "500ms", "120s");
/// default 120s like rc.shutdown.
inline constexpr const char* kEnvShutdownTimeout = "vklab_shutdown_timeout";
/// How long init waits after SIGTERM to every process before SIGKILL
/// (a duration; default 10s like init(8)).
inline constexpr const char* kEnvTermWait = "vklab_term_wait";

/// The guest as a machine (guest/rootfs.h). Absolute host paths.
/// Base tree of the guest's root (default: the host's /, read-only).
inline constexpr const char* kEnvRoot = "vklab_root";
/// The lab's folder for this guest, laid over the base.
inline constexpr const char* kEnvFiles = "vklab_files";
/// The lab's shared folder, mounted read-write at /shared.
inline constexpr const char* kEnvShared = "vklab_shared";
/// An empty directory (in the lab's state) where the guest keeps its
/// writable layer: the vkernel process mounts a tmpfs there in a mount
/// namespace of its own (upper/ and work/ inside), so the layer lives as
/// long as the vkernel process and no longer; `vklab save` reads it as
/// /proc/<kernel pid>/root/<dir>/upper.
inline constexpr const char* kEnvLayer = "vklab_layer";
/// Interface name prefix inside the guest ("vke" by default; "eth").
inline constexpr const char* kEnvIfname = "vklab_ifname";
/// A file of "key=value" lines: kernel parameters init writes under
/// /proc/sys before the startup commands.
inline constexpr const char* kEnvSysctl = "vklab_sysctl";
/// A file describing each vke's link (impairment, carrier): read at boot
/// and again on SIGUSR1 to the vkernel process (vkernel/link.h).
inline constexpr const char* kEnvLinks = "vklab_links";
/// A file of "vkeN ADDR/LEN" lines (IPv6 addresses, which -I cannot
/// carry): the guest adds each to vkeN (whatever its ifname) as it brings
/// the interface up.
inline constexpr const char* kEnvAddrs = "vklab_addrs";

/// Inside a bundled guest: the directory of the guest's own commands
/// (halt, reboot, …; guest/power.h), first on every guest process's PATH
/// (init's, the console's, `vklab exec`'s).
inline constexpr const char* kGuestBinDir = "/run/vkernel/bin";

/// The usage text printed by -h.
std::string usage(std::string_view prog);

}  // namespace vklab::vkernel
