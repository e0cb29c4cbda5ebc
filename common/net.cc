#include "common/net.h"

#include <arpa/inet.h>

#include <cstdio>

namespace vklab {

std::optional<Ipv4> Ipv4::parse(std::string_view s) {
  if (s.empty() || s.size() > 15) return std::nullopt;
  std::string z(s);
  in_addr a{};
  if (inet_pton(AF_INET, z.c_str(), &a) != 1) return std::nullopt;
  return Ipv4{ntohl(a.s_addr)};
}

std::string Ipv4::str() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", value >> 24, (value >> 16) & 255,
                (value >> 8) & 255, value & 255);
  return buf;
}

std::optional<Ipv4Prefix> Ipv4Prefix::parse(std::string_view s) {
  auto slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto a = Ipv4::parse(s.substr(0, slash));
  auto n = s.substr(slash + 1);
  if (!a || n.empty() || n.size() > 2) return std::nullopt;
  int len = 0;
  for (char c : n) {
    if (c < '0' || c > '9') return std::nullopt;
    len = len * 10 + (c - '0');
  }
  if (len > 32) return std::nullopt;
  return Ipv4Prefix{*a, len};
}

std::string Ipv4Prefix::str() const { return addr.str() + "/" + std::to_string(len); }

bool Ipv4Prefix::is_host_address() const {
  if (len >= 31) return true;
  return addr != network() && addr != broadcast();
}

std::optional<Mac> Mac::parse(std::string_view s) {
  if (s.size() != 17) return std::nullopt;
  Mac m;
  for (int i = 0; i < 6; ++i) {
    if (i > 0 && s[i * 3 - 1] != ':') return std::nullopt;
    int v = 0;
    for (int j = 0; j < 2; ++j) {
      char c = s[i * 3 + j];
      int d = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (d < 0) return std::nullopt;
      v = v * 16 + d;
    }
    m.bytes[i] = static_cast<uint8_t>(v);
  }
  return m;
}

std::string Mac::str() const {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2],
                bytes[3], bytes[4], bytes[5]);
  return buf;
}

}  // namespace vklab
