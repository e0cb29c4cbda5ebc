// A lab's state on disk: the state directory layout, state.json (written
// atomically, readable without labd) and the pid + start time check that
// keeps a reused pid from ever being signalled.
//
// s6-style: labd rewrites state.json (temp file + rename) after every
// change; `vklab status`, `vklab down` (when labd is gone) and a new labd
// read it without asking anyone.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/json_in.h"
#include "common/result.h"
#include "labd/lab_machine.h"
#include "labd/links.h"
#include "labd/supervise.h"
#include "netsetup/created.h"
#include "topology/model.h"

namespace vklab::labd {

/// The directory that holds every lab's state directory:
/// $VKLAB_STATE_ROOT, else /run/vklab as root (/var/run/vklab on
/// DragonFly), else
/// $XDG_RUNTIME_DIR/vklab, else /tmp/vklab-<uid>.
std::string state_root();

/// The files of one lab's state directory (`<root>/<lab>/`).
struct StateDir {
  std::string dir;
  std::string lock() const { return dir + "/lock"; }              ///< flock'd by labd while it lives
  std::string state_json() const { return dir + "/state.json"; }  ///< LabState
  std::string plan_json() const { return dir + "/plan.json"; }    ///< the Plan labd runs from
  /// The plan `vklab up --apply` hands labd; renamed over plan.json once applied.
  std::string next_plan_json() const { return dir + "/plan.next.json"; }
  std::string control() const { return dir + "/control.sock"; }  ///< mode 0600
  std::string netns() const { return dir + "/netns"; }            ///< bind mount of labd's netns (isolated)
  std::string log() const { return dir + "/labd.log"; }           ///< labd's stderr
  /// Beside the state directory (a lab name has no '.'; no state.json, so
  /// no lab): the console logs of the guests that failed the last up that
  /// was rolled back (mode 0700, logs 0600). The next up of the lab removes it.
  std::string failed() const { return dir + ".failed"; }
};

/// A process identity that survives pid reuse: pid + start time (clock
/// ticks since boot, /proc/PID/stat field 22).
struct ProcId {
  pid_t pid = 0;
  uint64_t starttime = 0;
  bool valid() const { return pid > 0; }
  bool operator==(const ProcId&) const = default;
};

/// A startup command of a guest that failed (vkernel/ready.h "failed").
struct StartupError {
  int line = 0;          ///< the command's first line in the startup script (1-based)
  int exit = 0;          ///< its exit status
  std::string command;   ///< that first line, trimmed, cut
  bool operator==(const StartupError&) const = default;
};

/// "startup line 3 failed (exit 2): ip route add default via 10.0.1.1";
/// with the script's parts (a Kathará device's composed startup), the file
/// and its line too: "startup line 5 (pc1.startup:2) failed (exit 2): …".
std::string describe(const StartupError& e, const std::vector<topology::ScriptSource>& parts = {});

/// One guest as recorded.
struct GuestRecord {
  std::string name;
  GuestState state = GuestState::Queued;
  ProcId proc;            ///< the process labd forked (the kernel or its wrapper)
  ProcId kernel;          ///< the pid in the guest's -p pidfile, once ready
  bool bundled = false;   ///< the bundled Linux guest (exec supported)
  int64_t started_ms = 0;  ///< wall clock (ms since epoch) of the launch
  int64_t ready_ms = 0;    ///< wall clock when Up; 0 = not yet
  int64_t stopped_ms = 0;  ///< wall clock when it left Up/Stopping; 0 = not yet
  std::string exit;        ///< "exit 0", "signal 9", "" while running
  std::string error;       ///< why it failed, "" otherwise
  /// Its failed startup commands, in order, as the guest reported them
  /// before it was ready (the bundled guest; a relaunch starts afresh).
  std::vector<StartupError> startup_errors;
  bool operator==(const GuestRecord&) const = default;
};

/// The name state.json gives a guest state: state_name(), except Queued,
/// recorded as "Starting" with started_ms 0 (as every earlier labd did,
/// so state files read both ways across versions).
const char* recorded_state_name(GuestState s);

/// A field naming a GuestState (state_name()); an unknown name is an error
/// recorded in `j`'s reader.
GuestState guest_state_field(const JsonIn& j, const char* key);

/// The whole of state.json.
struct LabState {
  std::string lab;
  Phase phase = Phase::Starting;
  bool isolated = true;             ///< network: isolated (a namespace held by labd)
  ProcId labd;                      ///< the supervisor itself
  std::string netns;                ///< bind-mount path of the lab namespace; "" in host mode
  std::string tag;                  ///< ownership tag of created links ("vklab:<lab>")
  std::vector<netsetup::CreatedObject> created;  ///< host objects created, in creation order
  std::vector<GuestRecord> guests;   ///< launch order
  std::string error;                 ///< what failed, when phase is Failed
  /// Every interface whose link is down or impaired (links.h), in plan order.
  std::vector<LinkRecord> links;
  bool operator==(const LabState&) const = default;

  GuestRecord* find(const std::string& name);
  const GuestRecord* find(const std::string& name) const;
};

nlohmann::json state_to_json(const LabState& s);
/// Inverse of state_to_json; every field checked, errors name it
/// ("state.json: guests[1].state: not a string"). Fields it does not know
/// are ignored (newer labd versions add some).
Result<LabState> state_from_json(const nlohmann::json& j);
/// The same inside a larger document (a status reply): problems are
/// recorded in `j`'s reader.
LabState state_from_json(const JsonIn& j);

/// Writes `content` to `path` atomically: `path.tmp`, fsync-free write,
/// rename. The reader sees the old or the new file, never half of one.
Status write_file_atomic(const std::string& path, const std::string& content, int mode = 0600);
Status write_state(const std::string& path, const LabState& s);
/// Reads state.json; an error when it is missing or malformed.
Result<LabState> read_state(const std::string& path);

/// The fields of /proc/PID/stat labd needs.
struct ProcStat {
  char state = '?';        ///< field 3: R, S, D, Z, …
  pid_t ppid = 0;          ///< field 4
  uint64_t starttime = 0;  ///< field 22
};
/// Parses the text of /proc/PID/stat (comm may hold spaces and parens:
/// fields are counted after the last ')').
std::optional<ProcStat> parse_proc_stat(std::string_view text);
std::optional<ProcStat> read_proc_stat(pid_t pid);
/// The ProcId of a live pid now (starttime read from /proc).
std::optional<ProcId> proc_id(pid_t pid);

/// True when `p` still names the same process and it has not exited
/// (a zombie counts as exited).
bool alive(const ProcId& p);
/// Sends `sig` only if `p` is still the same live process. Returns true
/// when the signal was sent.
bool signal_if_same(const ProcId& p, int sig);

/// Milliseconds since the epoch (wall clock), for state records.
int64_t now_ms();

}  // namespace vklab::labd
