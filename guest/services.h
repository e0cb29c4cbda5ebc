// systemctl and service inside a Linux guest: Debian's init scripts
// without systemd.
//
// A guest has no systemd, yet labs start daemons the Debian way
// (`systemctl start frr`, `service bind9 restart`). Like halt and reboot
// (power.h), the vkernel binary is also these two commands: links named
// `systemctl` and `service` in kPowerBinDir, first on the guest's PATH. Run
// as one of them it maps the request onto the package's System V init
// script, /etc/init.d/SCRIPT ACTION, which every Debian daemon package
// still ships:
//   systemctl start|stop|restart|reload|try-restart|reload-or-restart UNIT…
//   systemctl status|is-active|is-enabled|enable|disable UNIT…  (and daemon-reload)
//   service UNIT start|stop|restart|reload|force-reload|status|ACTION…
//   service --status-all
// UNIT may end in ".service"; an alias is resolved from the unit files the
// way systemd does (`Alias=bind9.service` in named.service, or an
// /etc/systemd/system/bind9.service symlink to named.service), so
// `systemctl start bind9` runs /etc/init.d/named. Exit codes are
// systemctl's: 0 done/active, 1 a script failed, 3 inactive (is-active,
// status), 4 no such unit (status), 5 no such unit (start, stop, …).
//
// Starting named first lets the host's BIND accept a configuration written
// for an older one (named_compat.h).
//
// Units started this way are recorded in kServicesRecord (the guest's own
// /run: a reboot forgets them with their processes); on a clean halt init
// stops them, last started first, before it sends SIGTERM to everything
// (services_stop_script()). enable/disable only edit the unit's
// multi-user.target.wants link, as systemctl does in a chroot: a guest boots
// no targets, its `startup:` commands start what it runs.
//
// Like power.h, it refuses to run outside a guest: no init script of the
// host is ever run by these commands.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vklab::vkernel {

/// The names of the commands (links in kPowerBinDir, beside halt & co.).
inline constexpr std::string_view kServiceCommands[] = {"systemctl", "service"};

/// Started units, one init script name a line, in start order.
inline constexpr const char* kServicesRecord = "/run/vkernel/services";

/// systemctl's exit codes (LSB status codes).
inline constexpr int kSvcOk = 0;
inline constexpr int kSvcFailed = 1;
inline constexpr int kSvcInactive = 3;
inline constexpr int kSvcNoUnitStatus = 4;
inline constexpr int kSvcNoUnit = 5;
inline constexpr int kSvcUsage = 64;

/// True when `argv0`'s last path component is systemctl or service.
bool is_service_command(std::string_view argv0);

/// What a command line asks for.
struct ServiceRequest {
  /// start stop restart reload try-restart reload-or-restart status
  /// is-active is-enabled enable disable daemon-reload status-all, or any
  /// other action of `service UNIT ACTION` (passed to the script).
  std::string verb;
  std::vector<std::string> units;  ///< as written (".service" allowed)
  std::vector<std::string> extra;  ///< `service UNIT ACTION ARGS…`: ARGS
  bool quiet = false;              ///< -q/--quiet
  bool now = false;                ///< enable/disable --now
  bool help = false;
  std::string error;  ///< non-empty: a usage error, nothing to do
};

/// `systemctl [OPTIONS] VERB [UNIT…]`.
ServiceRequest parse_systemctl(const std::vector<std::string>& args);
/// `service UNIT ACTION [ARGS…]` or `service --status-all`.
ServiceRequest parse_service(const std::vector<std::string>& args);

/// A unit resolved to the init script that runs it.
struct Unit {
  std::string name;    ///< the unit as systemd names it, without ".service" ("named")
  std::string script;  ///< the init script's name in /etc/init.d ("named")
};

/// Resolves `unit` ("bind9", "bind9.service") under `root` ("/" in a
/// guest; a fake tree in tests): an init script of that name, else an alias
/// (a symlink /etc/systemd/system/U.service or /lib/systemd/system/U.service
/// to another unit, or `Alias=U.service` in a unit file of
/// /etc/systemd/system, /lib/systemd/system or /usr/lib/systemd/system)
/// whose unit has an init script. nullopt: no such unit with a script; then
/// `why` says what was found.
std::optional<Unit> resolve_unit(const std::string& root, const std::string& unit, std::string& why);

/// The record's units after `script` started (appended once) or stopped
/// (removed); `text` is the record's content.
std::string record_started(const std::string& text, const std::string& script);
std::string record_stopped(const std::string& text, const std::string& script);

/// The content of kServicesRecord ("" when there is none).
std::string read_services_record();

/// The /bin/sh text init runs on a clean halt: each recorded script's
/// `stop`, last started first, each reported on failure; "" = none.
std::string services_stop_script(const std::string& record_text, std::string_view guest);

/// The command as a program: parses, checks that it runs inside a guest,
/// runs the init scripts. Returns systemctl's exit status.
int services_main(const std::vector<std::string>& argv);

}  // namespace vklab::vkernel
