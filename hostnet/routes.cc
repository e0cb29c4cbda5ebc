#include "hostnet/routes.h"

#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <thread>

namespace vklab::hostnet {
namespace {

struct Sock {
  nl_sock* p = nl_socket_alloc();
  ~Sock() { if (p) nl_socket_free(p); }
};
struct Cache {
  nl_cache* p = nullptr;
  ~Cache() { if (p) nl_cache_free(p); }
};

std::optional<IpAddr> to_ip(nl_addr* a) {
  if (!a) return std::nullopt;
  return IpAddr::from_bytes(nl_addr_get_binary_addr(a), nl_addr_get_len(a));
}

const char* type_name(int t) {
  switch (t) {
    case RTN_UNICAST: return "unicast";
    case RTN_BLACKHOLE: return "blackhole";
    case RTN_UNREACHABLE: return "unreachable";
    case RTN_PROHIBIT: return "prohibit";
    case RTN_LOCAL: return "local";
    case RTN_BROADCAST: return "broadcast";
    case RTN_MULTICAST: return "multicast";
    default: return "other";
  }
}

struct Walk {
  std::map<int, std::string> names;  // ifindex → name
  NetState* out;
};

void add_route(nl_object* o, void* arg) {
  auto* w = static_cast<Walk*>(arg);
  auto* r = reinterpret_cast<rtnl_route*>(o);
  if (rtnl_route_get_table(r) != RT_TABLE_MAIN) return;
  int family = rtnl_route_get_family(r);
  if (family != AF_INET && family != AF_INET6) return;
  Route route;
  nl_addr* dst = rtnl_route_get_dst(r);
  auto d = to_ip(dst);
  if (!d) d = *IpAddr::parse(family == AF_INET ? "0.0.0.0" : "::");  // a default route has none
  route.dst = IpPrefix{*d, dst ? static_cast<int>(nl_addr_get_prefixlen(dst)) : 0};
  route.proto = rtnl_route_get_protocol(r);
  route.type = type_name(rtnl_route_get_type(r));
  route.metric = static_cast<int>(rtnl_route_get_priority(r));
  for (int i = 0, n = rtnl_route_get_nnexthops(r); i < n; ++i) {
    rtnl_nexthop* nh = rtnl_route_nexthop_n(r, i);
    NextHop hop;
    if (auto gw = to_ip(rtnl_route_nh_get_gateway(nh))) hop.via = gw->str();
    if (auto it = w->names.find(rtnl_route_nh_get_ifindex(nh)); it != w->names.end()) hop.dev = it->second;
    route.hops.push_back(std::move(hop));
  }
  w->out->routes.push_back(std::move(route));
}

void add_address(nl_object* o, void* arg) {
  auto* w = static_cast<Walk*>(arg);
  auto* a = reinterpret_cast<rtnl_addr*>(o);
  auto local = to_ip(rtnl_addr_get_local(a));
  if (!local) return;
  Address addr;
  if (auto it = w->names.find(rtnl_addr_get_ifindex(a)); it != w->names.end()) addr.dev = it->second;
  addr.local = IpPrefix{*local, rtnl_addr_get_prefixlen(a)};
  w->out->addresses.push_back(std::move(addr));
}

void add_link(nl_object* o, void* arg) {
  auto* w = static_cast<Walk*>(arg);
  auto* l = reinterpret_cast<rtnl_link*>(o);
  if (const char* n = rtnl_link_get_name(l)) w->names[rtnl_link_get_ifindex(l)] = n;
}

Error nl_fail(const char* what, int err) { return make_error(std::string(what) + ": " + nl_geterror(err)); }

}  // namespace

Result<NetState> read_net_state() {
  Sock sk;
  if (!sk.p) return make_error("netlink: cannot allocate a socket");
  if (int e = nl_connect(sk.p, NETLINK_ROUTE); e < 0) return nl_fail("netlink", e);
  NetState st;
  Walk w{{}, &st};
  Cache links, addrs, routes;
  if (int e = rtnl_link_alloc_cache(sk.p, AF_UNSPEC, &links.p); e < 0) return nl_fail("links", e);
  nl_cache_foreach(links.p, add_link, &w);
  if (int e = rtnl_addr_alloc_cache(sk.p, &addrs.p); e < 0) return nl_fail("addresses", e);
  nl_cache_foreach(addrs.p, add_address, &w);
  for (int family : {AF_INET, AF_INET6}) {
    Cache c;
    if (int e = rtnl_route_alloc_cache(sk.p, family, 0, &c.p); e < 0) return nl_fail("routes", e);
    nl_cache_foreach(c.p, add_route, &w);
  }
  return st;
}

Result<NetState> read_netns(const std::string& netns) {
  int fd = ::open(netns.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(netns + ": " + std::strerror(errno));
  Result<NetState> out = make_error("");
  // setns(CLONE_NEWNET) moves only the calling thread: a thread of its own
  // enters, reads and ends, so no other thread ever runs in the guest's
  // namespace.
  std::thread t([&] {
    if (::setns(fd, CLONE_NEWNET) != 0) {
      out = make_error(netns + ": setns: " + std::strerror(errno));
      return;
    }
    out = read_net_state();
  });
  t.join();
  ::close(fd);
  return out;
}

}  // namespace vklab::hostnet
