#include <doctest/doctest.h>

#include "vkernel/cmdline.h"

using namespace vklab;
using namespace vklab::vkernel;

namespace {

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ' ') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

Result<Cmdline> parse_words(std::string_view s) { return Cmdline::parse(words(s)); }

std::string error_of(std::string_view s) {
  auto r = parse_words(s);
  return r ? std::string("(accepted)") : r.error().message;
}

void check_round_trip(const Cmdline& c) {
  auto argv = c.argv();
  auto back = Cmdline::parse(argv);
  REQUIRE_MESSAGE(back.ok(), back.error().message);
  CHECK(back.value() == c);
  CHECK(back->argv() == argv);
}

NetIf netif(std::string_view s) {
  auto n = NetIf::parse(s);
  REQUIRE_MESSAGE(n.ok(), n.error().message);
  return n.value();
}

}  // namespace

TEST_CASE("parse_memory: suffix required, 64 MB minimum, 2 MB granule") {
  CHECK(parse_memory("64m").value() == 64ull << 20);
  CHECK(parse_memory("64M").value() == 64ull << 20);
  CHECK(parse_memory("65536k").value() == 64ull << 20);
  CHECK(parse_memory("1g").value() == 1ull << 30);
  CHECK(parse_memory("2G").value() == 2ull << 30);
  CHECK(parse_memory("0x40m").value() == 64ull << 20);
  CHECK(parse_memory("0100m").value() == 64ull << 20);  // octal, base 0
  CHECK(parse_memory("0x4000000k").value() == 64ull << 30);
  CHECK(parse_memory("130m").value() == 130ull << 20);

  CHECK(parse_memory("100").error().message == "Bad maxmem option");
  CHECK(parse_memory("67108864").error().message == "Bad maxmem option");
  CHECK(parse_memory("64x").error().message == "Bad maxmem option");
  CHECK(parse_memory("64mb").error().message == "Bad maxmem option");
  CHECK(parse_memory("").error().message == "Bad maxmem option");
  CHECK(parse_memory("m").error().message == "Bad maxmem option");
  CHECK(parse_memory("-64m").error().message == "Bad maxmem option");
  CHECK(parse_memory(" 64m").error().message == "Bad maxmem option");
  CHECK(parse_memory("99999999999999999999g").error().message == "Bad maxmem option");
  CHECK(parse_memory("17179869184g").error().message == "Bad maxmem option");  // overflows
  const std::string spec = "Bad maxmem specification: 64MB minimum, multiples of 2MB only";
  CHECK(parse_memory("32m").error().message == spec);
  CHECK(parse_memory("65m").error().message == spec);
  CHECK(parse_memory("62m").error().message == spec);
  CHECK(parse_memory("65537k").error().message == spec);
  CHECK(parse_memory("0m").error().message == spec);
}

TEST_CASE("NetIf: the seven forms and their text") {
  auto f1 = netif("tap0:10.0.0.1");
  CHECK(f1.iface == "tap0");
  CHECK(f1.addr1->str() == "10.0.0.1");
  CHECK_FALSE(f1.addr2);
  CHECK_FALSE(f1.netmask);

  auto f2 = netif("tap0:10.0.0.1/24");
  CHECK(f2.netmask == 24);

  auto f3 = netif("tap1:10.0.0.1:10.0.0.2");
  CHECK(f3.addr2->str() == "10.0.0.2");

  auto f4 = netif("tap1:10.0.0.1:10.0.0.2/30");
  CHECK(f4.addr1->str() == "10.0.0.1");
  CHECK(f4.addr2->str() == "10.0.0.2");
  CHECK(f4.netmask == 30);

  auto f5 = netif("tap2:bridge0");
  CHECK(f5.bridge == "bridge0");
  CHECK_FALSE(f5.addr1);

  auto f6 = netif("tap2:bridge3:10.1.0.5");
  CHECK(f6.bridge == "bridge3");
  CHECK(f6.addr2->str() == "10.1.0.5");

  auto f7 = netif("auto:bridge0:10.1.0.5/24=02:00:00:aa:bb:cc");
  CHECK(f7.is_auto());
  CHECK(f7.tap_name() == "auto");
  CHECK(f7.netmask == 24);
  CHECK(f7.mac->str() == "02:00:00:aa:bb:cc");

  for (const char* s : {"tap0", "tap0:10.0.0.1", "tap0:10.0.0.1/24", "tap0:10.0.0.1:10.0.0.2",
                        "tap0:10.0.0.1:10.0.0.2/30", "tap0:bridge0", "tap0:bridge0:10.1.0.5",
                        "tap0:bridge0:10.1.0.5/24", "auto:bridge1", "/dev/tap7:bridge0",
                        "tap0:bridge0=02:00:00:00:00:01", "/var/run/vknet",
                        "/var/run/vknet:bridge0:10.0.0.9/16"})
    CHECK(netif(s).str() == s);
}

