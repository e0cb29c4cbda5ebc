// Reading JSON documents written by vklab (plan.json, state.json, control
// messages) without ever throwing: the one checked field reader.
//
// A JsonReader keeps the FIRST problem, named by its path
// ("state.json: guests[1].state: not a string"); a JsonIn is a value of the
// document with its path. Every accessor checks the type before it reads,
// so nlohmann::json's type_error can never escape; a wrong type, a missing
// required field or a value out of range is recorded and the accessor
// returns an empty value. Decoders read every field, then ask ok().
//
//   JsonReader r("state.json");
//   JsonIn top = r.top(j);
//   s.lab = top.str("lab");
//   for (JsonIn g : top.list("guests")) rec.name = g.str("name");
//   if (!r.ok()) return r.error();
//
// Keys a decoder does not ask for are ignored (documents grow by adding
// fields), unless it calls only() — control requests refuse typos.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace vklab {

class JsonIn;

/// The first problem found while reading one document.
class JsonReader {
 public:
  /// `what` names the document at the start of every message ("plan",
  /// "state.json", "request down", or a file's path).
  explicit JsonReader(std::string what) : what_(std::move(what)) {}
  JsonReader(const JsonReader&) = delete;
  JsonReader& operator=(const JsonReader&) = delete;

  /// The document's top value; it must be an object (else an error).
  JsonIn top(const nlohmann::json& j);

  bool ok() const { return err_.empty(); }
  /// "what: path: problem" of the first problem; only when !ok().
  Error error() const { return make_error(err_); }
  /// Records `problem` at `path` unless a problem is already recorded.
  void fail(const std::string& path, const std::string& problem);

 private:
  std::string what_;
  std::string err_;
};

/// One value of a document being read, with its path ("guests[2].argv").
/// Object accessors on a value that is not an object record "not an
/// object" at its path. Cheap to copy; valid while its reader and the
/// document live.
class JsonIn {
 public:
  JsonIn(JsonReader& r, const nlohmann::json& j, std::string path) : r_(&r), j_(&j), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  /// Records a problem of this value ("unknown op \"fly\"").
  void fail(const std::string& problem) const { r_->fail(path_, problem); }
  /// Records a problem of field `key` of this object.
  void fail(const char* key, const std::string& problem) const { r_->fail(child_path(key), problem); }

  bool is_object() const { return j_->is_object(); }
  /// True when this object has `key` (of any type).
  bool has(const char* key) const;

  // ---- fields of an object; `key` absent: required ones record "missing" ----
  std::string str(const char* key) const;
  /// Absent: nullopt, no error.
  std::optional<std::string> opt_str(const char* key) const;
  std::string str_or(const char* key, std::string fallback) const;

  /// An integer in [lo, hi] (JSON floats are not integers).
  int64_t integer(const char* key, int64_t lo = std::numeric_limits<int64_t>::min(),
                  int64_t hi = std::numeric_limits<int64_t>::max()) const;
  std::optional<int64_t> opt_integer(const char* key, int64_t lo = std::numeric_limits<int64_t>::min(),
                                     int64_t hi = std::numeric_limits<int64_t>::max()) const;

  bool boolean(const char* key) const;
  bool boolean_or(const char* key, bool fallback) const;

  /// A field of any type (absent: "missing", and a null value is returned).
  JsonIn at(const char* key) const;
  /// A field that must be a list; its items (absent: "missing", no items).
  std::vector<JsonIn> list(const char* key) const;
  /// Absent: no items, no error.
  std::vector<JsonIn> opt_list(const char* key) const;
  /// A list of strings (absent: no error when !required).
  std::vector<std::string> strings(const char* key, bool required = true) const;

  /// Any key other than `known` is an error ("unknown field \"x\"").
  void only(std::initializer_list<const char*> known) const;

  // ---- this value itself ----
  std::optional<std::string> as_str() const;  ///< records "not a string" when it is not
  std::optional<int64_t> as_integer(int64_t lo = std::numeric_limits<int64_t>::min(),
                                    int64_t hi = std::numeric_limits<int64_t>::max()) const;
  std::vector<JsonIn> items() const;  ///< records "not a list" when it is not

 private:
  std::string child_path(const char* key) const;
  std::optional<bool> opt_boolean(const char* key, bool required) const;
  /// The field, or nullptr when absent (records "missing" if `required`) or
  /// when this value is not an object (always recorded).
  const nlohmann::json* field(const char* key, bool required) const;

  JsonReader* r_;
  const nlohmann::json* j_;
  std::string path_;
};

}  // namespace vklab
