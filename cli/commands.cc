// The command table.
#include "cli/cli.h"

namespace vklab::cli {

Runner setup_validate(CLI::App&);
Runner setup_plan(CLI::App&);
Runner setup_graph(CLI::App&);

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"validate", "Check a lab file and report every problem with its file:line:col", setup_validate},
      {"plan", "Print what `up` would do: host steps, guest command lines, teardown", setup_plan},
      {"graph", "Draw the lab: guests, bridges and vkeN links (dot, svg, png)", setup_graph},
  };
  return table;
}

}  // namespace vklab::cli
