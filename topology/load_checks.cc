#include "topology/load_checks.h"

#include <boost/regex.hpp>

#include <algorithm>
#include <map>

#include "common/ip.h"
#include "common/text.h"
#include "hostnet/routes.h"

namespace vklab::topology::detail {
namespace {

using K = CheckDecl::Kind;

/// The key naming each kind, in the order messages list them.
const std::vector<std::pair<std::string, K>> kKinds = {
    {"ping", K::Ping},       {"tcp", K::Tcp},         {"route", K::Route},
    {"address", K::Address}, {"process", K::Process}, {"command", K::Command},
    {"resolve", K::Resolve}, {"http", K::Http},       {"bgp", K::Bgp}};

const std::vector<std::string> kCommonKeys = {"from", "name", "expect", "wait"};

/// The keys a kind takes besides its own and the common ones.
const std::map<K, std::vector<std::string>> kKindKeys = {
    {K::Ping, {}},
    {K::Tcp, {}},
    {K::Route, {"via", "dev", "proto"}},
    {K::Address, {"dev"}},
    {K::Process, {}},
    {K::Command, {"output", "match", "exit"}},
    {K::Resolve, {"address"}},
    {K::Http, {"status", "contains"}},
    {K::Bgp, {"prefixes"}}};

constexpr size_t kMaxIfname = 15;       // IFNAMSIZ - 1
constexpr size_t kMaxHostname = 253;    // RFC 1035
constexpr size_t kMaxUrl = 2048;

std::vector<std::string> all_keys() {
  std::vector<std::string> keys = kCommonKeys;
  for (const auto& [k, kind] : kKinds) keys.push_back(k);
  for (const auto& [kind, ks] : kKindKeys)
    for (const auto& k : ks)
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  return keys;
}


std::string kind_list() {
  std::vector<std::string> names;
  for (const auto& [k, kind] : kKinds) names.push_back(k);
  return join(names, ", ");
}

/// The kinds whose keys include `key`, for "it belongs to route checks".
std::vector<std::string> owners_of(const std::string& key) {
  std::vector<std::string> out;
  for (const auto& [kind, ks] : kKindKeys)
    if (std::find(ks.begin(), ks.end(), key) != ks.end()) out.push_back(kind_name(kind));
  return out;
}

bool plain_text(const std::string& s) {
  return std::none_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f || u == ' ';
  });
}

bool is_ifname(const std::string& s) {
  return !s.empty() && s.size() <= kMaxIfname && plain_text(s) && s.find('/') == std::string::npos &&
         s.find(':') == std::string::npos;
}

bool is_hostname(const std::string& s) {
  if (s.empty() || s.size() > kMaxHostname || s.front() == '-' || s.front() == '.') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
  });
}

/// "ADDR:PORT" or "[V6]:PORT", PORT 1..65535.
bool parse_tcp(const std::string& s, std::string& addr, int& port) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  std::string a = s.substr(0, colon);
  if (a.size() >= 2 && a.front() == '[' && a.back() == ']') a = a.substr(1, a.size() - 2);
  else if (a.find(':') != std::string::npos) return false;  // a bare IPv6 address needs brackets
  auto ip = IpAddr::parse(a);
  std::string p = s.substr(colon + 1);
  if (!ip || p.empty() || p.size() > 5) return false;
  int v = 0;
  for (char c : p) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v < 1 || v > 65535) return false;
  addr = ip->str();
  port = v;
  return true;
}

/// Reads one check's keys once its kind is known.
class CheckReader {
 public:
  CheckReader(Reader& r, CheckDecl& c, std::string what) : r_(r), c_(c), what_(std::move(what)) {}

  /// False when the value was bad (reported).
  bool field(const Entry& f) {
    std::string w = subject(f.key, "in " + what_);
    if (f.key == "from") {
      if (auto s = r_.string(f, w)) c_.from = {*s, f.loc};
      return c_.from.value.size() > 0;
    }
    if (f.key == "name") {
      auto s = r_.string(f, w);
      if (s && !s->empty()) c_.name = *s;
      else if (s) r_.error(f.loc, w + " must not be empty");
      return s && !s->empty();
    }
    if (f.key == "expect") return expect(f, w);
    if (f.key == "wait") {
      if (auto d = r_.duration(f, w)) c_.wait = d->value;
      return c_.wait.has_value();
    }
    if (f.key == kind_name(c_.kind)) return target(f, w);
    return extra(f, w);
  }

 private:
  bool bad(const Entry& f, const std::string& w, const std::string& expected) {
    r_.wrong_type(f.loc, w, expected, f.value);
    return false;
  }

