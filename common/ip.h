// IP addresses of either family (IPv4 or IPv6) as values, for what checks
// name: a ping or tcp target, a route's prefix and gateway, an interface
// address. The lab's own interfaces stay IPv4 (net.h); this type is for
// values a guest may hold whatever the lab file configures.
//
// The text form is the canonical one of inet_ntop(3) ("10.0.0.1",
// "2001:db8::1"), so two spellings of one address compare equal as text.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vklab {

struct IpAddr {
  enum class Family : uint8_t { None, V4, V6 };
  Family family = Family::None;
  std::array<uint8_t, 16> bytes{};  ///< network order; IPv4 uses the first 4

  /// A dotted quad or an IPv6 address (inet_pton rules, no zone index,
  /// no brackets); nullopt for anything else.
  static std::optional<IpAddr> parse(std::string_view s);
  /// From 4 (IPv4) or 16 (IPv6) bytes in network order; nullopt otherwise.
  static std::optional<IpAddr> from_bytes(const void* data, size_t len);
  std::string str() const;
  bool v6() const { return family == Family::V6; }
  int bits() const { return v6() ? 128 : 32; }
  /// AF_INET or AF_INET6.
  int af() const;
  auto operator<=>(const IpAddr&) const = default;
};

/// An address with a prefix length: "10.3.0.0/24", "2001:db8:1::/64".
struct IpPrefix {
  IpAddr addr;
  int len = 0;

  /// "ADDR/N" with 0 <= N <= the family's bits; "default" is 0.0.0.0/0.
  static std::optional<IpPrefix> parse(std::string_view s);
  std::string str() const;
  /// The address with its host bits cleared.
  IpPrefix network() const;
  /// No host bits are set (a route destination as the kernel keeps it).
  bool is_network() const { return network() == *this; }
  auto operator<=>(const IpPrefix&) const = default;
};

}  // namespace vklab
