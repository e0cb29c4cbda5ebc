// vklab capture [--lab LAB] TARGET [-w FILE] [-c COUNT] [FILTER…]
//
// Captures with libpcap on a BRIDGE (every frame of the segment: the
// bridge in the lab's namespace, promiscuous) or on GUEST:IF (its host tap:
// what the guest sent and received there). The lab's namespace
// (<state>/netns) is entered first, so labd is not needed. Output: pcap to
// FILE (-w; "-" = stdout), or pcap to stdout when it is not a terminal
// (`vklab capture lan | wireshark -k -i -`), or one readable line per frame
// on a terminal. Stops on Ctrl-C, after COUNT frames, when the lab goes
// down or the reader of stdout goes away; the pcap file is always whole.
#include <arpa/inet.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "cli/cli.h"
#include "cli/link_target.h"
#include "common/sys.h"
#include "common/text.h"

namespace vklab::cli {
namespace {

/// Every byte of a GSO segment as the tap carries it.
constexpr int kSnaplen = 262144;
/// How often the capture looks whether the lab is still there.
constexpr int kPollMs = 500;

volatile sig_atomic_t g_stop = 0;
void on_stop(int) { g_stop = 1; }

std::string mac_text(const u_char* m) {
  char b[18];
  std::snprintf(b, sizeof b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  return b;
}

std::string ip_text(const u_char* a) {
  char b[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, a, b, sizeof b);
  return b;
}

uint16_t be16(const u_char* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

std::string icmp_text(const u_char* p, size_t n) {
  if (n < 8) return "ICMP (truncated)";
  uint8_t type = p[0], code = p[1];
  std::string id = " id " + std::to_string(be16(p + 4)) + " seq " + std::to_string(be16(p + 6));
  switch (type) {
    case 0: return "ICMP echo reply" + id;
    case 8: return "ICMP echo request" + id;
    case 3: return "ICMP unreachable (code " + std::to_string(code) + ")";
    case 11: return "ICMP time exceeded";
    default: return "ICMP type " + std::to_string(type) + " code " + std::to_string(code);
  }
}

std::string tcp_flags(uint8_t f) {
  std::string s;
  const char* names = "FSRPAUEC";
  for (int b = 0; b < 8; ++b)
    if (f & (1 << b)) s += names[b];
  return s.empty() ? "." : s;
}

/// One readable line for a frame (Ethernet; ARP, IPv4 with ICMP/TCP/UDP, IPv6).
std::string frame_line(const pcap_pkthdr* h, const u_char* p) {
  char ts[32];
  std::tm tm{};
  time_t sec = h->ts.tv_sec;
  localtime_r(&sec, &tm);
  std::snprintf(ts, sizeof ts, "%02d:%02d:%02d.%06ld", tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long>(h->ts.tv_usec));
  size_t n = h->caplen;
  std::string line = std::string(ts) + " ";
  if (n < 14) return line + "frame of " + std::to_string(h->len) + " bytes (truncated)";
  line += mac_text(p + 6) + " > " + mac_text(p) + " ";
  uint16_t type = be16(p + 12);
  size_t off = 14;
  if (type == 0x8100 && n >= 18) {
    line += "vlan " + std::to_string(be16(p + 14) & 0x0fff) + " ";
    type = be16(p + 16);
    off = 18;
  }
  const u_char* l3 = p + off;
  size_t m = n - off;
  std::string what;
  if (type == 0x0806 && m >= 28) {
    uint16_t op = be16(l3 + 6);
    what = op == 1 ? "ARP who-has " + ip_text(l3 + 24) + " tell " + ip_text(l3 + 14)
                   : "ARP " + ip_text(l3 + 14) + " is-at " + mac_text(l3 + 8);
  } else if (type == 0x0800 && m >= 20) {
    size_t ihl = static_cast<size_t>(l3[0] & 0x0f) * 4;
    std::string src = ip_text(l3 + 12), dst = ip_text(l3 + 16);
    const u_char* l4 = l3 + ihl;
    size_t k = m > ihl ? m - ihl : 0;
    uint8_t proto = l3[9];
    if (proto == 1) {
      what = "IPv4 " + src + " > " + dst + " " + icmp_text(l4, k);
    } else if ((proto == 6 || proto == 17) && k >= 4) {
      std::string ports_src = src + "." + std::to_string(be16(l4)), ports_dst = dst + "." + std::to_string(be16(l4 + 2));
      what = "IPv4 " + ports_src + " > " + ports_dst + (proto == 6 ? " TCP" : " UDP");
      if (proto == 6 && k >= 14) what += " [" + tcp_flags(l4[13]) + "]";
    } else {
      what = "IPv4 " + src + " > " + dst + " proto " + std::to_string(proto);
    }
    what += " ttl " + std::to_string(l3[8]);
  } else if (type == 0x86dd && m >= 40) {
    char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, l3 + 8, s, sizeof s);
    inet_ntop(AF_INET6, l3 + 24, d, sizeof d);
    what = std::string("IPv6 ") + s + " > " + d + " next header " + std::to_string(l3[6]);
  } else {
    char b[16];
    std::snprintf(b, sizeof b, "0x%04x", type);
    what = std::string("ethertype ") + b;
  }
  return line + what + ", length " + std::to_string(h->len);
}

struct Sink {
  pcap_dumper_t* dump = nullptr;
  long count = 0;
  long limit = 0;  ///< 0 = no limit
  bool broken = false;  ///< the output went away (EPIPE)
};

void on_frame(u_char* user, const pcap_pkthdr* h, const u_char* bytes) {
  auto* s = reinterpret_cast<Sink*>(user);
  if (s->broken || (s->limit && s->count >= s->limit)) return;
  if (s->dump) {
    pcap_dump(reinterpret_cast<u_char*>(s->dump), h, bytes);
    if (pcap_dump_flush(s->dump) != 0) s->broken = true;
  } else {
    std::string l = frame_line(h, bytes) + "\n";
    if (::write(STDOUT_FILENO, l.data(), l.size()) < 0) s->broken = true;
  }
  ++s->count;
}

}  // namespace

Runner setup_capture(CLI::App& sub) {
  struct Opts {
    std::string lab, target, file;
    long count = 0;
    std::vector<std::string> filter;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("--lab", o->lab, "lab name (default: ./lab.yaml's, or the only one running)");
  sub.add_option("-w", o->file, "write pcap to FILE (\"-\": stdout)");
  sub.add_option("-c", o->count, "stop after COUNT frames")->check(CLI::PositiveNumber);
  sub.add_option("target", o->target, "BRIDGE (the whole segment) or GUEST:IF (its host tap)")->required();
  sub.add_option("filter", o->filter, "a pcap filter expression (pcap-filter(7)), such as icmp or tcp port 80");
  return [o] {
    int exit = kExitOk;
    auto running = open_running_lab(o->lab, exit, kExitUsage);
    if (!running) return exit;
    auto plan = read_plan_file(running->dir.plan_json());
    if (!plan) {
      std::cerr << "vklab: " << running->name << ": cannot read " << running->dir.plan_json() << "\n";
      return static_cast<int>(kExitFailure);
    }
    auto t = resolve_link_target(*plan, o->target);
    if (!t) {
      std::cerr << "vklab: " << t.error().message << "\n";
      return static_cast<int>(kExitUsage);
    }
    std::string ifname = !t->bridge.empty() ? t->bridge_if : iface_tap(*plan, t->ifaces[0].guest, t->ifaces[0].iface);
    if (ifname.empty()) {
      std::cerr << "vklab: " << o->target << ": no interface to capture on\n";
      return static_cast<int>(kExitFailure);
    }
    if (::geteuid() != 0) {
      std::cerr << "vklab: capture needs root (it enters the lab's namespace and opens a packet socket)\n";
      return static_cast<int>(kExitFailure);
    }
    // The packet socket is opened in the lab's namespace and stays bound to
    // its interface there; the process goes back to its own namespace at
    // once, so `down` does not take a running capture for a stray process
    // of the lab (it ends when the bridge goes away).
    UniqueFd home;
    if (running->state.isolated) {
      home = UniqueFd(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
      const std::string ns = running->dir.netns();
      int fd = ::open(ns.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || ::setns(fd, CLONE_NEWNET) < 0) {
        std::cerr << "vklab: " << running->name << ": cannot enter the lab's namespace " << ns << ": "
                  << std::strerror(errno) << " (is the lab down?)\n";
        if (fd >= 0) ::close(fd);
        return static_cast<int>(kExitFailure);
      }
      ::close(fd);
    }
    char err[PCAP_ERRBUF_SIZE] = "";
    pcap_t* p = pcap_create(ifname.c_str(), err);
    if (!p) {
      std::cerr << "vklab: " << ifname << ": " << err << "\n";
      return static_cast<int>(kExitFailure);
    }
    pcap_set_snaplen(p, kSnaplen);
    pcap_set_promisc(p, 1);  // a bridge passes its segment's frames up only when promiscuous
    pcap_set_immediate_mode(p, 1);
    if (int rc = pcap_activate(p); rc < 0) {
      std::cerr << "vklab: " << o->target << " (" << ifname << "): " << pcap_geterr(p) << "\n";
      pcap_close(p);
      return static_cast<int>(kExitFailure);
    }
    if (home && ::setns(home.get(), CLONE_NEWNET) < 0) {
      std::cerr << "vklab: cannot return to this shell's namespace: " << std::strerror(errno) << "\n";
      pcap_close(p);
      return static_cast<int>(kExitFailure);
    }
    if (!o->filter.empty()) {
      bpf_program prog;
      std::string expr = join(o->filter, " ");
      if (pcap_compile(p, &prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) < 0 || pcap_setfilter(p, &prog) < 0) {
        std::cerr << "vklab: filter \"" << expr << "\": " << pcap_geterr(p) << "\n";
        pcap_close(p);
        return static_cast<int>(kExitUsage);
      }
      pcap_freecode(&prog);
    }
    Sink sink;
    sink.limit = o->count;
    const bool to_stdout = o->file == "-" || (o->file.empty() && !::isatty(STDOUT_FILENO));
    if (to_stdout) sink.dump = pcap_dump_fopen(p, stdout);
    else if (!o->file.empty()) sink.dump = pcap_dump_open(p, o->file.c_str());
    if ((to_stdout || !o->file.empty()) && !sink.dump) {
      std::cerr << "vklab: " << (to_stdout ? "stdout" : o->file) << ": " << pcap_geterr(p) << "\n";
      pcap_close(p);
      return static_cast<int>(kExitFailure);
    }
    if (sink.dump) pcap_dump_flush(sink.dump);  // a valid (empty) file at once
    struct sigaction sa{};
    sa.sa_handler = on_stop;  // no SA_RESTART: poll() returns at once
    for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaction(s, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    std::cerr << "vklab: capturing on " << o->target << " (" << ifname << " in lab " << running->name << ")"
              << (o->filter.empty() ? "" : ", filter \"" + join(o->filter, " ") + "\"") << "\n";
    pcap_setnonblock(p, 1, err);
    int pfd = pcap_get_selectable_fd(p);
    std::string why;
    while (!g_stop && !sink.broken && !(sink.limit && sink.count >= sink.limit)) {
      pollfd pf{pfd, POLLIN, 0};
      int rc = ::poll(&pf, 1, kPollMs);
      if (rc < 0 && errno != EINTR) break;
      if (rc > 0) {
        if (pcap_dispatch(p, -1, on_frame, reinterpret_cast<u_char*>(&sink)) < 0) {
          why = std::string(pcap_geterr(p));
          break;
        }
      } else if (rc == 0) {
        std::error_code ec;
        if (!std::filesystem::exists(running->dir.state_json(), ec)) {
          why = running->name + " went down";
          break;
        }
      }
    }
    if (sink.dump) pcap_dump_close(sink.dump);  // flushes: the file is whole
    pcap_close(p);
    std::cerr << "vklab: " << sink.count << (sink.count == 1 ? " frame" : " frames") << " captured"
              << (why.empty() ? "" : "; stopped: " + why) << "\n";
    return static_cast<int>(kExitOk);
  };
}

}  // namespace vklab::cli
