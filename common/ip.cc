#include "common/ip.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstring>

namespace vklab {

std::optional<IpAddr> IpAddr::parse(std::string_view s) {
  if (s.empty() || s.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::string z(s);
  IpAddr a;
  if (inet_pton(AF_INET, z.c_str(), a.bytes.data()) == 1) {
    a.family = Family::V4;
    return a;
  }
  if (inet_pton(AF_INET6, z.c_str(), a.bytes.data()) == 1) {
    a.family = Family::V6;
    return a;
  }
  return std::nullopt;
}

std::optional<IpAddr> IpAddr::from_bytes(const void* data, size_t len) {
  if (len != 4 && len != 16) return std::nullopt;
  IpAddr a;
  a.family = len == 4 ? Family::V4 : Family::V6;
  std::memcpy(a.bytes.data(), data, len);
  return a;
}

int IpAddr::af() const { return v6() ? AF_INET6 : AF_INET; }

std::string IpAddr::str() const {
  if (family == Family::None) return "";
  char buf[INET6_ADDRSTRLEN];
  if (!inet_ntop(af(), bytes.data(), buf, sizeof buf)) return "";
  return buf;
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view s) {
  if (s == "default") return IpPrefix{*IpAddr::parse("0.0.0.0"), 0};
  auto slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto a = IpAddr::parse(s.substr(0, slash));
  auto n = s.substr(slash + 1);
  if (!a || n.empty() || n.size() > 3) return std::nullopt;
  int len = 0;
  for (char c : n) {
    if (c < '0' || c > '9') return std::nullopt;
    len = len * 10 + (c - '0');
  }
  if (len > a->bits()) return std::nullopt;
  return IpPrefix{*a, len};
}

std::string IpPrefix::str() const { return addr.str() + "/" + std::to_string(len); }

IpPrefix IpPrefix::network() const {
  IpPrefix p = *this;
  int bytes = addr.bits() / 8;
  for (int i = 0; i < bytes; ++i) {
    int keep = len - i * 8;
    uint8_t mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : static_cast<uint8_t>(0xff << (8 - keep));
    p.addr.bytes[static_cast<size_t>(i)] &= mask;
  }
  return p;
}

}  // namespace vklab
