#include "topology/netkit_yaml.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>

namespace vklab::topology {

namespace fs = std::filesystem;

namespace {

using Sysctls = std::vector<Located<std::pair<std::string, std::string>>>;

template <class F>
bool all_same(const Lab& lab, F field) {
  for (const auto& g : lab.guests)
    if (field(g) != field(lab.guests.front())) return false;
  return !lab.guests.empty();
}

void emit_sysctls(YAML::Emitter& out, const Sysctls& s) {
  if (s.empty()) return;
  out << YAML::Key << "sysctl" << YAML::Value << YAML::BeginSeq;
  for (const auto& kv : s) out << kv.value.first + "=" + kv.value.second;
  out << YAML::EndSeq;
}

bool same_sysctls(const Sysctls& a, const Sysctls& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const auto& x, const auto& y) { return x.value == y.value; });
}

std::string relative(const std::string& path, const std::string& base) {
  if (base.empty()) return path;
  std::error_code ec;
  auto rel = fs::path(path).lexically_relative(base);
  return rel.empty() ? path : rel.string();
}

void emit_interface(YAML::Emitter& out, const InterfaceDecl& i) {
  bool plain = i.kind == InterfaceDecl::Kind::Bridge && !i.address && !i.address_auto && !i.mac;
  if (plain) {
    out << i.bridge.value;
    return;
  }
  out << YAML::Flow << YAML::BeginMap;
  if (i.kind == InterfaceDecl::Kind::Bridge) out << YAML::Key << "bridge" << YAML::Value << i.bridge.value;
  else if (i.tap_host) out << YAML::Key << "tap" << YAML::Value << i.tap_host->value.str();
  if (i.address_auto) out << YAML::Key << "address" << YAML::Value << "auto";
  else if (i.address) out << YAML::Key << "address" << YAML::Value << i.address->value.str();
  if (i.mac) out << YAML::Key << "mac" << YAML::Value << i.mac->value.str();
  out << YAML::EndMap;
}

void emit_script(YAML::Emitter& out, const char* key, const std::string& text) {
  if (text.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::Literal << text;
}

}  // namespace

std::string lab_to_yaml(const Lab& lab, const YamlWriteOptions& opts) {
  YAML::Emitter out;
  out.SetIndent(2);
  if (!opts.header.empty()) out << YAML::Comment(opts.header) << YAML::Newline;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << lab.name.value;
  if (!lab.description.empty()) out << YAML::Key << "description" << YAML::Value << lab.description;
  if (lab.network.value == NetworkMode::Host) out << YAML::Key << "network" << YAML::Value << "host";
  if (!lab.meta.empty()) {
    out << YAML::Key << "meta" << YAML::Value << YAML::BeginMap;
    for (const auto& [k, v] : lab.meta) out << YAML::Key << k << YAML::Value << v;
    out << YAML::EndMap;
  }

  const bool same_memory = all_same(lab, [](const GuestDecl& g) { return g.memory.value; });
  const bool same_ifname = all_same(lab, [](const GuestDecl& g) { return g.ifname.value; });
  // A guest's sysctl list replaces the defaults' whole: shared only when
  // every guest has the same one.
  const bool same_sysctls_all = all_same(lab, [&](const GuestDecl& g) {
    return same_sysctls(g.sysctls, lab.guests.front().sysctls);
  }) && !lab.guests.front().sysctls.empty();
  if (same_memory || same_ifname || same_sysctls_all) {
    out << YAML::Key << "defaults" << YAML::Value << YAML::BeginMap;
    if (same_memory) out << YAML::Key << "memory" << YAML::Value << lab.guests.front().memory.value;
    if (same_ifname) out << YAML::Key << "ifname" << YAML::Value << lab.guests.front().ifname.value;
    if (same_sysctls_all) emit_sysctls(out, lab.guests.front().sysctls);
    out << YAML::EndMap;
  }

  if (!lab.bridges.empty()) {
    out << YAML::Key << "bridges" << YAML::Value << YAML::BeginMap;
    for (const auto& b : lab.bridges) {
      out << YAML::Key << b.name << YAML::Value << YAML::Flow << YAML::BeginMap;
      if (b.subnet) out << YAML::Key << "subnet" << YAML::Value << b.subnet->value.str();
      if (b.address) out << YAML::Key << "address" << YAML::Value << b.address->value.str();
      if (b.uplink) out << YAML::Key << "uplink" << YAML::Value << b.uplink->value;
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }

  if (!lab.guests.empty()) {
    out << YAML::Key << "guests" << YAML::Value << YAML::BeginMap;
    for (const auto& g : lab.guests) {
      out << YAML::Key << g.name << YAML::Value << YAML::BeginMap;
      if (!g.image.empty()) out << YAML::Key << "image" << YAML::Value << g.image;
      if (g.kernel.value != "auto") out << YAML::Key << "kernel" << YAML::Value << g.kernel.value;
      if (!same_memory) out << YAML::Key << "memory" << YAML::Value << g.memory.value;
      if (!same_ifname) out << YAML::Key << "ifname" << YAML::Value << g.ifname.value;
      if (g.cpus) out << YAML::Key << "cpus" << YAML::Value << g.cpus->value;
      if (!g.env.empty()) {
        out << YAML::Key << "env" << YAML::Value << YAML::BeginMap;
        for (const auto& [k, v] : g.env) out << YAML::Key << k << YAML::Value << v;
        out << YAML::EndMap;
      }
      if (!g.files_dir.empty()) out << YAML::Key << "files" << YAML::Value << relative(g.files_dir, opts.base_dir);
      if (!g.depends_on.empty()) {
        out << YAML::Key << "depends_on" << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (const auto& d : g.depends_on) out << d.value;
        out << YAML::EndSeq;
      }
      if (!g.interfaces.empty()) {
        out << YAML::Key << "interfaces" << YAML::Value << YAML::BeginSeq;
        for (const auto& i : g.interfaces) emit_interface(out, i);
        out << YAML::EndSeq;
      }
      if (!same_sysctls_all) emit_sysctls(out, g.sysctls);
      emit_script(out, "startup", g.startup);
      emit_script(out, "shutdown", g.shutdown);
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace vklab::topology
