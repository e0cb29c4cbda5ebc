#include "cli/checks.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <iomanip>
#include <thread>

#include "cli/guest.h"
#include "labd/state.h"

namespace vklab::cli {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Exit statuses of the TCP probe child.
constexpr int kTcpConnected = 0;
constexpr int kTcpNoAnswer = 1;
constexpr int kTcpSetupFailed = 3;

// ping(8): 0 a reply came, 1 none did, 2 another error — with a literal
// address that is "connect: Network is unreachable" (no route).
constexpr int kPingReply = 0;
constexpr int kPingNoReply = 1;
constexpr int kPingNoRoute = 2;

// In a forked child (async-signal-safe calls only): enter the network
// namespace `net_fd`, connect to addr:port within `wait`.
[[noreturn]] void tcp_child(int net_fd, uint32_t addr, int port, milliseconds wait) {
  if (::setns(net_fd, CLONE_NEWNET) != 0) _exit(kTcpSetupFailed);
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s < 0) _exit(kTcpSetupFailed);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  sa.sin_addr.s_addr = htonl(addr);
  if (::connect(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) _exit(kTcpConnected);
  if (errno != EINPROGRESS) _exit(kTcpNoAnswer);
  pollfd p{s, POLLOUT, 0};
  int n;
  do n = ::poll(&p, 1, static_cast<int>(wait.count()));
  while (n < 0 && errno == EINTR);
  if (n <= 0) _exit(kTcpNoAnswer);
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) _exit(kTcpNoAnswer);
  _exit(kTcpConnected);
}

class GuestProber : public Prober {
 public:
  explicit GuestProber(const labd::LabState& st) : st_(st) {}

  Result<bool> probe(const CheckDecl& c, milliseconds wait) override {
    return c.kind == CheckDecl::Kind::Tcp ? tcp(c, wait) : ping(c, wait);
  }

 private:
  Result<bool> ping(const CheckDecl& c, milliseconds wait) {
    // -W takes whole seconds on every iputils version.
    auto secs = std::max<long long>(1, (wait.count() + 999) / 1000);
    auto rc = run_in_guest(st_, c.from.value,
                           {"ping", "-n", "-q", "-c", "1", "-W", std::to_string(secs), c.target.value.str()},
                           {.quiet = true});
    if (!rc) return rc.error();
    if (*rc == kPingReply) return true;
    if (*rc == kPingNoReply || *rc == kPingNoRoute) return false;
    if (*rc == 127) return make_error(c.from.value + ": ping: not found in the guest");
    return make_error(c.from.value + ": ping: exit status " + std::to_string(*rc));
  }

  Result<bool> tcp(const CheckDecl& c, milliseconds wait) {
    GuestEntry g = enter_guest(st_, c.from.value, "check");
    if (!g.ok()) return make_error(g.message);
    int fd = ::open(g.net_ns().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return make_error(c.from.value + ": " + g.net_ns() + ": " + std::strerror(errno));
    pid_t pid = ::fork();
    if (pid == 0) tcp_child(fd, c.target.value.value, c.port, wait);
    int e = errno;
    ::close(fd);
    if (pid < 0) return make_error(std::string("fork: ") + std::strerror(e));
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0)
      if (errno != EINTR) return make_error(std::string("waitpid: ") + std::strerror(errno));
    if (WIFEXITED(st) && WEXITSTATUS(st) == kTcpConnected) return true;
    if (WIFEXITED(st) && WEXITSTATUS(st) == kTcpNoAnswer) return false;
    return make_error(c.from.value + ": cannot enter its network namespace");
  }

  const labd::LabState& st_;
};

