// What `vklab impair`, `vklab link` and `vklab capture` point at, and how
// links are shown (also by `vklab status`).
//
// TARGET is GUEST:IF (IF as the guest names it: vke0, or eth0 with
// `ifname: eth`; vkeN is accepted too) or a BRIDGE of the lab file (every
// member interface). Resolved against the plan the lab runs from; an
// unknown name gets did-you-mean and the list of what exists.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "labd/links.h"
#include "cli/cli.h"
#include "topology/plan.h"

namespace vklab::cli {

/// A resolved TARGET.
struct LinkTargets {
  std::string bridge;                   ///< the lab's bridge name when TARGET was one, else ""
  std::string bridge_if;                ///< its interface (bridge0) when TARGET was a bridge
  std::vector<labd::LinkTarget> ifaces; ///< the interfaces, plan order
};

/// Resolves `target`; `bridges` = false refuses a bridge (vklab link).
Result<LinkTargets> resolve_link_target(const topology::Plan& plan, const std::string& target, bool bridges = true);

/// "a:vke0" (with the guest's own interface prefix).
std::string iface_label(const topology::Plan& plan, const std::string& guest, int index);
/// The host tap of a guest's vkeN ("tap3"), "" when unknown.
std::string iface_tap(const topology::Plan& plan, const std::string& guest, int index);

/// The table of `links` (down or impaired interfaces): INTERFACE, BRIDGE,
/// LINK, DELAY, JITTER, LOSS, RATE, CORRUPT, DUPLICATE, REORDER.
void print_links_table(std::ostream& out, const std::vector<labd::LinkRecord>& links, const topology::Plan* plan);
/// One object per record: guest, iface, index, bridge, up, and every
/// impairment value as text ("40ms", "1%", rate null when unlimited);
/// "impaired": false without an impairment.
nlohmann::json links_json(const std::vector<labd::LinkRecord>& links, const topology::Plan* plan);

/// A lab that is up, with its plan. When it is not (no such lab, not up,
/// no plan), says why on stderr and sets `exit` (kExitUsage).
struct UpLab {
  RunningLab lab;
  topology::Plan plan;
};
std::optional<UpLab> open_up_lab(const std::string& name, int& exit);

/// Sends `req` to the lab's labd and waits for its reply. An error when
/// labd is gone (it says so) or refused the request (its message).
Result<labd::LinksReply> send_link_request(const RunningLab& lab, const labd::LinkRequest& req);

}  // namespace vklab::cli
