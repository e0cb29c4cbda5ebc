#include "topology/load.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>

#include "common/text.h"
#include "topology/load_dirs.h"
#include "topology/load_checks.h"
#include "topology/load_guest.h"
#include "topology/load_impair.h"
#include "topology/yaml_reader.h"

namespace vklab::topology {

namespace {

using detail::Entry;
using detail::Reader;
using detail::subject;

/// A lab file is a page or two of YAML; anything far bigger is a mistake.
constexpr size_t kMaxLabFileBytes = 1 << 20;
/// Syntax errors reported before the loader gives up on a file.
constexpr int kMaxSyntaxErrors = 10;

const std::vector<std::string> kTopKeys = {"name",    "description", "network", "defaults",
                                           "bridges", "guests",      "checks",  "meta",
                                           "host"};
const std::vector<std::string> kNetworkModes = {"isolated", "host"};
const std::vector<std::string> kBridgeKeys = {"subnet", "subnet6", "address", "addresses", "uplink", "impair"};
const std::vector<std::string> kHostKeys = {"forwarding", "routes"};
const std::vector<std::string> kRouteKeys = {"to", "via"};
const std::vector<std::string> kKeyTopKeys = {"description", "checks"};


SourceLoc loc_at(const std::string& text, size_t at, const std::string& file) {
  SourceLoc l{file, 1, 1};
  for (size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') ++l.line, l.col = 1;
    else ++l.col;
  }
  return l;
}

/// The first byte YAML forbids in a stream (C0 controls other than tab,
/// newline and carriage return, and DEL): binary junk stops here, before
/// yaml-cpp sees it.
std::optional<size_t> first_control(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return i;
  }
  return std::nullopt;
}

bool is_doc_start(std::string_view line) {
  return line.starts_with("---") && (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
}

/// Where a second YAML document starts, if any. A "---" line at column 1
/// ends any block scalar, so a line scan is exact enough; the first "---"
/// only counts when some content came before it.
std::optional<size_t> second_document(const std::string& text) {
  bool content = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    if (is_doc_start(line)) {
      if (content) return pos;
      content = true;
    } else if (!line.empty() && line[0] != '#' && line.find_first_not_of(" \t\r") != std::string_view::npos) {
      content = true;
    }
    pos = end + 1;
  }
  return std::nullopt;
}

BridgeDecl read_bridge(Reader& r, const Entry& e) {
  BridgeDecl b;
  b.name = e.key;
  b.loc = e.key_loc;
  if (e.value.IsNull()) return b;
  std::string what = "bridge " + quoted(b.name);
  if (!e.value.IsMap()) {
    r.wrong_type(e.loc, what, "a mapping {subnet, address, uplink, impair}", e.value);
    return b;
  }
  std::string ctx = "in " + what;
  r.for_each(e.value, kBridgeKeys, ctx, [&](const Entry& f) {
    std::string w = subject(f.key, ctx);
    if (f.key == "subnet") b.subnet = r.prefix(f, w);
    else if (f.key == "subnet6") {
      if (auto p = r.ip_prefix(f, w)) {
        if (p->value.addr.v6()) b.subnet6 = p;
        else r.error(f.loc, w + " must be an IPv6 subnet (X:X::/N); an IPv4 one goes in \"subnet\"");
      }
    } else if (f.key == "address" || f.key == "addresses") {
      std::vector<Entry> items;
      if (f.key == "address") items.push_back(f);
      else if (r.is_list(f, w))
        for (const auto& item : f.value) items.push_back(Entry{f.key, f.key_loc, item, r.loc(item)});
      for (const auto& it : items) {
        auto p = r.ip_prefix(it, w);
        if (!p) continue;
        if (p->value.addr.v6()) b.addresses6.push_back(*p);
        else if (b.address) r.error(it.loc, w + ": a second IPv4 host address; a bridge has one");
        else b.address = Located<Ipv4Prefix>{*Ipv4Prefix::parse(p->value.str()), p->loc};
      }
    } else if (f.key == "uplink") {
      if (auto s = r.string(f, w)) b.uplink = Located<std::string>{*s, f.loc};
    } else if (f.key == "impair") {
      b.impair = detail::read_impair(r, f, ctx);
    }
  });
  return b;
}

void read_bridges(Reader& r, const Entry& e, Lab& lab) {
  if (e.value.IsNull()) return;
  if (e.value.IsMap()) {
    r.for_each(e.value, {}, "in bridges",
               [&](const Entry& b) { lab.bridges.push_back(read_bridge(r, b)); });
    return;
  }
  if (e.value.IsSequence()) {
    for (const auto& item : e.value) {
      if (!item.IsScalar()) {
        r.wrong_type(r.loc(item), "an item of \"bridges\"", "a bridge name", item);
        continue;
      }
      BridgeDecl b;
      b.name = item.Scalar();
      b.loc = r.loc(item);
      lab.bridges.push_back(std::move(b));
    }
    return;
  }
  r.wrong_type(e.loc, "\"bridges\"", "a mapping of name to options, or a list of names", e.value);
}

RouteDecl read_route(Reader& r, const YAML::Node& item) {
  RouteDecl rt;
  rt.loc = r.loc(item);
  if (!item.IsMap()) {
    r.wrong_type(rt.loc, "a host route", "a mapping {to, via}", item);
    return rt;
  }
  bool to = false, via = false;
  r.for_each(item, kRouteKeys, "in a host route", [&](const Entry& e) {
    std::string w = subject(e.key, "in a host route");
    if (e.key == "to") {
      if (auto p = r.ip_prefix(e, w)) rt.to = *p, to = true;
    } else if (auto a = r.ip_address(e, w)) {
      rt.via = *a, via = true;
    }
  });
  if (!to) r.error(rt.loc, "a host route needs \"to\" (a prefix, or default)");
  if (!via) r.error(rt.loc, "a host route needs \"via\" (the gateway's address)");
  if (!to || !via) rt.loc = {};  // dropped below
  return rt;
}

void read_host(Reader& r, const Entry& e, Lab& lab) {
  lab.host.loc = e.key_loc;
  if (e.value.IsNull()) return;
  if (!e.value.IsMap()) {
    r.wrong_type(e.loc, "\"host\"", "a mapping {forwarding, routes}", e.value);
    return;
  }
  r.for_each(e.value, kHostKeys, "in host", [&](const Entry& f) {
    std::string w = subject(f.key, "in host");
    if (f.key == "forwarding") {
      if (auto b = r.boolean(f, w)) lab.host.forwarding = Located<bool>{*b, f.loc};
    } else if (r.is_list(f, w)) {
      for (const auto& item : f.value) {
        RouteDecl rt = read_route(r, item);
        if (!rt.loc.file.empty()) lab.host.routes.push_back(std::move(rt));
      }
    }
  });
}

void read_guests(Reader& r, const Entry& e, const detail::GuestFields& defaults, Lab& lab) {
  if (e.value.IsNull()) return;
  if (!e.value.IsMap()) {
    r.wrong_type(e.loc, "\"guests\"", "a mapping of guest name to guest", e.value);
    return;
  }
  r.for_each(e.value, {}, "in guests", [&](const Entry& g) {
    auto fields = detail::read_guest(r, g, g.key);
    detail::apply_defaults(defaults, fields);
    lab.guests.push_back(std::move(fields.decl));
  });
}

std::optional<Lab> load_root(Reader& r, const YAML::Node& root) {
  SourceLoc root_loc = r.loc(root);
  if (root.IsNull()) {
    r.error(SourceLoc{r.file(), 0, 0}, "the lab file is empty");
    return std::nullopt;
  }
  if (!root.IsMap()) {
    r.error(root_loc, "a lab file must be a mapping (name:, bridges:, guests:, ...), found " +
                          Reader::describe(root));
    return std::nullopt;
  }
  Lab lab;
  lab.file = r.file();
  std::map<std::string, Entry> top;
  r.for_each(root, kTopKeys, "at top level", [&](const Entry& e) { top.emplace(e.key, e); });

  if (auto it = top.find("name"); it == top.end()) {
    r.error(root_loc, "missing required key \"name\"");
  } else if (auto s = r.string(it->second, "\"name\"")) {
    lab.name = {*s, it->second.loc};
  }
  if (auto it = top.find("description"); it != top.end()) {
    if (auto s = r.string(it->second, "\"description\"")) lab.description = *s;
  }
  if (auto it = top.find("network"); it != top.end()) {
    const Entry& e = it->second;
    lab.network.loc = e.loc;
    if (auto s = r.string(e, "\"network\"")) {
      if (*s == "isolated") lab.network.value = NetworkMode::Isolated;
      else if (*s == "host") lab.network.value = NetworkMode::Host;
      else
        r.error(e.loc, "\"network\" must be \"isolated\" or \"host\", found " +
                           Reader::describe(e.value) + did_you_mean_suffix(*s, kNetworkModes));
    }
  }
  if (auto it = top.find("meta"); it != top.end() && !it->second.value.IsNull()) {
    if (r.is_map(it->second, "\"meta\""))
      r.for_each(it->second.value, {}, "in meta", [&](const Entry& m) {
        if (auto s = r.string(m, subject(m.key, "in meta"))) lab.meta.emplace_back(m.key, *s);
      });
  }
  detail::GuestFields defaults;
  if (auto it = top.find("defaults"); it != top.end()) defaults = detail::read_guest(r, it->second, "");
  if (auto it = top.find("bridges"); it != top.end()) read_bridges(r, it->second, lab);
  if (auto it = top.find("guests"); it != top.end()) read_guests(r, it->second, defaults, lab);
  if (auto it = top.find("checks"); it != top.end()) detail::read_checks(r, it->second, lab.checks);
  if (auto it = top.find("host"); it != top.end()) read_host(r, it->second, lab);
  return lab;
}

/// The one YAML document of `text`, after the checks yaml-cpp cannot make
/// (size, binary bytes, a second document).
std::optional<YAML::Node> parse_document(Reader& r, const std::string& text) {
  if (text.size() > kMaxLabFileBytes) {
    r.error(SourceLoc{r.file(), 0, 0}, "the lab file is too large (more than " +
                                           std::to_string(kMaxLabFileBytes) + " bytes)");
    return std::nullopt;
  }
  if (auto at = first_control(text)) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(text[*at]));
    r.error(loc_at(text, *at, r.file()), std::string("not a text file (byte ") + hex + "): a lab file is YAML");
    return std::nullopt;
  }
  // YAML::LoadAll can loop for ever on some malformed streams, so only the
  // first document is parsed and a second one is found by scanning.
  if (auto at = second_document(text))
    r.error(loc_at(text, *at, r.file()), "a lab file holds one YAML document; this is a second one");
  // A syntax error is reported with what it probably means; then the bad
  // line is blanked and parsing goes on, so the rest of the file is still
  // checked (the lab is refused either way: an error was reported).
  std::string attempt = text;
  int last_line = 0;
  for (int tries = 0; tries < kMaxSyntaxErrors; ++tries) {
    try {
      return YAML::Load(attempt);
    } catch (const YAML::Exception& e) {
      const int line = e.mark.line + 1;
      if (tries > 0 && line <= last_line) return std::nullopt;  // no progress: one report is enough
      std::string msg = "invalid YAML: " + e.msg;
      if (std::string hint = detail::yaml_hint(attempt, line, e.msg); !hint.empty()) msg += " (" + hint + ")";
      r.error(r.loc(e.mark), msg);
      // An unclosed { or [ swallows the rest: blanking lines cannot help.
      if (e.mark.line < 0 || e.msg.find("flow") != std::string::npos) return std::nullopt;
      last_line = line;
      attempt = detail::blank_line(attempt, line);
    }
  }
  return std::nullopt;
}

