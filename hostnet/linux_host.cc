#include "hostnet/linux_host.h"

#include <fcntl.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <netlink/route/nexthop.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>

namespace vklab::hostnet {
namespace {

constexpr const char* kTunDevice = "/dev/net/tun";
constexpr const char* kModuleHint = "load the modules with `modprobe bridge tun`";

/// libnl folds errno values into its own NLE_* codes; give back the errno
/// wording for the ones a link operation meets.
std::string nl_text(int err) {
  switch (std::abs(err)) {
    case NLE_EXIST: return std::strerror(EEXIST);
    case NLE_NODEV: return std::strerror(ENODEV);
    case NLE_OBJ_NOTFOUND: return std::strerror(ENOENT);
    case NLE_PERM: return std::strerror(EPERM);
    case NLE_NOACCESS: return std::strerror(EACCES);
    case NLE_OPNOTSUPP: return std::strerror(EOPNOTSUPP);
    case NLE_BUSY: return std::strerror(EBUSY);
    case NLE_INVAL: return std::strerror(EINVAL);
    case NLE_RANGE: return std::strerror(ERANGE);
    case NLE_NOMEM: return std::strerror(ENOBUFS);
    case NLE_NOADDR: return std::strerror(EADDRNOTAVAIL);
    case NLE_AF_NOSUPPORT: return std::strerror(EAFNOSUPPORT);
    default: return nl_geterror(err);
  }
}

Error fail(const std::string& object, int nlerr) {
  return make_error(object + ": " + nl_text(nlerr));
}

Error fail_errno(const std::string& object, const std::string& what, int e) {
  return make_error(object + ": " + what + ": " + std::strerror(e));
}

bool is_missing(int nlerr) {
  int e = std::abs(nlerr);
  return e == NLE_NODEV || e == NLE_OBJ_NOTFOUND;
}

/// Owns a libnl object and puts it back.
struct LinkPtr {
  rtnl_link* p = nullptr;
  ~LinkPtr() { if (p) rtnl_link_put(p); }
};
struct CachePtr {
  nl_cache* p = nullptr;
  ~CachePtr() { if (p) nl_cache_free(p); }
};
struct Fd {
  int fd = -1;
  ~Fd() { if (fd >= 0) close(fd); }
};

/// What one RTM_SETLINK changes; unset fields are left alone.
struct LinkChange {
  std::optional<std::string> alias;
  std::optional<uint32_t> group;
  std::optional<uint32_t> master;  ///< 0 = no master
  std::optional<bool> up;

  static LinkChange tag(std::string a, uint32_t g) {
    LinkChange c;
    c.alias = std::move(a);
    c.group = g;
    return c;
  }
  static LinkChange set_master(uint32_t m) {
    LinkChange c;
    c.master = m;
    return c;
  }
  static LinkChange set_up(bool u) {
    LinkChange c;
    c.up = u;
    return c;
  }
};

/// Sends RTM_SETLINK for the link called `name` (resolved by the kernel).
int send_setlink(nl_sock* sk, const std::string& name, const LinkChange& c) {
  nl_msg* msg = nlmsg_alloc_simple(RTM_SETLINK, 0);
  if (!msg) return -NLE_NOMEM;
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  if (c.up) {
    ifi.ifi_change = IFF_UP;
    ifi.ifi_flags = *c.up ? IFF_UP : 0;
  }
  int err = nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO);
  if (!err) err = nla_put_string(msg, IFLA_IFNAME, name.c_str());
  if (!err && c.alias) err = nla_put_string(msg, IFLA_IFALIAS, c.alias->c_str());
  if (!err && c.group) err = nla_put_u32(msg, IFLA_GROUP, *c.group);
  if (!err && c.master) err = nla_put_u32(msg, IFLA_MASTER, *c.master);
  if (err) {
    nlmsg_free(msg);
    return err;
  }
  return nl_send_sync(sk, msg);  // frees msg
}

/// RTM_DELLINK for a name (group == 0) or a whole group (name empty).
int send_dellink(nl_sock* sk, const std::string& name, uint32_t group) {
  nl_msg* msg = nlmsg_alloc_simple(RTM_DELLINK, 0);
  if (!msg) return -NLE_NOMEM;
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  int err = nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO);
  if (!err && !name.empty()) err = nla_put_string(msg, IFLA_IFNAME, name.c_str());
  if (!err && group != 0) err = nla_put_u32(msg, IFLA_GROUP, group);
  if (err) {
    nlmsg_free(msg);
    return err;
  }
  return nl_send_sync(sk, msg);
}

