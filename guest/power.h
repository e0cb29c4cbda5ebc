// halt, poweroff, reboot and shutdown inside a Linux guest.
//
// The guest has no systemd, so Debian's own commands cannot stop it. The
// vkernel binary is also these commands: init binds it at /run/vkernel/vkernel
// (its host path may be hidden in the guest) and puts links named after the
// commands in /run/vkernel/bin (first on the guest's PATH); run as one of them
// the binary asks the guest's init what init(8) is asked on DragonFly:
//   halt, poweroff, shutdown -h|-p now  → SIGUSR2: the clean halt of a host
//                                         SIGTERM; the vkernel exits 0
//   reboot, shutdown -r now             → SIGINT: the same shutdown, then a
//                                         new init boots the guest again
//                                         (the vkernel process, its pid and
//                                         its interfaces stay)
// It refuses to signal anything outside a guest: PID 1 of its PID namespace
// must be this same binary (the guest's init), never a host's init.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vkernel/cmdline.h"

namespace vklab::vkernel {

/// Where init puts the command links, first on the guest's PATH.
inline constexpr const char* kPowerBinDir = kGuestBinDir;
/// The names of the commands (links in kPowerBinDir).
inline constexpr std::string_view kPowerCommands[] = {"halt", "poweroff", "reboot", "shutdown"};

/// True when `argv0`'s last path component names one of the commands.
bool is_power_command(std::string_view argv0);

/// What a command line asks for.
struct PowerRequest {
  enum class Action { Halt, Reboot, Help } action = Action::Halt;
  std::string error;  ///< non-empty: a usage error, nothing to do
};

/// Parses `cmd` (a name of kPowerCommands) and its arguments.
PowerRequest parse_power(std::string_view cmd, const std::vector<std::string>& args);

/// 0 when this process runs inside a guest (PID 1 of its PID namespace is
/// this same binary, the guest's init); else prints why, as `cmd`, and
/// returns 1. Every command of the guest (these, services.h) asks first.
int check_in_guest(std::string_view cmd);

/// The command as a program: parses, checks that it runs inside a guest,
/// signals the guest's init. Returns the exit status (0, 1, or 64 for usage).
int power_main(const std::vector<std::string>& argv);

}  // namespace vklab::vkernel
