#include "common/sys.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vklab {

std::string errno_msg(std::string_view what) {
  int e = errno;
  return std::string(what) + ": " + std::strerror(e);
}

std::string path_with(std::string_view dir, const char* inherited) {
  return std::string(dir) + ":" + (inherited && *inherited ? inherited : kDefaultPath);
}

void UniqueFd::reset(int fd) {
  if (fd_ >= 0 && fd_ != fd) ::close(fd_);
  fd_ = fd;
}

}  // namespace vklab
