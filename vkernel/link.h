// A vke's link: its impairment (what the guest SENDS on it is delayed,
// dropped, corrupted, duplicated, reordered, rate-limited) and its carrier
// (down = an unplugged cable: no frame passes either way, vkeN shows
// NO-CARRIER). The lowest layer of the model: the lab file's `impair:`
// (topology), the links file (-e vklab_links, read by the bundled guest
// at boot and again on SIGUSR1), labd's state and `vklab impair` all speak
// these types and these spellings, parsed and printed here only.
//
// Values are integers (microseconds, parts per million, bits per second),
// so parse(format(x)) == x exactly.
//
// The links file: one line per vke that differs from "up, unimpaired";
// '#' starts a comment; a vke not named is up and unimpaired:
//
//     # vklab links (vkernel/link.h)
//     vke0 up delay=40ms jitter=5ms loss=1% rate=10mbit
//     vke1 down
//     vke2 up delay=0ms
//
// An impairment with every value zero ("delay=0ms") is still an impairment:
// the guest moves that vke's frames through its shaper (the bench measures
// the shaper's own cost with it). A line without key=value is unimpaired.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace vklab::vkernel {

/// Upper bounds of the values (a mistake above them, not a lab).
inline constexpr std::chrono::microseconds kMaxDelay{10'000'000};   ///< 10 s, delay and jitter
inline constexpr uint64_t kMaxRate = 100'000'000'000ULL;            ///< 100 gbit
inline constexpr uint32_t kPpmPerPercent = 10'000;                  ///< 1% = 10000 ppm
inline constexpr uint32_t kMaxPpm = 100 * kPpmPerPercent;           ///< 100%
/// From this rate up a 64 KB segment takes at most 0.5 ms on the wire, so
/// the rate limit keeps the guest's segments (Impairment::per_packet).
inline constexpr uint64_t kSegmentRate = 1'000'000'000ULL;

/// What a shaped vke does to the frames the guest sends on it.
/// Invariants (check()): every ppm <= kMaxPpm; delay, jitter <= kMaxDelay;
/// rate_bps 0 (unlimited) or 1..kMaxRate; jitter and reorder only with a
/// delay above zero.
struct Impairment {
  std::chrono::microseconds delay{0};   ///< added to every frame
  std::chrono::microseconds jitter{0};  ///< σ of a normal variation of the delay
  uint32_t loss_ppm = 0;                ///< frames dropped
  uint64_t rate_bps = 0;                ///< token bucket; 0 = no limit
  uint32_t corrupt_ppm = 0;             ///< frames with one bit flipped
  uint32_t duplicate_ppm = 0;           ///< frames sent twice
  uint32_t reorder_ppm = 0;             ///< frames sent at once, overtaking the delayed ones

  bool operator==(const Impairment&) const = default;

  /// True when the impairment acts on each packet (loss, corrupt,
  /// duplicate, reorder, or a rate below kSegmentRate): the guest's
  /// interface then hands over MTU-sized frames instead of 64 KB
  /// segments, as on a real wire (guest/vke.h). Delay and jitter alone,
  /// or a fast rate, keep the segments (and the relay's speed).
  bool per_packet() const;
  /// The cross-field rules above; the error names the field and the range.
  Status check() const;
  /// "delay=40ms loss=1%": the fields that are not zero, in kImpairKeys
  /// order; "delay=0ms" when all are zero.
  std::string str() const;
};

/// The keys of an impairment, in the order they are printed.
inline const std::vector<std::string> kImpairKeys = {"delay",   "jitter",    "loss",   "rate",
                                                     "corrupt", "duplicate", "reorder"};

/// Sets one field from its text ("delay", "40ms"). Errors say what is
/// expected and the allowed range, without a location (callers add it):
/// "loss: 120% is out of range (0% to 100%)". An unknown key is an error
/// that suggests the closest one.
Status set_field(Impairment& imp, std::string_view key, std::string_view value);
/// An impairment from its str() form: "key=value" words separated by
/// blanks, each set_field()'d, then check()'d. "" is an error.
Result<Impairment> parse_impairment(std::string_view words);
/// The text of one field ("40ms", "1%", "10mbit"); "" for an unknown key.
std::string field_text(const Impairment& imp, std::string_view key);

/// "40ms", "500us", "1.5ms", "2s": a decimal number and a unit us, ms or s;
/// resolution 1 us. nullopt for anything else.
std::optional<std::chrono::microseconds> parse_link_duration(std::string_view s);
/// The shortest exact spelling: "40ms", "500us", "1500us", "2s", "0ms".
std::string format_link_duration(std::chrono::microseconds d);
/// "1%", "0.1%", "100%": a decimal number (at most 4 decimals) and '%',
/// as parts per million. nullopt for anything else (range not checked).
std::optional<uint64_t> parse_percent(std::string_view s);
std::string format_percent(uint32_t ppm);
/// "10mbit", "1.5gbit", "64kbit", "9600bit" (units case-insensitive), as
/// bits per second. nullopt for anything else (range not checked).
std::optional<uint64_t> parse_rate(std::string_view s);
std::string format_rate(uint64_t bps);

/// One vke's link as the links file and labd record it.
struct LinkConfig {
  int index = 0;                       ///< N of vkeN
  bool up = true;                      ///< carrier; down = no frame either way
  std::optional<Impairment> impair;    ///< nullopt = the fast path

  /// Up and unimpaired: what a vke not named in the file is.
  bool is_default() const { return up && !impair; }
  bool operator==(const LinkConfig&) const = default;
};

/// The links file for `links` (sorted by index; default links left out,
/// so an empty list is a file with the header only).
std::string format_links(std::vector<LinkConfig> links);
/// Parses a links file. Errors name the line ("line 3: vke17: no such
/// vke (0 to 15)"); a vke named twice is an error. The result holds the
/// named vkes only, sorted by index.
Result<std::vector<LinkConfig>> parse_links(std::string_view text);

}  // namespace vklab::vkernel
