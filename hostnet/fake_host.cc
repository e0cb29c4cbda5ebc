#include "hostnet/fake_host.h"

#include <algorithm>

namespace vklab::hostnet {

void FakeHost::add_foreign(LinkInfo link) {
  if (link.ifindex == 0) link.ifindex = next_index_++;
  links[link.name] = std::move(link);
}

std::vector<std::string> FakeHost::mutations() const {
  std::vector<std::string> out;
  for (const std::string& c : calls)
    if (c != "check_modules") out.push_back(c);
  return out;
}

Status FakeHost::call(const std::string& words, const std::string& object) {
  calls.push_back(words);
  if (fail_on.count(words)) return make_error(object + ": injected failure");
  return {};
}

Status FakeHost::check_modules() { return call("check_modules", "modules"); }

Status FakeHost::load_module(const std::string& module) {
  return call("load_module " + module, module);
}

Status FakeHost::enable_vkernel() { return call("enable_vkernel", "vm.vkernel_enable"); }

Status FakeHost::create(const std::string& name, const std::string& kind, const std::string& tag) {
  if (links.count(name)) return make_error(name + ": File exists");
  LinkInfo l;
  l.name = name;
  l.ifindex = next_index_++;
  l.kind = kind;
  if (tags) l.alias = tag;
  links[name] = l;
  return {};
}

Status FakeHost::create_bridge(const std::string& name, const std::string& tag) {
  if (Status s = call("create_bridge " + name + " " + tag, name); !s) return s;
  return create(name, "bridge", tag);
}

Status FakeHost::create_tap(const std::string& name, const std::string& tag) {
  if (Status s = call("create_tap " + name + " " + tag, name); !s) return s;
  return create(name, "tun", tag);
}

Status FakeHost::add_member(const std::string& bridge, const std::string& member) {
  if (Status s = call("add_member " + bridge + " " + member, member); !s) return s;
  if (!links.count(bridge)) return make_error(bridge + ": No such device");
  auto it = links.find(member);
  if (it == links.end()) return make_error(member + ": No such device");
  it->second.master = bridge;
  return {};
}

Status FakeHost::remove_member(const std::string& bridge, const std::string& member) {
  if (Status s = call("remove_member " + bridge + " " + member, member); !s) return s;
  auto it = links.find(member);
  if (it != links.end() && it->second.master == bridge) it->second.master.clear();
  return {};
}

Status FakeHost::set_up(const std::string& name, bool up) {
  if (Status s = call("set_up " + name + (up ? " 1" : " 0"), name); !s) return s;
  auto it = links.find(name);
  if (it == links.end()) return make_error(name + ": No such device");
  it->second.up = up;
  return {};
}

Status FakeHost::add_address6(const std::string& name, const IpPrefix& address) {
  if (Status s = call("add_address " + name + " " + address.str(), name); !s) return s;
  if (!links.count(name)) return make_error(name + ": No such device");
  auto& v = addresses6[name];
  if (std::find(v.begin(), v.end(), address) == v.end()) v.push_back(address);
  return {};
}

Result<bool> FakeHost::add_route(const IpPrefix& to, const IpAddr& via) {
  std::string r = to.str() + " via " + via.str();
  if (Status s = call("add_route " + r, to.str()); !s) return s.error();
  for (const auto& have : routes)
    if (have.rfind(to.str() + " via ", 0) == 0) return false;
  routes.insert(r);
  return true;
}

Status FakeHost::del_route(const IpPrefix& to, const IpAddr& via) {
  std::string r = to.str() + " via " + via.str();
  if (Status s = call("del_route " + r, to.str()); !s) return s;
  routes.erase(r);
  return {};
}

Result<bool> FakeHost::forwarding(int family) {
  auto it = forward.find(family);
  return it != forward.end() && it->second;
}

Status FakeHost::set_forwarding(int family, bool on) {
  if (Status s = call("set_forwarding " + std::to_string(family) + " " + (on ? "1" : "0"), "forwarding"); !s) return s;
  forward[family] = on;
  return {};
}

Status FakeHost::add_address(const std::string& name, const Ipv4Prefix& address) {
  if (Status s = call("add_address " + name + " " + address.str(), name); !s) return s;
  auto it = links.find(name);
  if (it == links.end()) return make_error(name + ": No such device");
  for (const Ipv4Prefix& a : it->second.addresses)
    if (a == address) return {};
  it->second.addresses.push_back(address);
  return {};
}

Status FakeHost::destroy(const std::string& name) {
  if (Status s = call("destroy " + name, name); !s) return s;
  if (links.erase(name) == 0) return {};
  for (auto& [n, l] : links)
    if (l.master == name) l.master.clear();
  return {};
}

Result<std::optional<LinkInfo>> FakeHost::find(const std::string& name) {
  auto it = links.find(name);
  if (it == links.end()) return std::optional<LinkInfo>{};
  return std::optional<LinkInfo>{it->second};
}

Result<std::vector<LinkInfo>> FakeHost::list() {
  std::vector<LinkInfo> out;
  for (const auto& [n, l] : links) out.push_back(l);
  return out;
}

Result<int> FakeHost::destroy_tagged(const std::string& tag) {
  if (Status s = call("destroy_tagged " + tag, tag); !s) return s.error();
  int n = 0;
  for (auto it = links.begin(); it != links.end();) {
    if (!tag.empty() && it->second.alias == tag) {
      it = links.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  for (auto& [name, l] : links)
    if (!l.master.empty() && !links.count(l.master)) l.master.clear();
  return n;
}

}  // namespace vklab::hostnet
