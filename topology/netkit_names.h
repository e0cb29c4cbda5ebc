// netkit_names: how Kathará's names become vklab names.
//
// A Kathará lab is a directory, so its vklab name is the directory's name
// made valid; its collision domains ("A", "lan_1") become bridges, whose
// names follow the bridge rules of LAB-FORMAT.md. Both mappings are pure and
// deterministic, so `vklab convert` and `vklab up DIR` agree on every name.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace vklab::topology {

/// The lab name of a directory: its last path component (trailing '/'
/// ignored; "." and ".." resolved by the caller), lowercased, '_' and '.'
/// and blanks become '-', every other character outside [a-z0-9-] dropped,
/// leading characters up to the first letter dropped, cut to kMaxLabName
/// (16) characters, trailing '-' removed. An error naming `dir_name` when
/// nothing is left ("kathara-lab_ospf" → "kathara-lab-ospf", "2024" → error).
Result<std::string> lab_name_from_dir(std::string_view dir_name);

/// The bridge a collision domain becomes: lowercased ("A" → "a"); a name
/// that does not start with a letter gets the prefix "cd" ("1" → "cd1").
/// `cd` is already known to be 1+ of [A-Za-z0-9_] (Kathará's rule); the
/// result may still be too long for a bridge, which the validator reports.
std::string bridge_name_for_cd(std::string_view cd);

}  // namespace vklab::topology