TEST_CASE("NetIf: device names, /dev/ and sockets") {
  auto a = netif("/dev/tap7");
  CHECK(a.tap_name() == "tap7");
  CHECK_FALSE(a.is_socket());
  auto b = netif("tap7");
  CHECK(b.tap_name() == "tap7");
  auto s = netif("/var/run/vknet");
  CHECK(s.is_socket());
  CHECK_FALSE(NetIf::parse(""));
  CHECK_FALSE(NetIf::parse(":10.0.0.1"));
  CHECK_FALSE(NetIf::parse("averyveryverylongtapname"));
  CHECK_FALSE(NetIf::parse("/dev/"));
}

TEST_CASE("NetIf: rejections") {
  auto err = [](std::string_view s) {
    auto r = NetIf::parse(s);
    return r ? std::string("(accepted)") : r.error().message;
  };
  CHECK(err("tap0:10.0.0.1/32") == "tap0:10.0.0.1/32: Invalid netmask len");
  CHECK(err("tap0:10.0.0.1/0") == "tap0:10.0.0.1/0: Invalid netmask len");
  CHECK(err("tap0:10.0.0.1/") == "tap0:10.0.0.1/: Invalid netmask len");
  CHECK(err("tap0:10.0.0.1/2x") == "tap0:10.0.0.1/2x: Invalid netmask len");
  CHECK(err("tap0:10.0.0.1/100") == "tap0:10.0.0.1/100: Invalid netmask len");
  CHECK(err("tap0:fe80::1").find("IPv4 only") != std::string::npos);
  CHECK(err("tap0:2001:db8::1/24").find("IPv4 only") != std::string::npos);
  CHECK(err("tap0:10.0.0.1:fe80::2").find("IPv4 only") != std::string::npos);
  CHECK(err("tap0:10.0.0").find("IPv4 only") != std::string::npos);
  CHECK(err("tap0:host.example").find("IPv4 only") != std::string::npos);
  CHECK(err("tap0::10.0.0.2").find("IPv4 only") != std::string::npos);
  CHECK(err("tap0:bridge0=01:00:5e:00:00:01") ==
        "tap0:bridge0=01:00:5e:00:00:01: MAC address must be unicast");
  CHECK(err("tap0:bridge0=ff:ff:ff:ff:ff:ff").find("unicast") != std::string::npos);
  CHECK(err("tap0:bridge0=02:00:00:00:00").find("Invalid MAC") != std::string::npos);
  CHECK(err("tap0:bridge0/24").find("netmask without an address") != std::string::npos);
}

