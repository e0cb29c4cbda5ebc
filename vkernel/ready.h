// The bundled guest's readiness channel (-e vklab_ready_fd=N): what the
// guest tells labd while it boots, one line each, then it closes the fd.
//
//   run LINE TEXT            the startup command on LINE (first line TEXT) began
//   failed LINE EXIT TEXT    it ended with exit status EXIT (not 0)
//   ready                    every startup command ran; the guest is up
//
// LINE is the 1-based line of the command's first line in the startup
// script; TEXT is that line, trimmed and cut to kReadyTextMax bytes, with
// no newline. The startup shell writes the run/failed lines itself (the
// wrapper of guest/startup.h, through init's status pipe); the vkernel
// process relays them and adds "ready". A reader must take any line it
// does not know as noise, never as an error: a guest's script ran there.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vklab::vkernel {

/// The longest TEXT on the channel (a startup line's first line, cut).
inline constexpr size_t kReadyTextMax = 200;
/// The longest line a reader must accept.
inline constexpr size_t kReadyLineMax = kReadyTextMax + 64;

struct ReadyLine {
  enum class Kind { Run, Failed, Ready } kind = Kind::Ready;
  int line = 0;       ///< Run, Failed
  int exit = 0;       ///< Failed
  std::string text;   ///< Run, Failed
  bool operator==(const ReadyLine&) const = default;
};

/// One line (without its newline); nullopt for anything else.
std::optional<ReadyLine> parse_ready_line(std::string_view line);
/// The line for `r`, without its newline (the inverse of parse_ready_line).
std::string format_ready_line(const ReadyLine& r);

}  // namespace vklab::vkernel