int send_newaddr(nl_sock* sk, int ifindex, const Ipv4Prefix& a) {
  nl_msg* msg = nlmsg_alloc_simple(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  if (!msg) return -NLE_NOMEM;
  ifaddrmsg ifa{};
  ifa.ifa_family = AF_INET;
  ifa.ifa_prefixlen = static_cast<unsigned char>(a.len);
  ifa.ifa_index = static_cast<unsigned>(ifindex);
  uint32_t be = htonl(a.addr.value);
  int err = nlmsg_append(msg, &ifa, sizeof ifa, NLMSG_ALIGNTO);
  if (!err) err = nla_put(msg, IFA_LOCAL, sizeof be, &be);
  if (!err) err = nla_put(msg, IFA_ADDRESS, sizeof be, &be);
  if (err) {
    nlmsg_free(msg);
    return err;
  }
  return nl_send_sync(sk, msg);
}

/// RTM_NEWADDR of an address of either family (bytes in network order).
int send_newaddr6(nl_sock* sk, int ifindex, const IpPrefix& a) {
  nl_msg* msg = nlmsg_alloc_simple(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  if (!msg) return -NLE_NOMEM;
  ifaddrmsg ifa{};
  ifa.ifa_family = static_cast<unsigned char>(a.addr.af());
  ifa.ifa_prefixlen = static_cast<unsigned char>(a.len);
  ifa.ifa_index = static_cast<unsigned>(ifindex);
  ifa.ifa_flags = a.addr.v6() ? IFA_F_NODAD : 0;
  const int n = a.addr.bits() / 8;
  int err = nlmsg_append(msg, &ifa, sizeof ifa, NLMSG_ALIGNTO);
  if (!err) err = nla_put(msg, IFA_LOCAL, n, a.addr.bytes.data());
  if (!err) err = nla_put(msg, IFA_ADDRESS, n, a.addr.bytes.data());
  if (err) {
    nlmsg_free(msg);
    return err;
  }
  return nl_send_sync(sk, msg);
}

struct NlAddrFree {
  void operator()(nl_addr* a) const { nl_addr_put(a); }
};
struct RouteFree {
  void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};

/// A main-table unicast route to `to` via `via`, as libnl objects.
std::unique_ptr<rtnl_route, RouteFree> make_route(const IpPrefix& to, const IpAddr& via) {
  std::unique_ptr<rtnl_route, RouteFree> r(rtnl_route_alloc());
  if (!r) return r;
  const int n = to.addr.bits() / 8;
  std::unique_ptr<nl_addr, NlAddrFree> dst(nl_addr_build(to.addr.af(), to.addr.bytes.data(), n));
  std::unique_ptr<nl_addr, NlAddrFree> gw(nl_addr_build(via.af(), via.bytes.data(), via.bits() / 8));
  if (!dst || !gw) return {};
  nl_addr_set_prefixlen(dst.get(), to.len);
  rtnl_route_set_family(r.get(), static_cast<uint8_t>(to.addr.af()));
  rtnl_route_set_table(r.get(), RT_TABLE_MAIN);
  rtnl_route_set_scope(r.get(), RT_SCOPE_UNIVERSE);
  rtnl_route_set_type(r.get(), RTN_UNICAST);
  rtnl_route_set_protocol(r.get(), RTPROT_STATIC);
  if (rtnl_route_set_dst(r.get(), dst.get()) < 0) return {};
  rtnl_nexthop* nh = rtnl_route_nh_alloc();
  if (!nh) return {};
  rtnl_route_nh_set_gateway(nh, gw.get());
  rtnl_route_add_nexthop(r.get(), nh);  // the route owns nh now
  return r;
}

std::string forwarding_path(int family) {
  return family == 6 ? "/proc/sys/net/ipv6/conf/all/forwarding" : "/proc/sys/net/ipv4/ip_forward";
}

/// The link's fields that need no other lookup (master stays an ifindex).
LinkInfo to_info(rtnl_link* l) {
  LinkInfo info;
  if (const char* n = rtnl_link_get_name(l)) info.name = n;
  info.ifindex = rtnl_link_get_ifindex(l);
  if (const char* t = rtnl_link_get_type(l)) info.kind = t;
  if (const char* a = rtnl_link_get_ifalias(l)) info.alias = a;
  info.up = rtnl_link_get_flags(l) & IFF_UP;
  info.group = rtnl_link_get_group(l);
  if (nl_addr* hw = rtnl_link_get_addr(l); hw && nl_addr_get_len(hw) == 6) {
    Mac m;
    std::memcpy(m.bytes.data(), nl_addr_get_binary_addr(hw), 6);
    info.mac = m;
  }
  return info;
}

using AddressMap = std::map<int, std::vector<Ipv4Prefix>>;

/// What an address dump collects: the IPv4 addresses of `ifindex` (or of
/// every link when 0).
struct AddressDump {
  int ifindex = 0;
  AddressMap out;
};

void collect_address(nl_object* o, void* arg) {
  auto* d = static_cast<AddressDump*>(arg);
  auto* a = reinterpret_cast<rtnl_addr*>(o);
  if (rtnl_addr_get_family(a) != AF_INET) return;
  if (d->ifindex > 0 && rtnl_addr_get_ifindex(a) != d->ifindex) return;
  nl_addr* local = rtnl_addr_get_local(a);
  if (!local || nl_addr_get_len(local) != 4) return;
  uint32_t be;
  std::memcpy(&be, nl_addr_get_binary_addr(local), 4);
  d->out[rtnl_addr_get_ifindex(a)].push_back(Ipv4Prefix{Ipv4{ntohl(be)}, rtnl_addr_get_prefixlen(a)});
}

int parse_address_message(nl_msg* m, void* arg) {
  nl_msg_parse(m, collect_address, arg);  // route/addr's parser makes the rtnl_addr
  return NL_OK;
}

/// IPv4 addresses per ifindex, from one RTM_GETADDR dump of AF_INET only:
/// of every link (ifindex 0), or of one. For one link the kernel filters the
/// dump itself (strict checking, Linux >= 4.20), so asking about one tap
/// costs the same however many links the namespace holds; older kernels
/// send every address and collect_address keeps the link's own.
Result<AddressMap> dump_addresses(nl_sock* sk, int ifindex = 0) {
  AddressDump dump{ifindex, {}};
  const int fd = nl_socket_get_fd(sk);
  int on = 1;
  // Strict checking applies to every dump of the socket, and libnl's link
  // dump has a header it would refuse: on for this request only.
  const bool strict = ifindex > 0 && setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &on, sizeof on) == 0;
  ifaddrmsg req{};
  req.ifa_family = AF_INET;
  req.ifa_index = strict ? static_cast<unsigned>(ifindex) : 0;
  int err = nl_send_simple(sk, RTM_GETADDR, NLM_F_DUMP, &req, sizeof req);
  if (err >= 0) {
    nl_cb* base = nl_socket_get_cb(sk);
    nl_cb* cb = nl_cb_clone(base);
    nl_cb_put(base);
    if (!cb) {
      err = -NLE_NOMEM;
    } else {
      nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, parse_address_message, &dump);
      err = nl_recvmsgs(sk, cb);
      nl_cb_put(cb);
    }
  }
  if (strict) {
    int off = 0;
    setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &off, sizeof off);
  }
  if (err < 0) return fail("addresses", err);
  return std::move(dump.out);
}

