#include "guest/dump.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace vklab::vkernel {
namespace {

/// A small /proc file; "" when unreadable (the process may be gone).
std::string read_small(const std::string& path) {
  std::string s;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return s;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 && s.size() < 65536) s.append(buf, static_cast<size_t>(n));
  ::close(fd);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
  return s;
}

std::string ns_link(const std::string& path) {
  char buf[64];
  ssize_t n = readlink(path.c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

}  // namespace

std::string dump_text(pid_t init_pid, const std::vector<std::unique_ptr<Vke>>& vkes) {
  std::string out = "db> ps\n  HPID   PID S COMMAND\n";
  std::string guest_ns = ns_link("/proc/" + std::to_string(init_pid) + "/ns/pid");
  if (DIR* d = guest_ns.empty() ? nullptr : opendir("/proc")) {
    std::vector<int> pids;
    while (dirent* e = readdir(d))
      if (e->d_name[0] >= '1' && e->d_name[0] <= '9') pids.push_back(std::atoi(e->d_name));
    closedir(d);
    std::sort(pids.begin(), pids.end());
    for (int p : pids) {
      std::string base = "/proc/" + std::to_string(p);
      if (ns_link(base + "/ns/pid") != guest_ns) continue;
      std::stringstream st(read_small(base + "/status"));
      std::string line, state = "?", nspid = "?";
      while (std::getline(st, line)) {
        if (line.starts_with("State:")) state = line.substr(7, 1);
        if (line.starts_with("NSpid:")) nspid = line.substr(line.find_last_of(" \t") + 1);
      }
      std::string cmd = read_small(base + "/cmdline");
      std::replace(cmd.begin(), cmd.end(), '\0', ' ');
      if (cmd.empty()) cmd = "[" + read_small(base + "/comm") + "]";
      char row[64];
      std::snprintf(row, sizeof row, "%6d %5s %s ", p, nspid.c_str(), state.c_str());
      out += row + cmd + "\n";
    }
  }
  out += "db> show vke\n";
  for (const auto& v : vkes) {
    out += "vke" + std::to_string(v->index) + ": tap " + v->host.name() + " (tap_unit " +
           std::to_string(v->host.unit()) + ")" + (v->bridge.empty() ? "" : " bridge " + v->bridge) +
           " mac " + v->mac.str() + (v->guest_address ? " inet " + v->guest_address->str() : "") + "\n";
    out += "      rx " + std::to_string(v->to_guest.packets.load()) + " pkts " +
           std::to_string(v->to_guest.bytes.load()) + " bytes " + std::to_string(v->to_guest.drops.load()) +
           " drops, tx " + std::to_string(v->to_host.packets.load()) + " pkts " +
           std::to_string(v->to_host.bytes.load()) + " bytes " + std::to_string(v->to_host.drops.load()) +
           " drops\n";
    if (uint64_t l = v->shaped.lost, o = v->shaped.overlimit, c = v->shaped.corrupted, d = v->shaped.duplicated,
        r = v->shaped.reordered; l + o + c + d + r)
      out += "      shaped: " + std::to_string(l) + " lost " + std::to_string(o) + " overlimit " + std::to_string(c) +
             " corrupted " + std::to_string(d) + " duplicated " + std::to_string(r) + " reordered\n";
  }
  out += "db> continue\n";
  return out;
}

}  // namespace vklab::vkernel
