// Small system helpers shared by every module: errno text, an owning file
// descriptor, the default command search path.
#pragma once

#include <string>
#include <string_view>

namespace vklab {

/// "what: <strerror(errno)>", read at the call.
std::string errno_msg(std::string_view what);

/// The search path a process gets when it inherits none (Debian's root PATH).
inline constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// `dir` first, then `inherited` (or kDefaultPath when null or empty).
std::string path_with(std::string_view dir, const char* inherited);

/// An owning file descriptor: closed on destruction; move-only. -1 = none.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(o.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }
  /// Gives the descriptor up without closing it.
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  /// Closes the held descriptor (if any) and holds `fd` instead.
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

}  // namespace vklab
