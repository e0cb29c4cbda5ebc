// netkit_device: one Kathará device's options (DEV[option]=VALUE) applied
// to its guest. Internal to the Kathará front-end (netkit_load.h).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/diag.h"
#include "topology/model.h"
#include "topology/netkit_conf.h"

namespace vklab::topology::detail {

/// What a device's options say beyond the GuestDecl fields.
struct DeviceExtras {
  bool ipv6 = false;                  ///< DEV[ipv6] (Kathará's default: off)
  std::vector<std::string> exec;      ///< DEV[exec] commands, in file order
};

/// The options Kathará knows, for did-you-mean.
extern const std::vector<std::string> kNetkitOptions;

/// Applies `opts` (this device's, in file order) to `g`, reporting bad
/// values as errors and what vklab ignores or maps differently as
/// warnings/notes at the option's line.
DeviceExtras apply_options(const std::vector<const ConfOption*>& opts, GuestDecl& g, Diagnostics& d);

/// Kathará's sysctls of every device, then the device's own (a key written
/// again replaces the default in place): IPv4 forwarding on, rp_filter off
/// (all, default, lo and each interface), ICMP rate limit off, IPv6 per
/// `ipv6`.
void add_kathara_sysctls(GuestDecl& g, bool ipv6);

/// The image of a device names software the guest needs from the host
/// (vklab guests run the host's software): a warning at `at` when the host
/// lacks it ("install frr"), a note for an image vklab knows nothing of.
void check_image(const std::string& image, const SourceLoc& at,
                 const std::function<bool(const std::string&)>& host_has, Diagnostics& d);

}  // namespace vklab::topology::detail
