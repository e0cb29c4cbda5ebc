#include "topology/netkit_conf.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "common/text.h"

namespace vklab::topology::detail {

namespace {

/// Kathará's device names: 1-30 of [a-z0-9_] (LabParser's key pattern).
constexpr size_t kMaxDeviceName = 30;
/// Enough digits for any index a guest could have.
constexpr size_t kMaxIndexDigits = 6;

bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_device_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_quote(char c) { return c == '"' || c == '\''; }

std::string dq(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string show_char(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (c == '\'') return "\"'\"";
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", u);
  return hex;
}

/// One physical line being read: its text and where it sits in the file.
class Line {
 public:
  Line(std::string_view text, int number, const std::string& file, Diagnostics& d)
      : text_(text), number_(number), file_(file), d_(d) {}

  std::string_view text() const { return text_; }
  SourceLoc at(size_t i) const { return SourceLoc{file_, number_, static_cast<int>(i) + 1}; }
  void error(size_t i, std::string msg) { d_.error(at(i), std::move(msg)); }
  void warning(size_t i, std::string msg) { d_.warning(at(i), std::move(msg)); }

  size_t skip_blanks(size_t i) const {
    while (i < text_.size() && is_blank(text_[i])) ++i;
    return i;
  }
  /// End of the text once trailing blanks are dropped.
  size_t end() const {
    size_t e = text_.size();
    while (e > 0 && is_blank(text_[e - 1])) --e;
    return e;
  }

 private:
  std::string_view text_;
  int number_;
  const std::string& file_;
  Diagnostics& d_;
};

/// A value after '=': "x", 'x' or x, then optionally blanks and a '#'
/// comment. `inner_quotes`: quote characters of the other kind may appear
/// inside (metadata such as LAB_AUTHOR="O'Brien"); Kathará's device lines
/// allow none.
std::optional<Located<std::string>> read_value(Line& l, size_t i, const std::string& what,
                                               bool inner_quotes) {
  std::string_view t = l.text();
  size_t end = l.end();
  if (i >= end) {
    l.error(i, "missing value after '=' in " + what);
    return std::nullopt;
  }
  if (is_quote(t[i])) {
    char q = t[i];
    size_t close = t.find(q, i + 1);
    if (close == std::string_view::npos || close >= end) {
      l.error(i, "unclosed quote " + show_char(q) + " in " + what);
      return std::nullopt;
    }
    std::string v(t.substr(i + 1, close - i - 1));
    size_t after = l.skip_blanks(close + 1);
    if (after < end && !(t[after] == '#' && after > close + 1)) {
      l.error(after, "unexpected text after the closing quote in " + what +
                         (t[after] == '#' ? " (a comment needs a blank before '#')" : ""));
      return std::nullopt;
    }
    if (v.empty()) {
      l.error(i, "empty value in " + what);
      return std::nullopt;
    }
    if (!inner_quotes)
      if (size_t k = v.find_first_of("\"'"); k != std::string::npos) {
        l.error(i + 1 + k, "quote " + show_char(v[k]) + " inside the value of " + what);
        return std::nullopt;
      }
    return Located<std::string>{v, l.at(i + 1)};
  }
  // Unquoted: up to a blank-preceded '#', trailing blanks dropped.
  size_t stop = end;
  for (size_t k = i + 1; k < end; ++k)
    if (t[k] == '#' && is_blank(t[k - 1])) {
      stop = k;
      break;
    }
  while (stop > i && is_blank(t[stop - 1])) --stop;
  std::string v(t.substr(i, stop - i));
  if (size_t k = v.find_first_of("\"'"); k != std::string::npos && !inner_quotes) {
    l.error(i + k, "unmatched quote " + show_char(v[k]) + " in " + what);
    return std::nullopt;
  }
  return Located<std::string>{v, l.at(i)};
}

void read_meta(Line& l, size_t i, LabConf& out) {
  std::string_view t = l.text();
  size_t eq = t.find('=', i);
  std::string key(t.substr(i, eq == std::string_view::npos ? l.end() - i : eq - i));
  while (!key.empty() && is_blank(key.back())) key.pop_back();
  if (std::find(kLabMetaKeys.begin(), kLabMetaKeys.end(), key) == kLabMetaKeys.end()) {
    l.error(i, "unknown lab metadata " + dq(key) + did_you_mean_suffix(key, kLabMetaKeys) +
                   "; Kathará knows " + join(kLabMetaKeys, ", "));
    return;
  }
  if (eq == std::string_view::npos) {
    l.error(i + key.size(), "missing '=' after " + key);
    return;
  }
  auto v = read_value(l, l.skip_blanks(eq + 1), key, true);
  if (v) out.meta.push_back({{key, l.at(i)}, v->value});
}

/// DEV[N]=... : the interface's value "CD" or "CD/MAC".
void read_iface(Line& l, const Located<std::string>& dev, const Located<int>& index,
                const Located<std::string>& value, LabConf& out) {
  const std::string& v = value.value;
  std::vector<std::string> parts;
  for (size_t s = 0; s <= v.size();) {
    size_t slash = v.find('/', s);
    if (slash == std::string::npos) slash = v.size();
    if (slash > s) parts.push_back(v.substr(s, slash - s));
    s = slash + 1;
  }
  size_t col = static_cast<size_t>(value.loc.col - 1);
  if (v.find('/') != std::string::npos && parts.size() != 2) {
    l.error(col, "invalid interface " + dq(v) + ": write CD or CD/MAC");
    return;
  }
  ConfIface f{dev, index, {parts.empty() ? "" : parts[0], l.at(col)}, std::nullopt};
  if (auto bad = std::find_if_not(f.cd.value.begin(), f.cd.value.end(), is_word);
      bad != f.cd.value.end() || f.cd.value.empty()) {
    size_t k = static_cast<size_t>(bad - f.cd.value.begin());
    l.error(col + k, "collision domain " + dq(f.cd.value) + " has " +
                         (f.cd.value.empty() ? std::string("no name") : "the character " + show_char(*bad)) +
                         ": a collision domain is letters, digits and '_'");
    return;
  }
  if (parts.size() == 2) {
    size_t mcol = col + parts[0].size() + 1;
    auto mac = Mac::parse(parts[1]);
    if (!mac) {
      l.error(mcol, "invalid MAC address " + dq(parts[1]) + ": write six hex pairs, aa:bb:cc:dd:ee:ff");
      return;
    }
    f.mac = Located<Mac>{*mac, l.at(mcol)};
  }
  out.ifaces.push_back(std::move(f));
}

void read_device_line(Line& l, size_t i, LabConf& out) {
  std::string_view t = l.text();
  size_t end = l.end();
  size_t k = i;
  while (k < end && t[k] != '[' && t[k] != '=' && !is_blank(t[k])) ++k;
  std::string name(t.substr(i, k - i));
  bool ok = true;
  if (name.empty()) {
    l.error(i, "expected a device name, found " + show_char(t[i]));
    return;
  }
  for (size_t c = 0; c < name.size(); ++c)
    if (!is_device_char(name[c])) {
      l.error(i + c, "invalid character " + show_char(name[c]) + " in device name " + dq(name) +
                         ": a device name is lowercase letters, digits and '_'");
      ok = false;
      break;
    }
  if (name.size() > kMaxDeviceName) {
    l.error(i, "device name " + dq(name) + " is too long (" + std::to_string(name.size()) +
                   " characters; Kathará allows 30)");
    ok = false;
  }
  if (k >= end || t[k] != '[') {
    if (k < end && t[k] == '=')
      l.error(k, "missing '[' after " + dq(name) + ": write " + name + "[N]=CD or " + name +
                     "[option]=VALUE");
    else
      l.error(k, "missing '[' after " + dq(name) + " (a lab.conf line is DEV[N]=CD, "
                 "DEV[option]=VALUE or LAB_KEY=VALUE)");
    return;
  }
  size_t open = k;
  size_t close = t.find(']', open + 1);
  size_t eq_pos = t.find('=', open + 1);
  if (close == std::string_view::npos || (eq_pos != std::string_view::npos && eq_pos < close)) {
    l.error(eq_pos == std::string_view::npos ? end : eq_pos, "missing ']' to close the '[' at column " +
                                                                 std::to_string(open + 1));
    return;
  }
  std::string arg(t.substr(open + 1, close - open - 1));
  if (arg.empty()) {
    l.error(open + 1, "empty [] after " + dq(name) + ": write an interface number or an option");
    return;
  }
  for (size_t c = 0; c < arg.size(); ++c)
    if (!is_word(arg[c])) {
      l.error(open + 1 + c, "invalid character " + show_char(arg[c]) + " in [" + arg + "]");
      return;
    }
  size_t eq = l.skip_blanks(close + 1);
  if (eq >= end || t[eq] != '=') {
    l.error(eq, "expected '=' after " + name + "[" + arg + "]");
    return;
  }
  std::string what = name + "[" + arg + "]";
  auto value = read_value(l, l.skip_blanks(eq + 1), what, false);
  if (!value || !ok) return;
  if (std::find(kReservedDeviceNames.begin(), kReservedDeviceNames.end(), name) != kReservedDeviceNames.end()) {
    l.error(i, dq(name) + " is a reserved name (" + join(kReservedDeviceNames, ", ") +
                   "): it cannot be a device" + (name == "shared" ? "; shared/ is the lab's shared folder" : ""));
    return;
  }
  Located<std::string> dev{name, l.at(i)};
  bool digits = std::all_of(arg.begin(), arg.end(), is_digit);
  if (digits) {
    if (arg.size() > kMaxIndexDigits) {
      l.error(open + 1, "interface index " + arg + " is too large");
      return;
    }
    read_iface(l, dev, {std::stoi(arg), l.at(open + 1)}, *value, out);
    return;
  }
  bool eth = arg.size() > 3 && arg.compare(0, 3, "eth") == 0 &&
             std::all_of(arg.begin() + 3, arg.end(), is_digit);
  if (is_digit(arg[0]) || eth) {
    l.error(open + 1, "interface index " + dq(arg) + " is not a number" +
                          (eth ? ": write " + name + "[" + arg.substr(3) + "] for " + arg : std::string()));
    return;
  }
  out.options.push_back({dev, {arg, l.at(open + 1)}, *value});
}

/// The first byte that has no place in a text file (C0 controls other than
/// tab, DEL).
std::optional<size_t> first_control(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) return i;
  }
  return std::nullopt;
}

/// Calls fn(line, number) for each line of `text` (no control bytes in it).
template <class F>
void for_each_line(const std::string& text, F fn) {
  int number = 1;
  for (size_t start = 0; start < text.size(); ++number) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    fn(std::string_view(text).substr(start, nl - start), number);
    start = nl + 1;
  }
}

