// Source locations and diagnostics ("file:line:col: error: message").
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace vklab {

/// Where a model object came from in a lab file. line/col are 1-based;
/// 0 means unknown (then only the file is printed).
struct SourceLoc {
  std::string file;
  int line = 0;
  int col = 0;

  /// "file:line:col", "file:line" or "file".
  std::string str() const;
  bool operator==(const SourceLoc&) const = default;
};

enum class Severity { Error, Warning, Note };

struct Diagnostic {
  SourceLoc loc;
  Severity severity = Severity::Error;
  std::string message;

  /// "file:line:col: error: message"
  std::string str() const;
};

/// Collects every diagnostic of a run; nothing stops at the first error.
class Diagnostics {
 public:
  void error(const SourceLoc& loc, std::string msg);
  void warning(const SourceLoc& loc, std::string msg);
  void note(const SourceLoc& loc, std::string msg);
  void add(Diagnostic d) { items_.push_back(std::move(d)); }

  bool has_errors() const;
  int error_count() const;
  int warning_count() const;
  const std::vector<Diagnostic>& items() const { return items_; }

  /// Sorts by (file, line, col) keeping insertion order for ties, so
  /// output reads top to bottom like the file.
  void sort();

  /// One diagnostic per line.
  std::string str() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace vklab
