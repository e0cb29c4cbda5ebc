// FakeHost: an in-memory Host that records every call, for unit tests.
//
// Links live in a map; calls are recorded as words ("create_tap tap0
// vklab:lab"); a failure can be injected on any call by its words.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "hostnet/host.h"

namespace vklab::hostnet {

class FakeHost : public Host {
 public:
  /// Every call, in order: "check_modules", "load_module if_bridge",
  /// "create_bridge bridge0 vklab:x", "create_tap tap0 vklab:x",
  /// "add_member bridge0 tap0", "remove_member bridge0 eth0",
  /// "set_up tap0 1", "add_address bridge0 10.0.0.1/24", "destroy tap0",
  /// "destroy_tagged vklab:x". Reads (find/list) are not recorded.
  std::vector<std::string> calls;
  /// Current links by name.
  std::map<std::string, LinkInfo> links;
  /// IPv6 addresses by link name.
  std::map<std::string, std::vector<IpPrefix>> addresses6;
  /// Calls (exact words as in `calls`) that fail with
  /// "<object>: injected failure".
  std::set<std::string> fail_on;
  /// Routes of the main table: "TO via VIA" (add_route/del_route).
  std::set<std::string> routes;
  /// IP forwarding by family (4, 6); absent = off.
  std::map<int, bool> forward;
  /// Whether create_* tags links (like LinuxHost) or not (like DragonFly).
  bool tags = true;

  /// Adds a link vklab did not create (a host NIC, another lab's bridge).
  void add_foreign(LinkInfo link);
  /// Only the calls that change something (everything but check_modules).
  std::vector<std::string> mutations() const;

  Status check_modules() override;
  Status load_module(const std::string& module) override;
  Status enable_vkernel() override;
  Status create_bridge(const std::string& name, const std::string& tag) override;
  Status create_tap(const std::string& name, const std::string& tag) override;
  Status add_member(const std::string& bridge, const std::string& member) override;
  Status remove_member(const std::string& bridge, const std::string& member) override;
  Status set_up(const std::string& name, bool up) override;
  Status add_address(const std::string& name, const Ipv4Prefix& address) override;
  /// Recorded as "add_address NAME ADDR/LEN"; kept in addresses6.
  Status add_address6(const std::string& name, const IpPrefix& address) override;
  /// "add_route TO via VIA" / "del_route TO via VIA".
  Result<bool> add_route(const IpPrefix& to, const IpAddr& via) override;
  Status del_route(const IpPrefix& to, const IpAddr& via) override;
  Result<bool> forwarding(int family) override;
  /// "set_forwarding 4 1".
  Status set_forwarding(int family, bool on) override;
  Status destroy(const std::string& name) override;
  Result<std::optional<LinkInfo>> find(const std::string& name) override;
  Result<std::vector<LinkInfo>> list() override;
  bool tags_links() const override { return tags; }
  Result<int> destroy_tagged(const std::string& tag) override;

 private:
  /// Records the call; an error when it is to fail.
  Status call(const std::string& words, const std::string& object);
  Status create(const std::string& name, const std::string& kind, const std::string& tag);
  int next_index_ = 100;
};

}  // namespace vklab::hostnet
