// The startup scripts as real shell scripts (guest/startup.h): split into
// top-level commands, wrapped line for line, run by real shells (bash and
// dash's sh) in a scratch folder; files they write are compared byte for
// byte, and the reports on fd 9 are read as labd reads them.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "guest/startup.h"
#include "vkernel/ready.h"

using namespace vklab::vkernel;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> shells() {
  std::vector<std::string> s;
  for (const char* sh : {"/bin/bash", "/bin/sh"})
    if (::access(sh, X_OK) == 0) s.emplace_back(sh);
  return s;
}

auto checker(const std::string& shell) {
  return [shell](const std::string& t) { return shell_complete(shell, t); };
}

/// A script run as init runs it: split and wrapped for `shell`, run in a
/// fresh folder with fd 9 to a file.
struct Run {
  fs::path dir;
  std::string out, err;
  std::vector<ReadyLine> reports;
  std::vector<std::string> noise;  ///< fd 9 lines that are not ready.h lines
  std::string file(const std::string& name) const { return slurp(dir / name); }
  std::vector<ReadyLine> failed() const {
    std::vector<ReadyLine> f;
    for (const auto& r : reports)
      if (r.kind == ReadyLine::Kind::Failed) f.push_back(r);
    return f;
  }
  ~Run() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

std::unique_ptr<Run> run(const std::string& shell, const std::string& script) {
  auto r = std::make_unique<Run>();
  char tmpl[] = "/tmp/vklab-startup-test.XXXXXX";
  REQUIRE(::mkdtemp(tmpl));
  r->dir = tmpl;
  std::string w = rc_wrapper("r1", "startup", script, split_rc(script, checker(shell)));
  std::ofstream(r->dir / ".rc") << w;
  std::string cmd = "cd " + r->dir.string() + " && HOST=r1 " + shell + " .rc </dev/null >.out 2>.err 9>.fd9";
  [[maybe_unused]] int rc = std::system(cmd.c_str());
  r->out = r->file(".out");
  r->err = r->file(".err");
  std::istringstream fd9(r->file(".fd9"));
  for (std::string line; std::getline(fd9, line);) {
    if (auto p = parse_ready_line(line)) r->reports.push_back(*p);
    else r->noise.push_back(line);
  }
  return r;
}

const std::string kFrr =
    "frr version 8.4\n"
    "hostname r1\n"
    "!\n"
    "interface eth0\n"
    " ip ospf cost 10\n"
    "!\n"
    "router ospf\n"
    " network 10.0.1.0/24 area 0.0.0.0\n"
    " redistribute connected\n"
    "!\n"
    "line vty\n";

const std::string kZone =
    "$TTL 60\n"
    "@\tIN SOA ns1.lab. root.lab. ( 1 60 60 600 60 )\n"
    "@\tIN NS ns1.lab.\n"
    "ns1\tIN A 10.0.0.53\n"
    "www\tIN A 10.0.0.80 ; a \"comment\" with 'quotes' and $x and `ticks`\n";

}  // namespace

TEST_CASE("split_rc: commands, their first and last lines") {
  // a fake syntax check: complete when if/fi balance
  auto complete = [](const std::string& t) {
    int depth = 0;
    for (size_t p = 0; (p = t.find("if ", p)) != std::string::npos; ++p) ++depth;
    for (size_t p = 0; (p = t.find("fi", p)) != std::string::npos; ++p) --depth;
    return depth <= 0;
  };
  auto cmds = split_rc("echo a\n\n# comment\n  \nif true; then\n  echo b\nfi\nfalse\n", complete);
  REQUIRE(cmds.size() == 3);
  CHECK(cmds[0] == RcCommand{1, 1, "echo a", true});
  CHECK(cmds[1] == RcCommand{5, 7, "if true; then\n  echo b\nfi", true});
  CHECK(cmds[2] == RcCommand{8, 8, "false", true});
  // never complete: the rest is one command, marked
  auto bad = split_rc("echo x\nif oops\necho y", complete);
  REQUIRE(bad.size() == 2);
  CHECK(bad[1] == RcCommand{2, 3, "if oops\necho y", false});
}