bool name_fits(const std::string& name) { return !name.empty() && name.size() < IFNAMSIZ; }

}  // namespace

uint32_t link_group(std::string_view tag) {
  uint32_t h = 2166136261u;
  for (unsigned char c : tag) {
    h ^= c;
    h *= 16777619u;
  }
  return 0x564B0000u | (h & 0xFFFFu);
}

Result<std::unique_ptr<LinuxHost>> LinuxHost::open() {
  nl_sock* sk = nl_socket_alloc();
  if (!sk) return make_error("netlink: cannot allocate a socket");
  if (int err = nl_connect(sk, NETLINK_ROUTE); err < 0) {
    nl_socket_free(sk);
    return fail("netlink", err);
  }
  nl_socket_set_buffer_size(sk, 1 << 20, 1 << 20);
  return std::unique_ptr<LinuxHost>(new LinuxHost(sk));
}

LinuxHost::~LinuxHost() { nl_socket_free(sk_); }

Status LinuxHost::check_modules() {
  if (modules_checked_) return {};
  Fd tun{::open(kTunDevice, O_RDWR | O_CLOEXEC)};
  if (tun.fd < 0) {
    int e = errno;
    return make_error(std::string("tun: cannot open ") + kTunDevice + ": " + std::strerror(e) +
                      " (tap support missing: " + kModuleHint +
                      (e == ENOENT ? ", or `mknod /dev/net/tun c 10 200`" : "") + ")");
  }
  if (access("/sys/module/bridge", F_OK) != 0) {
    // Not loaded (or built in without a sysfs entry): a creation probe
    // loads it on demand, or proves it is missing.
    std::string probe = "vkprobe" + std::to_string(getpid() % 100000);
    LinkPtr l{rtnl_link_alloc()};
    rtnl_link_set_name(l.p, probe.c_str());
    rtnl_link_set_type(l.p, "bridge");
    if (int err = rtnl_link_add(sk_, l.p, NLM_F_CREATE | NLM_F_EXCL); err < 0)
      return make_error("bridge: cannot create a bridge: " + nl_text(err) +
                        " (bridge support missing: " + kModuleHint + ")");
    send_dellink(sk_, probe, 0);
  }
  modules_checked_ = true;
  return {};
}

