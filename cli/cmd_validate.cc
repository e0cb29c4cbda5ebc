// vklab validate FILE
#include <iostream>

#include "cli/cli.h"

namespace vklab::cli {

Runner setup_validate(CLI::App& sub) {
  auto file = std::make_shared<std::string>();
  sub.add_option("file", *file, "lab file")->required();
  return [file] {
    auto loaded = load_lab(*file);
    if (!loaded) return static_cast<int>(kExitUsage);
    std::cout << *file << ": OK";
    if (int w = loaded->diags.warning_count()) std::cout << " (" << w << (w == 1 ? " warning)" : " warnings)");
    std::cout << "\n";
    return static_cast<int>(kExitOk);
  };
}

}  // namespace vklab::cli
