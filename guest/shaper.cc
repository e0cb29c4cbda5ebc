#include "guest/shaper.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace vklab::vkernel {
namespace {

/// Spent buffers kept for reuse at most (each up to one frame).
constexpr size_t kPoolMax = 256;

inline void bump(ShapeCounters* c, std::atomic<uint64_t> ShapeCounters::*field) {
  if (!c) return;
  auto& a = c->*field;
  a.store(a.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

}  // namespace

Shaper::Shaper(const Impairment& imp, size_t protect, ShapeCounters* counters, uint64_t seed)
    : imp_(imp), protect_(protect), counters_(counters), rng_(seed) {}

void Shaper::set(const Impairment& imp) { imp_ = imp; }

bool Shaper::chance(uint32_t ppm) {
  if (ppm == 0) return false;
  if (ppm >= kMaxPpm) return true;
  return std::uniform_int_distribution<uint32_t>(0, kMaxPpm - 1)(rng_) < ppm;
}

std::vector<char> Shaper::buffer(const char* data, size_t len) {
  std::vector<char> b;
  if (!pool_.empty()) {
    b = std::move(pool_.back());
    pool_.pop_back();
  }
  b.assign(data, data + len);
  return b;
}

void Shaper::recycle(std::vector<char>&& b) {
  if (pool_.size() < kPoolMax) pool_.push_back(std::move(b));
}

Nanos Shaper::tx_time(size_t len) const {
  if (imp_.rate_bps == 0) return 0;
  return static_cast<Nanos>((static_cast<unsigned __int128>(len) * 8 * 1'000'000'000) / imp_.rate_bps);
}

Nanos Shaper::eligible(const Waiting& w) const {
  if (imp_.rate_bps == 0) return w.arrival;
  // GCRA: the bucket holds `burst` bytes, i.e. tau of the rate's time.
  int64_t burst = std::max<int64_t>(kMinBurst, static_cast<int64_t>(
      (static_cast<unsigned __int128>(imp_.rate_bps) * kBurstTime) / (8ull * 1'000'000'000)));
  Nanos tau = tx_time(static_cast<size_t>(burst));
  return std::max(w.arrival, tat_ - tau);
}

void Shaper::push(Nanos now, const char* data, size_t len) {
  if (chance(imp_.loss_ppm)) {
    bump(counters_, &ShapeCounters::lost);
    return;
  }
  int copies = chance(imp_.duplicate_ppm) ? 2 : 1;
  if (copies == 2) bump(counters_, &ShapeCounters::duplicated);
  for (int k = 0; k < copies; ++k) {
    if (held() >= kLimit) {
      bump(counters_, &ShapeCounters::overlimit);
      return;
    }
    std::vector<char> b = buffer(data, len);
    if (chance(imp_.corrupt_ppm)) {
      size_t from = len > protect_ ? protect_ : 0;
      if (len > from) {
        size_t at = std::uniform_int_distribution<size_t>(from, len - 1)(rng_);
        b[at] = static_cast<char>(b[at] ^ (1 << std::uniform_int_distribution<int>(0, 7)(rng_)));
        bump(counters_, &ShapeCounters::corrupted);
      }
    }
    rate_q_.push_back({now, std::move(b)});
  }
  meter(now);
}

void Shaper::schedule(Nanos sent, std::vector<char>&& b) {
  Nanos release = sent;
  if (chance(imp_.reorder_ppm)) {
    bump(counters_, &ShapeCounters::reordered);
  } else {
    Nanos d = std::chrono::duration_cast<std::chrono::nanoseconds>(imp_.delay).count();
    if (imp_.jitter.count() > 0) {
      double sigma = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(imp_.jitter).count());
      d += static_cast<Nanos>(std::llround(std::normal_distribution<double>(0.0, sigma)(rng_)));
      d = std::max<Nanos>(d, 0);
    }
    release = std::max(sent + d, last_release_);
    last_release_ = release;
  }
  delay_q_.push({release, seq_++, std::move(b)});
}

void Shaper::meter(Nanos now) {
  while (!rate_q_.empty()) {
    Waiting& w = rate_q_.front();
    Nanos e = eligible(w);
    if (e > now) return;
    tat_ = std::max(tat_, e) + tx_time(w.bytes.size());
    schedule(e, std::move(w.bytes));
    rate_q_.pop_front();
  }
}

std::optional<Nanos> Shaper::next_due() const {
  std::optional<Nanos> t;
  if (!rate_q_.empty()) t = eligible(rate_q_.front());
  if (!delay_q_.empty()) t = t ? std::min(*t, delay_q_.top().release) : delay_q_.top().release;
  return t;
}

const std::vector<char>* Shaper::due(Nanos now) {
  meter(now);
  if (delay_q_.empty() || delay_q_.top().release > now) return nullptr;
  return &delay_q_.top().bytes;
}

void Shaper::pop() {
  if (delay_q_.empty()) return;
  // The comparator reads release and seq only: taking the bytes is safe.
  recycle(std::move(const_cast<Delayed&>(delay_q_.top()).bytes));
  delay_q_.pop();
}

size_t Shaper::clear() {
  size_t n = held();
  rate_q_.clear();
  while (!delay_q_.empty()) delay_q_.pop();
  return n;
}

}  // namespace vklab::vkernel
