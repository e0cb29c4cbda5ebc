#include "netsetup/dragonfly.h"

#ifdef __DragonFly__
#include <sys/sysctl.h>
#endif

#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "common/sys.h"
#include "common/text.h"

extern char** environ;

namespace vklab::netsetup {

using Op = topology::HostStep::Op;

namespace {

topology::HostStep step(Op op, const std::string& ifname, const std::string& member = "") {
  topology::HostStep s;
  s.op = op;
  s.ifname = ifname;
  s.member = member;
  return s;
}

std::string first_line(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

std::string guess_kind(const std::string& name) {
  if (name.rfind("bridge", 0) == 0) return "bridge";
  if (name.rfind("tap", 0) == 0) return "tap";
  return "";
}

int prefix_len(uint32_t mask) {
  int n = 0;
  while (mask & 0x80000000u) {
    ++n;
    mask <<= 1;
  }
  return n;
}

}  // namespace

std::string find_on_path(const std::string& prog) {
  if (prog.find('/') != std::string::npos) return prog;
  const char* path = getenv("PATH");
  std::string p = path ? path : kDefaultPath;
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string dir = p.substr(start, end - start);
    std::string full = (dir.empty() ? "." : dir) + "/" + prog;
    if (access(full.c_str(), X_OK) == 0) return full;
    start = end + 1;
  }
  return "";
}

Status ExecRunner::run(const std::vector<std::string>& argv) {
  const std::string cmd = join(argv, " ");
  if (argv.empty()) return make_error("empty command");
  std::string exe = find_on_path(argv[0]);
  if (exe.empty()) return make_error(cmd + ": " + argv[0] + " not found on PATH");

  int err_pipe[2];
  if (pipe2(err_pipe, O_CLOEXEC) != 0) return make_error(cmd + ": pipe: " + std::strerror(errno));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(err_pipe[1]);
  if (rc != 0) {
    close(err_pipe[0]);
    return make_error(cmd + ": " + std::strerror(rc));
  }
  std::string errtext;
  char buf[4096];
  for (;;) {
    ssize_t n = read(err_pipe[0], buf, sizeof buf);
    if (n > 0) {
      if (errtext.size() < 65536) errtext.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(err_pipe[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  std::string why = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                      : "killed by signal " + std::to_string(WTERMSIG(status));
  std::string detail = first_line(errtext);
  return make_error(cmd + ": " + why + (detail.empty() ? "" : ": " + detail));
}

Result<std::vector<LinkInfo>> probe_getifaddrs() {
  ifaddrs* ifa = nullptr;
  if (getifaddrs(&ifa) != 0) return make_error(std::string("getifaddrs: ") + std::strerror(errno));
  std::map<std::string, LinkInfo> by_name;
  std::vector<std::string> order;
  for (ifaddrs* p = ifa; p; p = p->ifa_next) {
    std::string name = p->ifa_name;
    auto [it, fresh] = by_name.try_emplace(name);
    LinkInfo& l = it->second;
    if (fresh) {
      order.push_back(name);
      l.name = name;
      l.ifindex = static_cast<int>(if_nametoindex(p->ifa_name));
      l.kind = guess_kind(name);
    }
    l.up = p->ifa_flags & IFF_UP;
    if (p->ifa_addr && p->ifa_addr->sa_family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(p->ifa_addr);
      auto* m = reinterpret_cast<sockaddr_in*>(p->ifa_netmask);
      l.addresses.push_back(Ipv4Prefix{Ipv4{ntohl(a->sin_addr.s_addr)},
                                       m ? prefix_len(ntohl(m->sin_addr.s_addr)) : 32});
    }
  }
  freeifaddrs(ifa);
  std::vector<LinkInfo> out;
  for (const std::string& n : order) out.push_back(std::move(by_name[n]));
  return out;
}

Status DragonFlyHost::run(const topology::HostStep& s) { return runner_.run(dragonfly_argv(s)); }

bool DragonFlyHost::gone(const std::string& name) {
  auto f = find(name);
  return f.ok() && !f->has_value();
}

Status DragonFlyHost::load_module(const std::string& module) {
  topology::HostStep s;
  s.op = Op::LoadModule;
  s.module = module;
  return run(s);
}

Status DragonFlyHost::enable_vkernel() {
  topology::HostStep s;
  s.op = Op::EnableVkernel;
  return run(s);
}

Status DragonFlyHost::create_bridge(const std::string& name, const std::string&) {
  return run(step(Op::CreateBridge, name));
}

Status DragonFlyHost::create_tap(const std::string& name, const std::string&) {
  return run(step(Op::CreateTap, name));
}

Status DragonFlyHost::add_member(const std::string& bridge, const std::string& member) {
  return run(step(Op::AddMember, bridge, member));
}

Status DragonFlyHost::remove_member(const std::string& bridge, const std::string& member) {
  Status s = run(step(Op::RemoveMember, bridge, member));
  if (!s && (gone(bridge) || gone(member))) return {};
  return s;
}

Status DragonFlyHost::set_up(const std::string& name, bool up) {
  if (up) return run(step(Op::LinkUp, name));
  return runner_.run({"ifconfig", name, "down"});
}

Status DragonFlyHost::add_address(const std::string& name, const Ipv4Prefix& address) {
  topology::HostStep s = step(Op::AddAddress, name);
  s.address = address;
  return run(s);
}

Status DragonFlyHost::add_address6(const std::string& name, const IpPrefix& address) {
  topology::HostStep s = step(Op::AddAddress, name);
  s.prefix = address;
  return run(s);
}

Result<bool> DragonFlyHost::add_route(const IpPrefix& to, const IpAddr& via) {
  topology::HostStep s = step(Op::AddRoute, "");
  s.prefix = to;
  s.via = via;
  if (Status st = run(s); !st) return st.error();
  return true;
}

Status DragonFlyHost::del_route(const IpPrefix& to, const IpAddr& via) {
  topology::HostStep s = step(Op::DelRoute, "");
  s.prefix = to;
  s.via = via;
  return run(s);
}

Result<bool> DragonFlyHost::forwarding(int family) {
#ifdef __DragonFly__
  int v = 0;
  size_t len = sizeof v;
  const char* name = family == 6 ? "net.inet6.ip6.forwarding" : "net.inet.ip.forwarding";
  if (sysctlbyname(name, &v, &len, nullptr, 0) < 0) return make_error(std::string(name) + ": " + std::strerror(errno));
  return v != 0;
#else
  return make_error("IPv" + std::to_string(family) + " forwarding: cannot be read on this system");
#endif
}

Status DragonFlyHost::set_forwarding(int family, bool on) {
  topology::HostStep s = step(Op::SetForwarding, "");
  s.family = family;
  s.enable = on;
  return run(s);
}

Status DragonFlyHost::destroy(const std::string& name) {
  Status s = run(step(Op::DestroyLink, name));
  if (!s && gone(name)) return {};
  return s;
}

Result<std::optional<LinkInfo>> DragonFlyHost::find(const std::string& name) {
  auto links = probe_();
  if (!links) return links.error();
  for (LinkInfo& l : *links)
    if (l.name == name) return std::optional<LinkInfo>{std::move(l)};
  return std::optional<LinkInfo>{};
}

}  // namespace vklab::netsetup
