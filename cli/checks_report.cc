// Check results as a table, as JSON and as JUnit XML.
#include <algorithm>
#include <cstdio>

#include "cli/checks.h"

namespace vklab::cli {
namespace {

// Columns are counted in characters: "→" is three bytes, one column.
size_t display_width(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char ch) {
    return (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  }));
}

std::string pad(const std::string& s, size_t width) {
  size_t w = display_width(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

/// XML 1.0 character data or attribute text: the five entities escaped,
/// control characters other than tab and newline dropped (XML cannot hold
/// them, not even as references).
std::string xml(const std::string& raw) {
  std::string s = valid_utf8(raw), out;
  out.reserve(s.size());
  for (char ch : s) {
    auto u = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\n': out += "&#10;"; break;
      case '\t': out += "&#9;"; break;
      default:
        if (u >= 0x20 && u != 0x7f) out += ch;
    }
  }
  return out;
}

std::string seconds(std::chrono::milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

}  // namespace

std::string valid_utf8(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && n == 2) ok = c >= 0xC2;  // no overlong forms
    if (ok && n == 3) {
      auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);  // overlong, surrogates
    }
    if (ok && n == 4) {
      auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90) && c <= 0xF4;
    }
    if (ok) {
      out.append(s, i, n);
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

void print_check_table(std::ostream& out, const std::vector<CheckResult>& results) {
  size_t w = display_width("CHECK");
  for (const auto& r : results) w = std::max(w, display_width(check_label(r.check)));
  w += 3;
  out << pad("CHECK", w) << pad("EXPECT", 14) << pad("TIME", 10) << "RESULT\n";
  int passed = 0, failed = 0;
  for (const auto& r : results) {
    out << pad(check_label(r.check), w) << pad(topology::expect_name(r.check), 14)
        << pad(std::to_string(r.elapsed.count()) + " ms", 10);
    if (r.ok()) {
      ++passed;
      out << "ok\n";
      continue;
    }
    ++failed;
    out << "FAIL: " << failure_text(r);
    if (!r.check.loc.str().empty()) out << "  [" << r.check.loc.str() << "]";
    out << "\n";
  }
  out << passed << " passed, " << failed << " failed\n";
}

nlohmann::json checks_json(const std::vector<CheckResult>& results) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& r : results) {
    const CheckDecl& c = r.check;
    nlohmann::json j = {{"check", valid_utf8(check_label(c))},
                        {"from", c.from.value},
                        {"kind", topology::kind_name(c.kind)},
                        {"target", valid_utf8(check_target(c))},
                        {"expected", valid_utf8(topology::check_what(c))},
                        {"expect", topology::expect_name(c)},
                        {"got", got_name(r)},
                        {"found", valid_utf8(r.found)},
                        {"ok", r.ok()},
                        {"ms", r.elapsed.count()},
                        {"attempts", r.attempts},
                        {"loc", c.loc.str()}};
    if (!c.name.empty()) j["name"] = valid_utf8(c.name);
    if (c.kind == CheckDecl::Kind::Tcp) j["port"] = c.port;
    if (!r.error.empty()) j["error"] = valid_utf8(r.error);
    if (!r.ok()) j["failure"] = valid_utf8(failure_text(r));
    a.push_back(std::move(j));
  }
  return a;
}

void write_junit(std::ostream& out, const std::vector<Suite>& suites) {
  struct Counts {
    size_t tests = 0, failures = 0, errors = 0;
  };
  auto count = [](const Suite& s) {
    Counts n;
    n.tests = s.results.size();
    for (const auto& r : s.results) {
      if (s.reason || r.got == Got::Error) ++n.errors;
      else if (!r.ok()) ++n.failures;
    }
    return n;
  };
  Counts all;
  std::chrono::milliseconds total{0};
  for (const auto& s : suites) {
    Counts n = count(s);
    all.tests += n.tests, all.failures += n.failures, all.errors += n.errors;
    total += s.elapsed;
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"vklab\" tests=\"" << all.tests << "\" failures=\"" << all.failures
      << "\" errors=\"" << all.errors << "\" time=\"" << seconds(total) << "\">\n";
  for (const auto& s : suites) {
    Counts n = count(s);
    out << "  <testsuite name=\"" << xml(s.name) << "\" tests=\"" << n.tests << "\" failures=\"" << n.failures
        << "\" errors=\"" << n.errors << "\" skipped=\"0\" time=\"" << seconds(s.elapsed) << "\">\n";
    for (const auto& r : s.results) {
      const CheckDecl& c = r.check;
      out << "    <testcase name=\"" << xml(check_label(c)) << "\" classname=\"" << xml(s.name + "." + c.from.value)
          << "\" time=\"" << seconds(r.elapsed) << "\"";
      std::string detail = "expected: " + c.from.value + " → " + topology::check_what(c) + " (" +
                           topology::expect_name(c) + ")\n";
      if (!c.loc.str().empty()) detail += "at: " + c.loc.str() + "\n";
      if (s.reason) {
        out << ">\n      <error type=\"lab\" message=\"" << xml(*s.reason) << "\">" << xml(detail)
            << "</error>\n    </testcase>\n";
      } else if (r.got == Got::Error) {
        out << ">\n      <error type=\"" << topology::kind_name(c.kind) << "\" message=\"" << xml(r.error) << "\">"
            << xml(detail + "error: " + r.error + "\n") << "</error>\n    </testcase>\n";
      } else if (!r.ok()) {
        out << ">\n      <failure type=\"" << topology::kind_name(c.kind) << "\" message=\""
            << xml(failure_text(r)) << "\">" << xml(detail + "found: " + r.found + "\n")
            << "</failure>\n    </testcase>\n";
      } else {
        out << "/>\n";
      }
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

}  // namespace vklab::cli
