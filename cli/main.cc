// vklab: the command-line face of the lab orchestrator. Thin: parse, run
// the chosen subcommand, return its exit code.
#include <iostream>
#include <map>

#include "cli/cli.h"

int main(int argc, char** argv) {
  using namespace vklab::cli;
  // A command to run (exec … -- CMD…) never reaches CLI11: it would read
  // "[1,2]" as a list and split it.
  const std::vector<std::string_view> args(argv, argv + argc);
  const auto sep = command_separator(args, commands());
  TrailingCommand command;
  if (sep) command.emplace(argv + *sep + 1, argv + argc);

  CLI::App app{"vklab — network labs of vkernel guests, bridges and taps"};
  app.set_version_flag("--version", std::string("vklab ") + VKLAB_VERSION);
  app.require_subcommand(1);
  std::map<CLI::App*, Runner> runners;
  for (const auto& c : commands()) {
    CLI::App* sub = app.add_subcommand(c.name, c.summary);
    if (c.setup_command)
      runners[sub] = [run = c.setup_command(*sub), &command] { return run(command); };
    else
      runners[sub] = c.setup(*sub);
  }
  try {
    app.parse(sep ? static_cast<int>(*sep) : argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  for (auto& [sub, run] : runners)
    if (sub->parsed()) return run();
  return kExitUsage;
}
