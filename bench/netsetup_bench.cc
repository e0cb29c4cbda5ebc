// netsetup_bench: set up and tear down 100 bridges with 1,600 taps (16 per
// bridge, tagged, members, up) through the applier, in host mode and in
// isolated mode, against `ip -batch` doing the same work as the baseline.
//
// Runs as root only, and only inside private network namespaces: main()
// unshares before anything else and every measurement gets a fresh one.
// Isolated-mode teardown is what labd does: leave the lab's namespace and
// drop it (the kernel finishes the cleanup asynchronously).
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "netsetup/applier.h"
#include "netsetup/dragonfly.h"
#include "netsetup/linux_host.h"

using namespace vklab;
using namespace vklab::netsetup;
using Op = topology::HostStep::Op;

namespace {

constexpr int kBridges = 100;
constexpr int kTapsPerBridge = 16;
constexpr const char* kLab = "bench";

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

topology::HostStep make(Op op, std::string ifname, std::string member = "") {
  topology::HostStep s;
  s.op = op;
  s.ifname = std::move(ifname);
  s.member = std::move(member);
  return s;
}

std::vector<topology::HostStep> bench_plan() {
  std::vector<topology::HostStep> steps;
  for (const char* m : {"bridge", "tun"}) {
    auto s = make(Op::LoadModule, "");
    s.module = m;
    steps.push_back(s);
  }
  const int taps = kBridges * kTapsPerBridge;
  for (int b = 0; b < kBridges; ++b) steps.push_back(make(Op::CreateBridge, "bridge" + std::to_string(b)));
  for (int t = 0; t < taps; ++t) steps.push_back(make(Op::CreateTap, "tap" + std::to_string(t)));
  for (int t = 0; t < taps; ++t)
    steps.push_back(make(Op::AddMember, "bridge" + std::to_string(t / kTapsPerBridge), "tap" + std::to_string(t)));
  for (int b = 0; b < kBridges; ++b) steps.push_back(make(Op::LinkUp, "bridge" + std::to_string(b)));
  for (int t = 0; t < taps; ++t) steps.push_back(make(Op::LinkUp, "tap" + std::to_string(t)));
  return steps;
}

bool fresh_netns() {
  if (unshare(CLONE_NEWNET) != 0) {
    std::fprintf(stderr, "netsetup_bench: unshare(CLONE_NEWNET): %s\n", std::strerror(errno));
    return false;
  }
  return true;
}

struct Figures {
  double setup = -1, teardown = -1;
};

/// The applier on a LinuxHost in the current namespace.
Figures run_applier(topology::NetworkMode mode, bool drop_namespace) {
  Figures f;
  int outer = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (!fresh_netns()) return f;
  auto host = LinuxHost::open();
  if (!host) {
    std::fprintf(stderr, "netsetup_bench: %s\n", host.error().message.c_str());
    return f;
  }
  ApplyOptions o;
  o.lab = kLab;
  o.network = mode;
  Applier a(**host, o);
  auto steps = bench_plan();
  auto t0 = Clock::now();
  Status s = a.apply(steps);
  f.setup = since(t0);
  if (!s) {
    std::fprintf(stderr, "netsetup_bench: %s\n", s.error().message.c_str());
    return f;
  }
  t0 = Clock::now();
  if (drop_namespace) {
    host->reset();  // the socket holds the namespace
    if (setns(outer, CLONE_NEWNET) != 0) std::fprintf(stderr, "netsetup_bench: setns: %s\n", std::strerror(errno));
  } else {
    Status t = teardown(**host, a.created(), {kLab});
    if (!t) std::fprintf(stderr, "netsetup_bench: %s\n", t.error().message.c_str());
    auto left = (*host)->list();
    if (left && left->size() != 1) std::fprintf(stderr, "netsetup_bench: %zu links left\n", left->size() - 1);
  }
  f.teardown = since(t0);
  close(outer);
  return f;
}

/// `ip -batch` doing the same work: create, tag (alias + group), enslave,
/// up; then `ip link delete group`.
Figures run_ip_batch() {
  Figures f;
  if (!fresh_netns()) return f;
  const std::string group = std::to_string(link_group(ownership_tag(kLab)));
  const std::string alias = ownership_tag(kLab);
  const std::string setup_file = "/tmp/netsetup_bench.setup." + std::to_string(getpid());
  {
    std::ofstream out(setup_file);
    const int taps = kBridges * kTapsPerBridge;
    for (int b = 0; b < kBridges; ++b) {
      out << "link add bridge" << b << " group " << group << " type bridge\n";
      out << "link set bridge" << b << " alias " << alias << "\n";
    }
    for (int t = 0; t < taps; ++t) {
      out << "tuntap add dev tap" << t << " mode tap\n";
      out << "link set tap" << t << " group " << group << " alias " << alias << "\n";
    }
    for (int t = 0; t < taps; ++t) out << "link set tap" << t << " master bridge" << t / kTapsPerBridge << "\n";
    for (int b = 0; b < kBridges; ++b) out << "link set bridge" << b << " up\n";
    for (int t = 0; t < taps; ++t) out << "link set tap" << t << " up\n";
  }
  ExecRunner run;
  auto t0 = Clock::now();
  Status s = run.run({"ip", "-batch", setup_file});
  f.setup = since(t0);
  unlink(setup_file.c_str());
  if (!s) {
    std::fprintf(stderr, "netsetup_bench: baseline: %s\n", s.error().message.c_str());
    return f;
  }
  t0 = Clock::now();
  s = run.run({"ip", "link", "delete", "group", group});
  f.teardown = since(t0);
  if (!s) std::fprintf(stderr, "netsetup_bench: baseline: %s\n", s.error().message.c_str());
  return f;
}

void emit(const char* name, double value, double baseline) {
  std::printf("{\"name\":\"%s\",\"value\":%.4f,\"unit\":\"s\",\"baseline\":%.4f,\"ratio\":%.3f}\n", name,
              value, baseline, baseline > 0 ? value / baseline : 0.0);
}

}  // namespace

int main() {
  if (geteuid() != 0) {
    std::fprintf(stderr, "netsetup_bench: needs root (it works in private network namespaces)\n");
    return 0;
  }
  if (!fresh_netns()) return 1;  // before anything else: never the machine's namespace

  Figures base = run_ip_batch();
  Figures host = run_applier(topology::NetworkMode::Host, false);
  Figures iso = run_applier(topology::NetworkMode::Isolated, true);
  Figures iso_links = run_applier(topology::NetworkMode::Isolated, false);

  emit("netsetup.host.setup", host.setup, base.setup);
  emit("netsetup.host.teardown", host.teardown, base.teardown);
  emit("netsetup.isolated.setup", iso.setup, base.setup);
  emit("netsetup.isolated.teardown_netns_drop", iso.teardown, base.teardown);
  emit("netsetup.isolated.teardown_by_group", iso_links.teardown, base.teardown);
  return 0;
}
