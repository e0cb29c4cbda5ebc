// DragonFlyHost: the Host interface over kldload(8), ifconfig(8) and
// sysctl(8), each run by execve (never through a shell) with its exit
// status and stderr checked.
//
// Every mutating call issues exactly the command of dragonfly_argv()
// (commands.h) for the equivalent HostStep. Reads (find/list) use a probe,
// by default getifaddrs(3), so they issue no command. DragonFly links carry
// no tag here (tags_links() is false): ownership comes from the lab's
// recorded list of created objects.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "netsetup/commands.h"
#include "hostnet/host.h"

namespace vklab::netsetup {
using hostnet::Host;
using hostnet::LinkInfo;
}  // namespace vklab::netsetup

namespace vklab::netsetup {

/// Runs one command; the error names the command and carries its stderr.
class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  virtual Status run(const std::vector<std::string>& argv) = 0;
};

/// Runs argv[0] found on $PATH (or as given when it contains '/') with
/// posix_spawn (execve semantics: a file without #! is an error, never
/// handed to /bin/sh); stdin and stdout are /dev/null, stderr is captured.
/// Error: "ifconfig bridge0 create: exit status 1: <stderr first line>".
class ExecRunner final : public CommandRunner {
 public:
  Status run(const std::vector<std::string>& argv) override;
};

/// Where `prog` is on $PATH ("" when it is nowhere); a name with '/' is
/// returned as is.
std::string find_on_path(const std::string& prog);

/// The read side of DragonFlyHost: every link of the host.
using LinkProbe = std::function<Result<std::vector<LinkInfo>>()>;

/// Links from getifaddrs(3): name, up flag, IPv4 addresses, MAC where the
/// platform reports one; kind guessed from the name ("bridge…", "tap…").
Result<std::vector<LinkInfo>> probe_getifaddrs();

class DragonFlyHost final : public Host {
 public:
  explicit DragonFlyHost(CommandRunner& runner, LinkProbe probe = probe_getifaddrs)
      : runner_(runner), probe_(std::move(probe)) {}
  /// The same over a runner the host owns.
  explicit DragonFlyHost(std::unique_ptr<CommandRunner> runner, LinkProbe probe = probe_getifaddrs)
      : owned_(std::move(runner)), runner_(*owned_), probe_(std::move(probe)) {}

  Status check_modules() override { return {}; }
  Status load_module(const std::string& module) override;
  Status enable_vkernel() override;
  Status create_bridge(const std::string& name, const std::string& tag) override;
  Status create_tap(const std::string& name, const std::string& tag) override;
  Status add_member(const std::string& bridge, const std::string& member) override;
  Status remove_member(const std::string& bridge, const std::string& member) override;
  Status set_up(const std::string& name, bool up) override;
  Status add_address(const std::string& name, const Ipv4Prefix& address) override;
  Status add_address6(const std::string& name, const IpPrefix& address) override;
  /// route add: always "added" (a route that exists makes route(8) fail).
  Result<bool> add_route(const IpPrefix& to, const IpAddr& via) override;
  Status del_route(const IpPrefix& to, const IpAddr& via) override;
  /// sysctlbyname(3) on DragonFly; an error elsewhere (the caller then
  /// assumes the opposite of what it sets).
  Result<bool> forwarding(int family) override;
  Status set_forwarding(int family, bool on) override;
  Status destroy(const std::string& name) override;
  Result<std::optional<LinkInfo>> find(const std::string& name) override;
  Result<std::vector<LinkInfo>> list() override { return probe_(); }
  bool tags_links() const override { return false; }

 private:
  Status run(const topology::HostStep& step);
  /// After a failed removal: true when `name` is gone, so the removal is done.
  bool gone(const std::string& name);

  std::unique_ptr<CommandRunner> owned_;  ///< before runner_: it may refer to it
  CommandRunner& runner_;
  LinkProbe probe_;
};

}  // namespace vklab::netsetup