  bool expect(const Entry& f, const std::string& w) {
    auto s = r_.string(f, w);
    if (!s) return false;
    bool reach = c_.kind == K::Ping || c_.kind == K::Tcp;
    std::vector<std::string> allowed;
    if (reach) allowed = {"reachable", "unreachable"};
    else if (kind_negates(c_.kind)) allowed = {"present", "absent"};
    else allowed = {"present"};
    if (std::find(allowed.begin(), allowed.end(), *s) != allowed.end()) {
      c_.expect_present = *s == allowed.front();
      return true;
    }
    if (!kind_negates(c_.kind) && *s == "absent") {
      r_.error(f.loc, w + ": a " + kind_name(c_.kind) + " check cannot be negated" +
                          (c_.kind == K::Command ? "; say what it must print or exit with" : ""));
      return false;
    }
    std::string list;
    for (size_t i = 0; i < allowed.size(); ++i)
      list += (i ? (i + 1 == allowed.size() ? " or " : ", ") : "") + quoted(allowed[i]);
    r_.error(f.loc, w + " must be " + list + ", found " + Reader::describe(f.value) +
                        did_you_mean_suffix(*s, allowed));
    return false;
  }

  std::optional<IpAddr> ip(const Entry& f, const std::string& w) {
    auto s = r_.string(f, w);
    if (!s) return std::nullopt;
    if (auto a = IpAddr::parse(*s)) return a;
    bad(f, w, "an IPv4 or IPv6 address");
    return std::nullopt;
  }

  bool target(const Entry& f, const std::string& w) {
    c_.target.loc = f.loc;
    std::string& t = c_.target.value;
    if (c_.kind == K::Ping) {
      auto a = ip(f, w);
      if (a) t = a->str();
      return a.has_value();
    }
    if (c_.kind == K::Tcp) {
      auto s = r_.string(f, w);
      if (s && parse_tcp(*s, t, c_.port)) return true;
      if (s) bad(f, w, "ADDRESS:PORT or [IPV6]:PORT (port 1..65535)");
      return false;
    }
    if (c_.kind == K::Route) {
      auto s = r_.string(f, w);
      if (!s) return false;
      auto p = IpPrefix::parse(*s);
      if (!p) return bad(f, w, "a prefix ADDRESS/LEN (IPv4 or IPv6) or \"default\"");
      if (!p->is_network()) {
        r_.error(f.loc, w + ": " + *s + " has host bits set; a route's destination is a network" +
                            " (did you mean " + quoted(p->network().str()) + "?)");
        return false;
      }
      t = p->str();
      return true;
    }
    if (c_.kind == K::Address) {
      auto s = r_.string(f, w);
      if (!s) return false;
      auto p = IpPrefix::parse(*s);
      if (!p || p->len == 0 || *s == "default") return bad(f, w, "an address with prefix length ADDRESS/LEN");
      t = p->str();
      return true;
    }
    auto s = r_.string(f, w);
    if (!s) return false;
    switch (c_.kind) {
      case K::Process:
        if (s->empty() || s->size() > 64 || !plain_text(*s) || s->find('/') != std::string::npos)
          return bad(f, w, "a process name (its command name, without a path)");
        break;
      case K::Command:
        if (s->find_first_not_of(" \t\n") == std::string::npos) return bad(f, w, "a command line");
        break;
      case K::Resolve:
        if (!is_hostname(*s)) return bad(f, w, "a host name");
        break;
      case K::Http:
        if (!(s->starts_with("http://") || s->starts_with("https://")) || s->size() > kMaxUrl ||
            !plain_text(*s) || s->size() <= 8)
          return bad(f, w, "an http:// or https:// URL");
        break;
      case K::Bgp:
        if (auto a = IpAddr::parse(*s)) {
          t = a->str();
          return true;
        }
        if (!is_ifname(*s)) return bad(f, w, "a neighbor address (IPv4 or IPv6) or an interface name");
        break;
      default: break;
    }
    t = *s;
    return true;
  }

