#include "vkernel/link.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "common/text.h"
#include "vkernel/cmdline.h"

namespace vklab::vkernel {
namespace {

using std::chrono::microseconds;

/// "12.345" times 10^`digits`, exact: at most `digits` decimals, no sign,
/// no exponent, at most 15 integer digits. Leaves the unit in `rest`.
std::optional<uint64_t> decimal(std::string_view s, int digits, std::string_view& rest) {
  size_t i = 0;
  uint64_t v = 0;
  int intd = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    if (++intd > 15) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(s[i++] - '0');
  }
  int frac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (++frac > digits) return std::nullopt;
      v = v * 10 + static_cast<uint64_t>(s[i++] - '0');
    }
    if (frac == 0) return std::nullopt;
  }
  if (intd == 0) return std::nullopt;
  for (int k = frac; k < digits; ++k) v *= 10;
  rest = s.substr(i);
  return v;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// v / 10^digits with the trailing zeros of the fraction dropped.
std::string fixed(uint64_t v, int digits) {
  uint64_t scale = 1;
  for (int k = 0; k < digits; ++k) scale *= 10;
  std::string s = std::to_string(v / scale);
  uint64_t f = v % scale;
  if (f == 0) return s;
  std::string fs = std::to_string(f);
  fs.insert(0, static_cast<size_t>(digits) - fs.size(), '0');
  while (fs.back() == '0') fs.pop_back();
  return s + "." + fs;
}

Error out_of_range(std::string_view key, std::string_view value, const std::string& range) {
  return make_error(std::string(key) + ": " + std::string(value) + " is out of range (" + range + ")");
}

uint32_t* ppm_field(Impairment& imp, std::string_view key) {
  if (key == "loss") return &imp.loss_ppm;
  if (key == "corrupt") return &imp.corrupt_ppm;
  if (key == "duplicate") return &imp.duplicate_ppm;
  if (key == "reorder") return &imp.reorder_ppm;
  return nullptr;
}

}  // namespace

std::optional<microseconds> parse_link_duration(std::string_view s) {
  std::string_view unit;
  auto v = decimal(s, 3, unit);  // thousandths of the unit
  if (!v) return std::nullopt;
  uint64_t per_thousandth;
  if (unit == "us") per_thousandth = 0;  // us takes no fraction
  else if (unit == "ms") per_thousandth = 1;
  else if (unit == "s") per_thousandth = 1000;
  else return std::nullopt;
  if (per_thousandth == 0) {
    if (*v % 1000 != 0) return std::nullopt;
    return microseconds(static_cast<int64_t>(*v / 1000));
  }
  if (*v > 1'000'000'000'000ULL) return std::nullopt;
  return microseconds(static_cast<int64_t>(*v * per_thousandth));
}

std::string format_link_duration(microseconds d) {
  auto us = static_cast<uint64_t>(d.count());
  if (us != 0 && us % 1'000'000 == 0) return std::to_string(us / 1'000'000) + "s";
  if (us % 1000 == 0) return std::to_string(us / 1000) + "ms";
  return std::to_string(us) + "us";
}

std::optional<uint64_t> parse_percent(std::string_view s) {
  std::string_view unit;
  auto v = decimal(s, 4, unit);
  if (!v || unit != "%") return std::nullopt;
  return *v;  // ten-thousandths of a percent = ppm
}

std::string format_percent(uint32_t ppm) { return fixed(ppm, 4) + "%"; }

std::optional<uint64_t> parse_rate(std::string_view s) {
  std::string_view unit;
  auto v = decimal(s, 3, unit);
  if (!v) return std::nullopt;
  std::string u = lower(unit);
  uint64_t mul;
  if (u == "bit") mul = 1;
  else if (u == "kbit") mul = 1'000;
  else if (u == "mbit") mul = 1'000'000;
  else if (u == "gbit") mul = 1'000'000'000;
  else return std::nullopt;
  if (*v > UINT64_MAX / mul) return std::nullopt;
  uint64_t milli = *v * mul;
  if (milli % 1000 != 0) return std::nullopt;  // no fraction of a bit
  return milli / 1000;
}

