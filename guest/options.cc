// The Linux guest's own -e variables (guest.h GuestOptions).
#include <cstdlib>
#include <string>

#include "common/text.h"
#include "guest/guest.h"

namespace vklab::vkernel {
namespace {

Result<std::chrono::milliseconds> duration_var(const Cmdline& c, const char* var,
                                               std::chrono::milliseconds def) {
  auto v = c.getenv(var);
  if (!v) return def;
  auto d = parse_duration(*v);
  if (!d) return make_error(std::string("-e ") + var + "=" + *v + ": expected a duration like 500ms or 30s");
  return *d;
}

}  // namespace

Result<GuestOptions> GuestOptions::from(const Cmdline& c) {
  GuestOptions o;
  if (auto h = c.getenv(kEnvHostname)) {
    if (h->empty() || h->size() > 64) return make_error(std::string("-e ") + kEnvHostname + ": invalid hostname");
    o.name = *h;
  }
  o.rc_path = c.getenv(kEnvRc).value_or("");
  o.rc_shutdown_path = c.getenv(kEnvRcShutdown).value_or("");
  auto st = duration_var(c, kEnvShutdownTimeout, o.shutdown_timeout);
  if (!st) return st.error();
  o.shutdown_timeout = *st;
  auto tw = duration_var(c, kEnvTermWait, o.term_wait);
  if (!tw) return tw.error();
  o.term_wait = *tw;
  std::optional<std::string> fd = c.getenv(kEnvReadyFd);
  if (!fd)
    if (const char* e = std::getenv(kEnvReadyFdVar); e && *e) fd = e;
  if (fd) {
    char* end = nullptr;
    long v = std::strtol(fd->c_str(), &end, 10);
    if (fd->empty() || *end != '\0' || v < 3 || v > 1 << 20)
      return make_error(std::string("readiness fd '") + *fd + "': expected a number >= 3");
    o.ready_fd = static_cast<int>(v);
  }
  if (!c.memory.empty()) o.memory = parse_memory(c.memory).value();
  o.root = c.getenv(kEnvRoot).value_or("/");
  o.files = c.getenv(kEnvFiles).value_or("");
  o.shared = c.getenv(kEnvShared).value_or("");
  o.layer = c.getenv(kEnvLayer).value_or("");
  o.sysctl_path = c.getenv(kEnvSysctl).value_or("");
  o.links_path = c.getenv(kEnvLinks).value_or("");
  for (const char* var : {kEnvRoot, kEnvFiles, kEnvShared, kEnvLayer, kEnvSysctl, kEnvLinks})
    if (auto v = c.getenv(var); v && (v->empty() || (*v)[0] != '/'))
      return make_error(std::string("-e ") + var + "=" + *v + ": expected an absolute path");
  if (auto a = c.getenv(kEnvAddrs)) {
    auto list = read_addrs(*a);
    if (!list) return make_error(std::string("-e ") + kEnvAddrs + ": " + list.error().message);
    o.addrs = std::move(*list);
  }
  if (auto p = c.getenv(kEnvIfname)) {
    // <prefix><index> must be a valid interface name (IFNAMSIZ - 1 = 15).
    if (p->empty() || p->size() > 13 || p->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos ||
        (*p)[0] < 'a' || (*p)[0] > 'z')
      return make_error(std::string("-e ") + kEnvIfname + "=" + *p + ": expected 1-13 of a-z 0-9 _ - starting with a letter");
    o.ifname = *p;
  }
  return o;
}

}  // namespace vklab::vkernel