Status LinuxHost::load_module(const std::string&) { return check_modules(); }

Status LinuxHost::enable_vkernel() { return {}; }

Status LinuxHost::tag_link(const std::string& name, const std::string& tag) {
  if (tag.empty()) return {};
  if (int err = send_setlink(sk_, name, LinkChange::tag(tag, link_group(tag))); err < 0)
    return make_error(name + ": cannot set alias: " + nl_text(err));
  return {};
}

Status LinuxHost::create_bridge(const std::string& name, const std::string& tag) {
  if (!name_fits(name)) return make_error(name + ": invalid interface name");
  LinkPtr l{rtnl_link_alloc()};
  if (!l.p) return make_error(name + ": out of memory");
  rtnl_link_set_name(l.p, name.c_str());
  if (int err = rtnl_link_set_type(l.p, "bridge"); err < 0) return fail(name, err);
  if (!tag.empty()) rtnl_link_set_group(l.p, link_group(tag));
  if (int err = rtnl_link_add(sk_, l.p, NLM_F_CREATE | NLM_F_EXCL); err < 0) {
    if (std::abs(err) == NLE_OPNOTSUPP)
      return make_error(name + ": " + nl_text(err) + " (bridge support missing: " + kModuleHint + ")");
    return fail(name, err);
  }
  if (Status s = tag_link(name, tag); !s) {
    send_dellink(sk_, name, 0);
    return s;
  }
  return {};
}

Status LinuxHost::create_tap(const std::string& name, const std::string& tag) {
  if (!name_fits(name)) return make_error(name + ": invalid interface name");
  // TUNSETIFF attaches to an existing persistent tap instead of failing,
  // so an existing name has to be caught first.
  LinkPtr existing;
  int err = rtnl_link_get_kernel(sk_, 0, name.c_str(), &existing.p);
  if (err >= 0) return make_error(name + ": " + std::strerror(EEXIST));
  if (!is_missing(err)) return fail(name, err);

  Fd tun{::open(kTunDevice, O_RDWR | O_CLOEXEC)};
  if (tun.fd < 0)
    return make_error(name + ": cannot open " + kTunDevice + ": " + std::strerror(errno) + " (" +
                      kModuleHint + ")");
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name.c_str(), name.size());
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  if (ioctl(tun.fd, TUNSETIFF, &ifr) < 0) return fail_errno(name, "TUNSETIFF", errno);
  if (ioctl(tun.fd, TUNSETPERSIST, 1) < 0) return fail_errno(name, "TUNSETPERSIST", errno);
  if (Status s = tag_link(name, tag); !s) {
    ioctl(tun.fd, TUNSETPERSIST, 0);  // closing the fd then removes it
    return s;
  }
  return {};
}

