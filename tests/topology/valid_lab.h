// Test helper: a lab from YAML text that must load and validate cleanly.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "topology/load.h"
#include "topology/validate.h"

namespace vklab::topology::testing {

/// Loads and validates `text` (named `file` in diagnostics); fails the
/// test, printing the diagnostics, unless there were no errors.
inline Lab valid_lab(const std::string& text, const std::string& file = "t.yaml") {
  Diagnostics d;
  auto lab = load_string(text, file, d);
  REQUIRE(lab);
  validate(*lab, d);
  INFO(d.str());
  REQUIRE_FALSE(d.has_errors());
  return *lab;
}

}  // namespace vklab::topology::testing
