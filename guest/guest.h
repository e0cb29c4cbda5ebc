// The bundled Linux guest: a process that behaves like a vkernel(7) seen
// from the host.
//
// Process layout (host view):
//   vkernel process  (the pid in the -p pidfile; stays in the lab's
//     │               namespaces; holds the host taps, the vkeN taps, the
//     │               locks; runs the data path thread)
//     └── init        (PID 1 of a new PID namespace, in the guest's new
//                      network, UTS, IPC and mount namespaces; its host pid
//                      is written to "<pidfile>.init" and printed at boot,
//                      so `nsenter --target $(cat r1.pid.init) --net --uts
//                      --mount --pid` enters the guest)
//
// Console: stdout/stderr of the vkernel process; every line of the guest
// process itself starts with "vkernel: <name>: ".
//
// Root: the guest runs in a root of its own (rootfs.h): the host's / (or
// -e vklab_root) read-only, the lab's files for it (vklab_files) over that,
// its writes in a tmpfs layer (vklab_layer) that lives as long as the
// vkernel process; /shared is vklab_shared. Its processes keep only the
// capabilities of guest/confine.h.
//
// Readiness: once init ran the startup commands, the vkernel process prints
// "vkernel: <name>: booted" and, when -e vklab_ready_fd=N (or VKLAB_READY_FD
// in its environment) names an open fd, writes "ready\n" on it and closes it.
//
// Signals (vkernel(7)): SIGTERM → "Caught SIGTERM from host system.
// Shutting down..." and SIGUSR2 to init (clean halt, exit 0); SIGQUIT → a
// dump of processes and interfaces, the guest goes on; SIGINT → immediate
// unclean stop; SIGUSR1 → the links file (-e vklab_links) is read again
// and applied to the data path (vke.h), the console says what changed.
//
// From inside (power.h): halt/poweroff end the guest as a SIGTERM would;
// reboot (init exits kInitExitReboot, or the kernel ends init with SIGHUP
// after reboot(2)) starts a new init in the same network, UTS and IPC
// namespaces: same process, pid, interfaces and locks; "<pidfile>.init"
// gets the new init's pid, the console says "booted" again, readiness is
// not signalled twice.
#pragma once

#include "guest/addrs.h"

#include <chrono>
#include <optional>
#include <string>

#include "common/result.h"
#include "vkernel/cmdline.h"

namespace vklab::vkernel {

/// Exit statuses of the vkernel process. 0 means exactly "halted cleanly".
inline constexpr int kExitHalted = 0;
inline constexpr int kExitFailed = 1;   ///< could not start; nothing was left behind
inline constexpr int kExitUnclean = 2;  ///< stopped uncleanly (SIGINT, init died)
inline constexpr int kExitUsage = 64;   ///< EX_USAGE: bad command line, nothing was done

/// Netmask length for an -I address written without /len.
inline constexpr int kDefaultNetmask = 24;

/// What the Linux guest takes from the command line beyond vkernel(7).
struct GuestOptions {
  std::string name = "vkernel";   ///< -e vklab_hostname; hostname and console prefix
  std::string rc_path;            ///< -e vklab_rc
  std::string rc_shutdown_path;   ///< -e vklab_rc_shutdown
  std::chrono::milliseconds shutdown_timeout{std::chrono::seconds(120)};
  std::chrono::milliseconds term_wait{std::chrono::seconds(10)};
  int ready_fd = -1;              ///< -1 = no readiness fd
  std::optional<uint64_t> memory; ///< -m in bytes
  std::string root = "/";         ///< -e vklab_root: base of the guest's root
  std::string files;              ///< -e vklab_files
  std::string shared;             ///< -e vklab_shared
  std::string layer;              ///< -e vklab_layer
  std::string ifname = "vke";     ///< -e vklab_ifname: interfaces are <ifname>0, <ifname>1, …
  std::string sysctl_path;        ///< -e vklab_sysctl
  std::vector<IfAddr> addrs;      ///< -e vklab_addrs: IPv6 addresses added as vkeN comes up
  std::string links_path;         ///< -e vklab_links; "" = every link up, unimpaired

  /// Checks the -e variables of vklab (and VKLAB_READY_FD); errors are
  /// command-line errors (exit 64).
  static Result<GuestOptions> from(const Cmdline& c);
};

/// Boots the guest and runs it until it halts; returns the exit status.
int run_guest(const Cmdline& c, const GuestOptions& o);

}  // namespace vklab::vkernel