Result<int> LinuxHost::ifindex_of(const std::string& name) {
  LinkPtr l;
  if (int err = rtnl_link_get_kernel(sk_, 0, name.c_str(), &l.p); err < 0) {
    if (is_missing(err)) return make_error(name + ": " + std::strerror(ENODEV));
    return fail(name, err);
  }
  return rtnl_link_get_ifindex(l.p);
}

Status LinuxHost::add_member(const std::string& bridge, const std::string& member) {
  auto idx = ifindex_of(bridge);
  if (!idx) return idx.error();
  if (int err = send_setlink(sk_, member, LinkChange::set_master(static_cast<uint32_t>(*idx))); err < 0)
    return make_error(member + ": cannot join " + bridge + ": " + nl_text(err));
  return {};
}

Status LinuxHost::remove_member(const std::string& bridge, const std::string& member) {
  auto m = find(member);
  if (!m) return m.error();
  if (!*m || (*m)->master != bridge) return {};
  if (int err = send_setlink(sk_, member, LinkChange::set_master(0)); err < 0) {
    if (is_missing(err)) return {};
    return make_error(member + ": cannot leave " + bridge + ": " + nl_text(err));
  }
  return {};
}

Status LinuxHost::set_up(const std::string& name, bool up) {
  if (int err = send_setlink(sk_, name, LinkChange::set_up(up)); err < 0) return fail(name, err);
  return {};
}

Status LinuxHost::add_address(const std::string& name, const Ipv4Prefix& address) {
  auto idx = ifindex_of(name);
  if (!idx) return idx.error();
  int err = send_newaddr(sk_, *idx, address);
  if (err < 0 && std::abs(err) != NLE_EXIST)
    return make_error(name + ": cannot add " + address.str() + ": " + nl_text(err));
  return {};
}

Status LinuxHost::add_address6(const std::string& name, const IpPrefix& address) {
  auto idx = ifindex_of(name);
  if (!idx) return idx.error();
  int err = send_newaddr6(sk_, *idx, address);
  if (err < 0 && std::abs(err) != NLE_EXIST)
    return make_error(name + ": cannot add " + address.str() + ": " + nl_text(err));
  return {};
}

Result<bool> LinuxHost::add_route(const IpPrefix& to, const IpAddr& via) {
  const std::string what = "route to " + to.str() + " via " + via.str();
  auto r = make_route(to, via);
  if (!r) return make_error(what + ": " + nl_text(-NLE_NOMEM));
  int err = rtnl_route_add(sk_, r.get(), NLM_F_EXCL);
  if (err >= 0) return true;
  if (std::abs(err) == NLE_EXIST) return false;
  return make_error(what + ": " + nl_text(err));
}

Status LinuxHost::del_route(const IpPrefix& to, const IpAddr& via) {
  const std::string what = "route to " + to.str() + " via " + via.str();
  auto r = make_route(to, via);
  if (!r) return make_error(what + ": " + nl_text(-NLE_NOMEM));
  int err = rtnl_route_delete(sk_, r.get(), 0);
  // ESRCH comes back as NLE_OBJ_NOTFOUND: gone with its link, or removed.
  if (err < 0 && !is_missing(err) && std::abs(err) != NLE_NOADDR) return make_error(what + ": " + nl_text(err));
  return {};
}

