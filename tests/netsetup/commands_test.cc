// The command tables shared by the DragonFly executor and the renderer.
#include <doctest/doctest.h>

#include "common/text.h"
#include "netsetup/commands.h"
#include "plans.h"

using namespace vklab;
using namespace vklab::netsetup;
using namespace vklab::netsetup::testing;

namespace {

HostStep with_module(const char* m) {
  HostStep s = make_step(Op::LoadModule, "");
  s.module = m;
  return s;
}

HostStep with_address(Op op, const char* ifname, const char* a) {
  HostStep s = make_step(op, ifname);
  s.address = *Ipv4Prefix::parse(a);
  return s;
}

std::string df(const HostStep& s) { return join(dragonfly_argv(s), " "); }
std::string lx(const HostStep& s) { return join(linux_ip_argv(s), " "); }

}  // namespace

TEST_CASE("dragonfly_argv: one command per op") {
  CHECK(df(with_module("if_bridge")) == "kldload -n if_bridge");
  CHECK(df(make_step(Op::EnableVkernel, "")) == "sysctl vm.vkernel_enable=1");
  CHECK(df(make_step(Op::CreateBridge, "bridge0")) == "ifconfig bridge0 create");
  CHECK(df(make_step(Op::CreateTap, "tap3")) == "ifconfig tap3 create");
  CHECK(df(with_address(Op::AddAddress, "bridge0", "10.0.0.1/24")) ==
        "ifconfig bridge0 inet 10.0.0.1/24 alias");
  CHECK(df(make_step(Op::AddMember, "bridge0", "tap3")) == "ifconfig bridge0 addm tap3");
  CHECK(df(make_step(Op::LinkUp, "tap3")) == "ifconfig tap3 up");
  CHECK(df(make_step(Op::RemoveMember, "bridge0", "re0")) == "ifconfig bridge0 deletem re0");
  CHECK(df(make_step(Op::DestroyLink, "tap3")) == "ifconfig tap3 destroy");
}

TEST_CASE("linux_ip_argv: the iproute2 equivalents") {
  CHECK(lx(with_module("bridge")) == "modprobe bridge");
  CHECK(lx(with_module("if_tap")) == "modprobe tun");
  CHECK(linux_ip_argv(make_step(Op::EnableVkernel, "")).empty());
  CHECK(lx(make_step(Op::CreateBridge, "bridge0")) == "ip link add bridge0 type bridge");
  CHECK(lx(make_step(Op::CreateTap, "tap3")) == "ip tuntap add dev tap3 mode tap");
  CHECK(lx(with_address(Op::AddAddress, "bridge0", "10.0.0.1/24")) ==
        "ip addr add 10.0.0.1/24 dev bridge0");
  CHECK(lx(make_step(Op::AddMember, "bridge0", "tap3")) == "ip link set tap3 master bridge0");
  CHECK(lx(make_step(Op::LinkUp, "tap3")) == "ip link set tap3 up");
  CHECK(lx(make_step(Op::RemoveMember, "bridge0", "eth0")) == "ip link set eth0 nomaster");
  CHECK(lx(make_step(Op::DestroyLink, "tap3")) == "ip link del tap3");
}

TEST_CASE("describe: a step in words with its origin") {
  CHECK(describe(make_step(Op::CreateTap, "tap3", "", "r1 vke0")) == "create tap tap3 (r1 vke0)");
  CHECK(describe(make_step(Op::AddMember, "bridge0", "tap3")) == "add tap3 to bridge0");
}
