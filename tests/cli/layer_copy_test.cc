// vklab save's copy (layer_copy.h) over a fake upper layer, without root:
// whiteouts and opaque directories are faked by name through the hooks
// (the real ones need CAP_MKNOD and trusted.* xattrs; tests/lifecycle/save.sh
// runs the real thing in a guest).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/layer_copy.h"

using namespace vklab::cli;
namespace fs = std::filesystem;

namespace {

struct Tmp {
  fs::path p;
  Tmp() {
    std::string t = (fs::temp_directory_path() / "vklab-save-XXXXXX").string();
    REQUIRE(mkdtemp(t.data()));
    p = t;
  }
  ~Tmp() {
    std::error_code ec;
    fs::remove_all(p, ec);
  }
};

void write(const fs::path& f, const std::string& text, int mode = 0644) {
  fs::create_directories(f.parent_path());
  std::ofstream(f) << text;
  ::chmod(f.c_str(), mode);
}

std::string slurp(const fs::path& f) {
  std::ifstream in(f);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Fakes: a regular file of mode 0 is a whiteout; a directory of mode
/// 01751 is opaque.
LayerCopyOptions fake(std::vector<std::string> skip = {}, std::vector<std::string> own = {}) {
  LayerCopyOptions o;
  o.skip = std::move(skip);
  o.own_opaque = std::move(own);
  o.is_whiteout = [](const struct stat& st, const std::string&) { return S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0; };
  o.is_opaque = [](int dirfd, const std::string& n) {
    struct stat st{};
    return ::fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & 07777) == 01751;
  };
  return o;
}

}  // namespace

