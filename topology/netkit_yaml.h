// netkit_yaml: a loaded lab written back as a vklab YAML lab file.
//
// `vklab convert DIR` prints a Kathará lab this way so it can move over for
// good: loading the text again (load.h) gives the same Lab as load_netkit
// (the same plan, byte for byte, once compiled). Startup and shutdown
// scripts are inlined, device folders are referenced with `files:`, and
// shared/ stays where it is (beside the lab file).
#pragma once

#include <string>

#include "topology/model.h"

namespace vklab::topology {

struct YamlWriteOptions {
  /// The directory the YAML file will live in (absolute): `files:` paths
  /// are written relative to it. "" = write them absolute.
  std::string base_dir;
  /// A comment line put first ("converted from …"); "" = none.
  std::string header;
};

/// The lab as YAML. Values every guest shares go to `defaults:` (memory,
/// ifname, and the sysctl list when it is the same in all: a guest's list
/// replaces the defaults' whole). Checks are not written (a Kathará lab has
/// none).
std::string lab_to_yaml(const Lab& lab, const YamlWriteOptions& opts);

}  // namespace vklab::topology
