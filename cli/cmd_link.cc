// vklab link [--lab LAB] GUEST:IF down|up
//
// Takes one interface's wire down (no frame passes either way; the guest
// sees NO-CARRIER, as with an unplugged cable) or back up, through labd.
#include <iostream>

#include "cli/cli.h"
#include "cli/link_target.h"

namespace vklab::cli {

Runner setup_link(CLI::App& sub) {
  struct Opts {
    std::string lab, target, state;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("--lab", o->lab, "lab name (default: ./lab.yaml's, or the only one running)");
  sub.add_option("target", o->target, "GUEST:IF, such as r1:vke0")->required();
  sub.add_option("state", o->state, "down or up")->required();
  return [o] {
    if (o->state != "down" && o->state != "up") {
      std::cerr << "vklab: link: expected down or up, found \"" << o->state << "\"\n";
      return static_cast<int>(kExitUsage);
    }
    int exit = kExitOk;
    auto up = open_up_lab(o->lab, exit);
    if (!up) return exit;
    auto t = resolve_link_target(up->plan, o->target, false);
    if (!t) {
      std::cerr << "vklab: " << t.error().message << "\n";
      return static_cast<int>(kExitUsage);
    }
    labd::LinkRequest req;
    req.targets = t->ifaces;
    req.change = o->state == "down" ? labd::LinkRequest::Change::Down : labd::LinkRequest::Change::Up;
    auto r = send_link_request(up->lab, req);
    if (!r) {
      std::cerr << "vklab: " << r.error().message << "\n";
      return static_cast<int>(kExitFailure);
    }
    std::cout << iface_label(up->plan, t->ifaces[0].guest, t->ifaces[0].iface) << ": link " << o->state << "\n";
    return static_cast<int>(kExitOk);
  };
}

}  // namespace vklab::cli
