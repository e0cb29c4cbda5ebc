// IPv4 addresses, prefixes and MAC addresses as values.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vklab {

/// An IPv4 address in host byte order.
struct Ipv4 {
  uint32_t value = 0;

  /// Dotted quad only ("10.0.0.1"); nullopt for anything else
  /// (inet_pton AF_INET rules: no leading zeros ambiguity, 4 parts).
  static std::optional<Ipv4> parse(std::string_view s);
  std::string str() const;
  auto operator<=>(const Ipv4&) const = default;
};

/// An address with a prefix length, as written "10.0.0.1/24".
struct Ipv4Prefix {
  Ipv4 addr;
  int len = 32;

  /// "A.B.C.D/N" with 0 <= N <= 32; nullopt otherwise.
  static std::optional<Ipv4Prefix> parse(std::string_view s);
  std::string str() const;
  uint32_t mask() const { return len == 0 ? 0 : ~uint32_t{0} << (32 - len); }
  Ipv4 network() const { return Ipv4{addr.value & mask()}; }
  Ipv4 broadcast() const { return Ipv4{addr.value | ~mask()}; }
  bool contains(Ipv4 a) const { return (a.value & mask()) == network().value; }
  /// The address is neither the network nor the broadcast address
  /// (always true for /31, which has no such addresses).
  bool is_host_address() const;
  auto operator<=>(const Ipv4Prefix&) const = default;
};

struct Mac {
  std::array<uint8_t, 6> bytes{};

  /// "aa:bb:cc:dd:ee:ff" (hex, case-insensitive); nullopt otherwise.
  static std::optional<Mac> parse(std::string_view s);
  std::string str() const;
  bool is_multicast() const { return bytes[0] & 1; }
  auto operator<=>(const Mac&) const = default;
};

}  // namespace vklab
