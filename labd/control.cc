#include "labd/control.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/sys.h"

namespace vklab::labd {
namespace {

Result<sockaddr_un> address(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.size() >= sizeof a.sun_path) return make_error(path + ": path too long for a socket");
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  return a;
}

}  // namespace

Result<int> listen_control(const std::string& path) {
  auto a = address(path);
  if (!a) return a.error();
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_error(errno_msg(path + ": socket"));
  ::unlink(path.c_str());
  mode_t old = ::umask(077);  // 0600 from the start: no window with a wider mode
  int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&*a), sizeof *a);
  ::umask(old);
  if (rc != 0 || ::listen(fd, 64) != 0) {
    std::string m = errno_msg(path);
    ::close(fd);
    return make_error(m);
  }
  ::chmod(path.c_str(), 0600);
  return fd;
}

Result<int> accept_client(int listen_fd) {
  int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return -1;
    return make_error(errno_msg("control: accept"));
  }
  struct ucred cred {};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
      (cred.uid != 0 && cred.uid != ::geteuid())) {
    ::close(fd);
    return make_error("control: refused a peer with uid " + std::to_string(cred.uid));
  }
  return fd;
}

bool LineBuffer::feed(std::string_view bytes, size_t max) {
  buf_.append(bytes);
  size_t nl = buf_.rfind('\n');
  size_t partial = nl == std::string::npos ? buf_.size() : buf_.size() - nl - 1;
  return partial <= max;
}

std::optional<std::string> LineBuffer::next() {
  size_t nl = buf_.find('\n');
  if (nl == std::string::npos) return std::nullopt;
  std::string line = buf_.substr(0, nl);
  buf_.erase(0, nl + 1);
  return line;
}

std::string LineBuffer::take_rest() {
  std::string r;
  r.swap(buf_);
  return r;
}

Status write_all(int fd, std::string_view data, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = ::write(fd, data.data(), data.size());
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return make_error("write: timed out");
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, static_cast<int>(left.count()));
      continue;
    }
    return make_error(errno_msg("write"));
  }
  return {};
}

Result<ControlClient> ControlClient::connect(const std::string& path) {
  auto a = address(path);
  if (!a) return a.error();
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_error(errno_msg("socket"));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&*a), sizeof *a) != 0) {
    std::string m = (errno == ENOENT || errno == ECONNREFUSED)
                        ? path + ": labd is not running"
                        : errno_msg(path);
    ::close(fd);
    return make_error(m);
  }
  return ControlClient(fd);
}

ControlClient::~ControlClient() {
  if (fd_ >= 0) ::close(fd_);
}

Status ControlClient::send(const Request& r) { return write_all(fd_, encode(r) + "\n"); }

Result<Reply> ControlClient::receive(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto line = buf_.next()) return decode_reply(*line);
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return make_error("labd: no reply in time");
    pollfd p{fd_, POLLIN, 0};
    int rc = ::poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) continue;
    char buf[65536];
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error("labd: connection closed");
    buf_.feed(std::string_view(buf, static_cast<size_t>(n)), 1 << 24);
  }
}

}  // namespace vklab::labd
