// The vke data path: frames between each host tap and its vkeN.
//
// Like vke(4), one frame per read()/write(); unlike it, a "frame" may be a
// whole GSO segment (up to 64 KB) because both taps carry a virtio-net
// header (tapdev.h): the bytes cross the guest process once, unsegmented.
//
// One thread drives every interface in both directions: edge-triggered
// epoll over the non-blocking tap fds, each readable source drained in
// bursts (round-robin between sources), every frame read straight into the
// one buffer it is written from (no per-frame allocation, no second copy).
// One thread rather than one per direction: on a small machine the two
// directions of a flow (data one way, ACKs or replies the other) are then
// moved without waking a second thread, and a reply that the guest's stack
// produces while we write the request is picked up before we sleep.
// Backpressure: a write that would block (EAGAIN) keeps its frame and stops
// reading that source until the destination is writable again; only a frame
// the destination refuses (interface down, bad frame) is dropped and counted.
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
#include "guest/tapdev.h"

namespace vklab::vkernel {

/// Counters of one direction of one vkeN; written by the data path thread
/// only, read by anyone.
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

/// The data path thread over a set of Vke. The Vke objects must outlive it.
class Datapath {
 public:
  explicit Datapath(std::vector<Vke*> vkes);
  ~Datapath();
  Datapath(const Datapath&) = delete;
  Datapath& operator=(const Datapath&) = delete;

  /// Starts the thread (nothing to do without interfaces).
  Status start();
  /// Stops and joins the thread. Idempotent.
  void stop();

 private:
  struct Loop;
  std::vector<Vke*> vkes_;
  std::unique_ptr<Loop> loop_;
};

}  // namespace vklab::vkernel
