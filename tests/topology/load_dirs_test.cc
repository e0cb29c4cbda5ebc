// The YAML front-end's file-system half (load_dirs.h): guest folders, the
// shared folder, root: and files: checked on disk, folders that match no
// guest. Each case builds its own lab folder under a fresh temp directory.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "topology/load.h"
#include "topology/validate.h"

using namespace vklab;
using namespace vklab::topology;
namespace fs = std::filesystem;

namespace {

/// A fresh directory, removed with everything in it at the end.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "vklab-dirs-XXXXXX").string();
    REQUIRE(mkdtemp(t.data()));
    path = t;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path mkdir(const std::string& rel) const {
    fs::create_directories(path / rel);
    return path / rel;
  }
  fs::path write(const std::string& rel, const std::string& text) const {
    fs::create_directories((path / rel).parent_path());
    std::ofstream(path / rel) << text;
    return path / rel;
  }
};

struct Loaded {
  std::optional<Lab> lab;
  Diagnostics diags;
};

/// Loads (and validates) lab.yaml of `dir`, written from `text`.
Loaded load_in(const TempDir& dir, const std::string& text, const std::string& file = "lab.yaml") {
  Loaded out;
  auto path = dir.write(file, text);
  out.lab = load_file(path.string(), out.diags);
  if (out.lab) validate(*out.lab, out.diags);
  out.diags.sort();
  return out;
}

const char* kTwo = "name: t\nguests:\n  r1:\n  r2:\n";

/// The diagnostics with the temp folder's path replaced by "DIR", without
/// the validator's "has no interfaces" (these labs are all wireless).
std::string text(const Loaded& l, const TempDir& dir) {
  std::string s, from = dir.path.string();
  for (const auto& x : l.diags.items())
    if (x.message.find("has no interfaces") == std::string::npos) s += x.str() + "\n";
  for (size_t at; (at = s.find(from)) != std::string::npos;) s.replace(at, from.size(), "DIR");
  return s;
}

}  // namespace

TEST_CASE("a folder named like a guest is its files; shared/ is the lab's") {
  TempDir d;
  d.write("r1/etc/motd-lab", "hello\n");
  d.mkdir("shared");
  auto l = load_in(d, kTwo);
  REQUIRE(l.lab);
  CHECK(text(l, d) == "");
  CHECK(l.lab->guests[0].files_dir == (d.path / "r1").string());
  CHECK(l.lab->guests[1].files_dir == "");  // no r2/
  CHECK(l.lab->shared_dir == (d.path / "shared").string());
}

TEST_CASE("load_string touches no file") {
  Diagnostics diags;
  auto lab = load_string("name: t\nguests:\n  tmp:\n", "/lab.yaml", diags);
  REQUIRE(lab);
  CHECK(lab->guests[0].files_dir == "");
  CHECK(lab->shared_dir == "");
}

TEST_CASE("files: names another folder, relative to the lab file") {
  TempDir d;
  d.mkdir("configs/r1/etc");
  d.mkdir("r1");  // not used: files: wins
  auto l = load_in(d, "name: t\nguests:\n  r1: {files: configs/r1}\n  r2: {files: " +
                          (d.path / "configs").string() + "}\n");
  REQUIRE(l.lab);
  CHECK(text(l, d) == "");
  CHECK(l.lab->guests[0].files_dir == (d.path / "configs/r1").string());
  CHECK(l.lab->guests[1].files_dir == (d.path / "configs").string());
}

TEST_CASE("a files: folder that does not exist, or is a file, is an error at the key") {
  TempDir d;
  d.write("plain", "x");
  auto l = load_in(d, "name: t\nguests:\n  r1: {files: nope/r1}\n  r2: {files: plain}\n  r3: {files: \"\"}\n");
  CHECK(text(l, d) ==
        "DIR/lab.yaml:3:15: error: files folder \"nope/r1\" of guest \"r1\" does not exist (DIR/nope/r1)\n"
        "DIR/lab.yaml:4:15: error: files folder \"plain\" of guest \"r2\" is not a directory (DIR/plain)\n"
        "DIR/lab.yaml:5:15: error: files needs a folder (laid over the guest's root)\n");
}

TEST_CASE("files: cannot be a default") {
  TempDir d;
  d.mkdir("x");
  auto l = load_in(d, "name: t\ndefaults: {files: x}\nguests:\n  r1:\n");
  CHECK(text(l, d) ==
        "DIR/lab.yaml:2:12: error: \"files\" cannot be a default: it is set per guest\n");
}

