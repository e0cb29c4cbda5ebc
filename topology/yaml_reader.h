// yaml_reader: located, error-collecting access to yaml-cpp nodes.
//
// Internal to the loader (load.cc, load_guest.cc); not part of the
// topology module's face. Every accessor reports a problem to the
// Diagnostics with the node's file:line:col and returns nullopt/false, so
// the loader can go on and report the next problem too.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/diag.h"
#include "common/net.h"
#include "topology/model.h"

namespace vklab::topology::detail {

/// One key/value pair of a mapping, with both locations.
struct Entry {
  std::string key;
  SourceLoc key_loc;
  YAML::Node value;
  /// Where the value was written; the key's location for an empty value
  /// (yaml-cpp marks an implicit null at the next token).
  SourceLoc loc;
};

class Reader {
 public:
  Reader(std::string file, Diagnostics& diags) : file_(std::move(file)), diags_(diags) {}

  const std::string& file() const { return file_; }
  Diagnostics& diags() { return diags_; }

  /// The node's location, 1-based; file only when yaml-cpp has no mark.
  SourceLoc loc(const YAML::Node& n) const;
  SourceLoc loc(const YAML::Mark& m) const;

  void error(const SourceLoc& l, std::string msg) { diags_.error(l, std::move(msg)); }

  /// Calls `fn` for each key of `map` in file order. Reports duplicate keys
  /// ("duplicate key "x" (first at L:C)", the duplicate is skipped),
  /// non-string keys, and — when `allowed` is not empty — unknown keys with
  /// did-you-mean ("unknown key "x" in <context>"). `map` must be a mapping.
  void for_each(const YAML::Node& map, const std::vector<std::string>& allowed,
                const std::string& context, const std::function<void(const Entry&)>& fn);

  /// "a mapping", "a list", "\"text\"", "nothing": how a node reads in messages.
  static std::string describe(const YAML::Node& n);

  /// Reports "<what> must be <expected>, found <describe(n)>" at `at`.
  void wrong_type(const SourceLoc& at, const std::string& what, const std::string& expected,
                  const YAML::Node& n);

  bool is_map(const Entry& e, const std::string& what);
  bool is_list(const Entry& e, const std::string& what);

  /// A scalar as text (numbers and booleans too: "128m", "true").
  std::optional<std::string> string(const Entry& e, const std::string& what);
  /// A plain decimal integer (a quoted "2" is a string, not an integer).
  std::optional<int> integer(const Entry& e, const std::string& what);
  /// true/false (and YAML's yes/no/on/off), unquoted.
  std::optional<bool> boolean(const Entry& e, const std::string& what);

  /// A list of strings; each bad item is reported on its own.
  std::vector<Located<std::string>> string_list(const Entry& e, const std::string& what);

  /// "A.B.C.D/N" (0 <= N <= 32; the validator checks 1..31).
  std::optional<Located<Ipv4Prefix>> prefix(const Entry& e, const std::string& what);
  /// "A.B.C.D" without a prefix length.
  std::optional<Located<Ipv4>> address(const Entry& e, const std::string& what);
  /// "ADDR/N" of either family ("2001:db8::1/64"; "default" = 0.0.0.0/0).
  std::optional<Located<IpPrefix>> ip_prefix(const Entry& e, const std::string& what);
  /// An address of either family without a prefix length.
  std::optional<Located<IpAddr>> ip_address(const Entry& e, const std::string& what);
  /// "aa:bb:cc:dd:ee:ff".
  std::optional<Located<Mac>> mac(const Entry& e, const std::string& what);
  /// "500ms", "30s", "2m", "1h".
  std::optional<Located<std::chrono::milliseconds>> duration(const Entry& e,
                                                              const std::string& what);

 private:
  void quoted_scalar(const Entry& e, const std::string& what, const std::string& expected);

  std::string file_;
  Diagnostics& diags_;
};

/// What a YAML syntax error at 1-based `line` probably means, in plain
/// words ("indentation: this line is deeper than the key above it
/// expects"); "" when the text shows nothing clear. yaml_hint.cc.
std::string yaml_hint(const std::string& text, int line, const std::string& msg);
/// `text` with 1-based `line` emptied (its newline kept), so parsing can
/// go on past a syntax error and report the rest.
std::string blank_line(const std::string& text, int line);

/// `"key" in <context>` — the subject of a value message.
std::string subject(const std::string& key, const std::string& context);

}  // namespace vklab::topology::detail
