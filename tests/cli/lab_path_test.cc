// Commands that take a lab also take the path of its file or directory:
// lab_named_by_path() and resolve_lab() on real files in a temporary tree.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/cli.h"

using namespace vklab::cli;
namespace fs = std::filesystem;

namespace {

struct TempTree {
  fs::path root;
  TempTree() {
    char tmpl[] = "/tmp/vklab-labpath.XXXXXX";
    root = mkdtemp(tmpl);
  }
  ~TempTree() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  void write(const fs::path& rel, const std::string& text) const {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel) << text;
  }
};

struct Cwd {
  fs::path old = fs::current_path();
  explicit Cwd(const fs::path& p) { fs::current_path(p); }
  ~Cwd() { fs::current_path(old); }
};

}  // namespace

TEST_CASE("a lab's directory or file names the lab") {
  TempTree t;
  t.write("kathara-lab_OSPF/lab.conf", "r1[0]=A\n");
  t.write("yamllab/lab.yaml", "name: web\nguests: {a: }\n");
  t.write("other.yaml", "name: other\n");
  t.write("plain/README", "not a lab\n");
  CHECK(lab_named_by_path((t.root / "kathara-lab_OSPF").string()) == "kathara-lab-ospf");
  CHECK(lab_named_by_path((t.root / "kathara-lab_OSPF/").string()) == "kathara-lab-ospf");
  CHECK(lab_named_by_path((t.root / "yamllab").string()) == "web");
  CHECK(lab_named_by_path((t.root / "other.yaml").string()) == "other");
  CHECK_FALSE(lab_named_by_path((t.root / "plain").string()));
  CHECK_FALSE(lab_named_by_path("no-such-lab-name"));
  {
    Cwd in(t.root / "kathara-lab_OSPF");
    CHECK(lab_named_by_path(".") == "kathara-lab-ospf");
    int exit = -1;
    CHECK(resolve_lab("", exit) == "kathara-lab-ospf");  // the lab of this directory
    CHECK(exit == kExitOk);
    CHECK(resolve_lab("triangle", exit) == "triangle");  // a name stays a name
    CHECK(resolve_lab("../yamllab", exit) == "web");
  }
}
