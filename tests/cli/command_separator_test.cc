// command_separator(): where vklab's own words end and a command to run
// begins, so that CLI11 never sees (and splits) the command's words.
#include <doctest/doctest.h>

#include "cli/cli.h"

using namespace vklab::cli;

namespace {

std::optional<std::size_t> sep(std::vector<std::string_view> args) { return command_separator(args, commands()); }

}  // namespace

TEST_CASE("exec: the first -- after the subcommand") {
  CHECK(sep({"vklab", "exec", "g", "--", "echo", "[1,2]"}) == 3);
  CHECK(sep({"vklab", "exec", "g", "--", "--", "x", "--"}) == 3);
  CHECK(sep({"vklab", "exec", "--lab", "l", "--host", "--", "ip"}) == 5);
  CHECK(sep({"vklab", "exec", "--lab=l", "g", "--"}) == 4);
  CHECK(sep({"vklab", "--help", "exec", "g", "--", "x"}) == 4);
  CHECK(sep({"vklab", "exec", "--"}) == 2);
}

TEST_CASE("no separator: no --, a -- before the subcommand, or a subcommand that runs nothing") {
  CHECK(sep({"vklab"}) == std::nullopt);
  CHECK(sep({}) == std::nullopt);
  CHECK(sep({"vklab", "exec", "g", "hostname"}) == std::nullopt);
  CHECK(sep({"vklab", "--", "exec", "g", "--", "x"}) == std::nullopt);
  CHECK(sep({"vklab", "--version", "--"}) == std::nullopt);
  CHECK(sep({"vklab", "status", "lab", "--", "x"}) == std::nullopt);
  CHECK(sep({"vklab", "check", "--", "exec", "--", "x"}) == std::nullopt);
  CHECK(sep({"vklab", "exe", "g", "--", "x"}) == std::nullopt);  // no prefix matching
  CHECK(sep({"vklab", "EXEC", "g", "--", "x"}) == std::nullopt);
}

TEST_CASE("the table decides which subcommands take a command") {
  auto run = [](CLI::App&) -> CommandRunner { return [](const TrailingCommand&) { return 0; }; };
  const std::vector<Command> table = {{"run", "", nullptr, run}, {"list", "", nullptr}};
  CHECK(command_separator({"x", "run", "--", "a"}, table) == 2);
  CHECK(command_separator({"x", "list", "--", "a"}, table) == std::nullopt);
  CHECK(command_separator({"x", "exec", "--", "a"}, table) == std::nullopt);
  std::vector<std::string> with_command;
  for (const auto& c : commands())
    if (c.setup_command) with_command.push_back(c.name);
  CHECK(with_command == std::vector<std::string>{"exec"});
}
