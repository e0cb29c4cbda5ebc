// poll(2) over a set of descriptors, each with its own handler: the loop
// adds what it waits for and the set calls back whatever is ready (no
// index arithmetic over a pollfd array).
#pragma once

#include <poll.h>

#include <functional>
#include <vector>

namespace vklab::labd {

class PollSet {
 public:
  /// Waits for `fd` to be readable (or to hang up); then `on_ready` runs.
  void add(int fd, std::function<void()> on_ready) {
    fds_.push_back({fd, POLLIN, 0});
    handlers_.push_back(std::move(on_ready));
  }
  /// poll() for at most `timeout_ms` (-1: no limit), then runs the handler
  /// of every ready descriptor in the order added. False on a poll error
  /// other than EINTR. The set is empty again afterwards.
  bool wait(int timeout_ms);

 private:
  std::vector<pollfd> fds_;
  std::vector<std::function<void()>> handlers_;
};

}  // namespace vklab::labd