TEST_CASE("round trip: every shape the compiler can build") {
  Cmdline base;
  base.kernel = "/usr/libexec/vklab/vkernel";
  base.memory = "64m";

  check_round_trip(base);

  Cmdline all = base;
  all.memory = "0x4000000k";
  all.ncpus = "4:1:1";
  all.sched = "map,1";
  all.single_user = all.verbose = all.writable_kernel = all.no_vmm = true;
  all.precise_timer = all.flag_T = all.prezero = true;
  all.memimage = "/var/vkernel/memimg.000001";
  all.disks = {{Disk::Kind::ReadWrite, "/labs/r1.img", ""},
               {Disk::Kind::ReadWrite, "/labs/r1b.img", "SER123"},
               {Disk::Kind::CopyOnWrite, "/labs/base.img", ""},
               {Disk::Kind::CopyOnWrite, "/labs/base2.img", "X9"},
               {Disk::Kind::Cdrom, "/isos/dfly.iso", ""},
               {Disk::Kind::Cdrom, "/isos/with:colon.iso", ""}};
  all.env = {{"boot.verbose", "1"},
             {"vklab_hostname", "r1"},
             {"vklab_rc", "/run/vklab/lab/r1.rc"},
             {"url", "http://example.org:8080/x"},
             {"empty", ""},
             {"spaces", "a b  c"},
             {"boot.verbose", "0"}};
  for (const char* s : {"tap0:10.0.0.1", "tap1:10.0.0.1/24", "tap2:10.0.0.1:10.0.0.2",
                        "tap3:10.0.0.1:10.0.0.2/30", "tap4:bridge0", "tap5:bridge1:10.1.0.5",
                        "tap6:bridge2:10.2.0.5/24", "auto:bridge0",
                        "/dev/tap9:bridge0:10.3.0.1/16=02:11:22:33:44:55", "/var/run/vknet"})
    all.netifs.push_back(netif(s));
  all.pidfile = "/run/vklab/lab/r1.pid";
  check_round_trip(all);
  CHECK(all.getenv("boot.verbose") == "0");
  CHECK(all.getenv("url") == "http://example.org:8080/x");
  CHECK_FALSE(all.getenv("nope"));

  Cmdline img = base;
  img.memory.clear();
  img.memimage = "/var/vkernel/memimg.000000";
  check_round_trip(img);

  Cmdline help;
  help.kernel = "vkernel";
  help.help = true;
  check_round_trip(help);

  Cmdline full = base;
  for (int i = 0; i < kMaxNetIfs; ++i)
    full.netifs.push_back(netif("tap" + std::to_string(i) + ":bridge0:10.0.0." +
                                std::to_string(i + 1) + "/24"));
  for (int i = 0; i < kMaxDisks; ++i)
    full.disks.push_back({i % 2 ? Disk::Kind::ReadWrite : Disk::Kind::Cdrom,
                          "/d" + std::to_string(i), ""});
  check_round_trip(full);
}

TEST_CASE("argv: fixed order") {
  Cmdline c;
  c.kernel = "vkernel";
  c.memory = "128m";
  c.ncpus = "2";
  c.single_user = true;
  c.disks = {{Disk::Kind::ReadWrite, "r1.img", ""}};
  c.env = {{"a", "1"}, {"b", "x:y"}};
  c.netifs = {netif("tap0:bridge0:10.1.0.1/24")};
  c.pidfile = "r1.pid";
  CHECK(c.argv() == std::vector<std::string>{"vkernel", "-m", "128m", "-n", "2", "-s", "-r",
                                             "r1.img", "-e", "a=1", "-e", "\"b=x:y\"", "-I",
                                             "tap0:bridge0:10.1.0.1/24", "-p", "r1.pid"});
}

TEST_CASE("parse: getopt semantics") {
  auto c = parse_words("vkernel -m64m -sv -I tap0:bridge0 -rdisk.img -R cow.img:S1 -c cd.iso "
                       "-p pid -n2 -l any -e a=1:b=2 -e c=3 -- ");
  REQUIRE_MESSAGE(c.ok(), c.error().message);
  CHECK(c->memory == "64m");
  CHECK(c->single_user);
  CHECK(c->verbose);
  CHECK(c->netifs.size() == 1);
  CHECK(c->disks.size() == 3);
  CHECK(c->disks[0].path == "disk.img");
  CHECK(c->disks[1].serno == "S1");
  CHECK(c->disks[2].kind == Disk::Kind::Cdrom);
  CHECK(c->ncpus == "2");
  CHECK(c->env.size() == 3);
  CHECK(c->pidfile == "pid");

  // an option letter followed by its value in the same word, within a bundle
  auto b = parse_words("vkernel -svm64m");
  REQUIRE(b.ok());
  CHECK(b->memory == "64m");
  // the value of an option may start with '-'
  auto d = parse_words("vkernel -m 64m -p -weird");
  REQUIRE(d.ok());
  CHECK(d->pidfile == "-weird");
  // last -p/-i wins
  CHECK(parse_words("vkernel -m 64m -p a -p b")->pidfile == "b");
  // -h alone is fine (no -m needed)
  CHECK(parse_words("vkernel -h")->help);
  CHECK(Cmdline::parse({"vkernel", "-m", "64m", "-e", "x=\"a:b\":y='c:d'"})->env ==
        std::vector<std::pair<std::string, std::string>>{{"x", "a:b"}, {"y", "c:d"}});
  CHECK(Cmdline::parse({"vkernel", "-m", "64m", "-e", "x=\"it's\"'"})->env.size() == 1);
  CHECK(Cmdline::parse({"vkernel", "-m", "64m", "-e", "::a=1::"})->env.size() == 1);
}

