#include "topology/model.h"

namespace vklab::topology {
namespace {

// Looks `n` up in `idx`, a cache of names → first index in `items`. Hits
// are verified; a miss or a stale hit rebuilds the cache and looks again
// (misses are unknown names: rare, and already an error).
template <class T>
int lookup(const std::vector<T>& items, std::unordered_map<std::string, size_t>& idx,
           const std::string& n) {
  auto find = [&]() -> int {
    auto it = idx.find(n);
    if (it == idx.end() || it->second >= items.size() || items[it->second].name != n) return -1;
    return static_cast<int>(it->second);
  };
  if (int i = find(); i >= 0) return i;
  idx.clear();
  for (size_t i = 0; i < items.size(); ++i) idx.emplace(items[i].name, i);
  return find();
}

}  // namespace

const BridgeDecl* Lab::find_bridge(const std::string& n) const {
  int i = bridge_index(n);
  return i < 0 ? nullptr : &bridges[static_cast<size_t>(i)];
}

const GuestDecl* Lab::find_guest(const std::string& n) const {
  int i = guest_index(n);
  return i < 0 ? nullptr : &guests[static_cast<size_t>(i)];
}

int Lab::bridge_index(const std::string& n) const { return lookup(bridges, bridge_idx_, n); }

int Lab::guest_index(const std::string& n) const { return lookup(guests, guest_idx_, n); }

bool Lab::uses_ipv6() const {
  for (const auto& b : bridges)
    if (b.subnet6 || !b.addresses6.empty()) return true;
  for (const auto& g : guests)
    for (const auto& i : g.interfaces)
      if (i.address6_auto || !i.addresses6.empty()) return true;
  for (const auto& r : host.routes)
    if (r.to.value.addr.v6()) return true;
  return false;
}

}  // namespace vklab::topology

namespace vklab::topology {

std::string script_place(const std::vector<ScriptSource>& parts, int line) {
  const ScriptSource* in = nullptr;
  for (const auto& p : parts)
    if (p.line <= line) in = &p;
  if (!in) return "";
  return in->file + ":" + std::to_string(in->file_line + line - in->line);
}

}  // namespace vklab::topology
