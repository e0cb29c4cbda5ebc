// `vklab check`: a lab's `checks:` run inside its guests, like Netkit's
// ltest. The runner is plain logic over a Prober (one reachability
// attempt); the real prober enters the `from` guest, a fake one stands in
// for it in tests. Results keep the order of the lab file.
#pragma once

#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "topology/model.h"

namespace vklab::labd {
struct LabState;
}

namespace vklab::cli {

using topology::CheckDecl;

/// One reachability attempt from inside a guest.
class Prober {
 public:
  virtual ~Prober() = default;
  /// True: the target answered (ping reply, TCP connection accepted)
  /// within `wait`; false: it did not (no reply, refused, no route).
  /// An error when the attempt could not be made at all (guest not
  /// running, command missing): that is never taken for "unreachable".
  virtual Result<bool> probe(const CheckDecl& c, std::chrono::milliseconds wait) = 0;
};

/// Enters the `from` guest of each check through the lab's state:
/// `ping -c 1 -W S TARGET` in all its namespaces, or a TCP connect made in
/// its network namespace. Linux bundled guests only.
std::unique_ptr<Prober> make_guest_prober(const labd::LabState& st);

struct CheckOptions {
  /// The longest one check may take. A check expecting "reachable" tries
  /// again (one attempt per `attempt_wait`) until the target answers or
  /// this is spent; one expecting "unreachable" makes a single attempt.
  std::chrono::milliseconds timeout{3000};
  /// How long one attempt waits for an answer (capped by `timeout`).
  std::chrono::milliseconds attempt_wait{1000};
  /// Checks run at once, at most.
  int jobs = 8;
};

/// What a check found.
enum class Got { Reachable, Unreachable, Error };
const char* got_name(Got g);

struct CheckResult {
  CheckDecl check;
  Got got = Got::Error;
  std::string error;  ///< why, when got == Error
  std::chrono::milliseconds elapsed{0};
  int attempts = 0;
  /// The check gave what it expected (never when got == Error).
  bool ok() const;
};

/// "pc1 → ping 10.3.0.2", "web → tcp 10.0.0.2:80".
std::string check_label(const CheckDecl& c);
/// "10.3.0.2", or "10.0.0.2:80" for tcp.
std::string check_target(const CheckDecl& c);

/// Runs every check (at most opts.jobs at once) and returns the results
/// in the order of `checks`.
std::vector<CheckResult> run_checks(const std::vector<CheckDecl>& checks, Prober& prober,
                                    const CheckOptions& opts);

/// The table: CHECK, EXPECT, TIME, RESULT ("ok" or "FAIL: expected
/// reachable, got unreachable" and the check's place in the lab file), then
/// "N passed, M failed".
void print_check_table(std::ostream& out, const std::vector<CheckResult>& results);

/// For graders: an array of {check, from, kind, target, [port], expect,
/// got, ok, ms, attempts, loc, [error]}, in file order.
nlohmann::json checks_json(const std::vector<CheckResult>& results);

}  // namespace vklab::cli
