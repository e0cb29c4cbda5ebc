// The control socket: a unix stream socket at <state>/control.sock, mode
// 0600, whose peers are checked with SO_PEERCRED (root or labd's own uid).
// Both ends: labd listens and reads request lines; vklab connects, sends
// one request and reads reply lines.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "labd/protocol.h"

namespace vklab::labd {

/// Creates the listening socket (non-blocking, close-on-exec), replacing a
/// stale socket file.
Result<int> listen_control(const std::string& path);

/// Accepts one client (non-blocking, close-on-exec); -1 when none is
/// waiting. A peer that is neither root nor our euid is refused (closed)
/// and reported as an error.
Result<int> accept_client(int listen_fd);

/// Splits a byte stream into lines.
class LineBuffer {
 public:
  /// Appends bytes. Returns false once the buffered partial line exceeds
  /// `max` bytes (the peer is misbehaving).
  bool feed(std::string_view bytes, size_t max = kMaxRequestLine);
  /// The next complete line without its '\n'.
  std::optional<std::string> next();
  /// What follows the lines taken so far (raw bytes after a console reply).
  std::string take_rest();

 private:
  std::string buf_;
};

/// Writes all of `data` to a blocking or non-blocking fd, waiting with
/// poll() when it would block, at most `timeout`.
Status write_all(int fd, std::string_view data,
                 std::chrono::milliseconds timeout = std::chrono::seconds(5));

/// A client's connection to a labd.
class ControlClient {
 public:
  /// Connects to `path`. "not running" errors say so.
  static Result<ControlClient> connect(const std::string& path);
  ControlClient(ControlClient&& o) noexcept : fd_(o.fd_), buf_(std::move(o.buf_)) { o.fd_ = -1; }
  ControlClient& operator=(ControlClient&&) = delete;
  ~ControlClient();

  Status send(const Request& r);
  /// The next reply line, decoded; waits at most `timeout`.
  Result<Reply> receive(std::chrono::milliseconds timeout);
  int fd() const { return fd_; }
  /// Bytes already read past the last reply line.
  std::string take_rest() { return buf_.take_rest(); }

 private:
  explicit ControlClient(int fd) : fd_(fd) {}
  int fd_ = -1;
  LineBuffer buf_;
};

}  // namespace vklab::labd