TEST_CASE("parse: rejections with the kernel's words") {
  CHECK(error_of("vkernel -m 100") == "vkernel: -m 100: Bad maxmem option");
  CHECK(error_of("vkernel -m 32m") ==
        "vkernel: -m 32m: Bad maxmem specification: 64MB minimum, multiples of 2MB only");
  CHECK(error_of("vkernel -m 65m").find("multiples of 2MB only") != std::string::npos);
  CHECK(error_of("vkernel -m 0x4000000k") == "(accepted)");
  CHECK(error_of("vkernel -m 64m -I tap0:10.0.0.1/32") ==
        "vkernel: -I tap0:10.0.0.1/32: Invalid netmask len");
  CHECK(error_of("vkernel -m 64m -I tap0:10.0.0.1/0").find("Invalid netmask len") !=
        std::string::npos);
  CHECK(error_of("vkernel -m 64m -I tap0:fe80::1:fe80::2").find("IPv4 only") !=
        std::string::npos);
  CHECK(error_of("vkernel -m 64m -I tap0:bridge0=33:33:00:00:00:01").find("unicast") !=
        std::string::npos);
  CHECK(error_of("vkernel -m 64m -q") == "vkernel: illegal option -- q");
  CHECK(error_of("/usr/libexec/vklab/vkernel -m 64m -sq") == "vkernel: illegal option -- q");
  CHECK(error_of("vkernel -m 64m -:") == "vkernel: illegal option -- :");
  CHECK(error_of("vkernel -m") == "vkernel: option requires an argument -- m");
  CHECK(error_of("vkernel -m 64m -I") == "vkernel: option requires an argument -- I");
  CHECK(error_of("vkernel -s") ==
        "vkernel: Cannot create a new memory file unless system memory size is specified "
        "with -m");
  CHECK(error_of("vkernel -i /tmp/img") == "(accepted)");
  CHECK(error_of("vkernel -m 64m extra") == "vkernel: unexpected argument 'extra'");
  CHECK(error_of("vkernel -m 64m -n 0") == "vkernel: -n 0: Bad ncpus, valid range is 1-256");
  CHECK(error_of("vkernel -m 64m -n 257").find("1-256") != std::string::npos);
  CHECK(error_of("vkernel -m 64m -n 256:2:3") == "(accepted)");
  CHECK(error_of("vkernel -m 64m -n 2:x") != "(accepted)");
  CHECK(error_of("vkernel -m 64m -n 2:1:1:1") != "(accepted)");
  CHECK(error_of("vkernel -m 64m -l sometimes") != "(accepted)");
  CHECK(error_of("vkernel -m 64m -l 3") == "(accepted)");
  CHECK(error_of("vkernel -m 64m -e novalue") != "(accepted)");
  CHECK(error_of("vkernel -m 64m -e =x") != "(accepted)");
  CHECK(error_of("vkernel -m 64m -r img:") != "(accepted)");

  std::string many_if = "vkernel -m 64m";
  for (int i = 0; i < 17; ++i) many_if += " -I tap" + std::to_string(i);
  CHECK(error_of(many_if) ==
        "vkernel: -I tap16: too many network interfaces (at most 16 -I)");
  std::string many_disks = "vkernel -m 64m";
  for (int i = 0; i < 17; ++i) many_disks += (i % 3 ? " -r d" : " -c d") + std::to_string(i);
  CHECK(error_of(many_disks).find("too many disk images (at most 16") != std::string::npos);
}

TEST_CASE("usage") {
  auto u = usage("vkernel");
  CHECK(u.starts_with("usage: vkernel "));
  CHECK(u.find("-I interface[:address1[:address2]][/netmask]") != std::string::npos);
}
