#include <string>

#include "common/text.h"
#include "topology/model.h"

namespace vklab::topology {

const char* kind_name(CheckDecl::Kind k) {
  using K = CheckDecl::Kind;
  switch (k) {
    case K::Ping: return "ping";
    case K::Tcp: return "tcp";
    case K::Route: return "route";
    case K::Address: return "address";
    case K::Process: return "process";
    case K::Command: return "command";
    case K::Resolve: return "resolve";
    case K::Http: return "http";
    case K::Bgp: return "bgp";
  }
  return "ping";
}

std::optional<CheckDecl::Kind> kind_from_name(const std::string& name) {
  for (int k = 0; k <= static_cast<int>(CheckDecl::Kind::Bgp); ++k)
    if (name == kind_name(static_cast<CheckDecl::Kind>(k))) return static_cast<CheckDecl::Kind>(k);
  return std::nullopt;
}

bool kind_negates(CheckDecl::Kind k) {
  using K = CheckDecl::Kind;
  return k != K::Command && k != K::Http;
}

const char* expect_name(const CheckDecl& c) {
  if (c.kind == CheckDecl::Kind::Ping || c.kind == CheckDecl::Kind::Tcp)
    return c.expect_present ? "reachable" : "unreachable";
  if (!kind_negates(c.kind)) return "match";
  return c.expect_present ? "present" : "absent";
}

std::string check_what(const CheckDecl& c) {
  using K = CheckDecl::Kind;
  std::string s = std::string(kind_name(c.kind)) + " ";
  const std::string& t = c.target.value;
  switch (c.kind) {
    case K::Ping: return s + t;
    case K::Tcp: return s + (t.find(':') != std::string::npos ? "[" + t + "]" : t) + ":" + std::to_string(c.port);
    case K::Route:
      s += t;
      if (c.via) s += " via " + *c.via;
      if (c.dev) s += " dev " + *c.dev;
      if (c.proto) s += " proto " + *c.proto;
      return s;
    case K::Address: return s + t + (c.dev ? " dev " + *c.dev : "");
    case K::Process: return s + t;
    case K::Command:
      s += t;
      if (c.exit != 0) s += " exit " + std::to_string(c.exit);
      if (c.output) s += " = " + shell_quote(*c.output);
      if (c.match) s += " ~ /" + *c.match + "/";
      return s;
    case K::Resolve: return s + t + (c.address ? " = " + *c.address : "");
    case K::Http:
      s += t;
      if (c.status != 200) s += " status " + std::to_string(c.status);
      if (c.contains) s += " contains " + shell_quote(*c.contains);
      return s;
    case K::Bgp: return s + t + (c.prefixes ? " prefixes >= " + std::to_string(*c.prefixes) : "");
  }
  return s + t;
}

}  // namespace vklab::topology
