// `vklab check` and `vklab grade`: checks run inside a lab's guests, like
// Netkit's ltest and kathara-lab-checker. The runner and every kind's
// judgement are plain logic over a Prober (what a guest holds, one look at
// a time); the real prober enters the `from` guest, a fake one stands in
// for it in tests. Results keep the order of the checks given.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "hostnet/routes.h"
#include "topology/model.h"

namespace vklab::labd {
struct LabState;
}

namespace vklab::cli {

using topology::CheckDecl;

/// A command run inside a guest, as a check sees it.
struct CommandRun {
  int status = 0;          ///< exit status (128 + signal when killed)
  std::string out, err;    ///< stdout, stderr (bounded)
  bool timed_out = false;  ///< killed at its limit
};

/// What a guest holds, one look at a time. Every call may fail (the guest
/// is not running, is not in the lab, cannot be entered): that is an error,
/// never taken for "absent" or "unreachable".
class Prober {
 public:
  virtual ~Prober() = default;
  /// ping/tcp: true when the target answered (a ping reply, a TCP
  /// connection accepted) within `wait`; false when it did not.
  virtual Result<bool> reach(const CheckDecl& c, std::chrono::milliseconds wait) = 0;
  /// The guest's routes (main table) and interface addresses.
  virtual Result<hostnet::NetState> net(const std::string& guest) = 0;
  /// The names of the processes of the guest's PID namespace: for each,
  /// its command name and the last component of its argv[0].
  virtual Result<std::vector<std::string>> processes(const std::string& guest) = 0;
  /// Runs `argv` inside the guest like `vklab exec` (stdin /dev/null),
  /// killed after `limit`.
  virtual Result<CommandRun> run(const std::string& guest, const std::vector<std::string>& argv,
                                 std::chrono::milliseconds limit) = 0;
};

/// Enters the guests of a running lab through its state: ping and
/// commands in all the guest's namespaces, TCP connects and netlink reads
/// in its network namespace, /proc for its processes. Bundled Linux
/// guests only; a guest the lab lacks is an error "LAB: no guest named X".
std::unique_ptr<Prober> make_guest_prober(const labd::LabState& st);

struct CheckOptions {
  /// How long a failing check is retried (routing protocols take seconds
  /// to converge); a check's own `wait:` wins. 0: one attempt.
  std::chrono::milliseconds wait{3000};
  /// One attempt per this long; also how long one ping/tcp attempt waits
  /// for an answer (capped by what is left of the wait).
  std::chrono::milliseconds attempt{1000};
  /// A command, name lookup, HTTP fetch or vtysh query may run this long,
  /// or what is left of the wait when that is longer.
  std::chrono::milliseconds command_limit{5000};
  /// Checks run at once, at most (1: one after the other).
  int jobs = 16;
  /// When set and true: no new attempt starts; checks not started fail
  /// with "interrupted".
  const std::atomic<bool>* cancel = nullptr;
};

/// A --wait value: a duration ("500ms", "30s", "2m"), or "0" (one
/// attempt); nullopt when it is neither.
std::optional<std::chrono::milliseconds> parse_wait(const std::string& s);

/// What the last look found.
enum class Got {
  Held,     ///< reachable / present / matched
  NotHeld,  ///< unreachable / absent / did not match
  Error,    ///< could not look at all (see CheckResult::error)
};

struct CheckResult {
  CheckDecl check;
  Got got = Got::Error;
  /// What was there, said to follow "found": "via 10.13.0.2 dev vke2
  /// proto ospf", "no route to 10.3.0.0/24", "exit 1". "" on an error.
  std::string found;
  std::string error;  ///< why, when got == Error
  std::chrono::milliseconds elapsed{0};
  int attempts = 0;
  /// The check gave what it expected (never when got == Error).
  bool ok() const;
};

/// "reachable"/"unreachable", "present"/"absent", "match"/"mismatch", "error".
std::string got_name(const CheckResult& r);

/// The check's name when it has one, else "pc1 → ping 10.3.0.2".
std::string check_label(const CheckDecl& c);
/// The kind's value: "10.3.0.2", "10.0.0.2:80", "10.3.0.0/24", a command.
std::string check_target(const CheckDecl& c);
/// Why a failed check failed, one line: "expected reachable, got
/// unreachable", "found via 10.13.0.2 dev vke2 proto ospf", "expected
/// absent, found via …", "expected present, got error (r9: …)". "" when ok.
std::string failure_text(const CheckResult& r);

/// Runs every check (at most opts.jobs at once), retrying a failing one
/// until it passes or its wait is spent, and returns the results in the
/// order of `checks`.
std::vector<CheckResult> run_checks(const std::vector<CheckDecl>& checks, Prober& prober,
                                    const CheckOptions& opts);

/// The table: CHECK, EXPECT, TIME, RESULT ("ok" or "FAIL: " failure_text
/// and the check's place in its file), then "N passed, M failed".
void print_check_table(std::ostream& out, const std::vector<CheckResult>& results);

/// For graders: an array of {check, [name], from, kind, target, [port],
/// expected, expect, got, found, ok, ms, attempts, loc, [error]}, in order.
nlohmann::json checks_json(const std::vector<CheckResult>& results);

/// One lab's results for a JUnit report; `reason` set = the lab could not
/// be checked at all (did not validate, did not come up): every check is
/// then a JUnit <error> carrying it.
struct Suite {
  std::string name;  ///< the testsuite's name (the lab, or the student)
  std::vector<CheckResult> results;
  std::optional<std::string> reason;
  std::chrono::milliseconds elapsed{0};
};

/// JUnit XML: <testsuites> with one <testsuite> per suite, one <testcase>
/// per check (classname SUITE.GUEST), a <failure> with the expected and
/// found text, an <error> when the check could not run. Text is escaped
/// and made valid UTF-8.
void write_junit(std::ostream& out, const std::vector<Suite>& suites);

/// Text as valid UTF-8 (each invalid byte becomes U+FFFD), for JSON and XML.
std::string valid_utf8(const std::string& s);

}  // namespace vklab::cli
