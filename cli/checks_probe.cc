// The real Prober: enters a running lab's guests.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "cli/checks.h"
#include "cli/guest.h"
#include "common/ip.h"
#include "labd/state.h"

namespace vklab::cli {
namespace {

using std::chrono::milliseconds;

// Exit statuses of the TCP probe child.
constexpr int kTcpConnected = 0;
constexpr int kTcpNoAnswer = 1;
constexpr int kTcpSetupFailed = 3;

// ping(8): 0 a reply came, 1 none did, 2 another error — with a literal
// address that is "connect: Network is unreachable" (no route).
constexpr int kPingReply = 0;
constexpr int kPingNoReply = 1;
constexpr int kPingNoRoute = 2;
constexpr int kNotFound = 127;

// In a forked child (async-signal-safe calls only): enter the network
// namespace `net_fd`, connect to `sa` within `wait`.
[[noreturn]] void tcp_child(int net_fd, const sockaddr_storage& sa, socklen_t len, milliseconds wait) {
  if (::setns(net_fd, CLONE_NEWNET) != 0) _exit(kTcpSetupFailed);
  int s = ::socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s < 0) _exit(kTcpSetupFailed);
  if (::connect(s, reinterpret_cast<const sockaddr*>(&sa), len) == 0) _exit(kTcpConnected);
  if (errno != EINPROGRESS) _exit(kTcpNoAnswer);
  pollfd p{s, POLLOUT, 0};
  int n;
  do n = ::poll(&p, 1, static_cast<int>(wait.count()));
  while (n < 0 && errno == EINTR);
  if (n <= 0) _exit(kTcpNoAnswer);
  int err = 0;
  socklen_t elen = sizeof err;
  if (::getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 || err != 0) _exit(kTcpNoAnswer);
  _exit(kTcpConnected);
}

std::optional<std::pair<dev_t, ino_t>> pid_ns(const std::string& pid) {
  struct stat st;
  if (::stat(("/proc/" + pid + "/ns/pid").c_str(), &st) != 0) return std::nullopt;
  return std::make_pair(st.st_dev, st.st_ino);
}

class GuestProber : public Prober {
 public:
  explicit GuestProber(const labd::LabState& st) : st_(st) {}

  Result<bool> reach(const CheckDecl& c, milliseconds wait) override {
    return c.kind == CheckDecl::Kind::Tcp ? tcp(c, wait) : ping(c, wait);
  }

  Result<hostnet::NetState> net(const std::string& guest) override {
    GuestEntry g = enter(guest);
    if (!g.ok()) return make_error(g.message);
    auto st = hostnet::read_netns(g.net_ns());
    if (!st) return make_error(guest + ": " + st.error().message);
    return st;
  }

  Result<std::vector<std::string>> processes(const std::string& guest) override {
    GuestEntry g = enter(guest);
    if (!g.ok()) return make_error(g.message);
    auto ns = pid_ns(std::to_string(g.init));
    if (!ns) return make_error(guest + ": its init is gone");
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
      std::string pid = e.path().filename().string();
      if (pid.empty() || !std::all_of(pid.begin(), pid.end(), ::isdigit)) continue;
      if (pid_ns(pid) != ns) continue;
      std::ifstream comm(e.path() / "comm");
      std::string name;
      std::getline(comm, name);
      std::ifstream cmd(e.path() / "cmdline");
      std::string argv0;
      std::getline(cmd, argv0, '\0');
      argv0 = argv0.substr(argv0.rfind('/') == std::string::npos ? 0 : argv0.rfind('/') + 1);
      if (!name.empty()) names.push_back(name);
      if (!argv0.empty() && argv0 != name) names.push_back(argv0);
    }
    return names;
  }

  Result<CommandRun> run(const std::string& guest, const std::vector<std::string>& argv,
                         milliseconds limit) override {
    GuestEntry g = enter(guest);
    if (!g.ok()) return make_error(g.message);
    labd::Captured cap;
    auto rc = labd::run_in_namespaces(g.ns, argv, {.capture = &cap, .limit = limit});
    if (!rc) return make_error(guest + ": " + rc.error().message);
    return CommandRun{*rc, std::move(cap.out), std::move(cap.err), cap.timed_out};
  }

 private:
  GuestEntry enter(const std::string& guest) { return enter_guest(st_, guest, "check"); }

  Result<bool> ping(const CheckDecl& c, milliseconds wait) {
    // -W takes whole seconds on every iputils version.
    auto secs = std::max<long long>(1, (wait.count() + 999) / 1000);
    auto rc = run_in_guest(st_, c.from.value,
                           {"ping", "-n", "-q", "-c", "1", "-W", std::to_string(secs), c.target.value},
                           {.quiet = true});
    if (!rc) return rc.error();
    if (*rc == kPingReply) return true;
    if (*rc == kPingNoReply || *rc == kPingNoRoute) return false;
    if (*rc == kNotFound) return make_error(c.from.value + ": ping: not found in the guest");
    return make_error(c.from.value + ": ping: exit status " + std::to_string(*rc));
  }

  Result<bool> tcp(const CheckDecl& c, milliseconds wait) {
    auto ip = IpAddr::parse(c.target.value);
    if (!ip) return make_error(c.target.value + ": not an address");
    sockaddr_storage sa{};
    socklen_t len = 0;
    if (ip->v6()) {
      auto* s6 = reinterpret_cast<sockaddr_in6*>(&sa);
      s6->sin6_family = AF_INET6;
      s6->sin6_port = htons(static_cast<uint16_t>(c.port));
      std::memcpy(&s6->sin6_addr, ip->bytes.data(), 16);
      len = sizeof *s6;
    } else {
      auto* s4 = reinterpret_cast<sockaddr_in*>(&sa);
      s4->sin_family = AF_INET;
      s4->sin_port = htons(static_cast<uint16_t>(c.port));
      std::memcpy(&s4->sin_addr, ip->bytes.data(), 4);
      len = sizeof *s4;
    }
    GuestEntry g = enter(c.from.value);
    if (!g.ok()) return make_error(g.message);
    int fd = ::open(g.net_ns().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return make_error(c.from.value + ": " + g.net_ns() + ": " + std::strerror(errno));
    pid_t pid = ::fork();
    if (pid == 0) tcp_child(fd, sa, len, wait);
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

}  // namespace

std::unique_ptr<Prober> make_guest_prober(const labd::LabState& st) {
  return std::make_unique<GuestProber>(st);
}

}  // namespace vklab::cli