TEST_CASE("save: changed and new files exactly: content, mode, mtime; symlinks as symlinks") {
  Tmp t;
  fs::path up = t.p / "upper", dst = t.p / "r1";
  write(up / "etc/frr/frr.conf", "router ospf\n", 0640);
  write(up / "usr/local/bin/tool", "#!/bin/sh\n", 04755);
  fs::create_directories(up / "etc/alternatives");
  fs::create_symlink("/usr/bin/vim.basic", up / "etc/alternatives/editor");
  fs::create_directories(up / "srv/new-empty");
  timespec times[2] = {{1000, 0}, {1234567890, 5}};
  ::utimensat(AT_FDCWD, (up / "etc/frr/frr.conf").c_str(), times, 0);
  ::utimensat(AT_FDCWD, (up / "etc/alternatives/editor").c_str(), times, AT_SYMLINK_NOFOLLOW);
  auto r = copy_layer(up.string(), dst.string(), fake());
  CHECK(r.errors.empty());
  CHECK(r.saved == std::vector<std::string>{"/etc/", "/etc/alternatives/", "/etc/alternatives/editor", "/etc/frr/",
                                            "/etc/frr/frr.conf", "/srv/", "/srv/new-empty/", "/usr/", "/usr/local/",
                                            "/usr/local/bin/", "/usr/local/bin/tool"});
  CHECK(slurp(dst / "etc/frr/frr.conf") == "router ospf\n");
  struct stat st{};
  REQUIRE(::stat((dst / "etc/frr/frr.conf").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);
  CHECK(st.st_mtim.tv_sec == 1234567890);
  CHECK(st.st_mtim.tv_nsec == 5);
  REQUIRE(::stat((dst / "usr/local/bin/tool").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 04755);  // set-id kept (the owner is set first)
  CHECK(fs::is_symlink(dst / "etc/alternatives/editor"));
  CHECK(fs::read_symlink(dst / "etc/alternatives/editor") == "/usr/bin/vim.basic");
  REQUIRE(::lstat((dst / "etc/alternatives/editor").c_str(), &st) == 0);
  CHECK(st.st_mtim.tv_sec == 1234567890);
  CHECK(fs::is_directory(dst / "srv/new-empty"));
  CHECK(r.deleted.empty());
}

TEST_CASE("save: deletions and replaced directories are reported, not applied") {
  Tmp t;
  fs::path up = t.p / "upper", dst = t.p / "r1";
  write(up / "etc/motd", "", 0);
  write(up / "etc/bind/db.lab", "zone\n");
  fs::create_directories(up / "home");  // the guest root's own: every guest sees /home empty
  ::chmod((up / "etc/bind").c_str(), 01751);
  ::chmod((up / "home").c_str(), 01751);
  write(dst / "etc/motd", "kept\n");
  auto r = copy_layer(up.string(), dst.string(), fake({}, {"/home"}));
  CHECK(r.deleted == std::vector<std::string>{"/etc/motd"});
  CHECK(r.replaced == std::vector<std::string>{"/etc/bind"});
  CHECK(slurp(dst / "etc/motd") == "kept\n");
  CHECK(slurp(dst / "etc/bind/db.lab") == "zone\n");
  CHECK_FALSE(fs::exists(dst / "home"));  // nothing in it, and its mark is not a change
  CHECK(deletions_text("r1", r).ends_with("\ndeleted /etc/motd\nreplaced /etc/bind\n"));
}

TEST_CASE("save: the guest's temporary and virtual directories are left out") {
  Tmp t;
  fs::path up = t.p / "upper", dst = t.p / "r1";
  write(up / "var/tmp/frr/logbuf", "x");
  write(up / "tmp/x", "x");
  write(up / "var/lib/state", "kept");
  fs::create_directories(up / "shared");
  auto r = copy_layer(up.string(), dst.string(), fake({std::begin(kNotSaved), std::end(kNotSaved)}));
  CHECK(r.errors.empty());
  CHECK_FALSE(fs::exists(dst / "var/tmp"));
  CHECK_FALSE(fs::exists(dst / "tmp"));
  CHECK_FALSE(fs::exists(dst / "shared"));
  CHECK(slurp(dst / "var/lib/state") == "kept");
}

TEST_CASE("save: a symlink in the destination is replaced or refused, never followed") {
  Tmp t;
  fs::path up = t.p / "upper", dst = t.p / "r1", outside = t.p / "outside";
  fs::create_directories(outside);
  write(outside / "passwd", "host's\n");
  write(up / "etc/passwd", "guest's\n");
  write(up / "lib/x", "guest's\n");
  fs::create_directories(dst / "etc");
  fs::create_symlink(outside / "passwd", dst / "etc/passwd");  // a file link: replaced by the file
  fs::create_symlink(outside, dst / "lib");                     // a directory link: refused
  auto r = copy_layer(up.string(), dst.string(), fake());
  CHECK(slurp(outside / "passwd") == "host's\n");
  CHECK_FALSE(fs::is_symlink(dst / "etc/passwd"));
  CHECK(slurp(dst / "etc/passwd") == "guest's\n");
  CHECK_FALSE(fs::exists(outside / "x"));
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0] == "/lib: not a directory in the destination (a symlink is never followed)");
  // The destination itself as a symlink is refused too.
  fs::create_symlink(outside, t.p / "link");
  auto r2 = copy_layer(up.string(), (t.p / "link").string(), fake());
  REQUIRE(r2.errors.size() == 1);
  CHECK(r2.errors[0].ends_with(": not a directory (a symlink is not followed)"));
  CHECK_FALSE(fs::exists(outside / "etc"));
}

TEST_CASE("save: a symlink in the layer is copied as a link, never read through") {
  Tmp t;
  fs::path up = t.p / "upper", dst = t.p / "r1";
  fs::create_directories(up);
  fs::create_symlink("/etc", up / "etc");  // a guest may point anywhere
  auto r = copy_layer(up.string(), dst.string(), fake());
  CHECK(r.errors.empty());
  CHECK(fs::is_symlink(dst / "etc"));
  CHECK(r.saved == std::vector<std::string>{"/etc"});
}

TEST_CASE("save: a directory in the way of a file is an error, the rest goes on; fifos are skipped") {
  Tmp t;
  fs::path up = t.p / "upper", dst = t.p / "r1";
  write(up / "a", "file");
  write(up / "b", "file b");
  REQUIRE(::mkfifo((up / "fifo").c_str(), 0600) == 0);
  fs::create_directories(dst / "a/inside");
  auto r = copy_layer(up.string(), dst.string(), fake());
  CHECK(r.errors == std::vector<std::string>{"/a: a directory in the destination is in the way"});
  CHECK(slurp(dst / "b") == "file b");
  CHECK(r.skipped == std::vector<std::string>{"/fifo (fifo)"});
  CHECK(fs::is_directory(dst / "a/inside"));
  CHECK_FALSE(fs::exists(dst / "a.vklab-save"));
}

TEST_CASE("save: a missing layer is one error and nothing written") {
  Tmp t;
  auto r = copy_layer((t.p / "nope").string(), (t.p / "r1").string(), fake());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].ends_with("nope: No such file or directory"));
}
