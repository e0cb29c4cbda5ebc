#include "topology/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "common/text.h"

namespace vklab::topology::detail {

namespace {

constexpr size_t kQuoteMax = 40;

std::string line_col(const SourceLoc& l) {
  return std::to_string(l.line) + ":" + std::to_string(l.col);
}

bool is_plain(const YAML::Node& n) { return n.Tag() == "?"; }

}  // namespace

std::string subject(const std::string& key, const std::string& context) {
  std::string s = "\"" + key + "\"";
  if (!context.empty()) s += " " + context;
  return s;
}

SourceLoc Reader::loc(const YAML::Mark& m) const {
  if (m.line < 0 || m.column < 0) return SourceLoc{file_, 0, 0};
  return SourceLoc{file_, m.line + 1, m.column + 1};
}

SourceLoc Reader::loc(const YAML::Node& n) const { return loc(n.Mark()); }

std::string Reader::describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return "nothing";
    case YAML::NodeType::Scalar: break;
  }
  std::string s;
  for (char c : n.Scalar()) {
    if (s.size() >= kQuoteMax) {
      s += "...";
      break;
    }
    unsigned char u = static_cast<unsigned char>(c);
    s += (u < 0x20 || u == 0x7f || c == '"') ? '?' : c;
  }
  return "\"" + s + "\"";
}

void Reader::wrong_type(const SourceLoc& at, const std::string& what, const std::string& expected,
                        const YAML::Node& n) {
  error(at, what + " must be " + expected + ", found " + describe(n));
}

void Reader::for_each(const YAML::Node& map, const std::vector<std::string>& allowed,
                      const std::string& context, const std::function<void(const Entry&)>& fn) {
  std::map<std::string, SourceLoc> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node& k = it->first;
    const YAML::Node& v = it->second;
    SourceLoc kl = loc(k);
    if (!k.IsScalar()) {
      error(kl, "a key must be a plain string, found " + describe(k));
      continue;
    }
    const std::string& key = k.Scalar();
    auto [pos, inserted] = seen.emplace(key, kl);
    if (!inserted) {
      error(kl, "duplicate key \"" + key + "\" (first at " + line_col(pos->second) + ")");
      continue;
    }
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string msg = "unknown key \"" + key + "\"";
      if (!context.empty()) msg += " " + context;
      error(kl, msg + did_you_mean_suffix(key, allowed));
      continue;
    }
    Entry e{key, kl, v, v.IsNull() ? kl : loc(v)};
    fn(e);
  }
}

bool Reader::is_map(const Entry& e, const std::string& what) {
  if (e.value.IsMap()) return true;
  wrong_type(e.loc, what, "a mapping", e.value);
  return false;
}

bool Reader::is_list(const Entry& e, const std::string& what) {
  if (e.value.IsSequence()) return true;
  wrong_type(e.loc, what, "a list", e.value);
  return false;
}

std::optional<std::string> Reader::string(const Entry& e, const std::string& what) {
  if (e.value.IsScalar()) return e.value.Scalar();
  wrong_type(e.loc, what, "a string", e.value);
  return std::nullopt;
}

void Reader::quoted_scalar(const Entry& e, const std::string& what, const std::string& expected) {
  error(e.loc, what + " must be " + expected + ", found the quoted string " + describe(e.value) +
                   "; remove the quotes");
}

std::optional<int> Reader::integer(const Entry& e, const std::string& what) {
  if (e.value.IsScalar() && !is_plain(e.value)) {
    quoted_scalar(e, what, "an integer");
    return std::nullopt;
  }
  if (e.value.IsScalar()) {
    const std::string& s = e.value.Scalar();
    int v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return v;
    if (ec == std::errc::result_out_of_range) {
      error(e.loc, what + " is out of range: " + describe(e.value));
      return std::nullopt;
    }
  }
  wrong_type(e.loc, what, "an integer", e.value);
  return std::nullopt;
}

std::optional<bool> Reader::boolean(const Entry& e, const std::string& what) {
  bool b = false;
  if (e.value.IsScalar() && !is_plain(e.value)) {
    quoted_scalar(e, what, "true or false");
    return std::nullopt;
  }
  if (e.value.IsScalar() && YAML::convert<bool>::decode(e.value, b)) return b;
  wrong_type(e.loc, what, "true or false", e.value);
  return std::nullopt;
}

std::vector<Located<std::string>> Reader::string_list(const Entry& e, const std::string& what) {
  std::vector<Located<std::string>> out;
  if (!is_list(e, what)) return out;
  for (const auto& item : e.value) {
    if (!item.IsScalar()) {
      wrong_type(loc(item), "an item of " + what, "a string", item);
      continue;
    }
    out.push_back({item.Scalar(), loc(item)});
  }
  return out;
}

std::optional<Located<Ipv4Prefix>> Reader::prefix(const Entry& e, const std::string& what) {
  auto s = string(e, what);
  if (!s) return std::nullopt;
  if (auto p = Ipv4Prefix::parse(*s)) return Located<Ipv4Prefix>{*p, e.loc};
  wrong_type(e.loc, what, "an IPv4 address with prefix length A.B.C.D/N", e.value);
  return std::nullopt;
}

std::optional<Located<Ipv4>> Reader::address(const Entry& e, const std::string& what) {
  auto s = string(e, what);
  if (!s) return std::nullopt;
  if (auto a = Ipv4::parse(*s)) return Located<Ipv4>{*a, e.loc};
  wrong_type(e.loc, what, "an IPv4 address A.B.C.D", e.value);
  return std::nullopt;
}

std::optional<Located<IpPrefix>> Reader::ip_prefix(const Entry& e, const std::string& what) {
  auto s = string(e, what);
  if (!s) return std::nullopt;
  if (auto p = IpPrefix::parse(*s)) return Located<IpPrefix>{*p, e.loc};
  wrong_type(e.loc, what, "an address with prefix length (A.B.C.D/N or IPv6 X:X::X/N)", e.value);
  return std::nullopt;
}

std::optional<Located<IpAddr>> Reader::ip_address(const Entry& e, const std::string& what) {
  auto s = string(e, what);
  if (!s) return std::nullopt;
  if (auto a = IpAddr::parse(*s)) return Located<IpAddr>{*a, e.loc};
  wrong_type(e.loc, what, "an address (A.B.C.D or IPv6 X:X::X)", e.value);
  return std::nullopt;
}

std::optional<Located<Mac>> Reader::mac(const Entry& e, const std::string& what) {
  auto s = string(e, what);
  if (!s) return std::nullopt;
  if (auto m = Mac::parse(*s)) return Located<Mac>{*m, e.loc};
  wrong_type(e.loc, what, "a MAC address aa:bb:cc:dd:ee:ff", e.value);
  return std::nullopt;
}

std::optional<Located<std::chrono::milliseconds>> Reader::duration(const Entry& e,
                                                                     const std::string& what) {
  auto s = string(e, what);
  if (!s) return std::nullopt;
  if (auto d = parse_duration(*s)) return Located<std::chrono::milliseconds>{*d, e.loc};
  wrong_type(e.loc, what, "a duration like 500ms, 30s, 2m or 1h", e.value);
  return std::nullopt;
}

}  // namespace vklab::topology::detail
