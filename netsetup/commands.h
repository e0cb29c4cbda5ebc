// The command tables: which shell command performs each HostStep, on
// DragonFly (what DragonFlyHost runs, word for word) and on Linux (the
// iproute2 equivalent of what LinuxHost does over netlink, for review).
//
// Kept in one place so the executor and the renderer (topology/render)
// can never disagree.
#pragma once

#include <string>
#include <vector>

#include "topology/plan.h"

namespace vklab::netsetup {

/// DragonFly: the argv that performs `step` (argv[0] is looked up on PATH):
///   LoadModule    → kldload -n <module>
///   EnableVkernel → sysctl vm.vkernel_enable=1
///   CreateBridge  → ifconfig <if> create
///   CreateTap     → ifconfig <if> create
///   AddAddress    → ifconfig <if> inet <addr>/<len> alias
///   AddMember     → ifconfig <bridge> addm <member>
///   LinkUp        → ifconfig <if> up
///   RemoveMember  → ifconfig <bridge> deletem <member>
///   DestroyLink   → ifconfig <if> destroy
///   SetForwarding → sysctl net.inet.ip.forwarding=0|1 (IPv6: net.inet6.ip6.forwarding)
///   AddRoute      → route add -net|-inet6 <to> <via>
///   DelRoute      → route delete -net|-inet6 <to> <via>
/// (AddAddress of an IPv6 address: ifconfig <if> inet6 <addr>/<len> alias)
std::vector<std::string> dragonfly_argv(const topology::HostStep& step);

/// Linux: the iproute2 command equivalent to `step`:
///   LoadModule    → modprobe bridge | modprobe tun (if_bridge/if_tap are
///                   translated; other names pass through)
///   EnableVkernel → {} (nothing to do on Linux)
///   CreateBridge  → ip link add <if> type bridge
///   CreateTap     → ip tuntap add dev <if> mode tap
///   AddAddress    → ip addr add <addr>/<len> dev <if>
///   AddMember     → ip link set <member> master <bridge>
///   LinkUp        → ip link set <if> up
///   RemoveMember  → ip link set <member> nomaster
///   DestroyLink   → ip link del <if>
///   SetForwarding → sysctl -w net.ipv4.ip_forward=0|1 (IPv6: net.ipv6.conf.all.forwarding)
///   AddRoute      → ip route add <to> via <via>
///   DelRoute      → ip route del <to> via <via>
std::vector<std::string> linux_ip_argv(const topology::HostStep& step);

/// The Linux kernel module behind a LoadModule name: "if_bridge"/"bridge"
/// → "bridge", "if_tap"/"if_tun"/"tap"/"tun" → "tun", others unchanged.
std::string linux_module(const std::string& module);

/// "create tap tap3 (r1 vke0)": a step as words, for messages.
std::string describe(const topology::HostStep& step);

}  // namespace vklab::netsetup
