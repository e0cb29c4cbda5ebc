// netsetup_bench: set up and tear down 100 bridges with 1,600 taps (16 per
// bridge, tagged, members, up) through the applier, in host mode and in
// isolated mode, against `ip -batch` doing the same work as the baseline.
//
//   netsetup_bench [--runs R] [--bridges B] [--taps-per-bridge T] [--smoke]
//
// Every figure is the median of R runs (default 5), each run in fresh
// namespaces. JSON lines (T·B taps in the names):
//   netsetup.setup_1600taps.seconds       host mode (same namespace, tagged,
//   netsetup.teardown_1600taps.seconds    deleted link by link) vs the same
//                                         work by `ip -batch` / `ip link
//                                         delete group`
//   netsetup.isolated.setup_1600taps.seconds, …teardown_netns_drop_…,
//   …teardown_by_group_…                  isolated mode (what labd does by
//                                         default), same baselines
// --smoke: 4 bridges × 4 taps, 1 run, reported under the 1600taps names
// with "smoke":true — plumbing only.
//
// Runs as root only, and only inside private network namespaces: main()
// unshares before anything else and every measurement gets a fresh one.
// Isolated-mode teardown is what labd does: leave the lab's namespace and
// drop it (the kernel finishes the cleanup asynchronously).
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "netsetup/applier.h"
#include "netsetup/dragonfly.h"
#include "hostnet/linux_host.h"

using namespace vklab;
using namespace vklab::netsetup;
using namespace vklab::hostnet;
using Op = topology::HostStep::Op;

namespace {

int kBridges = 100;
int kTapsPerBridge = 16;
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

double median(std::vector<double> v) {
  std::erase_if(v, [](double x) { return x < 0; });
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bool smoke = false;

void emit(const std::string& name, const std::vector<double>& values, const std::vector<double>& baselines) {
  double value = median(values), baseline = median(baselines);
  int runs = static_cast<int>(values.size());
  if (value < 0) {
    std::printf("{\"name\":\"%s\",\"value\":null,\"unit\":\"s\",\"runs\":%d,\"error\":\"failed, see stderr\"%s}\n",
                name.c_str(), runs, smoke ? ",\"smoke\":true" : "");
    return;
  }
  std::printf("{\"name\":\"%s\",\"value\":%.6g,\"unit\":\"s\",\"runs\":%d", name.c_str(), value, runs);
  if (baseline > 0) std::printf(",\"baseline\":%.6g,\"ratio\":%.4g", baseline, value / baseline);
  std::printf(",\"bridges\":%d,\"taps\":%d%s}\n", kBridges, kBridges * kTapsPerBridge, smoke ? ",\"smoke\":true" : "");
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    else if (a == "--bridges" && i + 1 < argc) kBridges = std::max(1, std::atoi(argv[++i]));
    else if (a == "--taps-per-bridge" && i + 1 < argc) kTapsPerBridge = std::max(1, std::atoi(argv[++i]));
    else if (a == "--smoke") smoke = true;
    else {
      std::fprintf(stderr, "usage: netsetup_bench [--runs R] [--bridges B] [--taps-per-bridge T] [--smoke]\n");
      return 2;
    }
  }
  // The names: the real tap count, except in a smoke run (tiny sizes
  // under the names of the full one).
  const std::string taps = std::to_string(kBridges * kTapsPerBridge) + "taps";
  const std::string label = smoke ? "1600taps" : taps;
  if (smoke) kBridges = 4, kTapsPerBridge = 4, runs = 1;

  if (geteuid() != 0) {
    std::fprintf(stderr, "netsetup_bench: needs root (it works in private network namespaces)\n");
    return 1;
  }
  if (!fresh_netns()) return 1;  // before anything else: never the machine's namespace

  std::vector<double> bs, bt, hs, ht, is, it_drop, is2, it_group;
  for (int r = 0; r < runs; ++r) {
    Figures base = run_ip_batch();
    Figures host = run_applier(topology::NetworkMode::Host, false);
    Figures iso = run_applier(topology::NetworkMode::Isolated, true);
    Figures iso_links = run_applier(topology::NetworkMode::Isolated, false);
    bs.push_back(base.setup), bt.push_back(base.teardown);
    hs.push_back(host.setup), ht.push_back(host.teardown);
    is.push_back(iso.setup), it_drop.push_back(iso.teardown);
    is2.push_back(iso_links.setup), it_group.push_back(iso_links.teardown);
  }
  // Isolated setup is reported from the runs that start after a synchronous
  // teardown; the runs right after a namespace drop are reported apart: the
  // kernel is still unregistering the dropped namespace's 1,700 links in
  // the background then, under the same rtnl lock.
  const std::vector<double>& iso_setup = is;

  emit("netsetup.setup_" + label + ".seconds", hs, bs);
  emit("netsetup.teardown_" + label + ".seconds", ht, bt);
  emit("netsetup.isolated.setup_" + label + ".seconds", iso_setup, bs);
  emit("netsetup.isolated.setup_after_netns_drop_" + label + ".seconds", is2, bs);
  emit("netsetup.isolated.teardown_netns_drop_" + label + ".seconds", it_drop, bt);
  emit("netsetup.isolated.teardown_by_group_" + label + ".seconds", it_group, bt);
  return 0;
}
