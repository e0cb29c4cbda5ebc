#include "guest/vke.h"

#include <pthread.h>
#include <sched.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <random>

namespace vklab::vkernel {
namespace {

/// Frames read from one source before the next source gets its turn, so
/// one busy interface cannot starve the others.
constexpr int kBurst = 64;
/// The epoll keys of the stop eventfd, the shapers' timerfd and the
/// configuration eventfd; tap fds use their route's index.
constexpr uint64_t kStopKey = ~uint64_t{0};
constexpr uint64_t kTimerKey = kStopKey - 1;
constexpr uint64_t kConfigKey = kStopKey - 2;
/// Bytes a shaper never corrupts: the vnet header and the Ethernet header.
constexpr size_t kProtected = kVnetHdrSize + 14;

Nanos monotonic_now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<Nanos>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

const LinkConfig* find_link(const std::vector<LinkConfig>& links, int index) {
  for (const auto& l : links)
    if (l.index == index) return &l;
  return nullptr;
}

/// Counters have a single writer (the data path thread): a plain
/// load/store pair, no locked read-modify-write per frame.
inline void bump(std::atomic<uint64_t>& c, uint64_t n) {
  c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

}  // namespace

struct Datapath::Loop {
  /// One direction of one vke: frames read from src are written to dst.
  /// Routes come in pairs: 2i = host tap → vkeN, 2i+1 = vkeN → host tap, so
  /// the route whose destination is a route's source is `index ^ 1`.
  struct Route {
    int src = -1;
    int dst = -1;
    FlowCounters* counters = nullptr;
    bool readable = false;      ///< src had an edge and has not been drained
    bool blocked = false;       ///< dst said EAGAIN: `pending` waits, src is left alone
    std::vector<char> pending;  ///< the frame waiting for dst while blocked
    bool down = false;          ///< the link is down: every frame is dropped
    std::unique_ptr<Shaper> shaper;  ///< vkeN → host tap of an impaired vke
    ShapeCounters* shaped = nullptr;
  };

  std::vector<Route> routes;
  std::unique_ptr<char[]> buf;  ///< every frame is read into it and written from it
  int epfd = -1;
  int stopfd = -1;
  int timerfd = -1;
  int cfgfd = -1;
  int shapers = 0;              ///< routes with a shaper: 0 = no timer to keep
  Nanos armed = kForever;       ///< when the timerfd fires next
  std::mt19937_64 seeds{std::random_device{}()};
  std::mutex mu;                ///< guards `next`
  std::optional<std::vector<LinkConfig>> next;  ///< configuration handed over by configure()
  std::thread thread;

  ~Loop() {
    for (int fd : {epfd, stopfd, timerfd, cfgfd})
      if (fd >= 0) ::close(fd);
  }

  Status watch(int fd, uint64_t key) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = key;
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
      return make_error(std::string("datapath: epoll: ") + std::strerror(errno));
    return {};
  }

  Status open() {
    buf = std::make_unique_for_overwrite<char[]>(kMaxFrame);
    epfd = epoll_create1(EPOLL_CLOEXEC);
    stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    cfgfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (epfd < 0 || stopfd < 0 || cfgfd < 0 || timerfd < 0)
      return make_error(std::string("datapath: ") + std::strerror(errno));
    for (auto [fd, key] : {std::pair{stopfd, kStopKey}, {timerfd, kTimerKey}, {cfgfd, kConfigKey}})
      if (Status s = watch(fd, key); !s) return s;
    epoll_event ev{};
    // Each tap fd once: readable = its route has frames, writable = the
    // paired route (which writes to it) may retry a blocked frame.
    for (size_t i = 0; i < routes.size(); ++i) {
      ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
      ev.data.u64 = i;
      if (epoll_ctl(epfd, EPOLL_CTL_ADD, routes[i].src, &ev) < 0)
        return make_error(std::string("datapath: epoll: ") + std::strerror(errno));
    }
    return {};
  }

  /// A frame the destination took, or refused for good.
  static void delivered(Route& r, ssize_t put, size_t len) {
    if (put == static_cast<ssize_t>(len)) {
      bump(r.counters->packets, 1);
      bump(r.counters->bytes, len - kVnetHdrSize);
    } else {
      bump(r.counters->drops, 1);
    }
  }

  static bool would_block(ssize_t put) { return put < 0 && (errno == EAGAIN || errno == EWOULDBLOCK); }

