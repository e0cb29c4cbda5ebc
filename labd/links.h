// Links at run time: labd's side of `vklab impair` and `vklab link`.
//
// labd keeps every guest interface's link (vkernel/link.h: impairment,
// carrier) in state.json (LabState::links, only those that differ from
// "up, unimpaired"), starting from the plan's `impair:`. A LinkRequest
// changes some interfaces; labd checks it against the plan, records it,
// rewrites each concerned guest's links file (-e vklab_links) and sends its
// vkernel process SIGUSR1, which reads the file again (guest/vke.h). A new
// labd or a recovery reads the same records; `down` removes the files with
// the state directory.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/json_in.h"
#include "common/result.h"
#include "topology/plan.h"
#include "vkernel/link.h"

namespace vklab::labd {

struct LabState;

/// One interface's link as recorded. Invariant: not the default (down, or
/// impaired, or both).
struct LinkRecord {
  std::string guest;
  int iface = 0;  ///< N of vkeN
  bool up = true;
  std::optional<vkernel::Impairment> impair;
  bool operator==(const LinkRecord&) const = default;
};

/// Which interface a request speaks of.
struct LinkTarget {
  std::string guest;
  int iface = 0;
  bool operator==(const LinkTarget&) const = default;
};

/// One change to some interfaces (a bridge's members, or one GUEST:IF).
struct LinkRequest {
  enum class Change {
    Impair,  ///< replace the impairment with `impair`
    Clear,   ///< remove the impairment
    Down,    ///< carrier off: no frame passes
    Up,      ///< carrier back
  };
  std::vector<LinkTarget> targets;
  Change change = Change::Impair;
  std::optional<vkernel::Impairment> impair;  ///< Change::Impair only
  bool operator==(const LinkRequest&) const = default;
};

/// The lab's links after a change.
struct LinksReply {
  std::vector<LinkRecord> links;
  bool operator==(const LinksReply&) const = default;
};

nlohmann::json links_to_json(const std::vector<LinkRecord>& links);
/// The records of a "links" list; every field checked, problems recorded
/// in `j`'s reader (unknown fields refused).
std::vector<LinkRecord> links_from_json(const JsonIn& j);
/// The request's JSON object with "op": "link".
nlohmann::json link_request_to_json(const LinkRequest& r);
/// Decodes an object whose "op" is "link"; unknown fields refused,
/// problems recorded in `j`'s reader.
LinkRequest link_request_from_json(const JsonIn& j);

/// The links the plan starts with (every `impair:` of every guest).
std::vector<LinkRecord> initial_links(const topology::Plan& plan);

/// The links of `guest` in the links file's terms.
std::vector<vkernel::LinkConfig> guest_links(const std::vector<LinkRecord>& links, const std::string& guest);

/// Checks `req` against the plan (guest exists, is the bundled guest, has
/// that vke) and applies it to `links`. Errors change nothing. Returns the
/// guests whose links changed, in plan order.
Result<std::vector<std::string>> apply_link_request(std::vector<LinkRecord>& links, const topology::Plan& plan,
                                                    const LinkRequest& req);

/// labd's whole handling of a request: refused unless the lab is Up;
/// applied to `st.links`; the links file of every changed guest rewritten
/// (atomically) and its kernel signalled (SIGUSR1, only if it is still the
/// recorded process). The caller saves the state. Errors change nothing
/// recorded.
Result<LinksReply> serve_link_request(LabState& st, const topology::Plan& plan, const LinkRequest& req);

}  // namespace vklab::labd
