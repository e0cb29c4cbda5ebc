// What a network namespace holds, read over rtnetlink (libnl-route-3):
// its routes (main table) and its interface addresses, both families.
// For `vklab check` route/address checks, which read a guest's namespace
// from a thread that has entered it (read_netns), never by parsing `ip`.
//
// The table of route protocol names is plain data usable without libnl
// (the lab-file loader validates `proto:` against it).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip.h"
#include "common/result.h"

namespace vklab::hostnet {

/// rtm_protocol values and their names as `ip route` prints them: iproute2's
/// rt_protos and FRR's rt_protos.d/frr.conf (FRR's staticd routes are 196,
/// also printed "static"; the first entry of a name is its number).
struct RouteProto {
  int number;
  const char* name;
};
inline constexpr std::array<RouteProto, 30> kRouteProtos{{
    {0, "unspec"},   {1, "redirect"}, {2, "kernel"},     {3, "boot"},  {4, "static"},
    {8, "gated"},    {9, "ra"},       {10, "mrt"},       {11, "zebra"}, {12, "bird"},
    {13, "dnrouted"}, {14, "xorp"},   {15, "ntk"},       {16, "dhcp"}, {18, "keepalived"},
    {42, "babel"},   {99, "openr"},   {186, "bgp"},      {187, "isis"}, {188, "ospf"},
    {189, "rip"},    {190, "ripng"},  {191, "nhrp"},     {192, "eigrp"}, {193, "ldp"},
    {194, "sharp"},  {195, "pbr"},    {196, "static"},   {197, "openfabric"}, {198, "srte"},
}};

/// The name of protocol `number`, or the number as text.
inline std::string route_proto_name(int number) {
  for (const auto& p : kRouteProtos)
    if (p.number == number) return p.name;
  return std::to_string(number);
}

/// The number of a protocol name of kRouteProtos, or of a decimal 0..255.
inline std::optional<int> route_proto_number(std::string_view name) {
  for (const auto& p : kRouteProtos)
    if (name == p.name) return p.number;
  if (name.empty() || name.size() > 3) return std::nullopt;
  int v = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v <= 255 ? std::optional<int>(v) : std::nullopt;
}

/// One next hop of a route; either field may be empty (a connected route
/// has no gateway; a blackhole has no device).
struct NextHop {
  std::string via;  ///< the gateway, canonical text; "" = none
  std::string dev;  ///< the outgoing interface's name; "" = none
};

/// One route of the main table.
struct Route {
  IpPrefix dst;  ///< 0.0.0.0/0 or ::/0 for a default route
  int proto = 0;
  std::string type = "unicast";  ///< unicast, blackhole, unreachable, prohibit, …
  std::vector<NextHop> hops;     ///< one, or several for ECMP
  int metric = 0;
};

/// One address of an interface.
struct Address {
  std::string dev;
  IpPrefix local;  ///< the address and its prefix length
};

struct NetState {
  std::vector<Route> routes;        ///< main table, IPv4 then IPv6, kernel order
  std::vector<Address> addresses;   ///< every interface, both families
};

/// Reads the routes and addresses of the calling thread's network namespace.
Result<NetState> read_net_state();

/// Runs read_net_state() in a new thread that first enters the network
/// namespace file `netns` (e.g. "/proc/PID/ns/net") with setns(2); the
/// caller's own namespace is untouched. Safe from several threads at once.
Result<NetState> read_netns(const std::string& netns);

}  // namespace vklab::hostnet
