// systemctl/service in a guest: command lines, unit aliases over a fake
// Debian tree, the started-units record and the stop script init runs.
// (Running init scripts is tested inside guests: tests/lifecycle examples.)
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "guest/services.h"

using namespace vklab::vkernel;
namespace fs = std::filesystem;

namespace {

/// A fake root: /etc/init.d scripts and unit files, removed at the end.
struct FakeRoot {
  fs::path root;
  FakeRoot() {
    std::string t = (fs::temp_directory_path() / "vklab-svc-XXXXXX").string();
    REQUIRE(mkdtemp(t.data()));
    root = t;
  }
  ~FakeRoot() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  void file(const std::string& rel, const std::string& text, int mode = 0644) const {
    fs::create_directories((root / rel.substr(1)).parent_path());
    std::ofstream(root / rel.substr(1)) << text;
    ::chmod((root / rel.substr(1)).c_str(), mode);
  }
  void script(const std::string& name) const { file("/etc/init.d/" + name, "#!/bin/sh\n", 0755); }
  void link(const std::string& rel, const std::string& target) const {
    fs::create_directories((root / rel.substr(1)).parent_path());
    fs::create_symlink(target, root / rel.substr(1));
  }
  std::string resolve(const std::string& unit, std::string* why = nullptr) const {
    std::string w;
    auto u = resolve_unit(root.string(), unit, w);
    if (why) *why = w;
    return u ? u->name + ":" + u->script : "";
  }
};

}  // namespace

TEST_CASE("services: the two command names, by the last path component") {
  CHECK(is_service_command("systemctl"));
  CHECK(is_service_command("/run/vkernel/bin/service"));
  CHECK_FALSE(is_service_command("systemctl2"));
  CHECK_FALSE(is_service_command("halt"));
  CHECK_FALSE(is_service_command(""));
}

TEST_CASE("systemctl: verbs, units, options") {
  auto r = parse_systemctl({"start", "frr", "named.service"});
  CHECK(r.error == "");
  CHECK(r.verb == "start");
  CHECK(r.units == std::vector<std::string>{"frr", "named.service"});
  CHECK(parse_systemctl({"-q", "is-active", "frr"}).quiet);
  CHECK(parse_systemctl({"is-active", "--quiet", "frr"}).quiet);
  CHECK(parse_systemctl({"enable", "--now", "frr"}).now);
  CHECK(parse_systemctl({"--no-pager", "status", "frr"}).error == "");
  CHECK(parse_systemctl({"daemon-reload"}).error == "");
  CHECK(parse_systemctl({"--help"}).help);
  CHECK(parse_systemctl({}).error.starts_with("systemctl: say what to do\nusage: systemctl"));
  CHECK(parse_systemctl({"start"}).error.starts_with("systemctl: start needs a unit\n"));
  CHECK(parse_systemctl({"strat", "frr"}).error.starts_with(
      "systemctl: unknown command verb 'strat' (a vklab guest runs init scripts) (did you mean \"start\"?)\n"));
  CHECK(parse_systemctl({"start", "--now", "frr"}).error.starts_with("systemctl: --now goes with enable or disable"));
  CHECK(parse_systemctl({"-x", "start", "frr"}).error.starts_with("systemctl: unknown option '-x'"));
  CHECK(parse_systemctl({"daemon-reload", "frr"}).error.starts_with("systemctl: daemon-reload takes no unit"));
}

TEST_CASE("service: UNIT ACTION [ARGS], --status-all") {
  auto r = parse_service({"bind9", "restart"});
  CHECK(r.error == "");
  CHECK(r.units == std::vector<std::string>{"bind9"});
  CHECK(r.verb == "restart");
  auto g = parse_service({"apache2", "graceful", "-x"});
  CHECK(g.verb == "graceful");
  CHECK(g.extra == std::vector<std::string>{"-x"});
  CHECK(parse_service({"--status-all"}).verb == "status-all");
  CHECK(parse_service({"frr"}).error.starts_with("service: say what to do with frr\nusage: service"));
  CHECK(parse_service({}).error.starts_with("service: say which unit\n"));
  CHECK(parse_service({"--help"}).help);
}

