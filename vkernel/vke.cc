#include "vkernel/vke.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vklab::vkernel {
namespace {

/// Frames read from one source before going back to epoll, so one busy
/// interface cannot starve the others.
constexpr int kBurst = 64;

struct Route {
  int src = -1;
  int dst = -1;
  FlowCounters* counters = nullptr;
};

}  // namespace

struct Datapath::Pump {
  std::vector<Route> routes;
  int epfd = -1;
  int stopfd = -1;
  std::thread thread;

  ~Pump() {
    if (epfd >= 0) ::close(epfd);
    if (stopfd >= 0) ::close(stopfd);
  }

  Status open() {
    epfd = epoll_create1(EPOLL_CLOEXEC);
    stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (epfd < 0 || stopfd < 0) return make_error(std::string("datapath: ") + std::strerror(errno));
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = ~uint64_t{0};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, stopfd, &ev) < 0)
      return make_error(std::string("datapath: epoll: ") + std::strerror(errno));
    for (size_t i = 0; i < routes.size(); ++i) {
      ev.data.u64 = i;
      if (epoll_ctl(epfd, EPOLL_CTL_ADD, routes[i].src, &ev) < 0)
        return make_error(std::string("datapath: epoll: ") + std::strerror(errno));
    }
    return {};
  }

  void run() {
    auto buf = std::make_unique<char[]>(kMaxFrame);
    epoll_event events[32];
    for (;;) {
      int n = epoll_wait(epfd, events, 32, -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        return;
      }
      for (int e = 0; e < n; ++e) {
        if (events[e].data.u64 == ~uint64_t{0}) return;
        const Route& r = routes[events[e].data.u64];
        for (int k = 0; k < kBurst; ++k) {
          ssize_t got = ::read(r.src, buf.get(), kMaxFrame);
          if (got < 0) break;  // EAGAIN: drained; other errors: retry on next wakeup
          if (got <= kVnetHdrSize) continue;
          ssize_t put = ::write(r.dst, buf.get(), static_cast<size_t>(got));
          if (put != got) {
            r.counters->drops.fetch_add(1, std::memory_order_relaxed);
            continue;
          }
          r.counters->packets.fetch_add(1, std::memory_order_relaxed);
          r.counters->bytes.fetch_add(static_cast<uint64_t>(got - kVnetHdrSize),
                                      std::memory_order_relaxed);
        }
      }
    }
  }
};

Datapath::Datapath(std::vector<Vke*> vkes) : vkes_(std::move(vkes)) {}

Datapath::~Datapath() { stop(); }

Status Datapath::start() {
  if (vkes_.empty() || !pumps_.empty()) return {};
  auto in = std::make_unique<Pump>();
  auto out = std::make_unique<Pump>();
  for (Vke* v : vkes_) {
    in->routes.push_back({v->host.fd(), v->guest.fd(), &v->to_guest});
    out->routes.push_back({v->guest.fd(), v->host.fd(), &v->to_host});
  }
  if (Status s = in->open(); !s) return s;
  if (Status s = out->open(); !s) return s;
  pumps_.push_back(std::move(in));
  pumps_.push_back(std::move(out));
  for (auto& p : pumps_) p->thread = std::thread([pump = p.get()] { pump->run(); });
  return {};
}

void Datapath::stop() {
  for (auto& p : pumps_) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t w = ::write(p->stopfd, &one, sizeof one);
  }
  for (auto& p : pumps_)
    if (p->thread.joinable()) p->thread.join();
  pumps_.clear();
}

}  // namespace vklab::vkernel