TEST_CASE("split_rc: here-documents are read to their delimiters, never checked") {
  int calls = 0;
  auto always = [&](const std::string&) { return ++calls, true; };  // dash's -n: even an open heredoc passes
  auto cmds = split_rc(
      "cat > a <<EOF\nif\n\\\nEOF\n"           // 1-4: body lines that would fool a line splitter
      "cat > b <<-'END' ; echo x\n\t\tEND\n"   // 5-6: <<- strips tabs from the delimiter
      "cat <<\"Q\" > c; cat <<R >d\nq\nQ\nr\nR\n"  // 7-11: two on one line, bodies in order
      "cat <<E\\OF\nEOF \nEOF\n"               // 12-14: "EOF " is body; quoting by backslash
      "cat <<<here; echo $((1<<2)) # <<NOT\n"  // 15: a here-string, a shift, a comment
      "echo 'it''s <<X'\n"                     // 16: quoted
      "cat <<EOF\nno end",                     // 17-18: to the end of the script
      always);
  REQUIRE(cmds.size() == 7);
  CHECK(cmds[0].line == 1);
  CHECK(cmds[0].last == 4);
  CHECK(cmds[1].line == 5);
  CHECK(cmds[1].last == 6);
  CHECK(cmds[2].line == 7);
  CHECK(cmds[2].last == 11);
  CHECK(cmds[3].line == 12);
  CHECK(cmds[3].last == 14);
  CHECK(cmds[4] == RcCommand{15, 15, "cat <<<here; echo $((1<<2)) # <<NOT", true});
  CHECK(cmds[5].line == 16);
  CHECK(cmds[5].last == 16);
  CHECK(cmds[6].line == 17);
  CHECK(cmds[6].last == 18);
  CHECK(calls == 7);  // one check per command: bodies are never checked
}

TEST_CASE("split_rc with the real shells: compound commands, functions, continuations") {
  const std::string script =
      "ip link\n"                          // 1
      "for i in 1 2; do\n echo $i\ndone\n"  // 2-4
      "echo 'a\nb'\n"                       // 5-6
      "echo c \\\n d\n"                     // 7-8
      "f() {\n  echo in f\n}\n"             // 9-11
      "while false; do :; done\n"           // 12
      "case x in\n x) echo x;;\nesac\n"     // 13-15
      "if true; then cat <<EOF\nfi\nEOF\nfi\n";  // 16-19: "fi" in the body is not the end
  for (const auto& sh : shells()) {
    CAPTURE(sh);
    auto c = split_rc(script, checker(sh));
    REQUIRE(c.size() == 8);
    std::vector<std::pair<int, int>> spans;
    for (const auto& x : c) spans.emplace_back(x.line, x.last);
    CHECK(spans == std::vector<std::pair<int, int>>{{1, 1}, {2, 4}, {5, 6}, {7, 8}, {9, 11}, {12, 12}, {13, 15}, {16, 19}});
    for (const auto& x : c) CHECK(x.complete);
  }
}

TEST_CASE("a heredoc writes an FRR config and a bind9 zone byte for byte") {
  std::string tabbed;  // the zone, indented with tabs for <<-
  for (size_t s = 0, e; s < kZone.size(); s = e + 1) {
    e = kZone.find('\n', s);
    tabbed += "\t\t" + kZone.substr(s, e - s + 1);
  }
  const std::string script =
      "mkdir -p etc/frr etc/bind\n"
      "cat > etc/frr/frr.conf <<EOF\n" + kFrr + "EOF\n"
      "cat > etc/bind/db.lab <<-'ZONE'\n" + tabbed + "\tZONE\n"
      "cat > expanded <<EOF\nhost $HOST\n\\$literal\nEOF\n"
      "cat > literal <<\"EOF\"\nhost $HOST `x`\nEOF\n"
      "echo done\n";
  for (const auto& sh : shells()) {
    CAPTURE(sh);
    auto r = run(sh, script);
    CHECK(r->file("etc/frr/frr.conf") == kFrr);
    CHECK(r->file("etc/bind/db.lab") == kZone);
    CHECK(r->file("expanded") == "host r1\n$literal\n");
    CHECK(r->file("literal") == "host $HOST `x`\n");
    CHECK(r->out == "done\n");
    CHECK(r->err == "");
    CHECK(r->failed().empty());
    CHECK(r->noise.empty());
  }
}

