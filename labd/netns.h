// Namespaces: the lab's network namespace (created and held by labd,
// bind-mounted at <state>/netns so `nsenter --net=…` and `vklab exec
// --host` reach it), and entering a guest's namespaces for `vklab exec`.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace vklab::labd {

/// Moves the calling (single-threaded) process into a new network
/// namespace and sets its loopback up.
Status enter_new_netns();

/// Bind-mounts the caller's network namespace at `path` (an empty file is
/// created first). The namespace then lives as long as the mount does.
Status bind_netns(const std::string& path);

/// Unmounts (lazily) and removes a netns bind mount. Already gone: done.
Status drop_netns(const std::string& path);

/// True when `path` is a mount point of a namespace file (nsfs).
bool is_netns_mount(const std::string& path);

/// Every process (but the caller) whose network namespace is the one
/// mounted at `path`; empty when `path` is no netns mount. Each guest of
/// an isolated lab holds that namespace, forked children included, so
/// this finds what no record names (L1).
std::vector<pid_t> netns_members(const std::string& path);

/// SIGKILLs netns_members(path) and waits (at most `wait_ms`) for them to
/// go. Returns those killed as "PID (COMM)"; `left` gets the pids still
/// there after the wait.
std::vector<std::string> kill_netns_members(const std::string& path, int wait_ms, std::vector<pid_t>& left);

/// "LAB: killed 2 stray processes left in the lab's namespace: 12 (sleep), …"
std::string strays_text(const std::string& lab, const std::vector<std::string>& killed);

/// The guest's init (PID 1 of its PID namespace) as a host pid: the first
/// descendant of `kernel` (breadth first, `kernel` itself included) whose
/// PID namespace differs from that of `kernel`'s parent.
std::optional<pid_t> find_guest_init(pid_t kernel);

/// Which namespaces to enter.
struct NsTarget {
  /// Namespace files to setns() into, in order ("/proc/123/ns/net", or a
  /// bind mount such as "<state>/netns").
  std::vector<std::string> files;
};

/// The four namespaces of a Linux guest's init: net, uts, pid, mnt.
NsTarget guest_namespaces(pid_t init);

/// What a command printed, for RunOptions::capture.
struct Captured {
  /// Bounded: at most kMaxCaptured bytes of each are kept; the rest is read
  /// and dropped, so a chatty command never blocks on a full pipe.
  static constexpr size_t kMaxCaptured = 1 << 20;
  std::string out;         ///< its stdout
  std::string err;         ///< its stderr
  bool timed_out = false;  ///< it was killed at RunOptions::limit
};

/// How run_in_namespaces connects the command.
struct RunOptions {
  /// stdin, stdout and stderr on /dev/null instead of the caller's (for
  /// probes such as `vklab check`, whose output is the exit status).
  bool quiet = false;
  /// When set: stdin on /dev/null, stdout and stderr read into `*capture`
  /// until the command exits (`quiet` is then ignored).
  Captured* capture = nullptr;
  /// With `capture`, when > 0: the command is killed (SIGKILL) once it has
  /// run this long; capture->timed_out says so, the status is 128 + 9.
  std::chrono::milliseconds limit{0};
  /// SIGINT, SIGTERM and SIGHUP sent to the caller by a process (kill(2),
  /// not the terminal, whose signals reach the whole foreground group
  /// anyway) are passed on to the command instead of ending the caller
  /// and orphaning it (`vklab exec`). The caller's handlers are restored
  /// on return.
  bool forward_signals = false;
};

/// Forks; the child enters `ns` and execs `argv` (PATH searched) with the
/// caller's stdin/stdout/stderr (or /dev/null, `quiet`). Returns the
/// command's exit status (128 + signal when it was killed, 127 when it
/// could not be run). Safe to call from several threads at once: the
/// children allocate nothing.
Result<int> run_in_namespaces(const NsTarget& ns, const std::vector<std::string>& argv,
                              const RunOptions& opts = {});

}  // namespace vklab::labd