TEST_CASE("units: an init script of that name, with or without .service") {
  FakeRoot f;
  f.script("frr");
  f.file("/etc/init.d/notexec", "#!/bin/sh\n", 0644);
  CHECK(f.resolve("frr") == "frr:frr");
  CHECK(f.resolve("frr.service") == "frr:frr");
  std::string why;
  CHECK(f.resolve("notexec", &why) == "");
  CHECK(why == "Unit notexec.service not found.");
  CHECK(f.resolve("nope", &why) == "");
  CHECK(why == "Unit nope.service not found.");
}

TEST_CASE("units: aliases from Alias= lines and from symlinks (bind9 is named on Debian 12)") {
  FakeRoot f;
  f.script("named");
  f.script("apache2");
  f.file("/lib/systemd/system/named.service",
         "[Unit]\nDescription=BIND\n[Service]\nExecStart=/usr/sbin/named\n[Install]\nWantedBy=multi-user.target\n"
         "Alias=bind9.service\n");
  f.file("/lib/systemd/system/apache2.service", "[Install]\n  Alias=httpd.service www.service\n");
  CHECK(f.resolve("bind9") == "named:named");
  CHECK(f.resolve("bind9.service") == "named:named");
  CHECK(f.resolve("www") == "apache2:apache2");
  CHECK(f.resolve("httpd.service") == "apache2:apache2");
  FakeRoot g;  // the alias as the symlink `systemctl enable` makes
  g.script("named");
  g.file("/lib/systemd/system/named.service", "[Service]\n");
  g.link("/etc/systemd/system/bind9.service", "/lib/systemd/system/named.service");
  CHECK(g.resolve("bind9") == "named:named");
}

TEST_CASE("units: a unit file without an init script, and names that are no unit") {
  FakeRoot f;
  f.file("/lib/systemd/system/systemd-networkd.service", "[Service]\n");
  std::string why;
  CHECK(f.resolve("systemd-networkd", &why) == "");
  CHECK(why == "Unit systemd-networkd.service has no init script (/etc/init.d/systemd-networkd): a vklab "
               "guest runs services through their init scripts");
  f.script("x");
  for (const char* bad : {"../x", "/etc/init.d/x", ".x", "-x", "", "a b", "x;y"}) {
    CHECK(f.resolve(bad, &why) == "");
    CHECK(why.find("not found") != std::string::npos);
  }
}

TEST_CASE("the record: a unit once, in start order; stopping removes it") {
  std::string r = record_started("", "frr");
  r = record_started(r, "named");
  r = record_started(r, "frr");
  CHECK(r == "frr\nnamed\n");
  CHECK(record_stopped(r, "frr") == "named\n");
  CHECK(record_stopped(r, "apache2") == r);
}

TEST_CASE("the stop script: last started first, each failure reported, names quoted") {
  CHECK(services_stop_script("", "r1") == "");
  std::string s = services_stop_script("frr\nnamed\n../evil\n", "r1");
  CHECK(s ==
        "echo 'r1: init: stopping named'\n/etc/init.d/named stop </dev/null || echo 'r1: init: named stop failed' >&2\n"
        "echo 'r1: init: stopping frr'\n/etc/init.d/frr stop </dev/null || echo 'r1: init: frr stop failed' >&2\n");
}

TEST_CASE("outside a guest the commands refuse and run nothing") {
  // This test process is not a guest: PID 1 is not this binary. (A unit
  // no host has: even run as PID 1 of a sandbox this starts nothing.)
  CHECK(services_main({"systemctl", "start", "vklab-test-no-such-unit"}) == 1);
  CHECK(services_main({"service", "vklab-test-no-such-unit", "stop"}) == 1);
  // Usage errors come first and need no guest.
  CHECK(services_main({"systemctl", "bogus"}) == kSvcUsage);
}