  bool extra(const Entry& f, const std::string& w) {
    if (f.key == "via") {
      auto a = ip(f, w);
      if (a) c_.via = a->str();
      return a.has_value();
    }
    if (f.key == "dev") {
      auto s = r_.string(f, w);
      if (s && is_ifname(*s)) c_.dev = *s;
      else if (s) bad(f, w, "an interface name (1-15 characters, no space, '/' or ':')");
      return c_.dev.has_value();
    }
    if (f.key == "proto") {
      auto s = r_.string(f, w);
      if (!s) return false;
      if (hostnet::route_proto_number(*s)) {
        c_.proto = *s;
        return true;
      }
      std::vector<std::string> names;
      for (const auto& p : hostnet::kRouteProtos) names.push_back(p.name);
      r_.error(f.loc, w + " must be a routing protocol (kernel, boot, static, ospf, rip, bgp, …) or" +
                          " a number 0..255, found " + Reader::describe(f.value) + did_you_mean_suffix(*s, names));
      return false;
    }
    if (f.key == "output" || f.key == "contains") {
      auto s = r_.string(f, w);
      if (s) (f.key == "output" ? c_.output : c_.contains) = *s;
      return s.has_value();
    }
    if (f.key == "match") {
      auto s = r_.string(f, w);
      if (!s) return false;
      try {
        boost::regex re(*s, boost::regex::perl);
      } catch (const boost::regex_error& e) {
        r_.error(f.loc, w + ": not a regular expression: " + e.what());
        return false;
      }
      c_.match = *s;
      return true;
    }
    if (f.key == "exit" || f.key == "status" || f.key == "prefixes") {
      auto v = r_.integer(f, w);
      if (!v) return false;
      int lo = f.key == "status" ? 100 : 0, hi = f.key == "exit" ? 255 : f.key == "status" ? 599 : 1 << 30;
      if (*v < lo || *v > hi) {
        r_.error(f.loc, w + " must be " + std::to_string(lo) + ".." + std::to_string(hi) + ", found " +
                            std::to_string(*v));
        return false;
      }
      if (f.key == "exit") c_.exit = *v;
      else if (f.key == "status") c_.status = *v;
      else c_.prefixes = *v;
      return true;
    }
    if (f.key == "address") {  // resolve's answer
      auto a = ip(f, w);
      if (a) c_.address = a->str();
      return a.has_value();
    }
    return false;
  }

  Reader& r_;
  CheckDecl& c_;
  std::string what_;
};

void read_check(Reader& r, const YAML::Node& item, size_t index, std::vector<CheckDecl>& out) {
  static const std::vector<std::string> keys = all_keys();
  CheckDecl c;
  c.loc = r.loc(item);
  std::string what = "check #" + std::to_string(index + 1);
  if (!item.IsMap()) {
    r.wrong_type(c.loc, what, "a mapping {from, one of " + kind_list() + ", …}", item);
    return;
  }
  // The kind first: it decides which other keys belong. `address` is the
  // kind unless `resolve` is there (then it is the answer wanted).
  std::vector<std::string> kinds;
  bool has_resolve = false;
  for (auto it = item.begin(); it != item.end(); ++it)
    if (it->first.IsScalar() && it->first.Scalar() == "resolve") has_resolve = true;
  for (auto it = item.begin(); it != item.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    const std::string& k = it->first.Scalar();
    if (k == "address" && has_resolve) continue;
    for (const auto& [name, kind] : kKinds)
      if (k == name && std::find(kinds.begin(), kinds.end(), k) == kinds.end()) {
        kinds.push_back(k);
        c.kind = kind;
      }
  }
  if (kinds.size() > 1) {
    std::string list;
    for (size_t i = 0; i < kinds.size(); ++i)
      list += (i ? (i + 1 == kinds.size() ? " and " : ", ") : "") + quoted(kinds[i]);
    r.error(c.loc, what + " has both " + list + "; use one");
  } else if (kinds.empty()) {
    r.error(c.loc, what + " needs one of " + kind_list());
  }
  const auto& mine = kKindKeys.at(c.kind);
  bool ok = kinds.size() == 1, has_from = false;
  CheckReader cr(r, c, what);
  r.for_each(item, keys, "in " + what, [&](const Entry& f) {
    if (f.key == "from") has_from = true;
    bool common = std::find(kCommonKeys.begin(), kCommonKeys.end(), f.key) != kCommonKeys.end();
    bool own = f.key == kind_name(c.kind) || std::find(mine.begin(), mine.end(), f.key) != mine.end();
    bool is_kind = std::any_of(kKinds.begin(), kKinds.end(), [&](const auto& k) { return k.first == f.key; }) &&
                   !(f.key == "address" && has_resolve);
    if (kinds.size() != 1 && !common) return;  // no kind (or several): only the common keys mean something
    if (!common && !own && !is_kind) {
      auto owners = owners_of(f.key);
      r.error(f.key_loc, quoted(f.key) + " is not a key of a " + kind_name(c.kind) + " check (" +
                             (owners.size() == 1 ? owners[0] + " checks take it" : "it belongs to " + join(owners, ", ")) +
                             ")");
      ok = false;
      return;
    }
    if (is_kind && !own) return;  // reported above
    if (!cr.field(f)) ok = false;
  });
  if (!has_from) {
    r.error(c.loc, what + " needs \"from\": the guest it runs in");
    ok = false;
  }
  if (ok) out.push_back(std::move(c));
}

}  // namespace

void read_checks(Reader& r, const Entry& e, std::vector<CheckDecl>& out) {
  if (e.value.IsNull()) return;
  if (!r.is_list(e, "\"checks\"")) return;
  size_t i = 0;
  for (const auto& item : e.value) read_check(r, item, i++, out);
}

}  // namespace vklab::topology::detail
