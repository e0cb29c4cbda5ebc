// init: PID 1 of a Linux guest.
//
// Runs in the guest's new PID namespace (and the guest's network, UTS and
// IPC namespaces, entered by its parent). It makes its own mount namespace,
// enters the guest's root (rootfs.h: its own /proc, /sys, /dev, /tmp and
// /run), confines itself (guest/confine.h); runs the startup commands;
// tells its parent it has booted; gives a terminal console a shell; reaps
// every orphan; and on SIGUSR1/SIGUSR2 halts like init(8): shutdown
// commands (bounded), SIGTERM to every process, a bounded wait, SIGKILL to
// the rest, sync, exit 0. SIGINT (init(8)'s reboot) does the same and exits
// kInitExitReboot. The guest's halt/poweroff/reboot/shutdown commands
// (power.h) are links in /run/vkernel/bin, first on init's PATH.
//
// Startup and shutdown scripts run whole, in ONE shell of the guest's root
// (bash when it has /bin/bash, as Kathará does, else /bin/sh), each
// top-level command reported on its own when it fails (startup.h). The
// wrapped scripts are /run/vkernel/startup and /run/vkernel/shutdown in the
// guest. The startup shell reports on the status pipe too (fd 9: the
// vkernel/ready.h run/failed lines), so labd learns which command runs and
// which failed.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace vklab::vkernel {

struct InitConfig {
  std::string name;          ///< the guest's name, prefix of every console line
  std::string rc;            ///< startup script as written, "" = none
  std::string rc_shutdown;   ///< shutdown script as written, "" = none
  bool single_user = false;  ///< -s: no startup and no shutdown commands
  bool verbose = false;      ///< -v
  std::chrono::milliseconds shutdown_timeout{std::chrono::seconds(120)};
  std::chrono::milliseconds term_wait{std::chrono::seconds(10)};   ///< SIGTERM → SIGKILL
  std::chrono::milliseconds kill_wait{std::chrono::seconds(10)};   ///< SIGKILL → give up
  std::vector<std::pair<std::string, std::string>> env;  ///< -e variables, set in order
  std::string root;          ///< the guest's tree (GuestRoot::root()), pivoted into
  uint64_t root_size = 0;    ///< size bound of /tmp and /run
  std::vector<std::pair<std::string, std::string>> sysctls;  ///< applied before the startup commands
  int go_fd = -1;      ///< read end: init starts when the parent writes a byte
  /// Write end of the status pipe, open for init's whole life: "booted\n"
  /// once the startup commands ran, "halt\n" each time a halt request
  /// (SIGUSR1/SIGUSR2) was read; before "booted", the startup shell's
  /// run/failed lines (vkernel/ready.h).
  int booted_fd = -1;
};

/// init's exit status after a clean shutdown for a reboot (SIGINT): the
/// guest boots again (the DragonFly vkernel's child exits 32 for a reboot).
inline constexpr int kInitExitReboot = 32;
/// init's exit status when it could not enter the guest's root (its
/// message is on the console): an unclean stop.
inline constexpr int kInitExitFailed = 33;

/// Runs as PID 1; never returns (exit 0 after a clean halt,
/// kInitExitReboot after a clean shutdown for a reboot).
[[noreturn]] void run_init(const InitConfig& cfg);

}  // namespace vklab::vkernel
