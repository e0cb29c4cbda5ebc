// launch(), readiness and the control socket, without root.
#include <doctest/doctest.h>

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "labd/control.h"
#include "labd/launch.h"

using namespace vklab::labd;
namespace fs = std::filesystem;

namespace {
fs::path temp_dir(const char* tag) {
  fs::path d = fs::temp_directory_path() / (std::string("labd-") + tag + "-" + std::to_string(getpid()));
  fs::create_directories(d);
  return d;
}
std::string read_all(int fd, int ms) {
  std::string out;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) return out;
    char buf[256];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}
}  // namespace

TEST_CASE("launch: an exec failure names the program and leaves no child") {
  auto r = launch({"/nonexistent/kernel", "-m", "64m"});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "/nonexistent/kernel: No such file or directory");
  CHECK(::waitpid(-1, nullptr, WNOHANG) < 0);  // nothing left to reap
}

TEST_CASE("launch: console on a pty, readiness pipe, pidfile") {
  fs::path d = temp_dir("launch");
  std::string pidfile = (d / "g.pid").string();
  auto r = launch({"/bin/sh", "-c",
                   "echo hello-console; echo $$ > " + pidfile + "; echo ready >&$VKLAB_READY_FD; "
                   "exec sleep 30"},
                  true);
  REQUIRE(r.ok());
  CHECK(read_all(r->ready, 2000) == "ready\n");
  CHECK(read_all(r->pty_master, 500).find("hello-console") != std::string::npos);
  auto pid = pidfile_ready(pidfile);
  REQUIRE(pid);
  CHECK(*pid == r->pid);
  CHECK(::isatty(r->pty_master));
  ::kill(r->pid, SIGTERM);
  int st = 0;
  ::waitpid(r->pid, &st, 0);
  CHECK(WIFSIGNALED(st));
  CHECK_FALSE(pidfile_ready(pidfile).has_value());  // the pid in it is dead
  ::close(r->pty_master);
  ::close(r->ready);
  { std::ofstream(pidfile) << "garbage\n"; }
  CHECK_FALSE(read_pidfile(pidfile).has_value());
  fs::remove_all(d);
}

TEST_CASE("control: 0600 socket, one request, typed replies") {
  fs::path d = temp_dir("control");
  std::string path = (d / "control.sock").string();
  auto l = listen_control(path);
  REQUIRE(l.ok());
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  std::thread server([fd = *l] {
    int c = -1;
    for (int i = 0; i < 200 && c < 0; ++i) {
      auto a = accept_client(fd);
      if (a.ok() && *a >= 0) c = *a;
      else std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    LineBuffer buf;
    std::string line;
    while (true) {
      char b[256];
      pollfd p{c, POLLIN, 0};
      ::poll(&p, 1, 1000);
      ssize_t n = ::read(c, b, sizeof b);
      if (n <= 0) break;
      buf.feed(std::string_view(b, static_cast<size_t>(n)));
      if (auto l = buf.next()) {
        line = *l;
        break;
      }
    }
    auto req = decode_request(line);
    Reply rep = req.ok() ? Reply{Progress{"r1", "Halted", "r1: halted cleanly in 0.1s"}}
                         : Reply{ErrorReply{req.error().message}};
    (void)write_all(c, encode(rep) + "\n" + encode(Reply{DownReply{}}) + "\n");
    ::close(c);
  });
  auto client = ControlClient::connect(path);
  REQUIRE(client.ok());
  REQUIRE(client->send(DownRequest{}).ok());
  auto r1 = client->receive(std::chrono::seconds(2));
  REQUIRE(r1.ok());
  CHECK(std::get<Progress>(*r1).guest == "r1");
  auto r2 = client->receive(std::chrono::seconds(2));
  REQUIRE(r2.ok());
  CHECK(std::holds_alternative<DownReply>(*r2));
  CHECK_FALSE(client->receive(std::chrono::seconds(1)).ok());  // closed
  server.join();
  ::close(*l);

  auto none = ControlClient::connect((d / "missing.sock").string());
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message.find("labd is not running") != std::string::npos);
  fs::remove_all(d);
}

TEST_CASE("control: LineBuffer") {
  LineBuffer b;
  CHECK(b.feed("ab"));
  CHECK_FALSE(b.next().has_value());
  CHECK(b.feed("c\nde\nraw"));
  CHECK(b.next() == "abc");
  CHECK(b.next() == "de");
  CHECK_FALSE(b.next().has_value());
  CHECK(b.take_rest() == "raw");
  LineBuffer big;
  CHECK_FALSE(big.feed(std::string(kMaxRequestLine + 1, 'x')));
}
