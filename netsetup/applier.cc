#include "netsetup/applier.h"

#include <algorithm>
#include <cctype>

#include "common/text.h"
#include "netsetup/commands.h"

namespace vklab::netsetup {

using Op = topology::HostStep::Op;
using Kind = CreatedObject::Kind;

namespace {

constexpr int kMaxUnit = 4096;   // how far host mode looks for a free unit
using vkernel::kMaxIfName;

bool kind_matches(Kind k, const LinkInfo& l) {
  if (k == Kind::Bridge) return l.kind == "bridge";
  return l.kind == "tun" || l.kind == "tap";
}

bool is_link(Kind k) { return k == Kind::Bridge || k == Kind::Tap; }

std::string alias_note(const LinkInfo& l) {
  return l.alias.empty() ? std::string(" (no tag)") : " (tagged \"" + l.alias + "\")";
}

}  // namespace

std::string to_string(const CreatedObject& o) {
  switch (o.kind) {
    case Kind::Bridge: return "bridge " + o.name;
    case Kind::Tap: return "tap " + o.name;
    case Kind::Membership: return "membership " + o.name + " in " + o.bridge;
    case Kind::Route: return "route " + o.name + " via " + o.value;
    case Kind::Forwarding: return "IPv" + o.name + " forwarding (was " + o.value + ")";
  }
  return o.name;
}

Applier::Applier(Host& host, ApplyOptions opts)
    : host_(host), opts_(std::move(opts)), tag_(opts_.lab.empty() ? "" : ownership_tag(opts_.lab)) {
  for (const CreatedObject& o : opts_.resume) {
    created_.push_back(o);
    if (is_link(o.kind)) names_[o.plan_name.empty() ? o.name : o.plan_name] = o.name;
  }
}

Status Applier::apply(const std::vector<topology::HostStep>& steps) {
  failed_.reset();
  if (Status s = host_.check_modules(); !s) return s;
  // What was ours before this call (resumed, or an earlier apply() of this
  // Applier: `vklab up --apply` adds to a running lab) is not undone.
  const std::vector<CreatedObject> prior = created_;
  for (size_t i = 0; i < steps.size(); ++i) {
    Status s = run(steps[i]);
    if (s) continue;
    failed_ = i;
    std::string msg = "step " + std::to_string(i + 1) + " (" + describe(steps[i]) + "): " +
                      s.error().message;
    std::vector<CreatedObject> undo, kept;
    for (const CreatedObject& o : created_)
      (std::find(prior.begin(), prior.end(), o) == prior.end() ? undo : kept).push_back(o);
    // The tag sweep removes every link of the lab: only when all of them are this call's.
    Status r = teardown(host_, undo, TeardownOptions{kept.empty() ? opts_.lab : ""});
    created_ = std::move(kept);
    names_.clear();
    for (const CreatedObject& o : created_)
      if (is_link(o.kind)) names_[o.plan_name.empty() ? o.name : o.plan_name] = o.name;
    if (opts_.on_removed)
      for (auto it = undo.rbegin(); it != undo.rend(); ++it) opts_.on_removed(*it);
    if (!r) msg += "; rollback: " + r.error().message;
    else if (!undo.empty()) msg += "; rolled back " + std::to_string(undo.size()) + " object(s)";
    return make_error(msg);
  }
  return {};
}

Result<std::string> Applier::owned(const std::string& plan_name) const {
  auto it = names_.find(plan_name);
  if (it == names_.end())
    return make_error(plan_name + ": not created by this lab; refusing to change it");
  return it->second;
}

Status Applier::record(CreatedObject o) {
  if (std::find(created_.begin(), created_.end(), o) != created_.end()) return {};
  created_.push_back(o);
  if (is_link(o.kind)) names_[o.plan_name] = o.name;
  if (opts_.on_created) {
    if (Status s = opts_.on_created(o); !s)
      return make_error(o.name + ": cannot record it: " + s.error().message);
  }
  return {};
}

Result<std::string> Applier::pick_name(const std::string& plan_name) {
  if (opts_.network == topology::NetworkMode::Isolated) return plan_name;
  size_t end = plan_name.size();
  while (end > 0 && std::isdigit(static_cast<unsigned char>(plan_name[end - 1]))) --end;
  const std::string prefix = plan_name.substr(0, end);
  if (prefix.empty()) return make_error(plan_name + ": no name prefix to number");
  int& next = next_unit_[prefix];
  for (; next < kMaxUnit; ++next) {
    std::string cand = prefix + std::to_string(next);
    if (cand.size() > kMaxIfName) return make_error(cand + ": name too long");
    bool taken = std::any_of(names_.begin(), names_.end(),
                             [&](const auto& kv) { return kv.second == cand; });
    if (taken) continue;
    auto f = host_.find(cand);
    if (!f) return f.error();
    if (!f->has_value()) {
      ++next;
      return cand;
    }
  }
  return make_error(plan_name + ": no free unit for " + prefix + " below " + std::to_string(kMaxUnit));
}

Status Applier::create(const topology::HostStep& step, Kind kind) {
  const std::string& plan_name = step.ifname;
  std::string actual;
  bool resumed = names_.count(plan_name) > 0;
  if (resumed) {
    actual = names_[plan_name];
  } else {
    auto n = pick_name(plan_name);
    if (!n) return n.error();
    actual = *n;
  }
  auto f = host_.find(actual);
  if (!f) return f.error();
  if (f->has_value()) {
    const LinkInfo& l = **f;
    bool ours = resumed || (!tag_.empty() && host_.tags_links() && l.alias == tag_);
    if (!ours) return make_error(actual + ": exists and is not ours" + alias_note(l));
    if (!kind_matches(kind, l))
      return make_error(actual + ": exists as a " + (l.kind.empty() ? "link" : l.kind) +
                        ", not a " + (kind == Kind::Bridge ? "bridge" : "tap"));
    return record({kind, actual, "", plan_name});
  }
  Status s = kind == Kind::Bridge ? host_.create_bridge(actual, tag_) : host_.create_tap(actual, tag_);
  if (!s) return s;
  return record({kind, actual, "", plan_name});
}

Status Applier::run(const topology::HostStep& step) {
  switch (step.op) {
    case Op::LoadModule: return host_.load_module(step.module);
    case Op::EnableVkernel: return host_.enable_vkernel();
    case Op::CreateBridge: return create(step, Kind::Bridge);
    case Op::CreateTap: return create(step, Kind::Tap);
    case Op::AddAddress: {
      if (!step.address && !step.prefix) return make_error(step.ifname + ": no address given");
      auto name = owned(step.ifname);
      if (!name) return name.error();
      if (step.address) return host_.add_address(*name, *step.address);
      return host_.add_address6(*name, *step.prefix);
    }
    case Op::SetForwarding: {
      auto now = host_.forwarding(step.family);
      if (now && *now == step.enable) return {};  // already so: nothing to restore
      bool before = now ? *now : !step.enable;
      if (Status s = host_.set_forwarding(step.family, step.enable); !s) return s;
      return record({Kind::Forwarding, std::to_string(step.family), "", "", before ? "1" : "0"});
    }
    case Op::AddRoute:
    case Op::DelRoute: {
      if (!step.prefix || !step.via) return make_error("a route step without destination or gateway");
      CreatedObject o{Kind::Route, step.prefix->str(), "", "", step.via->str()};
      bool recorded = std::find(created_.begin(), created_.end(), o) != created_.end();
      if (step.op == Op::DelRoute) {
        if (!recorded) return make_error(o.name + ": route not created by this lab; refusing to remove it");
        if (Status s = host_.del_route(*step.prefix, *step.via); !s) return s;
        std::erase(created_, o);
        return {};
      }
      auto added = host_.add_route(*step.prefix, *step.via);
      if (!added) return added.error();
      if (!*added && !recorded)
        return make_error("route to " + o.name + ": the host has one already, not this lab's; left alone");
      return record(o);
    }
    case Op::AddMember: {
      auto bridge = owned(step.ifname);
      if (!bridge) return bridge.error();
      if (!step.foreign) {
        auto member = owned(step.member);
        if (!member) return member.error();
        return host_.add_member(*bridge, *member);
      }
      auto f = host_.find(step.member);
      if (!f) return f.error();
      if (!f->has_value()) return make_error(step.member + ": No such device");
      const LinkInfo& m = **f;
      if (!m.master.empty() && m.master != *bridge)
        return make_error(step.member + ": already a member of " + m.master);
      if (m.master.empty()) {
        if (Status s = host_.add_member(*bridge, step.member); !s) return s;
      }
      return record({Kind::Membership, step.member, *bridge, step.ifname});
    }
    case Op::LinkUp: {
      if (auto name = owned(step.ifname)) return host_.set_up(*name, true);
      // A foreign link (an uplink) is never changed: it must be up already.
      auto f = host_.find(step.ifname);
      if (!f) return f.error();
      if (!f->has_value()) return make_error(step.ifname + ": No such device");
      if (!(*f)->up) return make_error(step.ifname + ": is down and not ours; bring it up first");
      return {};
    }
    case Op::RemoveMember: {
      auto bridge = owned(step.ifname);
      if (!bridge) return bridge.error();
      std::string member = step.member;
      if (!step.foreign) {
        auto m = owned(step.member);
        if (!m) return m.error();
        member = *m;
      }
      if (Status s = host_.remove_member(*bridge, member); !s) return s;
      std::erase_if(created_, [&](const CreatedObject& o) {
        return o.kind == Kind::Membership && o.name == member && o.bridge == *bridge;
      });
      return {};
    }
    case Op::DestroyLink: {
      auto name = owned(step.ifname);
      if (!name) return name.error();
      if (Status s = host_.destroy(*name); !s) return s;
      std::erase_if(created_, [&](const CreatedObject& o) { return is_link(o.kind) && o.name == *name; });
      names_.erase(step.ifname);
      return {};
    }
  }
  return make_error("unknown host step");
}

Status teardown(Host& host, const std::vector<CreatedObject>& created, const TeardownOptions& opts) {
  const std::string tag = opts.lab.empty() ? "" : ownership_tag(opts.lab);
  const bool check_tag = !tag.empty() && host.tags_links();
  std::vector<std::string> errors;

  // Is `name` absent (done) or ours (go on)? A foreign one is reported.
  auto ours_or_gone = [&](const std::string& name, bool& gone) {
    gone = false;
    auto f = host.find(name);
    if (!f) {
      errors.push_back(f.error().message);
      return false;
    }
    if (!f->has_value()) {
      gone = true;
      return false;
    }
    if (check_tag && (*f)->alias != tag) {
      errors.push_back(name + ": not ours" + alias_note(**f) + ", left alone");
      return false;
    }
    return true;
  };

  for (auto it = created.rbegin(); it != created.rend(); ++it) {
    if (it->kind != Kind::Route) continue;
    auto to = IpPrefix::parse(it->name);
    auto via = IpAddr::parse(it->value);
    if (!to || !via) {
      errors.push_back(to_string(*it) + ": unreadable record, left alone");
      continue;
    }
    if (Status s = host.del_route(*to, *via); !s) errors.push_back(s.error().message);
  }
  for (auto it = created.rbegin(); it != created.rend(); ++it) {
    if (it->kind != Kind::Membership) continue;
    bool gone = false;
    if (!ours_or_gone(it->bridge, gone)) continue;
    if (Status s = host.remove_member(it->bridge, it->name); !s) errors.push_back(s.error().message);
  }
  if (check_tag) {
    if (auto n = host.destroy_tagged(tag); !n) errors.push_back(n.error().message);
  }
  for (auto it = created.rbegin(); it != created.rend(); ++it) {
    if (!is_link(it->kind)) continue;
    bool gone = false;
    if (!ours_or_gone(it->name, gone)) continue;
    if (Status s = host.destroy(it->name); !s) errors.push_back(s.error().message);
  }
  for (auto it = created.rbegin(); it != created.rend(); ++it) {
    if (it->kind != Kind::Forwarding) continue;
    if (Status s = host.set_forwarding(it->name == "6" ? 6 : 4, it->value == "1"); !s)
      errors.push_back(s.error().message);
  }
  if (!errors.empty()) return make_error(join(errors, "; "));
  return {};
}

void rewrite_netifs(vkernel::Cmdline& cmd, const NameMap& names) {
  for (vkernel::NetIf& ni : cmd.netifs) {
    if (auto it = names.find(ni.tap_name()); it != names.end())
      ni.iface = (ni.iface.rfind("/dev/", 0) == 0 ? "/dev/" : "") + it->second;
    if (auto it = names.find(ni.bridge); !ni.bridge.empty() && it != names.end())
      ni.bridge = it->second;
  }
}

void rewrite_launch(topology::GuestLaunch& launch, const NameMap& names) {
  rewrite_netifs(launch.cmdline, names);  // the interfaces' taps and bridges are argv's
}

}  // namespace vklab::netsetup
