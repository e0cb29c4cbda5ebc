// What a YAML syntax error probably means, in plain words, from the text
// around yaml-cpp's mark (its messages name the parser state, not the
// mistake); and the text with the bad line blanked, so the loader can go
// on and report the rest of the file.
#include <string_view>
#include <vector>

#include "topology/yaml_reader.h"

namespace vklab::topology::detail {

namespace {

std::vector<std::string_view> split_lines(const std::string& text) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    out.emplace_back(text.data() + pos, end - pos);
    pos = end + 1;
  }
  return out;
}

size_t indent(std::string_view l) {
  size_t n = 0;
  while (n < l.size() && l[n] == ' ') ++n;
  return n;
}

bool blank(std::string_view l) {
  size_t i = l.find_first_not_of(" \t\r");
  return i == std::string_view::npos || l[i] == '#';
}

/// "key" of a "key: value" line (after any "- "), "" when none.
std::string_view key_of(std::string_view l) {
  size_t i = indent(l);
  if (l.substr(i).starts_with("- ")) i += 2;
  size_t colon = l.find(": ", i);
  if (colon == std::string_view::npos) return {};
  return l.substr(i, colon - i);
}

/// The line has a value after "key:" (so nothing may nest under it).
bool has_inline_value(std::string_view l) {
  size_t colon = l.find(": ", indent(l));
  if (colon == std::string_view::npos) return false;
  std::string_view rest = l.substr(colon + 2);
  size_t i = rest.find_first_not_of(" \t\r");
  return i != std::string_view::npos && rest[i] != '#';
}

}  // namespace

std::string yaml_hint(const std::string& text, int line, const std::string& msg) {
  auto lines = split_lines(text);
  if (line < 1 || static_cast<size_t>(line) > lines.size()) return "";
  std::string_view l = lines[static_cast<size_t>(line) - 1];
  size_t ws = l.find_first_not_of(" \t");
  if (l.substr(0, ws == std::string_view::npos ? l.size() : ws).find('\t') != std::string_view::npos)
    return "a tab in the indentation: YAML indents with spaces only";
  if (msg.find("flow") != std::string::npos)
    return "a { or [ opened above is not closed before this line";
  // The content line above, and the keys that enclose this one.
  int p = line - 1;
  while (p >= 1 && blank(lines[static_cast<size_t>(p) - 1])) --p;
  if (p < 1) return "";
  std::string_view above = lines[static_cast<size_t>(p) - 1];
  const size_t here = indent(l), there = indent(above);
  if (here > there) {
    std::string k(key_of(above));
    if (has_inline_value(above) && !k.empty())
      return "indentation: this line is deeper than the key above it expects (\"" + k + "\" on line " +
             std::to_string(p) + " already has a value); line it up with \"" + k + "\"";
    return "indentation: this line is deeper than the key above it expects";
  }
  if (here < there) {
    for (int q = p; q >= 1; --q) {
      std::string_view c = lines[static_cast<size_t>(q) - 1];
      if (blank(c)) continue;
      if (indent(c) == here) return "";  // lines up with an enclosing key: not an indentation slip
      if (indent(c) < here) break;
    }
    return "indentation: this line (column " + std::to_string(here + 1) +
           ") lines up with no key above it; use the column of the key it belongs with";
  }
  return "";
}

std::string blank_line(const std::string& text, int line) {
  std::string out;
  auto lines = split_lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (static_cast<int>(i) + 1 != line) out += lines[i];
    if (i + 1 < lines.size()) out += '\n';
  }
  return out;
}

}  // namespace vklab::topology::detail