bool not_text(const std::string& text, const std::string& file, Diagnostics& d) {
  auto at = first_control(text);
  if (!at) return false;
  SourceLoc l{file, 1, 1};
  for (size_t i = 0; i < *at; ++i) {
    if (text[i] == '\n') ++l.line, l.col = 1;
    else ++l.col;
  }
  d.error(l, "not a text file (byte " + show_char(text[*at]) + ")");
  return true;
}

}  // namespace

std::string unix_text(std::string text) {
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i)
    if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') &&
        !(text[i] == '\r' && i + 1 == text.size()))
      out += text[i];
  return out;
}

LabConf read_lab_conf(const std::string& raw, const std::string& file, Diagnostics& diags) {
  LabConf out;
  std::string text = unix_text(raw);
  if (not_text(text, file, diags)) return out;
  for_each_line(text, [&](std::string_view s, int number) {
    Line l(s, number, file, diags);
    size_t i = l.skip_blanks(0);
    if (i >= l.end() || s[i] == '#') return;
    if (s.compare(i, 4, "LAB_") == 0) read_meta(l, i, out);
    else read_device_line(l, i, out);
  });
  return out;
}

std::vector<DepLine> read_lab_dep(const std::string& raw, const std::string& file, Diagnostics& diags) {
  std::vector<DepLine> out;
  std::map<std::string, size_t> seen;  // device -> index in out
  std::string text = unix_text(raw);
  if (not_text(text, file, diags)) return out;
  for_each_line(text, [&](std::string_view s, int number) {
    Line l(s, number, file, diags);
    size_t i = l.skip_blanks(0);
    size_t end = l.end();
    if (i >= end || s[i] == '#') return;
    for (size_t k = i + 1; k < end; ++k)  // a trailing " # comment"
      if (s[k] == '#' && is_blank(s[k - 1])) {
        end = k;
        while (end > i && is_blank(s[end - 1])) --end;
        break;
      }
    size_t k = i;
    while (k < end && is_word(s[k])) ++k;
    if (k == i) {
      l.error(i, "expected a device name, found " + show_char(s[i]) + " (a lab.dep line is DEV: DEP1 DEP2 ...)");
      return;
    }
    DepLine d{{std::string(s.substr(i, k - i)), l.at(i)}, {}};
    size_t colon = l.skip_blanks(k);
    if (colon >= end || s[colon] != ':') {
      l.error(colon, colon >= end ? "missing ':' after " + dq(d.device.value) + " (write DEV: DEP1 DEP2 ...)"
                                  : "expected ':' after " + dq(d.device.value) + ", found " + show_char(s[colon]));
      return;
    }
    for (size_t p = l.skip_blanks(colon + 1); p < end; p = l.skip_blanks(p)) {
      size_t q = p;
      while (q < end && !is_blank(s[q])) ++q;
      std::string dep(s.substr(p, q - p));
      if (auto bad = std::find_if_not(dep.begin(), dep.end(), is_word); bad != dep.end()) {
        l.error(p + static_cast<size_t>(bad - dep.begin()),
                "invalid character " + show_char(*bad) + " in device name " + dq(dep));
        return;
      }
      d.deps.push_back({dep, l.at(p)});
      p = q;
    }
    if (d.deps.empty()) {
      l.error(colon, dq(d.device.value) + " lists no device it depends on");
      return;
    }
    if (auto [it, fresh] = seen.emplace(d.device.value, out.size()); !fresh) {
      l.warning(i, dq(d.device.value) + " already has a line in lab.dep (line " +
                       std::to_string(out[it->second].device.loc.line) + "); as in Kathará, this one replaces it");
      out[it->second] = std::move(d);
      return;
    }
    out.push_back(std::move(d));
  });
  return out;
}

}  // namespace vklab::topology::detail
