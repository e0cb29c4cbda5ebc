// guest/shaper.h over a fake clock: what leaves, in which order and at
// which (computed) time. No sleeping, no timing assertions: times are the
// shaper's own arithmetic.
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "guest/shaper.h"

using namespace vklab::vkernel;
using std::chrono::microseconds;

namespace {

constexpr Nanos kMs = 1'000'000;
constexpr size_t kProtect = 26;  // vnet header + Ethernet header

/// A frame whose first payload byte after kProtect holds `id`.
std::vector<char> frame(int id, size_t len = 100) {
  std::vector<char> f(len, 0);
  f[kProtect] = static_cast<char>(id);
  return f;
}

struct Out {
  Nanos at;
  int id;
  std::vector<char> bytes;
};

/// Pushes frames and walks the clock from one due time to the next.
std::vector<Out> run(Shaper& s, const std::vector<std::pair<Nanos, std::vector<char>>>& in) {
  std::vector<Out> out;
  size_t i = 0;
  Nanos now = 0;
  for (;;) {
    std::optional<Nanos> due = s.next_due();
    Nanos next_in = i < in.size() ? in[i].first : kForever;
    if (!due && next_in == kForever) break;
    now = std::min(due.value_or(kForever), next_in);
    while (i < in.size() && in[i].first <= now) {
      s.push(in[i].first, in[i].second.data(), in[i].second.size());
      ++i;
    }
    while (const auto* f = s.due(now)) {
      out.push_back({now, static_cast<unsigned char>((*f)[kProtect]), *f});
      s.pop();
    }
  }
  return out;
}

Impairment with(const char* words) {
  auto i = parse_impairment(words);
  REQUIRE(i);
  return *i;
}

}  // namespace

TEST_CASE("delay: every frame leaves exactly the delay after it came, in order") {
  Shaper s(with("delay=40ms"), kProtect, nullptr, 1);
  auto out = run(s, {{0, frame(1)}, {1 * kMs, frame(2)}, {5 * kMs, frame(3)}});
  REQUIRE(out.size() == 3);
  CHECK(out[0].at == 40 * kMs);
  CHECK(out[1].at == 41 * kMs);
  CHECK(out[2].at == 45 * kMs);
  CHECK(out[0].id == 1);
  CHECK(out[2].id == 3);
  CHECK(s.held() == 0);
}

TEST_CASE("delay=0ms passes every frame at once and unchanged") {
  Shaper s(with("delay=0ms"), kProtect, nullptr, 1);
  auto f = frame(7);
  s.push(3, f.data(), f.size());
  const auto* got = s.due(3);
  REQUIRE(got);
  CHECK(*got == f);
  s.pop();
  CHECK(!s.next_due());
}

TEST_CASE("a late caller: the frame's time is its own, not the caller's") {
  Shaper s(with("delay=10ms"), kProtect, nullptr, 1);
  auto f = frame(1);
  s.push(0, f.data(), f.size());
  CHECK(s.next_due() == 10 * kMs);
  CHECK(s.due(9 * kMs) == nullptr);
  CHECK(s.due(12 * kMs) != nullptr);  // released late, still the first due
}

TEST_CASE("loss 100% drops everything, loss 0% nothing; 10% drops about a tenth") {
  ShapeCounters c;
  Shaper all(with("loss=100%"), kProtect, &c, 1);
  std::vector<std::pair<Nanos, std::vector<char>>> in;
  for (int i = 0; i < 1000; ++i) in.push_back({i * 1000, frame(i % 250)});
  CHECK(run(all, in).empty());
  CHECK(c.lost == 1000);
  ShapeCounters c10;
  Shaper some(with("loss=10%"), kProtect, &c10, 42);
  size_t got = run(some, in).size();
  CHECK(got + c10.lost == 1000);
  CHECK(got > 850);  // binomial(1000, 0.9): 900 ± 9.5; 15 sigma apart
  CHECK(got < 950);
}

TEST_CASE("duplicate 100% sends each frame twice, back to back") {
  ShapeCounters c;
  Shaper s(with("delay=1ms duplicate=100%"), kProtect, &c, 1);
  auto out = run(s, {{0, frame(1)}, {10, frame(2)}});
  REQUIRE(out.size() == 4);
  CHECK(out[0].id == 1);
  CHECK(out[1].id == 1);
  CHECK(out[2].id == 2);
  CHECK(c.duplicated == 2);
}

TEST_CASE("corrupt 100% flips exactly one bit, never in the protected header") {
  ShapeCounters c;
  Shaper s(with("corrupt=100%"), kProtect, &c, 3);
  for (int k = 0; k < 200; ++k) {
    auto f = frame(0, 60);
    s.push(k, f.data(), f.size());
    const auto* got = s.due(k);
    REQUIRE(got);
    int bits = 0;
    for (size_t i = 0; i < f.size(); ++i) {
      bits += __builtin_popcount(static_cast<unsigned char>((*got)[i] ^ f[i]));
      if (i < kProtect) CHECK((*got)[i] == f[i]);
    }
    CHECK(bits == 1);
    s.pop();
  }
  CHECK(c.corrupted == 200);
}

