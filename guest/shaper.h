// The shaper: what an impairment (vkernel/link.h) does to the frames a
// guest sends on one vke, as pure logic over a clock the caller passes in
// (the data path: CLOCK_MONOTONIC; tests: a fake one). No I/O, no timers:
// the data path asks next_due() and arms its own timer.
//
// A frame goes through, in order:
//   1. loss       dropped with probability loss
//   2. duplicate  a second copy with probability duplicate
//   3. corrupt    one bit flipped at a random offset behind the protected
//                 header (vnet + Ethernet header), so the frame still reaches
//                 its destination and the receiver's checksums catch it
//   4. rate       a token bucket (burst: kBurstTime of the rate, at least two
//                 full frames); a frame larger than the tokens left waits
//                 until the bucket has paid for it, in FIFO order
//   5. delay      released delay (+ jitter: normal, σ = jitter, never below
//                 0) after it left the bucket; jitter never reorders: a frame
//                 leaves no earlier than the one before it
//   6. reorder    with probability reorder a frame skips the delay and so
//                 overtakes the delayed frames (netem's meaning)
// At most kLimit frames are held (like netem's default limit); a frame
// beyond it is dropped ("overlimit").
//
// Times are computed from when a frame became eligible, not from when the
// caller came back, so a late timer delays the frame it was late for, not
// every frame after it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <vector>

#include "vkernel/link.h"

namespace vklab::vkernel {

/// Nanoseconds on a monotonic clock.
using Nanos = int64_t;
inline constexpr Nanos kForever = INT64_MAX;

/// What a shaper did, for the SIGQUIT dump. One writer (the data path).
struct ShapeCounters {
  std::atomic<uint64_t> lost{0};
  std::atomic<uint64_t> overlimit{0};
  std::atomic<uint64_t> corrupted{0};
  std::atomic<uint64_t> duplicated{0};
  std::atomic<uint64_t> reordered{0};
};

class Shaper {
 public:
  /// Frames held at most (both stages together).
  static constexpr size_t kLimit = 1000;
  /// The token bucket holds this much of the rate's time (and at least
  /// kMinBurst bytes).
  static constexpr Nanos kBurstTime = 2'000'000;
  static constexpr int64_t kMinBurst = 2 * 1514;

  /// `protect`: leading bytes corruption never touches; `counters` may be
  /// null; `seed` makes a test's run repeatable.
  Shaper(const Impairment& imp, size_t protect, ShapeCounters* counters, uint64_t seed);

  /// Changes the impairment; frames already held keep their times.
  void set(const Impairment& imp);
  const Impairment& impairment() const { return imp_; }

  /// A frame the guest sent at `now` (copied).
  void push(Nanos now, const char* data, size_t len);

  /// When the next frame is due; nullopt when none is held.
  std::optional<Nanos> next_due() const;
  /// The frame due at `now` in release order, or nullptr. It stays until
  /// pop(), so a caller whose write would block can try again later.
  const std::vector<char>* due(Nanos now);
  /// Removes the frame due() returned.
  void pop();
  /// Frames held.
  size_t held() const { return rate_q_.size() + delay_q_.size(); }
  /// Drops every frame held; returns how many.
  size_t clear();

 private:
  struct Waiting {  // in the bucket's FIFO
    Nanos arrival;
    std::vector<char> bytes;
  };
  struct Delayed {  // on the delay line
    Nanos release;
    uint64_t seq;
    std::vector<char> bytes;
    bool operator>(const Delayed& o) const { return release != o.release ? release > o.release : seq > o.seq; }
  };

  bool chance(uint32_t ppm);
  std::vector<char> buffer(const char* data, size_t len);
  void recycle(std::vector<char>&& b);
  /// Moves the frames the bucket lets go by `now` onto the delay line.
  void meter(Nanos now);
  /// When the bucket's head may leave.
  Nanos eligible(const Waiting& w) const;
  void schedule(Nanos sent, std::vector<char>&& b);
  Nanos tx_time(size_t len) const;

  Impairment imp_;
  size_t protect_;
  ShapeCounters* counters_;
  std::mt19937_64 rng_;
  std::deque<Waiting> rate_q_;
  std::priority_queue<Delayed, std::vector<Delayed>, std::greater<>> delay_q_;
  std::vector<std::vector<char>> pool_;  ///< spent buffers, reused
  Nanos tat_ = 0;          ///< the bucket's theoretical arrival time (GCRA)
  Nanos last_release_ = 0; ///< latest release of a frame that kept its order
  uint64_t seq_ = 0;
};

}  // namespace vklab::vkernel
