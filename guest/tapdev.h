// Tap file descriptors from /dev/net/tun, as the Linux guest uses them.
//
// netsetup creates persistent taps for a lab; the guest attaches to them
// (or creates a non-persistent tap that goes away with its fd), and creates
// its own vkeN taps inside the guest's network namespace. Every fd here has
// IFF_VNET_HDR with a kVnetHdrSize header and TSO/checksum offloads, so one
// read() yields a whole GSO segment (up to 64 KB) instead of 1.5 KB frames.
#pragma once

#include <string>

#include "common/net.h"
#include "common/result.h"

namespace vklab::vkernel {

/// Size of the virtio-net header in front of every frame (virtio_net_hdr_v1).
inline constexpr int kVnetHdrSize = 12;
/// The largest read: a 64 KB GSO segment, its Ethernet header and the vnet header.
inline constexpr int kMaxFrame = 65536 + 256;

/// An open tap fd (non-blocking, close-on-exec). Closing it removes the tap
/// unless the tap is persistent.
class TapFd {
 public:
  TapFd() = default;
  ~TapFd();
  TapFd(TapFd&& o) noexcept;
  TapFd& operator=(TapFd&& o) noexcept;
  TapFd(const TapFd&) = delete;
  TapFd& operator=(const TapFd&) = delete;

  /// Attaches to tap `name` in the current network namespace, creating a
  /// non-persistent one when none exists. `name` may hold "%d" ("tap%d" =
  /// the first free unit). Errors name the tap ("tap0: Device or resource
  /// busy (attached to another process?)").
  static Result<TapFd> open(const std::string& name);

  int fd() const { return fd_; }
  /// The kernel's name ("tap3" for "tap%d").
  const std::string& name() const { return name_; }
  /// False when the tap existed before (a persistent tap from netsetup).
  bool created() const { return created_; }
  /// N of tapN, -1 when the name has no trailing number.
  int unit() const;

  Result<Mac> mac() const;
  Status set_mac(const Mac& mac) const;
  /// TUNSETCARRIER: off = NO-CARRIER (an unplugged cable), on = back.
  Status set_carrier(bool on) const;
  /// TUNSETOFFLOAD: on = the checksum and TSO offloads open() sets (what
  /// the kernel hands this fd may be a whole GSO segment with a partial
  /// checksum); off = none (MTU-sized frames with complete checksums, as on
  /// a real wire).
  Status set_offloads(bool on) const;

 private:
  int fd_ = -1;
  std::string name_;
  bool created_ = false;
};

/// The guest's MAC for a host tap's MAC: byte 1 incremented, like vke(4).
Mac guest_mac(const Mac& tap_mac);

}  // namespace vklab::vkernel
