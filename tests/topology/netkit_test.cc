// The Kathará front-end: golden diagnostics for netkit/fail/*, golden YAML
// (what `vklab convert` prints) for netkit/pass/*, the lab name rules, and
// the round trip convert → load giving the same plan. Set
// VKLAB_UPDATE_GOLDEN=1 to write changed goldens, then review the diff.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "topology/compile.h"
#include "topology/load.h"
#include "topology/netkit_load.h"
#include "topology/netkit_names.h"
#include "topology/netkit_yaml.h"
#include "topology/plan_json.h"
#include "topology/validate.h"

using namespace vklab;
using namespace vklab::topology;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void check_golden(const fs::path& golden, const std::string& got) {
  if (std::getenv("VKLAB_UPDATE_GOLDEN") && (!fs::exists(golden) || slurp(golden) != got)) {
    std::ofstream(golden, std::ios::binary) << got;
    MESSAGE("wrote " << golden.string());
  }
  REQUIRE_MESSAGE(fs::exists(golden), golden.string() << " is missing");
  CHECK(slurp(golden) == got);
}

/// Loads netkit/<rel> as `vklab` would, SourceLocs shown as "netkit/<rel>",
/// on a host that has none of the images' software.
std::optional<Lab> load_case(const std::string& rel, Diagnostics& d) {
  NetkitOptions o;
  o.display_dir = "netkit/" + rel;
  o.host_has = [](const std::string&) { return false; };
  auto lab = load_netkit((fs::path(VKLAB_TEST_DIR) / "netkit" / rel).string(), d, o);
  if (lab) validate(*lab, d);
  d.sort();
  return lab;
}

std::vector<std::string> cases(const std::string& kind) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(fs::path(VKLAB_TEST_DIR) / "netkit" / kind))
    if (e.is_directory()) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

CompileOptions fixed_options(const std::string& base) {
  CompileOptions o;
  o.state_dir = "/run/vklab/test";
  o.auto_kernel = "/usr/libexec/vklab/vkernel";
  o.base_dir = base;
  return o;
}

}  // namespace

TEST_CASE("golden: netkit/fail/* gives exactly netkit/fail/*.err") {
  auto all = cases("fail");
  CHECK(all.size() >= 8);
  for (const auto& name : all) {
    CAPTURE(name);
    Diagnostics d;
    load_case("fail/" + name, d);
    CHECK(d.has_errors());
    check_golden(fs::path(VKLAB_TEST_DIR) / "netkit" / "fail" / (name + ".err"), d.str());
  }
}

TEST_CASE("golden: netkit/pass/* loads without errors and converts to netkit/pass/*.yaml") {
  auto all = cases("pass");
  CHECK(all.size() >= 2);
  for (const auto& name : all) {
    CAPTURE(name);
    Diagnostics d;
    auto lab = load_case("pass/" + name, d);
    REQUIRE(lab);
    INFO(d.str());
    CHECK_FALSE(d.has_errors());
    fs::path dir = fs::path(VKLAB_TEST_DIR) / "netkit" / "pass";
    check_golden(dir / (name + ".diag"), d.str());
    YamlWriteOptions w;
    w.base_dir = (dir / name).string();
    w.header = "converted from netkit/pass/" + name;
    check_golden(dir / (name + ".yaml"), lab_to_yaml(*lab, w));
  }
}

