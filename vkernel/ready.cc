#include "vkernel/ready.h"

#include <charconv>

namespace vklab::vkernel {
namespace {

/// A decimal number and the blank after it; false when there is none.
bool take_number(std::string_view& s, int& out, bool last = false) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || p == s.data()) return false;
  s.remove_prefix(static_cast<size_t>(p - s.data()));
  if (last && s.empty()) return true;
  if (s.empty() || s.front() != ' ') return false;
  s.remove_prefix(1);
  return true;
}

}  // namespace

std::optional<ReadyLine> parse_ready_line(std::string_view s) {
  if (s.size() > kReadyLineMax) return std::nullopt;
  if (s == "ready") return ReadyLine{};
  ReadyLine r;
  if (s.starts_with("run ")) {
    s.remove_prefix(4);
    r.kind = ReadyLine::Kind::Run;
    if (!take_number(s, r.line)) return std::nullopt;
  } else if (s.starts_with("failed ")) {
    s.remove_prefix(7);
    r.kind = ReadyLine::Kind::Failed;
    if (!take_number(s, r.line) || !take_number(s, r.exit)) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (r.line <= 0 || r.exit < 0) return std::nullopt;
  r.text = std::string(s.substr(0, kReadyTextMax));
  return r;
}

std::string format_ready_line(const ReadyLine& r) {
  switch (r.kind) {
    case ReadyLine::Kind::Ready: return "ready";
    case ReadyLine::Kind::Run: return "run " + std::to_string(r.line) + " " + r.text;
    case ReadyLine::Kind::Failed:
      return "failed " + std::to_string(r.line) + " " + std::to_string(r.exit) + " " + r.text;
  }
  return "ready";
}

}  // namespace vklab::vkernel
