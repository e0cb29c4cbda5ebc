// load_guest: one guest (or the `defaults:` block) from YAML.
//
// Internal to the loader; see load.h for the module's face.
#pragma once

#include <set>
#include <string>

#include "topology/model.h"
#include "topology/yaml_reader.h"

namespace vklab::topology::detail {

/// A guest as written, and which keys it wrote (so defaults fill the rest).
struct GuestFields {
  GuestDecl decl;
  std::set<std::string> written;
};

/// Reads a guest's mapping (`e.value`); `name` is the guest's name, or ""
/// for the `defaults:` block (which accepts every guest key except the
/// per-guest wiring: interfaces and depends_on).
GuestFields read_guest(Reader& r, const Entry& e, const std::string& name);

/// Copies every key the defaults wrote and the guest did not, with the
/// location where the default was written.
void apply_defaults(const GuestFields& defaults, GuestFields& guest);

}  // namespace vklab::topology::detail
