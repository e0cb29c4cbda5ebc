#include "common/fault.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <string>

namespace vklab {
namespace {

int signal_named(std::string_view s) {
  if (s == "TERM") return SIGTERM;
  if (s == "INT") return SIGINT;
  if (s == "STOP") return SIGSTOP;
  return SIGKILL;
}

}  // namespace

void fault_point(std::string_view step) {
  const char* spec = std::getenv("VKLAB_FAULT");
  const char* trace = std::getenv("VKLAB_FAULT_TRACE");
  if ((!spec || !*spec) && (!trace || !*trace)) return;
  static std::map<std::string, int, std::less<>> reached;
  int n = ++reached[std::string(step)];
  if (trace && *trace) {
    std::string line = std::string(step) + "@" + std::to_string(n) + "\n";
    int fd = ::open(trace, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
      (void)!::write(fd, line.data(), line.size());
      ::close(fd);
    }
  }
  if (!spec) return;
  std::string_view rest(spec);
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    std::string_view sig = "KILL";
    if (size_t c = item.find(':'); c != std::string_view::npos) {
      sig = item.substr(c + 1);
      item = item.substr(0, c);
    }
    int at = 1;
    if (size_t a = item.find('@'); a != std::string_view::npos) {
      at = std::atoi(std::string(item.substr(a + 1)).c_str());
      item = item.substr(0, a);
    }
    if (item == step && at == n) ::raise(signal_named(sig));
  }
}

}  // namespace vklab
