// netkit_load: a Kathará (or Netkit) lab directory → the Lab model.
//
// The second front-end beside load.h: DIR/lab.conf (devices, interfaces,
// options, LAB_ metadata), DIR/lab.dep (start order), DIR/DEV.startup,
// DIR/DEV.shutdown, DIR/shared.startup, DIR/shared.shutdown, DIR/DEV/ and
// DIR/shared/. The Lab it returns goes through validate/compile unchanged;
// every SourceLoc points into DIR/lab.conf or DIR/lab.dep.
//
// Kathará's device semantics, made explicit in the model:
//   - interface N of DEV is the guest's interface N, named ethN (ifname "eth");
//   - collision domain CD is a bridge named bridge_name_for_cd(CD);
//   - every device forwards IPv4 and has rp_filter off (Kathará's defaults),
//     IPv6 off unless DEV[ipv6]=true, then DEV[sysctl] lines, as sysctls;
//   - startup = shared.startup, then DEV.startup, then DEV[exec] lines;
//     shutdown = DEV.shutdown, then shared.shutdown;
//   - DEV/ is the guest's files_dir, shared/ the lab's shared_dir;
//   - lab.dep lines become depends_on.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/diag.h"
#include "common/result.h"
#include "topology/model.h"

namespace vklab::topology {

/// The file a Kathará lab directory is recognised by.
inline constexpr const char* kNetkitConf = "lab.conf";
inline constexpr const char* kNetkitDep = "lab.dep";
/// Kathará sets no memory limit; a guest needs one (-m).
inline constexpr const char* kNetkitMemory = "256m";
/// Kathará's interface names are eth0, eth1, …
inline constexpr const char* kNetkitIfname = "eth";

struct NetkitOptions {
  /// The directory as SourceLocs show it ("" = as given to load_netkit).
  std::string display_dir;
  /// Whether a path exists on this host; used to warn when a device's
  /// image names software the host lacks. Default: the real filesystem.
  std::function<bool(const std::string&)> host_has;
};

/// True when `path` is a directory: `vklab up DIR` reads it as a Kathará
/// lab (and says so when it holds no lab.conf).
bool is_netkit_dir(const std::string& path);

/// The name of the lab in directory `dir` (any spelling: "x", "x/", ".",
/// "../x"): lab_name_from_dir() of its absolute, normalised last component.
Result<std::string> netkit_lab_name(const std::string& dir);

/// Loads the lab in directory `dir`. Every problem of lab.conf and lab.dep
/// is added to `diags` with its file:line:col, all of them; notes and
/// warnings say what of Kathará's format vklab maps differently or ignores.
/// Returns nullopt only when there is nothing to work on (no directory, no
/// or empty lab.conf, no usable lab name); the error names the directory.
/// A Lab is returned even with errors in diags; callers check has_errors().
std::optional<Lab> load_netkit(const std::string& dir, Diagnostics& diags,
                               const NetkitOptions& opts = {});

}  // namespace vklab::topology