Result<bool> LinuxHost::forwarding(int family) {
  const std::string path = forwarding_path(family);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail_errno(path, "cannot open", errno);
  char c = 0;
  ssize_t n = ::read(fd, &c, 1);
  int e = errno;
  ::close(fd);
  if (n != 1) return fail_errno(path, "cannot read", n < 0 ? e : EIO);
  return c == '1';
}

Status LinuxHost::set_forwarding(int family, bool on) {
  const std::string path = forwarding_path(family);
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fail_errno(path, "cannot open", errno);
  const char* v = on ? "1\n" : "0\n";
  ssize_t n = ::write(fd, v, 2);
  int e = errno;
  ::close(fd);
  if (n != 2) return fail_errno(path, "cannot write", n < 0 ? e : EIO);
  return {};
}

Status LinuxHost::destroy(const std::string& name) {
  int err = send_dellink(sk_, name, 0);
  if (err < 0 && !is_missing(err)) return fail(name, err);
  return {};
}

Status LinuxHost::destroy_group(uint32_t group) {
  if (group == 0) return make_error("link group 0: refusing to delete the default group");
  int err = send_dellink(sk_, "", group);
  if (err < 0 && !is_missing(err))
    return make_error("link group " + std::to_string(group) + ": " + nl_text(err));
  return {};
}

Result<std::optional<LinkInfo>> LinuxHost::find(const std::string& name) {
  if (!name_fits(name)) return std::optional<LinkInfo>{};
  LinkPtr l;
  if (int err = rtnl_link_get_kernel(sk_, 0, name.c_str(), &l.p); err < 0) {
    if (is_missing(err)) return std::optional<LinkInfo>{};
    return fail(name, err);
  }
  LinkInfo info = to_info(l.p);
  if (int master = rtnl_link_get_master(l.p); master > 0) {
    LinkPtr m;
    if (rtnl_link_get_kernel(sk_, master, nullptr, &m.p) >= 0)
      if (const char* n = rtnl_link_get_name(m.p)) info.master = n;
  }
  auto addrs = dump_addresses(sk_, info.ifindex);
  if (!addrs) return addrs.error();
  if (auto it = addrs->find(info.ifindex); it != addrs->end()) info.addresses = it->second;
  return std::optional<LinkInfo>{std::move(info)};
}

Result<std::vector<LinkInfo>> LinuxHost::list() {
  CachePtr cache;
  if (int err = rtnl_link_alloc_cache(sk_, AF_UNSPEC, &cache.p); err < 0) return fail("links", err);
  auto addrs = dump_addresses(sk_);
  if (!addrs) return addrs.error();
  std::vector<LinkInfo> out;
  std::map<int, std::string> names;
  std::vector<int> masters;
  for (nl_object* o = nl_cache_get_first(cache.p); o; o = nl_cache_get_next(o)) {
    auto* l = reinterpret_cast<rtnl_link*>(o);
    out.push_back(to_info(l));
    names[out.back().ifindex] = out.back().name;
    masters.push_back(rtnl_link_get_master(l));
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (masters[i] > 0) out[i].master = names[masters[i]];
    if (auto it = addrs->find(out[i].ifindex); it != addrs->end()) out[i].addresses = it->second;
  }
  return out;
}

Result<int> LinuxHost::destroy_tagged(const std::string& tag) {
  if (tag.empty()) return make_error("destroy_tagged: empty tag");
  auto links = list();
  if (!links) return links.error();
  const uint32_t group = link_group(tag);
  std::vector<std::string> ours, loose;
  bool group_is_ours = true;
  for (const LinkInfo& l : *links) {
    bool mine = l.alias == tag;
    if (l.group == group && !mine) group_is_ours = false;
    if (mine) (l.group == group ? ours : loose).push_back(l.name);
  }
  int deleted = 0;
  if (!ours.empty()) {
    if (group_is_ours) {
      if (Status s = destroy_group(group); !s) return s.error();
      deleted += static_cast<int>(ours.size());
    } else {
      loose.insert(loose.end(), ours.begin(), ours.end());
    }
  }
  for (const std::string& name : loose) {
    if (Status s = destroy(name); !s) return s.error();
    ++deleted;
  }
  return deleted;
}

}  // namespace vklab::hostnet