TEST_CASE("root: an existing directory with a /bin/sh, also as a default") {
  TempDir d;
  d.mkdir("roots/good/bin");
  fs::create_symlink("dash", d.path / "roots/good/bin/sh");  // dangling on the host: fine
  d.mkdir("roots/nosh");
  d.write("roots/file", "x");
  auto l = load_in(d,
                   "name: t\ndefaults: {root: roots/good}\nguests:\n  r1:\n  r2:\n"
                   "  r3: {root: roots/nosh}\n  r4: {root: roots/file}\n  r5: {root: /nonexistent-vklab}\n");
  REQUIRE(l.lab);
  CHECK(text(l, d) ==
        "DIR/lab.yaml:6:14: error: root \"roots/nosh\" has no /bin/sh: the guest's init runs it (DIR/roots/nosh)\n"
        "DIR/lab.yaml:7:14: error: root \"roots/file\" is not a directory (DIR/roots/file)\n"
        "DIR/lab.yaml:8:14: error: root \"/nonexistent-vklab\" does not exist (/nonexistent-vklab)\n");
  CHECK(l.lab->guests[0].root->value == "roots/good");
  CHECK(l.lab->guests[1].root->loc.line == 2);
}

TEST_CASE("a bad root: in defaults is one error, not one per guest") {
  TempDir d;
  auto l = load_in(d, "name: t\ndefaults: {root: missing}\nguests:\n  r1:\n  r2:\n  r3:\n");
  CHECK(text(l, d) == "DIR/lab.yaml:2:18: error: root \"missing\" does not exist (DIR/missing)\n");
}

TEST_CASE("a path -e cannot carry is refused") {
  TempDir d;
  d.mkdir("it's");
  auto l = load_in(d, "name: t\nguests:\n  r1: {files: \"it's\"}\n");
  CHECK(text(l, d) == "DIR/lab.yaml:3:15: error: files \"it's\": a path with quote or control "
                      "characters cannot be given to a guest\n");
}

TEST_CASE("folders that match no guest: warned in a lab's folder, each named") {
  TempDir d;
  d.mkdir("r1");
  d.mkdir("r3");       // a typo or a leftover
  d.mkdir("notes");    // not a guest either
  d.mkdir(".git");     // hidden: never
  d.mkdir("shared");   // the shared folder
  d.write("images/r2.img", "");  // holds a disk the lab names
  d.write("other/lab.yaml", "name: other\n");  // a lab of its own
  d.write("kathara/lab.conf", "");
  auto l = load_in(d, "name: t\nguests:\n  r1:\n  r2: {disks: [images/r2.img]}\n");
  CHECK(text(l, d) ==
        "DIR/lab.yaml: warning: folder notes/ beside the lab file matches no guest; it is not used\n"
        "DIR/lab.yaml: warning: folder r3/ beside the lab file matches no guest; it is not used "
        "(did you mean \"r1\"?)\n");
}

TEST_CASE("a lab file in a busy folder: only likely typos are warned about") {
  TempDir d;
  d.mkdir("projects");
  d.mkdir("Downloads");
  d.mkdir("router");  // close to the guest "routr"
  auto l = load_in(d, "name: t\nguests:\n  routr:\n");
  CHECK(text(l, d) ==
        "DIR/lab.yaml: warning: folder router/ beside the lab file matches no guest; it is not used "
        "(did you mean \"routr\"?)\n");
}

TEST_CASE("several labs in one folder, each in its own sub-folder, do not warn about each other") {
  TempDir d;
  d.write("ospf/lab.yaml", "name: ospf\nguests:\n  r1:\n");
  d.mkdir("ospf/r1/etc/frr");
  d.write("bgp/lab.yaml", "name: bgp\nguests:\n  as1:\n");
  d.mkdir("bgp/as1");
  auto top = load_in(d, "name: top\nguests:\n  a:\n", "chain.yaml");
  CHECK(text(top, d) == "");
  Loaded ospf;
  ospf.lab = load_file((d.path / "ospf/lab.yaml").string(), ospf.diags);
  REQUIRE(ospf.lab);
  CHECK(text(ospf, d) == "");
  CHECK(ospf.lab->guests[0].files_dir == (d.path / "ospf/r1").string());
}

TEST_CASE("a guest folder's directory where the base has a symlink (merged /usr) is a warning") {
  TempDir d;
  d.mkdir("base/usr/lib");
  d.mkdir("base/bin");
  d.write("base/bin/sh", "");
  fs::create_symlink("usr/lib", d.path / "base/lib");
  d.mkdir("r1/lib/systemd/system");
  d.mkdir("r1/usr/lib/x");  // the right place: fine
  auto l = load_in(d, "name: t\nguests:\n  r1: {root: base}\n");
  CHECK(text(l, d) ==
        "DIR/lab.yaml:3:3: warning: guest \"r1\": its folder has a directory lib/ where the base has a symlink "
        "/lib -> usr/lib; it would hide everything there: put these files under usr/lib/ instead\n");
}
