#include "common/text.h"

#include <algorithm>
#include <cstdint>

namespace vklab {

int edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: insertions, deletions, substitutions and
  // transpositions of neighbours ("lna" -> "lan") each cost 1. Three rows:
  // memory linear in the shorter string.
  if (a.size() < b.size()) std::swap(a, b);
  const size_t n = b.size();
  std::vector<int> two(n + 1), one(n + 1), cur(n + 1);
  for (size_t j = 0; j <= n; ++j) one[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= n; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({one[j] + 1, cur[j - 1] + 1, one[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], two[j - 2] + 1);
    }
    std::swap(two, one);
    std::swap(one, cur);
  }
  return one[n];
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  // Bounded work whatever the input: names and keys are short, so a word
  // longer than kMaxSuggestLength gets no suggestion, and a candidate whose
  // length alone puts it past the limit is not compared at all.
  if (word.empty() || word.size() > kMaxSuggestLength) return "";
  const size_t limit = std::max<size_t>(1, word.size() / 3);
  size_t best = limit + 1;
  std::string pick;
  for (const auto& c : candidates) {
    size_t gap = c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
    if (gap >= best || c.size() > kMaxSuggestLength) continue;
    size_t d = static_cast<size_t>(edit_distance(word, c));
    if (d == 0) return "";  // the word is a candidate: nothing to suggest
    if (d < best) {
      best = d;
      pick = c;
    }
  }
  return best <= limit ? pick : "";
}

std::string did_you_mean_suffix(std::string_view word, const std::vector<std::string>& candidates) {
  auto s = did_you_mean(word, candidates);
  return s.empty() ? "" : " (did you mean \"" + s + "\"?)";
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view s) {
  size_t i = 0;
  uint64_t n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    n = n * 10 + static_cast<uint64_t>(s[i] - '0');
    if (n > 1'000'000'000ULL) return std::nullopt;
    ++i;
  }
  if (i == 0) return std::nullopt;
  auto unit = s.substr(i);
  uint64_t mul = 0;
  if (unit == "ms") mul = 1;
  else if (unit == "s") mul = 1000;
  else if (unit == "m") mul = 60'000;
  else if (unit == "h") mul = 3'600'000;
  else return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(n * mul));
}

std::string format_duration(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string shell_quote(std::string_view s) {
  bool safe = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '/' || c == ':' || c == '=' || c == ',' ||
           c == '+' || c == '@' || c == '%';
  });
  if (safe) return std::string(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

}  // namespace vklab
