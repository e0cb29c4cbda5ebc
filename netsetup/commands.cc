#include "netsetup/commands.h"

namespace vklab::netsetup {

using Op = topology::HostStep::Op;

namespace {

std::string address_of(const topology::HostStep& s) {
  return s.address ? s.address->str() : s.prefix ? s.prefix->str() : "?";
}
bool v6(const topology::HostStep& s) { return s.prefix && s.prefix->addr.v6(); }
std::string to_of(const topology::HostStep& s) {
  if (s.prefix && s.prefix->len == 0) return "default";
  return s.prefix ? s.prefix->str() : "?";
}
std::string via_of(const topology::HostStep& s) { return s.via ? s.via->str() : "?"; }

}  // namespace

std::vector<std::string> dragonfly_argv(const topology::HostStep& s) {
  switch (s.op) {
    case Op::LoadModule: return {"kldload", "-n", s.module};
    case Op::EnableVkernel: return {"sysctl", "vm.vkernel_enable=1"};
    case Op::CreateBridge:
    case Op::CreateTap: return {"ifconfig", s.ifname, "create"};
    case Op::AddAddress:
      return {"ifconfig", s.ifname, v6(s) ? "inet6" : "inet", address_of(s), "alias"};
    case Op::AddMember: return {"ifconfig", s.ifname, "addm", s.member};
    case Op::LinkUp: return {"ifconfig", s.ifname, "up"};
    case Op::RemoveMember: return {"ifconfig", s.ifname, "deletem", s.member};
    case Op::DestroyLink: return {"ifconfig", s.ifname, "destroy"};
    case Op::SetForwarding:
      return {"sysctl", std::string(s.family == 6 ? "net.inet6.ip6.forwarding=" : "net.inet.ip.forwarding=") +
                            (s.enable ? "1" : "0")};
    case Op::AddRoute: return {"route", "add", v6(s) ? "-inet6" : "-net", to_of(s), via_of(s)};
    case Op::DelRoute: return {"route", "delete", v6(s) ? "-inet6" : "-net", to_of(s), via_of(s)};
  }
  return {};
}

std::string linux_module(const std::string& m) {
  if (m == "if_bridge" || m == "bridge") return "bridge";
  if (m == "if_tap" || m == "if_tun" || m == "tap" || m == "tun") return "tun";
  return m;
}

std::vector<std::string> linux_ip_argv(const topology::HostStep& s) {
  switch (s.op) {
    case Op::LoadModule: return {"modprobe", linux_module(s.module)};
    case Op::EnableVkernel: return {};
    case Op::CreateBridge: return {"ip", "link", "add", s.ifname, "type", "bridge"};
    case Op::CreateTap: return {"ip", "tuntap", "add", "dev", s.ifname, "mode", "tap"};
    case Op::AddAddress: return {"ip", "addr", "add", address_of(s), "dev", s.ifname};
    case Op::AddMember: return {"ip", "link", "set", s.member, "master", s.ifname};
    case Op::LinkUp: return {"ip", "link", "set", s.ifname, "up"};
    case Op::RemoveMember: return {"ip", "link", "set", s.member, "nomaster"};
    case Op::DestroyLink: return {"ip", "link", "del", s.ifname};
    case Op::SetForwarding:
      return {"sysctl", "-w", std::string(s.family == 6 ? "net.ipv6.conf.all.forwarding=" : "net.ipv4.ip_forward=") +
                                  (s.enable ? "1" : "0")};
    case Op::AddRoute: return {"ip", "route", "add", to_of(s), "via", via_of(s)};
    case Op::DelRoute: return {"ip", "route", "del", to_of(s), "via", via_of(s)};
  }
  return {};
}

std::string describe(const topology::HostStep& s) {
  std::string d;
  switch (s.op) {
    case Op::LoadModule: d = "load module " + s.module; break;
    case Op::EnableVkernel: d = "enable vkernel"; break;
    case Op::CreateBridge: d = "create bridge " + s.ifname; break;
    case Op::CreateTap: d = "create tap " + s.ifname; break;
    case Op::AddAddress: d = "add address " + address_of(s) + " to " + s.ifname; break;
    case Op::AddMember: d = "add " + s.member + " to " + s.ifname; break;
    case Op::LinkUp: d = "set " + s.ifname + " up"; break;
    case Op::RemoveMember: d = "remove " + s.member + " from " + s.ifname; break;
    case Op::DestroyLink: d = "destroy " + s.ifname; break;
    case Op::SetForwarding:
      d = std::string(s.enable ? "enable" : "disable") + " IPv" + std::to_string(s.family) + " forwarding";
      break;
    case Op::AddRoute: d = "add route to " + to_of(s) + " via " + via_of(s); break;
    case Op::DelRoute: d = "remove route to " + to_of(s) + " via " + via_of(s); break;
  }
  if (!s.origin.empty()) d += " (" + s.origin + ")";
  return d;
}

}  // namespace vklab::netsetup
