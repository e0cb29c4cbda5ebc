// The vke data path: frames between each host tap and its vkeN.
//
// Like vke(4), one frame per read()/write(); unlike it, a "frame" may be a
// whole GSO segment (up to 64 KB) because both taps carry a virtio-net
// header (tapdev.h): the bytes cross the guest process once, unsegmented.
// Two threads, one per direction, each drives all interfaces of its
// direction with epoll over non-blocking fds. A frame that cannot be
// written (queue full, interface down) is dropped and counted.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/net.h"
#include "common/result.h"
#include "vkernel/tapdev.h"

namespace vklab::vkernel {

/// Counters of one direction of one vkeN; each is written by one thread only.
struct FlowCounters {
  std::atomic<uint64_t> packets{0};
  std::atomic<uint64_t> bytes{0};   ///< frame bytes, without the vnet header
  std::atomic<uint64_t> drops{0};   ///< frames read but not written
};

/// One vkeN and the host tap behind it.
struct Vke {
  int index = 0;          ///< N of vkeN
  TapFd host;             ///< the host tap, in the lab's namespace
  TapFd guest;            ///< vkeN, in the guest's namespace
  std::string bridge;     ///< bridgeX the tap joined, "" if none
  std::optional<Ipv4Prefix> host_address;   ///< address1 given to the tap
  std::optional<Ipv4Prefix> guest_address;  ///< address2 given to vkeN
  Mac mac;                ///< vkeN's MAC
  FlowCounters to_guest;  ///< host tap → vkeN (vkeN receives)
  FlowCounters to_host;   ///< vkeN → host tap (vkeN transmits)
};

/// The two pump threads over a set of Vke. The Vke objects must outlive it.
class Datapath {
 public:
  explicit Datapath(std::vector<Vke*> vkes);
  ~Datapath();
  Datapath(const Datapath&) = delete;
  Datapath& operator=(const Datapath&) = delete;

  /// Starts both threads (nothing to do without interfaces).
  Status start();
  /// Stops and joins the threads. Idempotent.
  void stop();

 private:
  struct Pump;
  std::vector<Vke*> vkes_;
  std::vector<std::unique_ptr<Pump>> pumps_;
};

}  // namespace vklab::vkernel
