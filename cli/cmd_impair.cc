// vklab impair [--lab LAB] [TARGET] [--delay D] [--jitter D] [--loss P%]
//              [--rate R] [--corrupt P%] [--duplicate P%] [--reorder P%]
//              [--clear] [--json]
//
// With changes: replaces TARGET's impairment (GUEST:IF, or a BRIDGE = every
// member), or removes it (--clear), through labd (link_target.h, labd/links.h).
// Without: shows every impaired or downed interface (of TARGET, if named).
// What an impairment shapes: what the guest SENDS on the interface.
#include <iostream>

#include "cli/cli.h"
#include "cli/link_target.h"

namespace vklab::cli {

Runner setup_impair(CLI::App& sub) {
  struct Opts {
    std::string lab, target;
    std::string values[7];
    bool clear = false, json = false;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("--lab", o->lab, "lab name (default: ./lab.yaml's, or the only one running)");
  sub.add_option("target", o->target, "GUEST:IF (such as r1:vke0) or BRIDGE (every member interface)");
  const char* help[7] = {"added delay (40ms, 500us, 1.5s)",
                         "variation of the delay, normal with this sigma (needs --delay)",
                         "frames dropped (1%, 0.1%)",
                         "rate limit, a token bucket (10mbit, 512kbit, 1gbit)",
                         "frames with one bit flipped (0.1%)",
                         "frames sent twice (1%)",
                         "frames sent at once, overtaking the delayed ones (needs --delay)"};
  for (size_t k = 0; k < vkernel::kImpairKeys.size(); ++k)
    sub.add_option("--" + vkernel::kImpairKeys[k], o->values[k], help[k]);
  sub.add_flag("--clear", o->clear, "remove TARGET's impairment");
  sub.add_flag("--json", o->json, "machine-readable output");
  return [o] {
    bool changes = false;
    vkernel::Impairment imp;
    for (size_t k = 0; k < vkernel::kImpairKeys.size(); ++k) {
      if (o->values[k].empty()) continue;
      changes = true;
      if (Status s = vkernel::set_field(imp, vkernel::kImpairKeys[k], o->values[k]); !s) {
        std::cerr << "vklab: --" << s.error().message << "\n";
        return static_cast<int>(kExitUsage);
      }
    }
    if (changes && o->clear) {
      std::cerr << "vklab: --clear removes an impairment; give it alone\n";
      return static_cast<int>(kExitUsage);
    }
    if (Status s = imp.check(); changes && !s) {
      std::cerr << "vklab: " << s.error().message << "\n";
      return static_cast<int>(kExitUsage);
    }
    if ((changes || o->clear) && o->target.empty()) {
      std::cerr << "vklab: usage: vklab impair [--lab LAB] TARGET --delay D … | --clear\n";
      return static_cast<int>(kExitUsage);
    }
    int exit = kExitOk;
    auto up = open_up_lab(o->lab, exit);
    if (!up) return exit;
    std::optional<LinkTargets> targets;
    if (!o->target.empty()) {
      auto t = resolve_link_target(up->plan, o->target);
      if (!t) {
        std::cerr << "vklab: " << t.error().message << "\n";
        return static_cast<int>(kExitUsage);
      }
      if (t->ifaces.empty()) {
        std::cerr << "vklab: " << o->target << ": no guest interface is on it\n";
        return static_cast<int>(kExitUsage);
      }
      targets = *t;
    }
    std::vector<labd::LinkRecord> links = up->lab.state.links;
    if (changes || o->clear) {
      labd::LinkRequest req;
      req.targets = targets->ifaces;
      req.change = o->clear ? labd::LinkRequest::Change::Clear : labd::LinkRequest::Change::Impair;
      if (changes) req.impair = imp;
      auto r = send_link_request(up->lab, req);
      if (!r) {
        std::cerr << "vklab: " << r.error().message << "\n";
        return static_cast<int>(kExitFailure);
      }
      links = r->links;
    }
    if (targets)
      std::erase_if(links, [&](const labd::LinkRecord& l) {
        for (const auto& t : targets->ifaces)
          if (t.guest == l.guest && t.iface == l.iface) return false;
        return true;
      });
    if (o->json) {
      std::cout << links_json(links, &up->plan).dump(2) << "\n";
    } else if (changes || o->clear) {
      std::string what = o->clear ? "no impairment" : imp.str();
      for (const auto& t : targets->ifaces)
        std::cout << iface_label(up->plan, t.guest, t.iface) << ": " << what << "\n";
    } else if (links.empty()) {
      std::cout << (targets ? o->target + ": up, unimpaired" : up->lab.name + ": no interface is impaired or down")
                << "\n";
    } else {
      print_links_table(std::cout, links, &up->plan);
    }
    return static_cast<int>(kExitOk);
  };
}

}  // namespace vklab::cli
