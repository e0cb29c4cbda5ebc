#include "guest/tapdev.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vklab::vkernel {
namespace {

constexpr unsigned kOffloads = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;

Error fail(const std::string& name, const char* what, int err) {
  std::string msg = name + ": " + what + ": " + std::strerror(err);
  if (err == EBUSY) msg += " (attached to another process?)";
  if (err == EINVAL && std::string_view(what) == "TUNSETIFF") msg += " (not a tap?)";
  return make_error(msg);
}

}  // namespace

TapFd::~TapFd() {
  if (fd_ >= 0) ::close(fd_);
}

TapFd::TapFd(TapFd&& o) noexcept : fd_(o.fd_), name_(std::move(o.name_)), created_(o.created_) {
  o.fd_ = -1;
}

TapFd& TapFd::operator=(TapFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    name_ = std::move(o.name_);
    created_ = o.created_;
    o.fd_ = -1;
  }
  return *this;
}

Result<TapFd> TapFd::open(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ) return make_error(name + ": invalid tap name");
  TapFd t;
  t.created_ = name.find('%') != std::string::npos || if_nametoindex(name.c_str()) == 0;
  t.fd_ = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (t.fd_ < 0) return fail(name, "/dev/net/tun", errno);
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name.data(), name.size());
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
  if (ioctl(t.fd_, TUNSETIFF, &ifr) < 0) return fail(name, "TUNSETIFF", errno);
  t.name_ = ifr.ifr_name;
  int hdr = kVnetHdrSize;
  if (ioctl(t.fd_, TUNSETVNETHDRSZ, &hdr) < 0) return fail(t.name_, "TUNSETVNETHDRSZ", errno);
  if (Status s = t.set_offloads(true); !s) return s.error();
  return t;
}

int TapFd::unit() const {
  size_t i = name_.size();
  while (i > 0 && name_[i - 1] >= '0' && name_[i - 1] <= '9') --i;
  if (i == name_.size()) return -1;
  return std::atoi(name_.c_str() + i);
}

Result<Mac> TapFd::mac() const {
  ifreq ifr{};
  if (ioctl(fd_, SIOCGIFHWADDR, &ifr) < 0) return fail(name_, "SIOCGIFHWADDR", errno);
  Mac m;
  std::memcpy(m.bytes.data(), ifr.ifr_hwaddr.sa_data, 6);
  return m;
}

Status TapFd::set_mac(const Mac& mac) const {
  ifreq ifr{};
  ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
  std::memcpy(ifr.ifr_hwaddr.sa_data, mac.bytes.data(), 6);
  if (ioctl(fd_, SIOCSIFHWADDR, &ifr) < 0) return fail(name_, "SIOCSIFHWADDR", errno);
  return {};
}

Status TapFd::set_carrier(bool on) const {
  int v = on ? 1 : 0;
  if (ioctl(fd_, TUNSETCARRIER, &v) < 0) return fail(name_, "TUNSETCARRIER", errno);
  return {};
}

Status TapFd::set_offloads(bool on) const {
  if (ioctl(fd_, TUNSETOFFLOAD, on ? kOffloads : 0u) < 0) return fail(name_, "TUNSETOFFLOAD", errno);
  return {};
}

Mac guest_mac(const Mac& tap_mac) {
  Mac m = tap_mac;
  m.bytes[1] = static_cast<uint8_t>(m.bytes[1] + 1);
  return m;
}

}  // namespace vklab::vkernel
