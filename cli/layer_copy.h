// layer_copy: what a guest changed, out of its overlay's upper layer into a
// folder of the lab (`vklab save`).
//
// The upper layer of a guest's root holds exactly what the guest changed:
// new and changed files, symlinks and directories, and overlayfs's marks
// for what it removed — a whiteout (a character device 0/0) for a deleted
// entry, the trusted.overlay.opaque xattr on a directory it removed and
// made again (nothing below it shows through). copy_layer() copies the
// first kind into a destination folder exactly (content, owner, mode,
// mtime; symlinks as symlinks, never followed) and reports the second
// kind: a plain folder laid over a root cannot say "this file is gone".
//
// Safety: every file of the layer is opened relative to its directory with
// O_NOFOLLOW, so nothing outside the layer is ever read; every write in
// the destination goes through directory descriptors opened with
// O_NOFOLLOW (a symlink in the destination is refused, never followed) and
// lands by rename() of a new file, so a symlink already there is replaced,
// not written through. Directories already in the destination keep their
// owner and mode (the lab's folder may belong to a teacher); directories
// copy_layer() makes get the layer's.
#pragma once

#include <sys/stat.h>

#include <functional>
#include <string>
#include <vector>

namespace vklab::cli {

/// Guest paths `vklab save` leaves out with everything below them: the
/// guest's temporary and virtual file systems, and /shared (already on the
/// host).
inline constexpr const char* kNotSaved[] = {"/tmp", "/var/tmp", "/run", "/proc", "/sys", "/dev", "/shared"};

struct LayerCopyOptions {
  /// Guest paths (absolute) not saved, nor anything below them.
  std::vector<std::string> skip;
  /// Guest paths whose opaque mark is the guest's root's own making (the
  /// host directories every guest sees empty): not reported as replaced.
  std::vector<std::string> own_opaque;
  /// Whether directory `name` of `dirfd` is opaque; default: its
  /// trusted.overlay.opaque xattr is "y". (Tests without root fake it.)
  std::function<bool(int dirfd, const std::string& name)> is_opaque;
  /// Whether an entry is a whiteout; default: a character device 0/0.
  std::function<bool(const struct stat& st, const std::string& name)> is_whiteout;
};

struct LayerCopyReport {
  std::vector<std::string> saved;     ///< guest paths written (files, symlinks, new directories)
  std::vector<std::string> deleted;   ///< whiteouts: paths the guest removed
  std::vector<std::string> replaced;  ///< opaque directories: removed and made again
  std::vector<std::string> skipped;   ///< "PATH (fifo)": kinds a folder does not carry
  std::vector<std::string> errors;    ///< "PATH: reason"; the copy went on with the rest
};

/// Copies the upper layer `upper` (a directory) into `dest` (made, with its
/// parents, when missing; refused when it is a symlink). Paths in the
/// report are the guest's ("/etc/frr/frr.conf"), sorted within each
/// directory. Never throws.
LayerCopyReport copy_layer(const std::string& upper, const std::string& dest, const LayerCopyOptions& opts);

/// The text of the deletions list written beside the destination
/// ("deleted PATH", "replaced PATH", one a line, after a comment line).
std::string deletions_text(const std::string& guest, const LayerCopyReport& r);

}  // namespace vklab::cli
