// The guest's own root file system (vklab_root, vklab_files, vklab_shared,
// vklab_layer: vkernel/cmdline.h).
//
// Two halves, one per process:
//
//  * prepare() runs once in the vkernel process, before the first init. It
//    gives the vkernel process a mount namespace of its own (a slave of the
//    lab's: nothing it mounts is seen anywhere else, and everything it
//    mounts vanishes with it, whatever kills it), mounts a tmpfs on the
//    layer directory and builds the guest's tree there:
//        <layer>/files   a copy of the lab's folder for this guest (owner,
//                        mode, times, symlinks kept)
//        <layer>/upper   the guest's writes (what `vklab save` reads)
//        <layer>/work    overlayfs's work directory
//        <layer>/root    overlay: upper over files over the base, read-only
//                        base (the host's / or vklab_root); /shared bound
//                        from vklab_shared
//    The lab's folder is copied rather than stacked because overlayfs
//    refuses two lower layers on one file system when one contains the
//    other (the lab's folder lies inside the host's /).
//    Directories that must look empty in every guest (kHiddenDirs, the
//    state root, the lab's folder) are opaque directories of the upper
//    layer: the base below them cannot be uncovered by unmounting anything.
//
//  * enter_root() runs in every init (a new PID namespace, after
//    unshare(CLONE_NEWNS)): it mounts the guest's own /proc (with /proc/sys
//    read-only except /proc/sys/net, and the host-wide /proc files masked),
//    /sys read-only, a minimal /dev, /tmp and /run, binds the guest's
//    halt/reboot commands, applies the kernel parameters, then pivot_root()s
//    into the tree and detaches the old root: nothing of the host's mount
//    tree is left in the guest's mount namespace.
//
// A reboot runs enter_root() again over the same <layer>: the guest's
// writes survive a reboot and die with the vkernel process.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace vklab::vkernel {

/// Directories every guest sees empty (its own): personal and data
/// directories of the host, and the mount points the guest gets its own of.
inline constexpr const char* kHiddenDirs[] = {"/home", "/root", "/mnt", "/media", "/srv", "/tmp",
                                              "/run",  "/var/tmp", "/proc", "/sys", "/dev"};

/// Size bound of the layer tmpfs (and of the guest's /tmp and /run) when
/// the guest has no -m: tmpfs pages are memory.
inline constexpr uint64_t kDefaultLayerSize = 256ull << 20;

/// What the guest's root is made of.
struct RootSpec {
  std::string name;          ///< the guest, for messages
  std::string base = "/";    ///< vklab_root, or the host's /
  std::string files;         ///< vklab_files, "" = none
  std::string shared;        ///< vklab_shared, "" = none
  std::string layer;         ///< vklab_layer, made (and removed) by prepare() when missing; "" = fallback_layer
  std::string fallback_layer;  ///< where to make it when `layer` is "" ("<pidfile>.layer")
  std::vector<std::string> hidden;  ///< more absolute paths to show empty (state root, lab folder)
  uint64_t size = kDefaultLayerSize;  ///< tmpfs bound in bytes
};

/// Kernel parameters for the guest: "key=value" lines (key with dots or
/// slashes; '#' comments and blank lines skipped). Errors name file:line.
Result<std::vector<std::pair<std::string, std::string>>> read_sysctl_file(const std::string& path);

/// The paths a guest must not see besides kHiddenDirs: the state root
/// (VKLAB_STATE_ROOT, and the directory two levels above the pidfile and
/// the layer: <root>/<lab>/<file>) and the lab's folder (the parent of
/// vklab_files and vklab_shared). "/" is never among them.
std::vector<std::string> state_paths(const std::string& pidfile, const std::string& layer,
                                     const std::string& files, const std::string& shared,
                                     const char* state_root_env);

/// The guest's tree, mounted in the vkernel process's own mount namespace.
class GuestRoot {
 public:
  GuestRoot() = default;
  GuestRoot(GuestRoot&& o) noexcept { *this = std::move(o); }
  GuestRoot& operator=(GuestRoot&& o) noexcept;
  GuestRoot(const GuestRoot&) = delete;
  ~GuestRoot();

  /// Checks the spec (base a directory with a /bin/sh, the lab's folder
  /// readable, shared a directory, paths mountable), then builds the tree.
  /// Errors name the variable, the path and the reason; on error nothing is
  /// left (mounts, the made layer directory).
  static Result<GuestRoot> prepare(const RootSpec& spec);

  /// The overlay, the new root of each init.
  std::string root() const { return layer_ + "/root"; }
  const std::string& layer() const { return layer_; }
  /// Unmounts the tree and removes the layer directory if prepare() made it.
  void release();

 private:
  std::string layer_;
  bool made_dir_ = false;
};

/// What init needs to enter the tree.
struct EnterRoot {
  std::string root;        ///< GuestRoot::root()
  uint64_t size = kDefaultLayerSize;  ///< /tmp and /run bound
  int self_fd = -1;        ///< O_PATH fd of the vkernel binary (the guest's halt/reboot)
  std::vector<std::pair<std::string, std::string>> sysctls;
};

/// In init: mounts /proc, /sys, /dev, /tmp, /run in the tree, the halt and
/// reboot commands, the kernel parameters (each failure is one line in
/// `warnings`, the guest boots), then pivot_root and detach the old root.
/// An error (a mount that failed) leaves init in an unusable root: exit.
Status enter_root(const EnterRoot& e, std::vector<std::string>& warnings);

}  // namespace vklab::vkernel
