// The applier: runs a Plan's host steps on a Host, recording what it
// creates, and undoes it all on failure; teardown from the record alone.
//
// Ownership rules (vmd priv.c, containerlab tags):
// - a link the lab creates is tagged ownership_tag(lab) ("vklab:<lab>")
//   where the Host supports tags (Linux: the alias, plus the link group
//   link_group(tag) so teardown is one RTM_DELLINK);
// - a name that exists and is ours (our tag, or recorded by an earlier run
//   and passed in ApplyOptions::resume) counts as done;
// - a name that exists and is not ours is an error, and that link is never
//   modified or deleted; only bridges and taps the lab owns are given
//   addresses, members or up; an uplink (AddMember with `foreign`) is the
//   one foreign link the lab touches, and only its membership is undone.
//
// Names: in isolated mode (the lab's own namespace, which the caller
// enters before apply()) the plan's names are used as they are. In host
// mode each created bridge/tap gets the first free unit with the same
// prefix (a foreign bridge0 makes the lab's bridge0 become bridge1);
// names() maps plan name → actual name and rewrite_launch() rewrites a
// guest's -I arguments through it.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hostnet/host.h"
#include "netsetup/created.h"
#include "topology/plan.h"

namespace vklab::netsetup {

using hostnet::Host;
using hostnet::LinkInfo;
using hostnet::ownership_tag;
using hostnet::tagged;

/// Plan name → actual name, for every bridge and tap the lab owns.
using NameMap = std::map<std::string, std::string>;

struct ApplyOptions {
  /// The lab's name; links get ownership_tag(lab). "" = no tags (tests).
  std::string lab;
  topology::NetworkMode network = topology::NetworkMode::Isolated;
  /// Called after each object is created and before the next step, so the
  /// caller can persist it (state.json). An error stops the apply and rolls
  /// back, this object included.
  std::function<Status(const CreatedObject&)> on_created;
  /// Called after each object is removed by a rollback.
  std::function<void(const CreatedObject&)> on_removed;
  /// Objects recorded by an earlier run of the same lab: they count as
  /// ours (and their plan → actual names are reused).
  std::vector<CreatedObject> resume;
};

class Applier {
 public:
  Applier(Host& host, ApplyOptions opts);

  /// Checks modules, then runs `steps` in order. On the first failure it
  /// undoes everything this call created (in reverse; what was ours before
  /// the call, resumed or created by an earlier apply(), stays) and returns
  /// "step K (create tap tap3 (r1 vke0)): tap3: File exists" (K from 1).
  Status apply(const std::vector<topology::HostStep>& steps);

  /// What the lab owns now, in creation order.
  const std::vector<CreatedObject>& created() const { return created_; }
  /// Plan name → actual name of every bridge and tap created.
  const NameMap& names() const { return names_; }
  /// Index (from 0) of the step that failed in the last apply().
  std::optional<size_t> failed_step() const { return failed_; }

 private:
  Status run(const topology::HostStep& step);
  Status create(const topology::HostStep& step, CreatedObject::Kind kind);
  Result<std::string> pick_name(const std::string& plan_name);
  Result<std::string> owned(const std::string& plan_name) const;
  Status record(CreatedObject o);
  void rollback();

  Host& host_;
  ApplyOptions opts_;
  std::string tag_;
  std::vector<CreatedObject> created_;
  NameMap names_;
  std::map<std::string, int> next_unit_;
  std::optional<size_t> failed_;
};

struct TeardownOptions {
  /// The lab's name: on a tagging host, every link tagged with it is
  /// removed at once (the sweep), and a recorded link whose tag differs is
  /// left alone. "" = trust the record.
  std::string lab;
};

/// Removes what `created` records, in reverse: uplink memberships first
/// (only that membership), then the lab's links. Needs no Plan. Idempotent:
/// what is already gone counts as removed. Errors are collected; the
/// returned error lists them all.
Status teardown(Host& host, const std::vector<CreatedObject>& created,
                const TeardownOptions& opts = {});

/// Rewrites the -I arguments of `cmd` (tap and bridge names) through
/// `names`; names not in the map are kept. "/dev/tap0" keeps its "/dev/".
void rewrite_netifs(vkernel::Cmdline& cmd, const NameMap& names);
/// rewrite_netifs on the launch's cmdline, and its ifaces' tap/bridge.
void rewrite_launch(topology::GuestLaunch& launch, const NameMap& names);

}  // namespace vklab::netsetup
