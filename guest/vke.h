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
//
// The link (vkernel/link.h, configure()): an impaired vke's frames from the
// guest (vkeN → host tap) go through its Shaper (guest/shaper.h) and leave
// when a timerfd says they are due. When the impairment acts per packet
// (Impairment::per_packet: loss, corruption, duplication, reordering, a
// rate below 1gbit) the guest-side tap's offloads are off meanwhile, so the
// guest's kernel hands us MTU-sized frames with complete checksums, as on a
// real wire; a delay alone keeps the 64 KB segments. While any vke is
// shaped the thread runs SCHED_OTHER, so its timers wake it on time. A vke without impairment keeps the fast path
// above, untouched. A vke whose link is down passes no frame either way
// (each is read and dropped) and both its taps have no carrier, so the
// guest sees NO-CARRIER on vkeN and the bridge a port without link.
// None of this is reachable from inside the guest.
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
#include "guest/shaper.h"
#include "guest/tapdev.h"
#include "vkernel/link.h"

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
  ShapeCounters shaped;   ///< what the shaper did to to_host (not in to_host.drops)
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

  /// Sets every vke's link: those not in `links` are up and unimpaired.
  /// Carriers and offloads change at once (in the caller's thread); the
  /// data path takes the rest before it moves its next frame (before
  /// start(): when it starts). Frames held by a shaper whose impairment is
  /// cleared leave at once; those of a link taken down are dropped. An
  /// error names the tap; the other vkes are configured all the same.
  Status configure(const std::vector<LinkConfig>& links);

 private:
  struct Loop;
  std::vector<Vke*> vkes_;
  std::unique_ptr<Loop> loop_;
  std::vector<LinkConfig> pending_;  ///< before start()
};

/// Reads the links file `path` (vkernel/link.h) and configures `dp` with
/// it. Returns what it set, for the console ("vke0 up delay=40ms; vke1
/// down"; "every link up, unimpaired"). A file that cannot be read or
/// parsed changes nothing and names the path and line.
Result<std::string> configure_from_file(Datapath& dp, const std::string& path);

}  // namespace vklab::vkernel
