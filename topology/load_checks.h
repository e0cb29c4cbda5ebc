// load_checks: the `checks:` list, of a lab file or of a grading key.
//
// Internal to the loader; see load.h for the module's face. Every kind's
// value is checked here (addresses of either family, prefixes without host
// bits, ports, a regex that compiles, URLs, integers in range); a key of
// another kind is refused naming the kind it belongs to, a typo gets
// did-you-mean. A check with an error is dropped (the lab does not load).
#pragma once

#include <vector>

#include "topology/model.h"
#include "topology/yaml_reader.h"

namespace vklab::topology::detail {

/// Reads the list `e.value` into `out`, in file order.
void read_checks(Reader& r, const Entry& e, std::vector<CheckDecl>& out);

}  // namespace vklab::topology::detail
