#include "guest/power.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

namespace vklab::vkernel {
namespace {

std::string_view base(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string power_usage(std::string_view cmd) {
  if (cmd == "shutdown") return "usage: shutdown -h | -p | -r now";
  return "usage: " + std::string(cmd);
}

/// The file behind a /proc/PID/exe link (the inode, wherever it is
/// mounted), or errno.
struct Exe {
  dev_t dev = 0;
  ino_t ino = 0;
  int err = 0;
};
Exe exe_of(const char* link) {
  struct stat st{};
  if (::stat(link, &st) < 0) return {0, 0, errno};
  return {st.st_dev, st.st_ino, 0};
}

}  // namespace

bool is_power_command(std::string_view argv0) {
  for (std::string_view c : kPowerCommands)
    if (base(argv0) == c) return true;
  return false;
}

PowerRequest parse_power(std::string_view cmd, const std::vector<std::string>& args) {
  PowerRequest r;
  auto bad = [&](const std::string& why) {
    r.error = std::string(cmd) + ": " + why + "\n" + power_usage(cmd);
    return r;
  };
  for (const auto& a : args)
    if (a == "-?" || a == "--help") {
      r.action = PowerRequest::Action::Help;
      return r;
    }
  if (cmd != "shutdown") {
    if (!args.empty()) return bad("unexpected argument '" + args[0] + "'");
    r.action = cmd == "reboot" ? PowerRequest::Action::Reboot : PowerRequest::Action::Halt;
    return r;
  }
  std::string mode, when;
  for (const auto& a : args) {
    if (a == "-h" || a == "-p" || a == "-r") {
      if (!mode.empty() && mode != a) return bad("one of -h, -p, -r");
      mode = a;
    } else if (!a.empty() && a[0] == '-') {
      return bad("unknown option '" + a + "'");
    } else if (when.empty()) {
      when = a;
    } else {
      return bad("unexpected argument '" + a + "'");
    }
  }
  if (mode.empty()) return bad("say -h (halt), -p (power off) or -r (reboot)");
  if (when != "now" && when != "+0") return bad("only 'now' is supported, got '" + when + "'");
  r.action = mode == "-r" ? PowerRequest::Action::Reboot : PowerRequest::Action::Halt;
  return r;
}

int check_in_guest(std::string_view cmd) {
  // Only the guest's own init: PID 1 of this PID namespace runs this binary.
  std::string c(cmd);
  Exe init = exe_of("/proc/1/exe"), self = exe_of("/proc/self/exe");
  if ((init.err == EACCES || init.err == EPERM) && geteuid() != 0) {
    std::fprintf(stderr, "%s: must be root\n", c.c_str());
    return 1;
  }
  if (init.err || self.err || init.dev != self.dev || init.ino != self.ino) {
    std::fprintf(stderr, "%s: not inside a vklab guest (PID 1 is not its init); nothing done\n", c.c_str());
    return 1;
  }
  return 0;
}

int power_main(const std::vector<std::string>& argv) {
  std::string cmd(base(argv.empty() ? "halt" : argv[0]));
  PowerRequest r = parse_power(cmd, std::vector<std::string>(argv.begin() + (argv.empty() ? 0 : 1), argv.end()));
  if (!r.error.empty()) {
    std::fprintf(stderr, "%s\n", r.error.c_str());
    return 64;
  }
  if (r.action == PowerRequest::Action::Help) {
    std::printf("%s\n", power_usage(cmd).c_str());
    return 0;
  }
  if (int rc = check_in_guest(cmd)) return rc;
  int sig = r.action == PowerRequest::Action::Reboot ? SIGINT : SIGUSR2;
  // The shutdown we start sends SIGTERM (and the console SIGHUP) to every
  // guest process, this one too: it must not turn our own success into a
  // death by signal (`vklab exec r1 -- reboot` exits 0).
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  if (kill(1, sig) < 0) {
    std::fprintf(stderr, "%s: %s\n", cmd.c_str(), std::strerror(errno));
    return 1;
  }
  return 0;
}

}  // namespace vklab::vkernel
