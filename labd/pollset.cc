#include "labd/pollset.h"

#include <cerrno>

namespace vklab::labd {

bool PollSet::wait(int timeout_ms) {
  auto fds = std::move(fds_);
  auto handlers = std::move(handlers_);
  fds_.clear();
  handlers_.clear();
  int rc = ::poll(fds.data(), fds.size(), timeout_ms);
  if (rc < 0) return errno == EINTR;
  for (size_t i = 0; i < fds.size() && rc > 0; ++i)
    if (fds[i].revents) handlers[i]();
  return true;
}

}  // namespace vklab::labd
