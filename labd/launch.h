// Launching a guest: fork/exec its argv with a pty as its console, and the
// readiness checks labd polls.
//
// The pty slave is the guest's stdin/stdout/stderr but NOT its controlling
// terminal: when labd dies and the master closes, no SIGHUP reaches the
// guest, so `vklab down` can still halt it cleanly.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "labd/state.h"

namespace vklab::labd {

struct Launched {
  pid_t pid = -1;       ///< the forked process (the kernel, or its wrapper)
  int pty_master = -1;  ///< non-blocking, close-on-exec
  int ready = -1;       ///< read end of the readiness pipe (non-blocking), -1 = none
};

/// The environment variable naming the readiness fd of the bundled guest
/// (vkernel/cmdline.h kEnvReadyFdVar); it writes "ready\n" there once its
/// startup commands ran.
inline constexpr const char* kReadyFdVar = "VKLAB_READY_FD";
/// The fd number the guest gets its readiness pipe on.
inline constexpr int kReadyFd = 3;

/// Forks and execs `argv` (argv[0] is the path) in its own session with a
/// new pty as console. Returns once exec succeeded; an exec failure is an
/// error naming the program ("/nope: No such file or directory") and the
/// child is already reaped. With `readiness`, the child also gets a pipe
/// at fd kReadyFd named by $VKLAB_READY_FD (the argv stays as planned).
///
/// With a `record` path, the child writes its own "PID STARTTIME" there
/// before it execs, then execs only if its parent (labd) still lives: a
/// labd killed right after fork() leaves either no child or a child named
/// by its record (L1). Until exec the child holds labd's descriptors,
/// the lab's lock among them, so no recovery can look in between.
Result<Launched> launch(const std::vector<std::string>& argv, bool readiness = false,
                        const std::string& record = "");

/// The launch record a guest's child wrote (launch()'s `record`): its pid
/// and start time. nullopt when missing or malformed.
std::optional<ProcId> read_launch_record(const std::string& path);

/// The pid written in a pidfile, when it holds one.
std::optional<pid_t> read_pidfile(const std::string& path);

/// Readiness of a kernel that is not the bundled guest: its pidfile holds
/// a live pid. That pid, or nullopt.
std::optional<pid_t> pidfile_ready(const std::string& path);

/// The launch record of the guest whose pidfile is `pidfile`.
inline std::string launch_record_path(const std::string& pidfile) { return pidfile + ".proc"; }

/// L3: the bundled guest names its memory cgroup in "<pidfile>.cgroup".
/// Once the guest is gone, removes that cgroup (only a directory named
/// vkernel-* under /sys/fs/cgroup, never anything else the file may name)
/// and the file. A cgroup still busy (its last process not yet reaped) is
/// retried for at most `wait_ms`. Nothing to remove, or a file naming
/// something else: done (the file goes, the directory it names stays).
Status remove_guest_cgroup(const std::string& pidfile, int wait_ms = 200);

/// The kernel a forking vkernel (DragonFly's since 2013) runs as its child:
/// the pid in `pidfile` when it is a live, direct child of `parent` (the
/// process labd started). A guest reboot replaces that child and the
/// pidfile with it; a stale pidfile never names a stranger this way.
std::optional<ProcId> kernel_child(const std::string& pidfile, pid_t parent);

}  // namespace vklab::labd
