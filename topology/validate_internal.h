// The validator's passes, split over validate.cc (names, references,
// guest values), validate_net.cc (addresses, `address: auto`) and
// validate_graph.cc (depends_on order, islands, loops). Internal to the
// validator; see validate.h for the module's face.
#pragma once

#include <string>

#include "common/diag.h"
#include "topology/model.h"
#include "topology/plan.h"

namespace vklab::topology::detail {

/// "L:C" of a location in the lab file, for "(first at L:C)".
std::string line_col(const SourceLoc& loc);

/// `r1 vke0`: an interface as messages name it.
std::string iface_name(const GuestDecl& g, size_t index);

/// Prefix lengths, host addresses, subnets, duplicates per segment,
/// host-side uniqueness, tap links, MACs.
void check_addresses(const Lab& lab, Diagnostics& diags);

/// Resolves `address: auto`: lowest free host address of the bridge's
/// subnet once every static address of the lab is reserved, in guest
/// declaration order then interface order.
void assign_auto(Lab& lab, Diagnostics& diags);

/// IPv6 (validate_host.cc): subnet6 and address prefix lengths, inside
/// subnet6, duplicates per segment, auto6 needs subnet6; a warning per
/// guest when its kernel is a real vkernel (IPv6 becomes a plan note).
void check_ipv6(const Lab& lab, Target target, Diagnostics& diags);

/// Resolves `address: auto6`: the lowest free address of the bridge's
/// subnet6 after its own (::1 first), appended to addresses6.
void assign_auto6(Lab& lab, Diagnostics& diags);

/// `host:` routes: destination without host bits, gateway of the same
/// family, in a subnet the host side is on and not its own address; no
/// destination twice.
void check_host_side(const Lab& lab, Diagnostics& diags);

/// Lab-wide address gaps, after auto resolution: an address on two
/// interfaces of one guest (error); overlapping subnets of two bridges and
/// member addresses of one subnet-less bridge in different subnets
/// (warnings); ping/tcp targets no guest or bridge holds (warning).
void check_lab_addresses(const Lab& lab, Diagnostics& diags);

/// depends_on cycles (errors naming the cycle) and lab.launch_order.
void order_launch(Lab& lab, Diagnostics& diags);

/// Warnings: bridges with fewer than two members, guests without
/// interfaces, L2 loops, islands, checks that cannot pass.
void check_graph(const Lab& lab, Diagnostics& diags);

}  // namespace vklab::topology::detail
