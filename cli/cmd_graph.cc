// vklab graph FILE [--format dot|svg|png] [--layout auto|dot|neato|fdp|circo] [-o OUT]
//
// A reader closing the pipe early (`vklab graph … | head`) is not an
// error: nothing more is written, nothing is said, the exit status is 0.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string_view>

#include "cli/cli.h"
#include "topology/picture.h"

namespace vklab::cli {
namespace {

/// SIGPIPE ignored for the life of the object: a closed pipe is EPIPE.
class NoSigpipe {
 public:
  NoSigpipe() {
    struct sigaction ign {};
    ign.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ign, &saved_);
  }
  ~NoSigpipe() { ::sigaction(SIGPIPE, &saved_, nullptr); }

 private:
  struct sigaction saved_ {};
};

/// The outcome of a rendering: done, the reader went away, or an error.
enum class Wrote { Ok, ReaderGone };

/// Writes all of `data` to `fd`; 0 or the errno that stopped it (EPIPE:
/// the reader went away).
int write_out(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : EIO;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

// Runs Graphviz's `dot -T<format>` with `input` on its stdin (the layout
// engine is the graph's `layout` attribute); its stdout goes to `out` (or
// ours). No shell.
Result<Wrote> render_with_dot(const std::string& input, const std::string& format, const std::string& out) {
  int in_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0) return make_error(std::string("pipe: ") + std::strerror(errno));
  int out_fd = -1;
  if (!out.empty()) {
    out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out_fd < 0) return make_error(out + ": " + std::strerror(errno));
  }
  int err_pipe[2];
  if (pipe2(err_pipe, O_CLOEXEC) != 0) return make_error(std::string("pipe: ") + std::strerror(errno));
  pid_t pid = fork();
  if (pid == 0) {
    // dot dies quietly of SIGPIPE when our reader leaves (not EPIPE errors).
    signal(SIGPIPE, SIG_DFL);
    dup2(in_pipe[0], 0);
    if (out_fd >= 0) dup2(out_fd, 1);
    const std::string t = "-T" + format;
    execlp("dot", "dot", t.c_str(), static_cast<char*>(nullptr));
    // Tell the parent exec failed: write errno on the cloexec pipe.
    int e = errno;
    (void)!write(err_pipe[1], &e, sizeof e);
    _exit(127);
  }
  close(in_pipe[0]);
  close(err_pipe[1]);
  if (out_fd >= 0) close(out_fd);
  if (pid < 0) return make_error(std::string("fork: ") + std::strerror(errno));
  int exec_errno = 0;
  bool exec_failed = read(err_pipe[0], &exec_errno, sizeof exec_errno) == sizeof exec_errno;
  close(err_pipe[0]);
  if (!exec_failed) (void)write_out(in_pipe[1], input);  // EPIPE: dot ended; its status says why
  close(in_pipe[1]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (exec_failed)
    return make_error(exec_errno == ENOENT
                          ? "graphviz's `dot` is not installed: install the graphviz package "
                            "(./setup.sh does), or use --format dot"
                          : std::string("dot: ") + std::strerror(exec_errno));
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE) return Wrote::ReaderGone;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return make_error("dot failed");
  return Wrote::Ok;
}

}  // namespace

Runner setup_graph(CLI::App& sub) {
  struct Opts {
    std::string file, format = "dot", layout = "auto", out;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("file", o->file, "lab file")->required();
  sub.add_option("--format", o->format, "dot (text), svg or png (through graphviz)")
      ->check(CLI::IsMember({"dot", "svg", "png"}))
      ->capture_default_str();
  sub.add_option("--layout", o->layout,
                 "graphviz layout: auto (by the lab's shape: meshes neato/fdp, trees and chains dot), "
                 "dot, neato, fdp or circo")
      ->check(CLI::IsMember({"auto", "dot", "neato", "fdp", "circo"}))
      ->capture_default_str();
  sub.add_option("-o,--output", o->out, "write to this file instead of standard output");
  return [o] {
    auto loaded = load_lab(o->file);
    if (!loaded) return static_cast<int>(kExitUsage);
    auto layout = topology::layout_from_name(o->layout).value_or(topology::Layout::Auto);
    const std::string dot = topology::to_dot(loaded->lab, layout);
    NoSigpipe no_sigpipe;
    if (o->format == "dot") {
      if (o->out.empty()) {
        int e = write_out(1, dot);
        if (e != 0 && e != EPIPE) {
          std::cerr << "vklab: standard output: " << std::strerror(e) << "\n";
          return static_cast<int>(kExitFailure);
        }
      } else if (!(std::ofstream(o->out) << dot)) {
        std::cerr << "vklab: " << o->out << ": cannot write\n";
        return static_cast<int>(kExitFailure);
      }
      return static_cast<int>(kExitOk);
    }
    if (o->format == "png" && o->out.empty() && isatty(1)) {
      std::cerr << "vklab: refusing to write PNG to a terminal; use -o FILE\n";
      return static_cast<int>(kExitUsage);
    }
    if (auto st = render_with_dot(dot, o->format, o->out); !st) {
      std::cerr << "vklab: " << st.error().message << "\n";
      return static_cast<int>(kExitFailure);
    }
    return static_cast<int>(kExitOk);
  };
}

}  // namespace vklab::cli
