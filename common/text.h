// Small text helpers shared by every module.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vklab {

/// Edit distance (Levenshtein plus transpositions of neighbours), in
/// memory linear in the shorter string.
int edit_distance(std::string_view a, std::string_view b);

/// Words longer than this get no suggestion (names are at most 16
/// characters, keys fewer): did_you_mean's work stays bounded.
inline constexpr size_t kMaxSuggestLength = 64;

/// The candidate closest to `word` if it is close enough to be a likely
/// typo (distance <= max(1, len/3)), else "" (also when `word` is itself a
/// candidate, or longer than kMaxSuggestLength). Candidates are compared
/// only when their length could be within the limit.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

/// " (did you mean \"x\"?)" or "" — ready to append to a message.
std::string did_you_mean_suffix(std::string_view word, const std::vector<std::string>& candidates);

/// Durations as written in lab files: "500ms", "30s", "2m", "1h" (an
/// integer followed by a unit; the unit is required). nullopt otherwise.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view s);

/// "30s", "500ms", "2m" — the shortest exact spelling.
std::string format_duration(std::chrono::milliseconds d);

/// POSIX shell quoting: the word unchanged when it needs no quotes, else
/// in single quotes with embedded ' as '\''.
std::string shell_quote(std::string_view s);

/// `s` in double quotes, for messages: "lan1".
std::string quoted(std::string_view s);

/// Joins with a separator.
std::string join(const std::vector<std::string>& parts, std::string_view sep);

}  // namespace vklab
