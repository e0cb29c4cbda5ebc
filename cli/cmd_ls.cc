// vklab ls [--json]: every lab with state on this host.
#include <iomanip>
#include <iostream>

#include "cli/cli.h"
#include "labd/state.h"

namespace vklab::cli {

Runner setup_ls(CLI::App& sub) {
  auto json = std::make_shared<bool>(false);
  sub.add_flag("--json", *json, "machine-readable output");
  return [json] {
    nlohmann::json out = nlohmann::json::array();
    const auto labs = lab_names();
    if (!*json && labs.empty()) {
      std::cout << "no labs are up (state in " << labd::state_root() << ")\n";
      return static_cast<int>(kExitOk);
    }
    if (!*json)
      std::cout << std::left << std::setw(18) << "LAB" << std::setw(10) << "PHASE" << std::setw(8) << "GUESTS"
                << std::setw(6) << "UP" << "LABD\n";
    for (const auto& lab : labs) {
      labd::StateDir dir{labd::state_root() + "/" + lab};
      auto st = labd::read_state(dir.state_json());
      if (!st) continue;
      int up = 0;
      for (const auto& g : st->guests) up += g.state == labd::GuestState::Up;
      bool alive = labd::alive(st->labd);
      if (*json) {
        out.push_back({{"lab", lab},
                       {"phase", labd::phase_name(st->phase)},
                       {"guests", st->guests.size()},
                       {"up", up},
                       {"labd_pid", st->labd.pid},
                       {"labd_alive", alive}});
      } else {
        std::cout << std::setw(18) << lab << std::setw(10) << labd::phase_name(st->phase) << std::setw(8)
                  << st->guests.size() << std::setw(6) << up
                  << (alive ? "pid " + std::to_string(st->labd.pid) : std::string("gone")) << "\n";
      }
    }
    if (*json) std::cout << out.dump(2) << "\n";
    return static_cast<int>(kExitOk);
  };
}

}  // namespace vklab::cli