TEST_CASE("reorder 100% skips the delay: later frames overtake delayed ones") {
  Shaper s(with("delay=50ms"), kProtect, nullptr, 1);
  auto f1 = frame(1);
  s.push(0, f1.data(), f1.size());
  s.set(with("delay=50ms reorder=100%"));
  auto out = run(s, {{1 * kMs, frame(2)}});
  REQUIRE(out.size() == 2);
  CHECK(out[0].id == 2);  // sent at once
  CHECK(out[0].at == 1 * kMs);
  CHECK(out[1].id == 1);  // the held frame keeps its time
  CHECK(out[1].at == 50 * kMs);
}

TEST_CASE("jitter varies the delay but never reorders and never goes below 0") {
  Shaper s(with("delay=10ms jitter=5ms"), kProtect, nullptr, 9);
  std::vector<std::pair<Nanos, std::vector<char>>> in;
  for (int i = 0; i < 200; ++i) in.push_back({i * 100'000, frame(i)});  // every 0.1 ms
  auto out = run(s, in);
  REQUIRE(out.size() == 200);
  bool varied = false;
  for (size_t i = 0; i < out.size(); ++i) {
    CHECK(out[i].id == static_cast<int>(i));
    CHECK(out[i].at >= in[i].first);
    if (i) CHECK(out[i].at >= out[i - 1].at);
    varied = varied || out[i].at - in[i].first != 10 * kMs;
  }
  CHECK(varied);
}

TEST_CASE("rate: a token bucket; frames leave at the rate once the burst is spent") {
  // 8 mbit/s = 1 byte per us; 1000-byte frames take 1 ms each. Burst:
  // max(2 ms of the rate = 2000 B, 3028 B) = 3028 B.
  Shaper s(with("rate=8mbit"), kProtect, nullptr, 1);
  std::vector<std::pair<Nanos, std::vector<char>>> in;
  for (int i = 0; i < 20; ++i) in.push_back({0, frame(i, 1000)});
  auto out = run(s, in);
  REQUIRE(out.size() == 20);
  for (size_t i = 0; i < out.size(); ++i) CHECK(out[i].id == static_cast<int>(i));
  // The burst lets the first frames go at once; from then on one per ms.
  CHECK(out[0].at == 0);
  CHECK(out[19].at - out[10].at == 9 * kMs);
  Nanos first_paced = -1;
  for (size_t i = 1; i < out.size(); ++i)
    if (out[i].at > 0 && first_paced < 0) first_paced = static_cast<Nanos>(i);
  CHECK(first_paced >= 2);  // 3028 B of burst: frames 0..2 or 0..3 go at t=0
  CHECK(first_paced <= 4);
  // Over the whole run: 20 kB in about 20 ms minus the burst, never faster.
  CHECK(out.back().at >= 15 * kMs);
}

TEST_CASE("rate then delay: the delay counts from when the bucket let the frame go") {
  Shaper s(with("rate=8mbit delay=10ms"), kProtect, nullptr, 1);
  std::vector<std::pair<Nanos, std::vector<char>>> in;
  for (int i = 0; i < 10; ++i) in.push_back({0, frame(i, 1000)});
  auto out = run(s, in);
  REQUIRE(out.size() == 10);
  CHECK(out[0].at == 10 * kMs);
  CHECK(out[9].at - out[5].at == 4 * kMs);
}

TEST_CASE("at most kLimit frames are held; the rest is dropped as overlimit") {
  ShapeCounters c;
  Shaper s(with("delay=1s"), kProtect, &c, 1);
  auto f = frame(1);
  for (size_t i = 0; i < Shaper::kLimit + 5; ++i) s.push(0, f.data(), f.size());
  CHECK(s.held() == Shaper::kLimit);
  CHECK(c.overlimit == 5);
  CHECK(s.clear() == Shaper::kLimit);
  CHECK(s.held() == 0);
  CHECK(!s.next_due());
}

TEST_CASE("due(kForever) flushes every held frame in release order (an impairment cleared)") {
  Shaper s(with("delay=100ms rate=1mbit"), kProtect, nullptr, 1);
  for (int i = 0; i < 5; ++i) {
    auto f = frame(i, 1000);
    s.push(0, f.data(), f.size());
  }
  int n = 0;
  while (const auto* f = s.due(kForever)) {
    CHECK(static_cast<unsigned char>((*f)[kProtect]) == n);
    s.pop();
    ++n;
  }
  CHECK(n == 5);
}
