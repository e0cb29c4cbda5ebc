// The vklab command table and what every subcommand shares.
//
// One file per subcommand (cmd_<name>.cc) defines a `setup_<name>` that
// declares the subcommand's options on its CLI11 App and returns the
// function running it. main.cc only walks the table.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/diag.h"
#include "labd/protocol.h"
#include "labd/state.h"
#include "topology/compile.h"
#include "topology/model.h"
#include "topology/plan.h"

namespace vklab::labd {
struct LabState;
}

namespace vklab::cli {

/// Exit codes, decided here and nowhere else.
enum Exit : int {
  kExitOk = 0,
  kExitFailure = 1,  ///< the operation failed (and was rolled back)
  kExitUsage = 2,    ///< invalid input: bad command line or lab file
  kExitForced = 3,   ///< `down`: some guest had to be killed
  kExitStartupErrors = 4,  ///< `up`: the lab is up, but some startup commands failed
};

/// Runs a subcommand after parsing; returns the exit code.
using Runner = std::function<int()>;

/// The words after a subcommand's first "--", exactly as given; nullopt
/// when there was no "--".
using TrailingCommand = std::optional<std::vector<std::string>>;

/// Runs a subcommand that runs a command (Command::setup_command).
using CommandRunner = std::function<int(const TrailingCommand& command)>;

struct Command {
  const char* name;
  const char* summary;
  /// Declares options on `sub`; the returned Runner reads them when run.
  Runner (*setup)(CLI::App& sub);
  /// Set instead of `setup` by a subcommand whose words after its first
  /// "--" are a command to run (exec): main() cuts them off before CLI11
  /// parses (CLI11 would split "[1,2]" into "1" "2") and hands them to the
  /// runner unchanged.
  CommandRunner (*setup_command)(CLI::App& sub) = nullptr;
};

/// The table, in the order `vklab --help` lists it.
const std::vector<Command>& commands();

/// The index in `args` (args[0]: the program) of the "--" where vklab's own
/// words end and a command to run begins: the first "--" after the
/// subcommand, when the table's entry for it has setup_command. nullopt
/// otherwise: no subcommand, a "--" before it, another subcommand, no "--".
/// The subcommand is the first word after args[0] not starting with '-'
/// (vklab's own options, --help and --version, take no value). Pure.
std::optional<std::size_t> command_separator(const std::vector<std::string_view>& args,
                                             const std::vector<Command>& table);

/// A lab file loaded and validated; diagnostics already printed to stderr.
struct LoadedLab {
  topology::Lab lab;
  Diagnostics diags;
};

/// Loads and validates `path` for `target`, printing every diagnostic to
/// stderr. nullopt when there were errors (callers exit kExitUsage).
std::optional<LoadedLab> load_lab(const std::string& path,
                                  topology::Target target = topology::Target::Linux);

/// The system this vklab runs on, by uname(2): DragonFly is
/// Target::DragonFly, anything else Target::Linux.
topology::Target host_target();

/// `--target linux|dragonfly` on `sub`, stored in `target`, whose default
/// is host_target(): the one parser of the option (plan, validate, up).
CLI::Option* add_target_option(CLI::App& sub, topology::Target& target, const std::string& help);

/// Compile options for a lab file on this host: its directory as base for
/// relative paths, the bundled guest found next to this executable (or the
/// installed one), the state directory per ARCHITECTURE.md (root:
/// /run/vklab/<lab>; otherwise $XDG_RUNTIME_DIR/vklab/<lab>) for a plan
/// this host runs (`runs_here`, and every Linux plan); a DragonFly plan
/// only shown (`vklab plan`) keeps the target's default state directory.
topology::CompileOptions host_compile_options(const std::string& lab_file,
                                              const std::string& lab_name,
                                              topology::Target target, bool runs_here = false);

/// The lab a path names, for commands that take a lab: a directory holding
/// lab.conf (its name made valid, netkit_names.h), a directory holding
/// lab.yaml, or a lab file (their `name:`). nullopt when `arg` is no such
/// path (it is then a lab's name).
std::optional<std::string> lab_named_by_path(const std::string& arg);

/// How commands that take a lab describe that argument.
inline constexpr const char* kLabArgHelp =
    "lab name, or its lab file or directory (default: the lab in this directory, or the only one running)";

/// The lab a lifecycle command speaks of: `name` when given (a lab's name,
/// or a path per lab_named_by_path), else the lab of the current directory
/// (./lab.conf or ./lab.yaml), else the only lab with state under labd::state_root(),
/// else (`guest` given) the only lab whose state has that guest.
/// With several and none named, lists them on stderr and sets `exit` to
/// kExitUsage (naming the labs that have `guest`, when several do); with
/// none, returns "" and leaves `exit` at kExitOk. A `name` with no state
/// that is a likely typo of a lab with state is refused: "did you mean",
/// kExitUsage.
std::string resolve_lab(const std::string& name, int& exit, const std::string& guest = "");

/// An error "<path>: permission denied" when this user may not read the
/// lab's state directory or state.json (A1: both are root's, 0700/0600);
/// Ok otherwise, also when there is no state at all.
Status check_lab_access(const labd::StateDir& dir);

/// A lab with state on this host, as a command that acts on it sees it.
struct RunningLab {
  std::string name;
  labd::StateDir dir;
  labd::LabState state;
};

/// resolve_lab(name, guest) and its state.json. When there is none, prints why
/// ("no lab is running", "LAB: not running") and sets `exit` to
/// `not_running` (kExitUsage when several labs run and none is named).
std::optional<RunningLab> open_running_lab(const std::string& name, int& exit,
                                           int not_running = kExitFailure,
                                           const std::string& guest = "");

/// Names of the labs with a state directory under labd::state_root(), sorted.
std::vector<std::string> lab_names();

// ---- lifecycle helpers shared by up/down/status/ls (cmd_status.cc) ----

/// The plan a lab runs from (<state>/plan.json), nullopt when unreadable.
std::optional<topology::Plan> read_plan_file(const std::string& path);

/// The guest table: guest, state, pid, uptime, vkeN → tap → bridge,
/// addresses, and (with `last_line`) the last console line.
void print_guest_table(std::ostream& out, const labd::LabState& st,
                       const topology::Plan* plan, bool last_line);

/// The bundled Linux guest binary: $VKLAB_VKERNEL, else next to this
/// executable (build tree: ../vkernel/vkernel), else the installed one.
std::string bundled_kernel_path();

/// Sends a start/stop/restart (GuestsRequest) or apply request to the
/// lab's labd, prints its progress lines on stdout, and returns its reply.
/// An error when labd is gone or refused the request (its message).
Result<labd::GuestsReply> send_guests_request(const RunningLab& lab, const labd::Request& req);

/// The labd binary, found the same way ($VKLAB_LABD, build tree, installed).
std::string labd_path();

}  // namespace vklab::cli