TEST_CASE("the loader fills the model the Kathará way") {
  Diagnostics d;
  auto lab = load_case("pass/basic", d);
  REQUIRE(lab);
  CHECK(lab->format == "netkit");
  CHECK(lab->name.value == "basic");
  CHECK(lab->file == "netkit/pass/basic/lab.conf");
  CHECK(lab->description == "Two routers and a client; every lab.conf form Kathará reads");
  using Meta = std::vector<std::pair<std::string, std::string>>;
  CHECK(lab->meta == Meta{{"version", "1.0"}, {"author", "A. Teacher"}, {"email", "teacher@example.org"},
                          {"web", "http://example.org/labs/"}});
  REQUIRE(lab->bridges.size() == 2);
  CHECK(lab->bridges[0].name == "lan");
  CHECK(lab->bridges[0].loc == SourceLoc{"netkit/pass/basic/lab.conf", 8, 8});
  REQUIRE(lab->guests.size() == 3);
  const GuestDecl& r1 = lab->guests[0];
  CHECK(r1.name == "r1");
  CHECK(r1.ifname.value == "eth");
  CHECK(r1.image == "kathara/frr");
  CHECK(r1.memory.value == "128m");
  REQUIRE(r1.interfaces.size() == 2);
  CHECK(r1.interfaces[1].bridge.value == "backbone");
  REQUIRE(r1.interfaces[1].mac);
  CHECK(r1.interfaces[1].mac->value.str() == "02:00:00:00:01:01");
  // shared.startup first, then r1.startup (its CRLF dropped), then exec.
  CHECK(r1.startup ==
        "# shared.startup\necho shared start\n"
        "# r1.startup\nip address add 10.0.0.1/24 dev eth0\nip address add 10.0.12.1/30 dev eth1\n"
        "systemctl start frr\n"
        "# r1[exec]\nip route add 10.9.0.0/16 via 10.0.12.2\n");
  // Where each part starts, so a failing line is named in its own file.
  CHECK(r1.startup_sources == std::vector<ScriptSource>{{2, "shared.startup", 1}, {4, "r1.startup", 1},
                                                        {8, "lab.conf r1[exec]", 1}});
  CHECK(script_place(r1.startup_sources, 5) == "r1.startup:2");
  CHECK(script_place(r1.startup_sources, 2) == "shared.startup:1");
  CHECK(script_place(r1.startup_sources, 8) == "lab.conf r1[exec]:1");
  CHECK(script_place(r1.startup_sources, 1) == "");  // the label comment
  CHECK(script_place({}, 5) == "");                   // a lab file's own script
  CHECK(r1.shutdown == "# r1.shutdown\necho r1 going down\n# shared.shutdown\necho shared stop\n");
  CHECK(fs::path(r1.files_dir) == fs::path(VKLAB_TEST_DIR) / "netkit/pass/basic/r1");
  CHECK(fs::path(lab->shared_dir) == fs::path(VKLAB_TEST_DIR) / "netkit/pass/basic/shared");
  CHECK(lab->guests[1].files_dir.empty());
  // Kathará's defaults, then the device's own: ip_forward=0 replaces the
  // default in place.
  auto sysctl = [](const GuestDecl& g, const std::string& k) -> std::string {
    for (const auto& s : g.sysctls)
      if (s.value.first == k) return s.value.second;
    return "(unset)";
  };
  CHECK(r1.sysctls.front().value == std::pair<std::string, std::string>{"net.ipv4.ip_forward", "0"});
  CHECK(r1.sysctls.front().loc.line == 13);
  CHECK(sysctl(r1, "net.ipv4.conf.all.rp_filter") == "0");
  CHECK(sysctl(r1, "net.ipv4.conf.eth1.rp_filter") == "0");
  CHECK(sysctl(r1, "net.ipv4.conf.eth2.rp_filter") == "(unset)");
  CHECK(sysctl(r1, "net.ipv4.conf.all.arp_ignore") == "1");
  CHECK(sysctl(r1, "net.ipv6.conf.all.disable_ipv6") == "1");
  CHECK(sysctl(lab->guests[1], "net.ipv6.conf.all.disable_ipv6") == "0");
  CHECK(sysctl(lab->guests[1], "net.ipv4.ip_forward") == "1");
  // lab.dep: depends_on with locations in lab.dep.
  const GuestDecl& pc1 = lab->guests[2];
  REQUIRE(pc1.depends_on.size() == 2);
  CHECK(pc1.depends_on[1].value == "r2");
  CHECK(pc1.depends_on[1].loc == SourceLoc{"netkit/pass/basic/lab.dep", 2, 9});
  CHECK(pc1.env == std::vector<std::pair<std::string, std::string>>{{"GREETING", "hello world"}});
  CHECK(lab->launch_order == std::vector<size_t>{1, 0, 2});
}

