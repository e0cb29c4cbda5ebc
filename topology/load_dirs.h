// load_dirs: the YAML front-end's file-system half — the folders beside a
// lab file, and the paths its guests name.
//
// Internal to the loader: load_file() runs it after the text loaded (the
// rest of the loader, and load_string(), touch no file). Which folders beside
// a lab file count as guest folders:
//   - a folder named like a guest is that guest's files (unless `files:`
//     names another one);
//   - shared/ is the lab's shared folder (Lab::shared_dir);
//   - skipped, never warned about: hidden folders (.git), folders the lab
//     names itself (root:, files:, disks, cdroms, or a folder holding one),
//     and folders that hold a lab of their own (a lab.conf, or a *.yaml or
//     *.yml file at their top: several labs in one folder, each in its own
//     sub-folder, do not see each other's guest folders);
//   - any other folder matches no guest and is not used: a warning when its
//     name is close to a guest's (a typo: "did you mean"), or when the lab
//     uses its folder (some guest has a folder there, or shared/ exists).
//     A lab file alone in a busy folder (/tmp, a home directory) is not
//     warned about every folder beside it.
#pragma once

#include <string>

#include "common/diag.h"
#include "topology/model.h"

namespace vklab::topology::detail {

/// The name of the shared folder beside a lab file.
inline constexpr const char* kSharedFolder = "shared";

/// Fills every guest's files_dir and lab.shared_dir (absolute, normalised),
/// checks `root:` (an existing directory with a /bin/sh) and `files:` (an
/// existing, readable directory), refuses paths that cannot pass through
/// the vkernel's -e (quote characters, control characters), and warns about
/// folders beside the lab file that match no guest. `lab_file` is the lab
/// file's path as given; its folder is the base of relative paths. Errors
/// carry the location of the key.
void resolve_dirs(Lab& lab, const std::string& lab_file, Diagnostics& diags);

}  // namespace vklab::topology::detail
