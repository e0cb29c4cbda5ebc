// load: YAML lab file → Lab model (yaml-cpp), every value with its SourceLoc.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/diag.h"
#include "topology/model.h"

namespace vklab::topology {

/// Reads and loads a lab file. Every problem (YAML syntax, unknown keys
/// with did-you-mean, duplicate keys, wrong types, malformed values) is
/// added to `diags` with its file:line:col; loading goes on after an error
/// so all of them are reported. Returns nullopt only when the file gave
/// nothing to work on (unreadable, not YAML, not a mapping). A Lab is
/// returned even when diags has errors; callers check diags.has_errors().
/// Then looks at the folders beside the file (load_dirs.h): each guest's
/// files_dir, the lab's shared_dir, `root:` and `files:` checked on disk,
/// folders that match no guest warned about.
std::optional<Lab> load_file(const std::string& path, Diagnostics& diags);

/// Same, from text; `file` is the name used in SourceLocs. Touches no
/// file: files_dir and shared_dir stay "" and paths are not checked.
std::optional<Lab> load_string(const std::string& text, const std::string& file,
                               Diagnostics& diags);

/// A grading key: a YAML mapping with a `checks:` list (the same kinds and
/// rules as a lab file's) and an optional `description:`. The checks' guests
/// are not known here: a check naming a guest some lab lacks fails when run.
/// nullopt when the file gave nothing to work on; errors are in `diags`.
std::optional<std::vector<CheckDecl>> load_checks_file(const std::string& path, Diagnostics& diags);

/// Same, from text; `file` is the name used in SourceLocs.
std::optional<std::vector<CheckDecl>> load_checks_string(const std::string& text, const std::string& file,
                                                         Diagnostics& diags);

}  // namespace vklab::topology
