// LinuxHost: the Host interface over rtnetlink (libnl-route-3) and
// /dev/net/tun.
//
// Facts this implementation relies on (measured on the target kernels):
// - rtnetlink cannot create tun/tap links ("Operation not supported"), so a
//   tap is made with TUNSETIFF (IFF_TAP|IFF_NO_PI) + TUNSETPERSIST on
//   /dev/net/tun and then tagged with an RTM_SETLINK;
// - an ifalias given at creation is ignored, so the tag is set afterwards;
// - deleting links one by one costs an RCU grace period (~17 ms) each, so
//   every tagged link also joins the tag's link group (link_group()) at
//   creation and destroy_tagged() deletes the whole group with one
//   RTM_DELLINK carrying IFLA_GROUP.
//
// Namespace: the netlink socket is opened by the constructor, and taps are
// created in the namespace current at the time of the call; construct and
// use a LinuxHost in the same network namespace (e.g. after setns() in the
// thread that uses it).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "hostnet/host.h"

struct nl_sock;

namespace vklab::hostnet {

/// The IFLA_GROUP of links tagged `tag`: 0x564B0000 ("VK") | the low 16
/// bits of the FNV-1a hash of the tag. Never 0 (the default group). Two
/// labs may share a group (1 in 65536): destroy_tagged() checks that every
/// link of the group carries the tag before it deletes the group, and
/// otherwise deletes link by link.
uint32_t link_group(std::string_view tag);

class LinuxHost final : public Host {
 public:
  /// Opens a NETLINK_ROUTE socket in the current network namespace.
  static Result<std::unique_ptr<LinuxHost>> open();
  ~LinuxHost() override;
  LinuxHost(const LinuxHost&) = delete;
  LinuxHost& operator=(const LinuxHost&) = delete;

  Status check_modules() override;
  Status load_module(const std::string& module) override;
  Status enable_vkernel() override;
  Status create_bridge(const std::string& name, const std::string& tag) override;
  Status create_tap(const std::string& name, const std::string& tag) override;
  Status add_member(const std::string& bridge, const std::string& member) override;
  Status remove_member(const std::string& bridge, const std::string& member) override;
  Status set_up(const std::string& name, bool up) override;
  Status add_address(const std::string& name, const Ipv4Prefix& address) override;
  Status add_address6(const std::string& name, const IpPrefix& address) override;
  Result<bool> add_route(const IpPrefix& to, const IpAddr& via) override;
  Status del_route(const IpPrefix& to, const IpAddr& via) override;
  Result<bool> forwarding(int family) override;
  Status set_forwarding(int family, bool on) override;
  Status destroy(const std::string& name) override;
  Result<std::optional<LinkInfo>> find(const std::string& name) override;
  Result<std::vector<LinkInfo>> list() override;
  bool tags_links() const override { return true; }
  Result<int> destroy_tagged(const std::string& tag) override;

  /// Deletes every link of `group` with one RTM_DELLINK (no ownership
  /// check: destroy_tagged() is the safe entry point). Group 0 is refused.
  Status destroy_group(uint32_t group);

 private:
  explicit LinuxHost(nl_sock* sk) : sk_(sk) {}
  Result<int> ifindex_of(const std::string& name);
  Status tag_link(const std::string& name, const std::string& tag);

  nl_sock* sk_;
  bool modules_checked_ = false;
};

}  // namespace vklab::hostnet