std::string format_rate(uint64_t bps) {
  if (bps >= 1'000'000'000 && bps % 1'000'000 == 0) return fixed(bps / 1'000'000, 3) + "gbit";
  if (bps >= 1'000'000 && bps % 1'000 == 0) return fixed(bps / 1'000, 3) + "mbit";
  if (bps >= 1'000) return fixed(bps, 3) + "kbit";
  return std::to_string(bps) + "bit";
}

Status set_field(Impairment& imp, std::string_view key, std::string_view value) {
  const std::string k(key);
  if (key == "delay" || key == "jitter") {
    auto d = parse_link_duration(value);
    if (!d) return make_error(k + ": expected a duration like 40ms, 500us or 1.5s, found \"" + std::string(value) + "\"");
    if (*d > kMaxDelay) return out_of_range(key, value, "0ms to " + format_link_duration(kMaxDelay));
    (key == "delay" ? imp.delay : imp.jitter) = *d;
    return {};
  }
  if (key == "rate") {
    auto r = parse_rate(value);
    if (!r) return make_error("rate: expected a rate like 10mbit, 512kbit or 1gbit, found \"" + std::string(value) + "\"");
    if (*r == 0 || *r > kMaxRate) return out_of_range(key, value, "above 0 up to " + format_rate(kMaxRate));
    imp.rate_bps = *r;
    return {};
  }
  if (uint32_t* f = ppm_field(imp, key)) {
    auto p = parse_percent(value);
    if (!p) return make_error(k + ": expected a percentage like 1% or 0.1%, found \"" + std::string(value) + "\"");
    if (*p > kMaxPpm) return out_of_range(key, value, "0% to 100%");
    *f = static_cast<uint32_t>(*p);
    return {};
  }
  return make_error("unknown impairment \"" + k + "\"" + did_you_mean_suffix(key, kImpairKeys) +
                    " (one of " + join(kImpairKeys, ", ") + ")");
}

std::string field_text(const Impairment& imp, std::string_view key) {
  if (key == "delay") return format_link_duration(imp.delay);
  if (key == "jitter") return format_link_duration(imp.jitter);
  if (key == "rate") return imp.rate_bps ? format_rate(imp.rate_bps) : "";
  if (uint32_t* f = ppm_field(const_cast<Impairment&>(imp), key)) return format_percent(*f);
  return "";
}

namespace {

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  while (!line.empty()) {
    size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) break;
    line = line.substr(b);
    size_t e = line.find_first_of(" \t\r");
    words.push_back(line.substr(0, e));
    line = e == std::string_view::npos ? std::string_view() : line.substr(e);
  }
  return words;
}

Status set_words(Impairment& imp, const std::vector<std::string_view>& words, size_t from) {
  for (size_t w = from; w < words.size(); ++w) {
    size_t eq = words[w].find('=');
    if (eq == std::string_view::npos) return make_error(std::string(words[w]) + ": expected key=value");
    if (Status s = set_field(imp, words[w].substr(0, eq), words[w].substr(eq + 1)); !s) return s;
  }
  return imp.check();
}

}  // namespace

Result<Impairment> parse_impairment(std::string_view text) {
  auto words = split_words(text);
  if (words.empty()) return make_error("an impairment names at least one of " + join(kImpairKeys, ", "));
  Impairment imp;
  if (Status s = set_words(imp, words, 0); !s) return s.error();
  return imp;
}

bool Impairment::per_packet() const {
  return loss_ppm || corrupt_ppm || duplicate_ppm || reorder_ppm || (rate_bps && rate_bps < kSegmentRate);
}

Status Impairment::check() const {
  for (uint32_t p : {loss_ppm, corrupt_ppm, duplicate_ppm, reorder_ppm})
    if (p > kMaxPpm) return make_error("a percentage is out of range (0% to 100%)");
  if (delay > kMaxDelay || delay.count() < 0 || jitter > kMaxDelay || jitter.count() < 0)
    return make_error("a duration is out of range (0ms to " + format_link_duration(kMaxDelay) + ")");
  if (rate_bps > kMaxRate) return make_error("rate is out of range (above 0 up to " + format_rate(kMaxRate) + ")");
  if (jitter.count() > 0 && delay.count() == 0)
    return make_error("jitter needs a delay above 0 (jitter varies the delay)");
  if (reorder_ppm > 0 && delay.count() == 0)
    return make_error("reorder needs a delay above 0 (a reordered frame skips the delay and overtakes the delayed ones)");
  return {};
}

std::string Impairment::str() const {
  std::vector<std::string> parts;
  if (delay.count() > 0) parts.push_back("delay=" + format_link_duration(delay));
  if (jitter.count() > 0) parts.push_back("jitter=" + format_link_duration(jitter));
  if (loss_ppm) parts.push_back("loss=" + format_percent(loss_ppm));
  if (rate_bps) parts.push_back("rate=" + format_rate(rate_bps));
  if (corrupt_ppm) parts.push_back("corrupt=" + format_percent(corrupt_ppm));
  if (duplicate_ppm) parts.push_back("duplicate=" + format_percent(duplicate_ppm));
  if (reorder_ppm) parts.push_back("reorder=" + format_percent(reorder_ppm));
  if (parts.empty()) return "delay=0ms";
  return join(parts, " ");
}

std::string format_links(std::vector<LinkConfig> links) {
  std::sort(links.begin(), links.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  std::string out = "# vklab links (vkernel/link.h): vkeN up|down [delay= jitter= loss= rate= corrupt= duplicate= reorder=]\n";
  for (const auto& l : links) {
    if (l.is_default()) continue;
    out += "vke" + std::to_string(l.index) + (l.up ? " up" : " down");
    if (l.impair) out += " " + l.impair->str();
    out += "\n";
  }
  return out;
}

Result<std::vector<LinkConfig>> parse_links(std::string_view text) {
  std::vector<LinkConfig> out;
  int lineno = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++lineno;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    auto words = split_words(line);
    if (words.empty()) continue;
    const std::string where = "line " + std::to_string(lineno) + ": ";
    std::string_view name = words[0];
    LinkConfig l;
    auto idx = name.starts_with("vke") && name.size() > 3 && name.size() <= 5
                   ? std::optional<int>(std::atoi(std::string(name.substr(3)).c_str()))
                   : std::nullopt;
    bool digits = idx && std::all_of(name.begin() + 3, name.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (!digits || *idx < 0 || *idx >= kMaxNetIfs)
      return make_error(where + std::string(name) + ": no such vke (vke0 to vke" + std::to_string(kMaxNetIfs - 1) + ")");
    l.index = *idx;
    for (const auto& o : out)
      if (o.index == l.index) return make_error(where + std::string(name) + " is named twice");
    if (words.size() < 2 || (words[1] != "up" && words[1] != "down"))
      return make_error(where + std::string(name) + ": expected up or down after the name");
    l.up = words[1] == "up";
    if (words.size() > 2) {
      l.impair = Impairment{};
      if (Status s = set_words(*l.impair, words, 2); !s) return make_error(where + s.error().message);
    }
    out.push_back(l);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  return out;
}

}  // namespace vklab::vkernel