CheckResult run_one(const CheckDecl& c, Prober& prober, const CheckOptions& opts) {
  CheckResult r;
  r.check = c;
  auto start = Clock::now();
  auto deadline = start + opts.timeout;
  for (;;) {
    auto t0 = Clock::now();
    auto left = std::chrono::duration_cast<milliseconds>(deadline - t0);
    auto wait = std::clamp(left, milliseconds(1), opts.attempt_wait);
    ++r.attempts;
    Result<bool> got = prober.probe(c, wait);
    if (!got) {
      r.got = Got::Error;
      r.error = got.error().message;
      break;
    }
    r.got = *got ? Got::Reachable : Got::Unreachable;
    if (*got || !c.expect_reachable) break;
    auto next = t0 + opts.attempt_wait;
    if (next >= deadline) break;
    std::this_thread::sleep_until(next);
  }
  r.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  return r;
}

const char* expect_name(const CheckDecl& c) { return c.expect_reachable ? "reachable" : "unreachable"; }

// Columns are counted in characters: "→" is three bytes, one column.
size_t display_width(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char ch) {
    return (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  }));
}

std::string pad(const std::string& s, size_t width) {
  size_t w = display_width(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

}  // namespace

std::unique_ptr<Prober> make_guest_prober(const labd::LabState& st) {
  return std::make_unique<GuestProber>(st);
}

const char* got_name(Got g) {
  switch (g) {
    case Got::Reachable: return "reachable";
    case Got::Unreachable: return "unreachable";
    case Got::Error: return "error";
  }
  return "error";
}

bool CheckResult::ok() const {
  if (got == Got::Error) return false;
  return (got == Got::Reachable) == check.expect_reachable;
}

std::string check_target(const CheckDecl& c) {
  std::string t = c.target.value.str();
  if (c.kind == CheckDecl::Kind::Tcp) t += ":" + std::to_string(c.port);
  return t;
}

std::string check_label(const CheckDecl& c) {
  return c.from.value + " → " + (c.kind == CheckDecl::Kind::Tcp ? "tcp " : "ping ") + check_target(c);
}

std::vector<CheckResult> run_checks(const std::vector<CheckDecl>& checks, Prober& prober,
                                    const CheckOptions& opts) {
  std::vector<CheckResult> results(checks.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next++) < checks.size();) results[i] = run_one(checks[i], prober, opts);
  };
  size_t n = std::min<size_t>(checks.size(), static_cast<size_t>(std::max(1, opts.jobs)));
  std::vector<std::thread> pool;
  for (size_t k = 1; k < n; ++k) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return results;
}

void print_check_table(std::ostream& out, const std::vector<CheckResult>& results) {
  size_t w = display_width("CHECK");
  for (const auto& r : results) w = std::max(w, display_width(check_label(r.check)));
  w += 3;
  out << pad("CHECK", w) << pad("EXPECT", 14) << pad("TIME", 10) << "RESULT\n";
  int passed = 0, failed = 0;
  for (const auto& r : results) {
    out << pad(check_label(r.check), w) << pad(expect_name(r.check), 14)
        << pad(std::to_string(r.elapsed.count()) + " ms", 10);
    if (r.ok()) {
      ++passed;
      out << "ok\n";
      continue;
    }
    ++failed;
    out << "FAIL: expected " << expect_name(r.check) << ", got " << got_name(r.got);
    if (!r.error.empty()) out << " (" << r.error << ")";
    if (!r.check.loc.str().empty()) out << "  [" << r.check.loc.str() << "]";
    out << "\n";
  }
  out << passed << " passed, " << failed << " failed\n";
}

nlohmann::json checks_json(const std::vector<CheckResult>& results) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& r : results) {
    const CheckDecl& c = r.check;
    nlohmann::json j = {{"check", check_label(c)},
                        {"from", c.from.value},
                        {"kind", c.kind == CheckDecl::Kind::Tcp ? "tcp" : "ping"},
                        {"target", check_target(c)},
                        {"expect", expect_name(c)},
                        {"got", got_name(r.got)},
                        {"ok", r.ok()},
                        {"ms", r.elapsed.count()},
                        {"attempts", r.attempts},
                        {"loc", c.loc.str()}};
    if (c.kind == CheckDecl::Kind::Tcp) j["port"] = c.port;
    if (!r.error.empty()) j["error"] = r.error;
    a.push_back(std::move(j));
  }
  return a;
}

}  // namespace vklab::cli
