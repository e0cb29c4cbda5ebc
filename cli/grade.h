// `vklab grade`: one answer key over many students' labs. This header is
// the pure part — naming each student's report, scoring, the report
// files' contents; cmd_grade.cc runs validate → up → check → down.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/checks.h"

namespace vklab::cli {

/// How grading one lab ended.
enum class GradeStatus {
  Graded,       ///< it came up and the key's checks ran
  NotALab,      ///< the path is no lab (no file, a directory without lab.conf/lab.yaml)
  Invalid,      ///< it does not validate
  NotUp,        ///< `up` failed
  Busy,         ///< a lab of its name was already up on this host (not ours: left alone)
  Interrupted,  ///< Ctrl-C before it was graded
};
const char* grade_status_name(GradeStatus s);

/// One student's lab, graded.
struct GradeResult {
  std::string student;  ///< report stem (student_names)
  std::string path;     ///< as given on the command line
  std::string lab;      ///< the lab's name ("" when it did not load)
  GradeStatus status = GradeStatus::Graded;
  std::string reason;       ///< why it was not graded (one line); "" when Graded
  std::string diagnostics;  ///< validate's full output, when it had any
  std::string up_log;       ///< what `up` printed
  std::string down_note;    ///< a down that did not go cleanly; "" = fine
  std::vector<CheckResult> results;  ///< one per key check, also when not graded (as errors)
  std::chrono::milliseconds elapsed{0};

  int passed() const;
  int total() const { return static_cast<int>(results.size()); }
  /// 0..100; a lab that was not graded scores 0.
  double score() const;
};

/// A report stem per lab path, in order: a file's name without .yaml/.yml
/// (its folder's name when the file is lab.yaml), a directory's name; only
/// [A-Za-z0-9._-] kept; a repeated stem gets "-2", "-3", ….
std::vector<std::string> student_names(const std::vector<std::string>& paths);

/// The results a lab that was not graded gets: every key check as an
/// error carrying `reason`.
std::vector<CheckResult> ungraded(const std::vector<CheckDecl>& key, const std::string& reason);

/// "alice     triangle   5/6   83%  r1 → route 10.3.0.0/24 via 10.12.0.2: found …"
/// — at most `failures` failing checks named, each with why.
std::string grade_line(const GradeResult& g, size_t student_width, size_t failures = 2);

/// DIR/STUDENT.json: {student, path, lab, status, reason, score, passed,
/// total, ms, [diagnostics], [down], checks: checks_json}.
nlohmann::json grade_json(const GradeResult& g);

/// DIR/summary.csv: a header, then one row per lab (RFC 4180 quoting):
/// student,path,lab,status,passed,total,score,reason,failing.
void write_summary_csv(std::ostream& out, const std::vector<GradeResult>& all);

/// The JUnit suite of one graded lab (named after the student).
Suite grade_suite(const GradeResult& g);

}  // namespace vklab::cli
