// The addresses file (-e vklab_addrs): the IPv6 addresses a plan gives a
// guest's interfaces, which the vkernel's -I cannot carry (IPv4 only).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/ip.h"
#include "common/result.h"

namespace vklab::vkernel {

/// One address of vkeN: N and ADDR/LEN.
using IfAddr = std::pair<int, IpPrefix>;

/// Parses "vkeN ADDR/LEN" lines (blank lines and '#' comments skipped);
/// the error names the line ("addrs:2: expected vkeN ADDR/LEN").
Result<std::vector<IfAddr>> parse_addrs(const std::string& text, const std::string& name);
/// Reads and parses the file at `path`.
Result<std::vector<IfAddr>> read_addrs(const std::string& path);

}  // namespace vklab::vkernel