  /// Moves up to kBurst frames of r; clears r.readable once src is drained.
  static void pump(Route& r, char* buf) {
    if (r.shaper || r.down) return pump_link(r, buf);
    for (int k = 0; k < kBurst; ++k) {
      ssize_t got = ::read(r.src, buf, kMaxFrame);
      if (got < 0) {
        if (errno == EINTR) continue;
        r.readable = false;  // EAGAIN: drained; an error: wait for the next edge
        return;
      }
      if (got <= kVnetHdrSize) continue;  // no frame behind the header
      ssize_t put = ::write(r.dst, buf, static_cast<size_t>(got));
      if (would_block(put)) {
        r.pending.assign(buf, buf + got);
        r.blocked = true;
        return;
      }
      delivered(r, put, static_cast<size_t>(got));
    }
  }

  /// The slow path: a shaped or downed route. Frames read go into the
  /// shaper (or are dropped); those due leave.
  static void pump_link(Route& r, char* buf) {
    Nanos now = monotonic_now();
    for (int k = 0; k < kBurst; ++k) {
      ssize_t got = ::read(r.src, buf, kMaxFrame);
      if (got < 0) {
        if (errno == EINTR) continue;
        r.readable = false;
        break;
      }
      if (got <= kVnetHdrSize) continue;
      if (r.down) bump(r.counters->drops, 1);
      else r.shaper->push(now, buf, static_cast<size_t>(got));
    }
    if (r.shaper) release(r, now);
  }

  /// Writes the shaper's frames due at `now`, in order, until dst blocks.
  static void release(Route& r, Nanos now) {
    while (const std::vector<char>* f = r.shaper->due(now)) {
      ssize_t put = ::write(r.dst, f->data(), f->size());
      if (would_block(put)) {
        r.blocked = true;
        return;
      }
      delivered(r, put, f->size());
      r.shaper->pop();
    }
  }

  /// dst became writable: retry the frame that waited (and a shaper's).
  static void unblock(Route& r) {
    if (!r.pending.empty()) {
      ssize_t put = ::write(r.dst, r.pending.data(), r.pending.size());
      if (would_block(put)) return;
      delivered(r, put, r.pending.size());
      r.pending.clear();
    }
    r.blocked = false;
    if (r.shaper) release(r, monotonic_now());
    if (!r.blocked) r.readable = true;  // frames may have queued up meanwhile
  }

  /// Arms the timerfd for the earliest frame any shaper holds.
  void arm() {
    Nanos due = kForever;
    for (const Route& r : routes)
      if (r.shaper && !r.blocked)
        if (auto t = r.shaper->next_due()) due = std::min(due, *t);
    if (due == armed) return;
    armed = due;
    itimerspec its{};
    if (due != kForever) {
      due = std::max<Nanos>(due, 1);
      its.it_value.tv_sec = due / 1'000'000'000;
      its.it_value.tv_nsec = due % 1'000'000'000;
    }
    timerfd_settime(timerfd, TFD_TIMER_ABSTIME, &its, nullptr);
  }

  /// Applies a configuration in the data path thread (carriers and
  /// offloads were set by configure()).
  void apply(const std::vector<LinkConfig>& links) {
    for (size_t i = 0; i + 1 < routes.size(); i += 2) {
      Route& in = routes[i];
      Route& out = routes[i + 1];
      const LinkConfig* l = find_link(links, static_cast<int>(i / 2));
      bool down = l && !l->up;
      const std::optional<Impairment> imp = l ? l->impair : std::nullopt;
      for (Route* r : {&in, &out}) {
        if (down && !r->pending.empty()) {
          bump(r->counters->drops, 1);
          r->pending.clear();
          r->blocked = false;
        }
        r->down = down;
        r->readable = true;  // drain whatever waited under the old rules
      }
      if (out.shaper && (down || !imp)) {
        if (!down) release(out, kForever);  // cleared: what it holds leaves now
        bump(out.counters->drops, out.shaper->clear());
        out.shaper.reset();
        out.blocked = !out.pending.empty();
        --shapers;
      }
      if (imp && !out.shaper) {
        out.shaper = std::make_unique<Shaper>(*imp, kProtected, out.shaped, seeds());
        ++shapers;
      } else if (imp) {
        out.shaper->set(*imp);
      }
    }
    armed = -1;  // re-arm for the new shapers
  }

  /// SCHED_BATCH (see run()) lets a woken thread wait for the running
  /// one's slice: on a busy machine several ms on top of a shaper's delay,
  /// so a thread with shapers runs SCHED_OTHER. The calling thread only.
  void set_policy() const {
    sched_param none{};
    pthread_setschedparam(pthread_self(), shapers ? SCHED_OTHER : SCHED_BATCH, &none);
  }

  void take_config() {
    uint64_t n;
    [[maybe_unused]] ssize_t r = ::read(cfgfd, &n, sizeof n);
    std::optional<std::vector<LinkConfig>> c;
    {
      std::lock_guard<std::mutex> g(mu);
      c.swap(next);
    }
    if (c) {
      apply(*c);
      set_policy();
    }
  }

