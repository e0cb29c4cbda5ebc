// vklab plan FILE [--target linux|dragonfly] [--format text|sh|json]
#include <iostream>

#include "cli/cli.h"
#include "netsetup/render.h"
#include "topology/plan_json.h"

namespace vklab::cli {

Runner setup_plan(CLI::App& sub) {
  struct Opts {
    std::string file, format = "sh";
    topology::Target target = topology::Target::Linux;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("file", o->file, "lab file")->required();
  add_target_option(sub, o->target, "linux or dragonfly (default: this system's)");
  sub.add_option("--format", o->format, "sh (a reviewable script with up/down actions), text (a summary) or json")
      ->check(CLI::IsMember({"text", "sh", "json"}))
      ->capture_default_str();
  return [o] {
    const topology::Target target = o->target;
    auto loaded = load_lab(o->file, target);
    if (!loaded) return static_cast<int>(kExitUsage);
    auto plan = topology::compile(loaded->lab, host_compile_options(o->file, loaded->lab.name.value, target));
    if (o->format == "json") std::cout << topology::plan_to_json(plan).dump(2) << "\n";
    else if (o->format == "sh") std::cout << netsetup::render_sh(plan);
    else std::cout << netsetup::render_text(plan);
    return static_cast<int>(kExitOk);
  };
}

}  // namespace vklab::cli
