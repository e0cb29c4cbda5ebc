// The pure parts of the guest's root: which host paths a guest must not
// see, and the kernel-parameter file.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "guest/rootfs.h"
#include "guest/confine.h"

#include <linux/capability.h>

using namespace vklab::vkernel;
using V = std::vector<std::string>;

TEST_CASE("state_paths: the state root two levels above the pidfile and the layer") {
  CHECK(state_paths("/run/vklab/lab1/r1.pid", "/run/vklab/lab1/r1.layer", "", "", nullptr) == V{"/run/vklab"});
  CHECK(state_paths("/var/lib/vklab/lab1/r1.pid", "", "", "", "/srv/state") == V{"/srv/state", "/var/lib/vklab"});
  // one level only under /: the lab's own directory, never "/"
  CHECK(state_paths("/lab1/r1.pid", "", "", "", nullptr) == V{"/lab1"});
  CHECK(state_paths("/r1.pid", "", "", "", nullptr).empty());
  // relative or empty paths name nothing; duplicates once; trailing slashes normalised
  CHECK(state_paths("r1.pid", "", "", "", "") == V{});
  CHECK(state_paths("/a/b/c.pid", "/a/b/c.layer/", "", "", "/a/") == V{"/a"});
}

TEST_CASE("state_paths: the lab's folder, parent of its files and shared folders") {
  CHECK(state_paths("", "", "/home/t/lab/r1", "/home/t/lab/shared", nullptr) == V{"/home/t/lab"});
  CHECK(state_paths("", "", "/r1", "", nullptr) == V{"/r1"});
}

namespace {
std::string temp_file(const std::string& text) {
  char path[] = "/tmp/vklab-sysctl-test.XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::ofstream(path) << text;
  return path;
}
}  // namespace

TEST_CASE("read_sysctl_file") {
  std::string p = temp_file("# forwarding\nnet.ipv4.ip_forward = 1\n\n  net/ipv6/conf/all/forwarding=0\nnet.core.somaxconn=4096 \n");
  auto kv = read_sysctl_file(p);
  REQUIRE(kv.ok());
  REQUIRE(kv->size() == 3);
  CHECK((*kv)[0] == std::pair<std::string, std::string>{"net.ipv4.ip_forward", "1"});
  CHECK((*kv)[1].first == "net/ipv6/conf/all/forwarding");
  CHECK((*kv)[2].second == "4096");
  ::unlink(p.c_str());
  for (const char* bad : {"no equals sign\n", "=1\n", "net..x=1\n", "net.ipv4.ip forward=1\n", "../../x=1\n"}) {
    std::string b = temp_file(std::string("net.ipv4.ip_forward=1\n") + bad);
    auto r = read_sysctl_file(b);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == b + ":2: expected key=value with a kernel parameter name");
    ::unlink(b.c_str());
  }
  CHECK_FALSE(read_sysctl_file("/nonexistent/sysctl").ok());
}

TEST_CASE("the guest's capabilities: what labs use, none of the dangerous ones") {
  for (int cap : {CAP_NET_ADMIN, CAP_NET_RAW, CAP_NET_BIND_SERVICE, CAP_SETUID, CAP_SETGID, CAP_CHOWN,
                  CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_KILL, CAP_SYS_RESOURCE, CAP_SYS_ADMIN})
    CHECK(guest_keeps(cap));
  for (int cap : {CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_BOOT, CAP_SYS_TIME, CAP_MKNOD, CAP_SYS_PTRACE,
                  CAP_SYSLOG, CAP_BPF, CAP_PERFMON, CAP_MAC_ADMIN, CAP_AUDIT_CONTROL, CAP_SYS_NICE,
                  CAP_LINUX_IMMUTABLE, CAP_CHECKPOINT_RESTORE, 63})
    CHECK_FALSE(guest_keeps(cap));
}
