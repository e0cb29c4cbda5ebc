#include "topology/model.h"

namespace vklab::topology {

const BridgeDecl* Lab::find_bridge(const std::string& n) const {
  int i = bridge_index(n);
  return i < 0 ? nullptr : &bridges[static_cast<size_t>(i)];
}

const GuestDecl* Lab::find_guest(const std::string& n) const {
  for (const auto& g : guests)
    if (g.name == n) return &g;
  return nullptr;
}

int Lab::bridge_index(const std::string& n) const {
  for (size_t i = 0; i < bridges.size(); ++i)
    if (bridges[i].name == n) return static_cast<int>(i);
  return -1;
}

}  // namespace vklab::topology
