// vklab graph FILE [--format dot|svg|png] [-o OUT]
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include "cli/cli.h"
#include "topology/graph.h"

namespace vklab::cli {
namespace {

// Runs `dot -T<format>` with `input` on its stdin; its stdout goes to `out`
// (or ours). No shell.
Status render_with_dot(const std::string& input, const std::string& format, const std::string& out) {
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
  if (!exec_failed) {
    const char* p = input.data();
    size_t left = input.size();
    while (left > 0) {
      ssize_t n = write(in_pipe[1], p, left);
      if (n <= 0) break;
      p += n;
      left -= static_cast<size_t>(n);
    }
  }
  close(in_pipe[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (exec_failed)
    return make_error(exec_errno == ENOENT
                          ? "graphviz's `dot` is not installed: install the graphviz package "
                            "(./setup.sh does), or use --format dot"
                          : std::string("dot: ") + std::strerror(exec_errno));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return make_error("dot failed");
  return {};
}

}  // namespace

Runner setup_graph(CLI::App& sub) {
  struct Opts {
    std::string file, format = "dot", out;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("file", o->file, "lab file")->required();
  sub.add_option("--format", o->format, "dot (text), svg or png (through graphviz)")
      ->check(CLI::IsMember({"dot", "svg", "png"}))
      ->capture_default_str();
  sub.add_option("-o,--output", o->out, "write to this file instead of standard output");
  return [o] {
    auto loaded = load_lab(o->file);
    if (!loaded) return static_cast<int>(kExitUsage);
    const std::string dot = topology::to_dot(loaded->lab);
    if (o->format == "dot") {
      if (o->out.empty()) {
        std::cout << dot;
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