TEST_CASE("convert, then load: the same plan") {
  for (const auto& name : cases("pass")) {
    CAPTURE(name);
    // As a teacher would: `vklab convert DIR > DIR/lab.yaml`, in a copy.
    char tmpl[] = "/tmp/vklab-convert.XXXXXX";
    fs::path dir = fs::path(mkdtemp(tmpl)) / name;
    fs::copy(fs::path(VKLAB_TEST_DIR) / "netkit" / "pass" / name, dir, fs::copy_options::recursive);
    Diagnostics d1;
    auto netkit = load_netkit(dir.string(), d1);
    REQUIRE(netkit);
    validate(*netkit, d1);
    REQUIRE_FALSE(d1.has_errors());
    YamlWriteOptions w;
    w.base_dir = dir.string();
    std::string text = lab_to_yaml(*netkit, w);
    std::ofstream(dir / "lab.yaml") << text;
    Diagnostics d2;
    auto yaml = load_file((dir / "lab.yaml").string(), d2);
    fs::remove_all(dir.parent_path());
    INFO(text);
    INFO(d2.str());
    REQUIRE(yaml);
    validate(*yaml, d2);
    REQUIRE_FALSE(d2.has_errors());
    // The same plan, but for where startup lines come from: the converted
    // file's (its own lines), the directory's (shared.startup, DEV.startup, exec).
    Plan from_dir = compile(*netkit, fixed_options(dir.string()));
    Plan from_yaml = compile(*yaml, fixed_options(dir.string()));
    for (Plan* p : {&from_dir, &from_yaml})
      for (auto& g : p->guests) {
        if (!netkit->find_guest(g.name)->startup.empty()) CHECK_FALSE(g.startup_sources.empty());
        g.startup_sources.clear();
      }
    auto p1 = plan_to_json(from_dir).dump(2);
    auto p2 = plan_to_json(from_yaml).dump(2);
    CHECK(p1 == p2);
    // The metadata reaches the plan (status shows it) and reads back.
    auto back = plan_from_json(plan_to_json(compile(*netkit, fixed_options(dir.string()))));
    REQUIRE(back.ok());
    CHECK(back->meta == netkit->meta);
    // Also what compile does not carry, on the model itself.
    CHECK(yaml->meta == netkit->meta);
    CHECK(yaml->description == netkit->description);
    CHECK(yaml->shared_dir == netkit->shared_dir);
    REQUIRE(yaml->guests.size() == netkit->guests.size());
    for (size_t i = 0; i < yaml->guests.size(); ++i) {
      const auto& a = netkit->guests[i];
      const auto& b = yaml->guests[i];
      CAPTURE(a.name);
      CHECK(a.image == b.image);
      CHECK(a.files_dir == b.files_dir);
    }
  }
}

TEST_CASE("lab names from directory names") {
  auto name = [](std::string_view d) {
    auto r = lab_name_from_dir(d);
    return r ? r.value() : "error: " + r.error().message;
  };
  CHECK(name("ospf") == "ospf");
  CHECK(name("kathara-lab_static-routing") == "kathara-lab-stat");
  CHECK(name("kathara-lab_bgp-simple-peering") == "kathara-lab-bgp");  // no trailing '-' after the cut
  CHECK(name("Lab_RIP") == "lab-rip");
  CHECK(name("/home/t/labs/web-server/") == "web-server");
  CHECK(name("2024_exam") == "exam");
  CHECK(name("my lab.v2") == "my-lab-v2");
  CHECK(name("a__b") == "a-b");
  CHECK(name("ça-va") == "a-va");
  CHECK(name("0123456789abcdefghijklmnopqrstuvwxyz") == "abcdefghijklmnop");
  CHECK(name("2024").starts_with("error: the directory name \"2024\" gives no lab name"));
  CHECK(name("___").starts_with("error: "));
  CHECK(name("").starts_with("error: "));
}

TEST_CASE("collision domains become bridges") {
  CHECK(bridge_name_for_cd("A") == "a");
  CHECK(bridge_name_for_cd("lan_1") == "lan_1");
  CHECK(bridge_name_for_cd("7") == "cd7");
  CHECK(bridge_name_for_cd("_x") == "cd_x");
  CHECK(bridge_name_for_cd("DMZ") == "dmz");
}

TEST_CASE("a directory without lab.conf, and a path that is no directory, name the directory") {
  Diagnostics d;
  CHECK_FALSE(load_netkit((fs::path(VKLAB_TEST_DIR) / "netkit/fail/missing").string(), d,
                          NetkitOptions{"netkit/fail/missing", {}}));
  CHECK(d.str() == "netkit/fail/missing: error: no lab.conf in this directory: a Kathará lab directory "
                   "holds lab.conf (a vklab lab is a .yaml file)\n");
  Diagnostics d2;
  CHECK_FALSE(load_netkit("/nonexistent/lab", d2));
  CHECK(d2.str() == "/nonexistent/lab: error: not a directory\n");
}

TEST_CASE("the image check asks the host") {
  Diagnostics d;
  NetkitOptions o;
  o.display_dir = "x";
  std::vector<std::string> asked;
  o.host_has = [&](const std::string& p) {
    asked.push_back(p);
    return true;
  };
  auto lab = load_netkit((fs::path(VKLAB_TEST_DIR) / "netkit/pass/basic").string(), d, o);
  REQUIRE(lab);
  CHECK(asked == std::vector<std::string>{"/usr/lib/frr/zebra"});  // once per image
  CHECK(d.str().find("install frr") == std::string::npos);
}
