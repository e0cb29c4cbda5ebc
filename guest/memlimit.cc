#include "guest/memlimit.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace vklab::vkernel {
namespace {

Status write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  if (!f) return make_error(path + ": " + std::strerror(errno));
  f << text;
  f.flush();
  if (!f) return make_error(path + ": " + std::strerror(errno));
  return {};
}

/// The memory cgroup of this process: the directory and the limit file's name.
Result<std::pair<std::string, std::string>> own_memory_cgroup() {
  std::ifstream in("/proc/self/cgroup");
  std::string line, v2;
  while (std::getline(in, line)) {
    auto a = line.find(':');
    auto b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string ctrls = line.substr(a + 1, b - a - 1);
    std::string path = line.substr(b + 1);
    std::stringstream ss(ctrls);
    for (std::string c; std::getline(ss, c, ',');)
      if (c == "memory") {
        std::string dir = "/sys/fs/cgroup/memory" + path;
        if (access(dir.c_str(), W_OK) == 0) return std::pair{dir, std::string("memory.limit_in_bytes")};
      }
    if (ctrls.empty()) v2 = path;
  }
  for (const std::string root : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
    std::string dir = root + v2;
    if (access((dir + "/cgroup.subtree_control").c_str(), W_OK) != 0) continue;
    std::ifstream sc(dir + "/cgroup.subtree_control");
    std::string ctl((std::istreambuf_iterator<char>(sc)), {});
    if (ctl.find("memory") != std::string::npos) return std::pair{dir, std::string("memory.max")};
  }
  return make_error("no writable memory cgroup");
}

}  // namespace

MemLimit::~MemLimit() { release(); }

bool MemLimit::release() {
  if (dir_.empty()) return true;
  int r;
  for (int i = 0; (r = rmdir(dir_.c_str())) < 0 && errno == EBUSY && i < 50; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (r < 0 && errno != ENOENT) return false;
  dir_.clear();
  return true;
}

Status MemLimit::add(pid_t pid) const {
  if (dir_.empty()) return make_error("no memory cgroup");
  return write_file(dir_ + "/cgroup.procs", std::to_string(pid));
}

Result<MemLimit> MemLimit::apply(const std::string& name, uint64_t bytes, pid_t pid) {
  auto cg = own_memory_cgroup();
  if (!cg) return cg.error();
  auto [parent, limit_file] = cg.value();
  std::string dir = parent + "/vkernel-" + name + "-" + std::to_string(getpid());
  if (mkdir(dir.c_str(), 0755) < 0 && errno != EEXIST)
    return make_error(dir + ": " + std::strerror(errno));
  MemLimit m;
  m.dir_ = dir;
  if (Status s = write_file(dir + "/" + limit_file, std::to_string(bytes)); !s) return s.error();
  if (Status s = write_file(dir + "/cgroup.procs", std::to_string(pid)); !s) return s.error();
  return m;
}

}  // namespace vklab::vkernel
