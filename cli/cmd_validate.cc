// vklab validate FILE [--target linux|dragonfly]
#include <iostream>

#include "cli/cli.h"

namespace vklab::cli {

Runner setup_validate(CLI::App& sub) {
  auto file = std::make_shared<std::string>();
  auto target = std::make_shared<topology::Target>();
  sub.add_option("file", *file, "lab file")->required();
  add_target_option(sub, *target, "linux or dragonfly (default: this system's): what only the bundled Linux "
                                  "guest does is a warning for dragonfly");
  return [file, target] {
    auto loaded = load_lab(*file, *target);
    if (!loaded) return static_cast<int>(kExitUsage);
    std::cout << *file << ": OK";
    if (int w = loaded->diags.warning_count()) std::cout << " (" << w << (w == 1 ? " warning)" : " warnings)");
    std::cout << "\n";
    return static_cast<int>(kExitOk);
  };
}

}  // namespace vklab::cli