  void on_timer() {
    uint64_t n;
    [[maybe_unused]] ssize_t r = ::read(timerfd, &n, sizeof n);
    armed = -1;
    Nanos now = monotonic_now();
    for (Route& rt : routes)
      if (rt.shaper && !rt.blocked) release(rt, now);
  }

  void run() {
    // SCHED_BATCH: a woken data path thread does not preempt whatever runs
    // on its CPU (the guest's own processes, the other guests' data paths);
    // it runs when that one yields, and then finds several frames queued.
    // Measured in paired runs on 2 CPUs: guest<->guest ping RTT 200 -> 135
    // us, TCP throughput unchanged or better. Best effort: no privilege is
    // needed to lower a policy, and a failure changes nothing else.
    set_policy();
    // The shapers' timers: no slack on top of the delay asked for.
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    epoll_event events[64];
    for (;;) {
      bool busy = false;
      for (const Route& r : routes) busy |= r.readable && !r.blocked;
      int n = epoll_wait(epfd, events, 64, busy ? 0 : -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        return;
      }
      for (int e = 0; e < n; ++e) {
        uint64_t key = events[e].data.u64;
        if (key == kStopKey) return;
        if (key == kTimerKey) {
          on_timer();
          continue;
        }
        if (key == kConfigKey) {
          take_config();
          continue;
        }
        if (events[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) routes[key].readable = true;
        if ((events[e].events & EPOLLOUT) && routes[key ^ 1].blocked) unblock(routes[key ^ 1]);
      }
      for (Route& r : routes)
        if (r.readable && !r.blocked) pump(r, buf.get());
      if (shapers) arm();
    }
  }
};

Datapath::Datapath(std::vector<Vke*> vkes) : vkes_(std::move(vkes)) {}

Datapath::~Datapath() { stop(); }

Status Datapath::start() {
  if (vkes_.empty() || loop_) return {};
  auto loop = std::make_unique<Loop>();
  for (Vke* v : vkes_) {
    Loop::Route in, out;
    in.src = out.dst = v->host.fd();
    in.dst = out.src = v->guest.fd();
    in.counters = &v->to_guest;
    out.counters = &v->to_host;
    out.shaped = &v->shaped;
    loop->routes.push_back(std::move(in));
    loop->routes.push_back(std::move(out));
  }
  if (Status s = loop->open(); !s) return s;
  loop->apply(pending_);
  loop->thread = std::thread([l = loop.get()] { l->run(); });
  pthread_setname_np(loop->thread.native_handle(), "vke");
  loop_ = std::move(loop);
  return {};
}

Status Datapath::configure(const std::vector<LinkConfig>& links) {
  Status first;
  auto keep = [&](Status s) {
    if (!s && first) first = s;
  };
  for (Vke* v : vkes_) {
    const LinkConfig* l = find_link(links, v->index);
    bool up = !l || l->up;
    keep(v->guest.set_carrier(up));
    keep(v->host.set_carrier(up));
    keep(v->guest.set_offloads(!(l && l->impair && l->impair->per_packet())));
  }
  if (!loop_) {
    pending_ = links;
    return first;
  }
  {
    std::lock_guard<std::mutex> g(loop_->mu);
    loop_->next = links;
  }
  uint64_t one = 1;
  [[maybe_unused]] ssize_t w = ::write(loop_->cfgfd, &one, sizeof one);
  return first;
}

Result<std::string> configure_from_file(Datapath& dp, const std::string& path) {
  std::string text;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(path + ": " + std::strerror(errno));
  char b[4096];
  ssize_t n;
  while ((n = ::read(fd, b, sizeof b)) > 0 && text.size() < (1 << 20)) text.append(b, static_cast<size_t>(n));
  ::close(fd);
  auto links = parse_links(text);
  if (!links) return make_error(path + ": " + links.error().message);
  Status s = dp.configure(*links);
  std::string what;
  for (const auto& l : *links)
    if (!l.is_default())
      what += (what.empty() ? "" : "; ") + std::string("vke") + std::to_string(l.index) + (l.up ? " up" : " down") +
              (l.impair ? " " + l.impair->str() : "");
  if (what.empty()) what = "every link up, unimpaired";
  if (!s) return make_error(what + " (" + s.error().message + ")");
  return what;
}

void Datapath::stop() {
  if (!loop_) return;
  uint64_t one = 1;
  [[maybe_unused]] ssize_t w = ::write(loop_->stopfd, &one, sizeof one);
  if (loop_->thread.joinable()) loop_->thread.join();
  loop_.reset();
}

}  // namespace vklab::vkernel