std::optional<Lab> load_text(Reader& r, const std::string& text) {
  auto root = parse_document(r, text);
  if (!root) return std::nullopt;
  return load_root(r, *root);
}

std::optional<std::vector<CheckDecl>> load_key_text(Reader& r, const std::string& text) {
  auto root = parse_document(r, text);
  if (!root) return std::nullopt;
  if (!root->IsMap()) {
    r.error(root->IsNull() ? SourceLoc{r.file(), 0, 0} : r.loc(*root),
            "a checks file must be a mapping with a \"checks:\" list, found " + Reader::describe(*root));
    return std::nullopt;
  }
  std::vector<CheckDecl> checks;
  bool listed = false;
  r.for_each(*root, kKeyTopKeys, "in a checks file", [&](const Entry& e) {
    if (e.key != "checks") return;
    listed = true;
    detail::read_checks(r, e, checks);
  });
  if (!listed) r.error(r.loc(*root), "missing required key \"checks\"");
  return checks;
}

template <class T, class F>
std::optional<T> guarded(const std::string& file, Diagnostics& diags, F&& load) {
  Reader r(file, diags);
  try {
    return load(r);
  } catch (const YAML::Exception& e) {
    r.error(r.loc(e.mark), "invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    r.error(SourceLoc{file, 0, 0}, std::string("cannot load the file: ") + e.what());
  }
  return std::nullopt;
}

/// The file's text (at most a byte past kMaxLabFileBytes), or nullopt
/// with the reason in diags.
std::optional<std::string> read_text(const std::string& path, Diagnostics& diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(SourceLoc{path, 0, 0}, std::string("cannot open: ") + std::strerror(errno));
    return std::nullopt;
  }
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxLabFileBytes) break;  // parse_document reports it
  }
  if (in.bad()) {
    diags.error(SourceLoc{path, 0, 0}, std::string("cannot read: ") + std::strerror(errno));
    return std::nullopt;
  }
  return text;
}

}  // namespace

std::optional<Lab> load_string(const std::string& text, const std::string& file,
                               Diagnostics& diags) {
  return guarded<Lab>(file, diags, [&](Reader& r) { return load_text(r, text); });
}

std::optional<Lab> load_file(const std::string& path, Diagnostics& diags) {
  auto text = read_text(path, diags);
  if (!text) return std::nullopt;
  auto lab = load_string(*text, path, diags);
  if (lab) detail::resolve_dirs(*lab, path, diags);
  return lab;
}

std::optional<std::vector<CheckDecl>> load_checks_string(const std::string& text, const std::string& file,
                                                         Diagnostics& diags) {
  return guarded<std::vector<CheckDecl>>(file, diags, [&](Reader& r) { return load_key_text(r, text); });
}

std::optional<std::vector<CheckDecl>> load_checks_file(const std::string& path, Diagnostics& diags) {
  auto text = read_text(path, diags);
  if (!text) return std::nullopt;
  return load_checks_string(*text, path, diags);
}

}  // namespace vklab::topology
