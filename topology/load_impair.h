// load_impair: an `impair:` mapping of an interface or a bridge.
//
// Internal to the loader. The values' spellings and ranges are
// vkernel/link.h's; this adds the locations: a bad value is reported at
// its own line:col, an unknown key at the key with did-you-mean, a rule
// across fields (jitter needs a delay) at the mapping.
#pragma once

#include <optional>
#include <string>

#include "topology/model.h"
#include "topology/yaml_reader.h"

namespace vklab::topology::detail {

/// Reads `e.value` as {delay, jitter, loss, rate, corrupt, duplicate,
/// reorder}; `context` names the owner ("in interface vke0 of guest "a"").
/// nullopt after an error (reported) or for an empty mapping (reported too:
/// an impairment names at least one value).
std::optional<Located<vkernel::Impairment>> read_impair(Reader& r, const Entry& e, const std::string& context);

}  // namespace vklab::topology::detail
