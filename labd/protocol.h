// The control protocol between vklab and labd: JSON lines over the unix
// socket <state>/control.sock (and, for `up`, labd's progress pipe).
//
// One request line per connection, then:
//   status  → one StatusReply line
//   down    → Progress lines, then one DownReply line; labd then exits
//   console → one ConsoleReply line, then raw bytes both ways
//             (recent output replayed first); with "resize": only the
//             window size is applied, one ConsoleReply line
//   link    → one LinksReply line (links.h), or an ErrorReply
//   start, stop, restart (GuestsRequest), apply (ApplyRequest)
//           → Progress lines of the guests concerned, then one GuestsReply
//             line once each is Up or has ended; or one ErrorReply (refused:
//             the lab is not up, an unknown guest, a dependency not up)
// Any malformed or unknown request gets one ErrorReply line and the
// connection is closed; decoding never throws.
//
// Every message carries "op" (requests) or "type" (replies); every field
// is checked in decode_*, the only place messages are read.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"
#include "labd/links.h"
#include "labd/state.h"

namespace vklab::labd {

/// The longest request line labd accepts.
inline constexpr size_t kMaxRequestLine = 4096;

// ---- requests ----

struct StatusRequest {
  bool operator==(const StatusRequest&) const = default;
};
struct DownRequest {
  bool force = false;  ///< SIGKILL at once, no wait
  /// Overrides every guest's stop_timeout when set.
  std::optional<std::chrono::milliseconds> timeout;
  bool operator==(const DownRequest&) const = default;
};
struct ConsoleRequest {
  std::string guest;
  /// The client's terminal size, applied to the guest's pty (TIOCSWINSZ);
  /// 0 = unknown, left as it is.
  int rows = 0, cols = 0;
  /// Only apply rows/cols (the client's terminal was resized: SIGWINCH);
  /// the reply is one ConsoleReply line and the connection is closed.
  bool resize = false;
  bool operator==(const ConsoleRequest&) const = default;
};
/// `vklab start|stop|restart GUEST…`. stop = SIGTERM, SIGKILL after the
/// guest's stop_timeout (as down does per guest); start = launch an ended
/// guest again (same argv, same taps, a fresh writable layer); restart =
/// stop, then start once it is gone.
struct GuestsRequest {
  enum class Op { Start, Stop, Restart };
  Op op = Op::Start;
  std::vector<std::string> guests;  ///< at least one
  /// stop/restart: overrides each guest's stop_timeout when set.
  std::optional<std::chrono::milliseconds> timeout;
  bool operator==(const GuestsRequest&) const = default;
};
const char* guests_op_name(GuestsRequest::Op op);  ///< "start", "stop", "restart"

/// `vklab up FILE --apply`: labd reads the new plan from
/// StateDir::next_plan_json() (a fixed path: the request names no file),
/// makes the changes plan_diff() finds, and renames it over plan.json.
struct ApplyRequest {
  bool operator==(const ApplyRequest&) const = default;
};
using Request = std::variant<StatusRequest, DownRequest, ConsoleRequest, LinkRequest, GuestsRequest, ApplyRequest>;

/// One line of JSON (no trailing newline).
std::string encode(const Request& r);
/// Decodes and checks one request line. Errors say what is wrong
/// ("request: \"guest\" is not a string").
Result<Request> decode_request(std::string_view line);

// ---- replies ----

struct ErrorReply {
  std::string error;
  bool operator==(const ErrorReply&) const = default;
};
struct StatusReply {
  LabState state;
  bool operator==(const StatusReply&) const = default;
};
/// A step of up or down, for the status sink: `guest` (or "" for the lab),
/// its new state name when it changed, and a human line.
struct Progress {
  std::string guest;
  std::string state;  ///< a GuestState name, "ready" (lab up), "failed" (lab failed), or ""
  std::string text;   ///< "r1: halted cleanly in 0.4s"
  bool operator==(const Progress&) const = default;
};
/// How one guest ended at down.
struct GuestOutcome {
  std::string guest;
  GuestState state = GuestState::Halted;  ///< Halted, Forced or Failed
  std::chrono::milliseconds took{0};      ///< from SIGTERM to exit
  bool operator==(const GuestOutcome&) const = default;
};
struct DownReply {
  std::vector<GuestOutcome> guests;
  std::string error;  ///< teardown trouble, "" when all went well
  int strays = 0;     ///< processes of the lab no record named, killed (L1)
  bool operator==(const DownReply&) const = default;
};
struct ConsoleReply {
  std::string guest;
  bool operator==(const ConsoleReply&) const = default;
};
/// How each guest of a start/stop/restart/apply request ended up: Up,
/// Halted, Forced or Failed; `took` from the request to the reply.
struct GuestsReply {
  std::vector<GuestOutcome> guests;
  std::string error;  ///< what went wrong beside the guests (apply: a host step), "" otherwise
  bool operator==(const GuestsReply&) const = default;
};
using Reply = std::variant<ErrorReply, StatusReply, Progress, DownReply, ConsoleReply, LinksReply, GuestsReply>;

std::string encode(const Reply& r);
Result<Reply> decode_reply(std::string_view line);

/// "r1: halted cleanly in 0.4s", "r1: forced after 30s", "r1: failed (…)".
std::string describe(const GuestOutcome& o, std::chrono::milliseconds timeout);

}  // namespace vklab::labd