TEST_CASE("a failing command is reported by its first line and the script goes on") {
  const std::string script =
      "echo one > log\n"                                   // 1
      "cd sub 2>/dev/null\n"                               // 2: fails (no such dir)
      "mkdir sub && cd sub\n"                              // 3: cd carries over
      "X=kept\n"                                           // 4
      "ip_route() { return 2; }\n"                         // 5: a function
      "ip_route add default \\\n  via 10.0.1.1\n"          // 6-7: continuation, fails 2
      "for i in 1 2; do\n  false\ndone\n"                  // 8-10: the loop fails (its last command)
      "for i in 1 2; do false; echo \"$X$i\"; done >> ../log\n"  // 11: ends well: not reported
      "if [ \"$X\" = kept ]; then\n  (exit 3)\nfi\n"       // 12-14: fails 3
      "echo \"it's $X\" >> ../log; exit_in_text='exit'\n"  // 15
      "nosuchcommand-vklab\n";                             // 16: 127
  for (const auto& sh : shells()) {
    CAPTURE(sh);
    auto r = run(sh, script);
    CHECK(r->file("log") == "one\nkept1\nkept2\nit's kept\n");
    auto f = r->failed();
    REQUIRE(f.size() == 5);
    CHECK(f[0].line == 2);  // cd's exit differs: bash 1, dash 2
    CHECK(f[0].exit != 0);
    CHECK(f[0].text == "cd sub 2>/dev/null");
    CHECK(f[1] == ReadyLine{ReadyLine::Kind::Failed, 6, 2, "ip_route add default \\"});
    CHECK(f[2] == ReadyLine{ReadyLine::Kind::Failed, 8, 1, "for i in 1 2; do"});
    CHECK(f[3] == ReadyLine{ReadyLine::Kind::Failed, 12, 3, "if [ \"$X\" = kept ]; then"});
    CHECK(f[4] == ReadyLine{ReadyLine::Kind::Failed, 16, 127, "nosuchcommand-vklab"});
    // the console line, and the shell's own message names the script's line
    CHECK(r->err.find("r1: startup: line 6: exit 2: ip_route add default \\\n") != std::string::npos);
    CHECK(r->err.find("16: nosuchcommand-vklab") != std::string::npos);
    // every command said when it began, in order
    std::vector<int> began;
    for (const auto& x : r->reports)
      if (x.kind == ReadyLine::Kind::Run) began.push_back(x.line);
    CHECK(began == std::vector<int>{1, 2, 3, 4, 5, 6, 8, 11, 12, 15, 16});
  }
}

TEST_CASE("the wrapper keeps the script's line numbers") {
  const std::string script =
      "# a comment\n\necho $LINENO\nif true; then\n  echo $LINENO\nfi\ncat <<EOF\nbody\nEOF\necho $LINENO\nnosuch-vklab\n";
  for (const auto& sh : shells()) {
    CAPTURE(sh);
    auto w = rc_wrapper("r1", "startup", script, split_rc(script, checker(sh)));
    CHECK(std::count(w.begin(), w.end(), '\n') == std::count(script.begin(), script.end(), '\n') + 1);
    auto r = run(sh, script);
    if (sh == "/bin/bash") CHECK(r->out == "3\n5\nbody\n10\n");  // dash has no LINENO
    CHECK(r->err.find("11: nosuch-vklab") != std::string::npos);     // the shell's own message
  }
}

TEST_CASE("a syntax error runs nothing from there and is reported with exit 2") {
  const std::string script = "echo before\nif true; then\n  echo never\necho never either\n";
  for (const auto& sh : shells()) {
    CAPTURE(sh);
    auto r = run(sh, script);
    CHECK(r->out == "before\n");
    auto f = r->failed();
    REQUIRE(f.size() == 1);
    CHECK(f[0].line == 2);
    CHECK(f[0].exit == 2);
    CHECK(f[0].text == "if true; then");
    CHECK(r->err.find("r1: startup: line 2: exit 2: if true; then") != std::string::npos);
    CHECK((r->err.find("syntax error") != std::string::npos || r->err.find("Syntax error") != std::string::npos));
  }
}

TEST_CASE("commands never hold the report descriptor; text is inert and cut") {
  std::string longcmd = "true " + std::string(300, 'x');
  const std::string script =
      "sh -c 'test ! -e /proc/self/fd/9' || echo leaked\n"
      "false '$(touch pwned)' '`touch pwned`' \"a  b\" \\; # that's it\n" + longcmd + " ; false\n";
  for (const auto& sh : shells()) {
    CAPTURE(sh);
    auto r = run(sh, script);
    CHECK(r->out == "");
    CHECK(!fs::exists(r->dir / "pwned"));
    auto f = r->failed();
    REQUIRE(f.size() == 2);
    CHECK(f[0].text == "false '$(touch pwned)' '`touch pwned`' \"a  b\" \\; # that's it");
    CHECK(f[1].line == 3);
    CHECK(f[1].text.size() == kReadyTextMax);
    CHECK(r->noise.empty());
  }
}

TEST_CASE("startup_shell: bash when the root has it") {
  CHECK(startup_shell() == (::access("/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh"));
  CHECK(shell_complete("/bin/sh", "echo a"));
  CHECK(!shell_complete("/bin/sh", "if true; then"));
  CHECK(shell_complete("/bin/sh", std::string(200000, ':')));  // more than one argument may hold
}
