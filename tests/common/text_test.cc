#include <doctest/doctest.h>

#include "common/text.h"

using namespace vklab;
using namespace std::chrono_literals;

TEST_CASE("edit distance and did-you-mean") {
  CHECK(edit_distance("lan3", "lan2") == 1);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("lna", "lan") == 1);  // a transposition
  CHECK(did_you_mean("lna", {"lan", "wan2"}) == "lan");
  CHECK(did_you_mean("lan3", {"lan1", "wan", "lan2"}) == "lan1");
  CHECK(did_you_mean("memroy", {"memory", "cpus"}) == "memory");
  CHECK(did_you_mean("zzzzzz", {"memory", "cpus"}).empty());
  CHECK(did_you_mean_suffix("interfces", {"interfaces"}) == " (did you mean \"interfaces\"?)");
}

TEST_CASE("did-you-mean: bounded work on long input (finding F1)") {
  // Linear memory: two 3000-character strings need three rows, not 9 M cells.
  std::string a(3000, 'a'), b(3000, 'a');
  b[1500] = 'b';
  CHECK(edit_distance(a, b) == 1);
  CHECK(edit_distance(b, "") == 3000);
  // A 64 KB unknown name gets no suggestion (and costs nothing).
  std::string huge(65536, 'x');
  std::vector<std::string> names(2000, std::string(15, 'x'));
  names.push_back(huge);
  CHECK(did_you_mean(huge, names).empty());
  CHECK(did_you_mean(std::string(kMaxSuggestLength + 1, 'x'), {std::string(kMaxSuggestLength, 'x')}).empty());
  // Candidates too long or too short to be within the limit are skipped;
  // the nearest of equal ones is still the first.
  CHECK(did_you_mean("bridge", {"b", "bridges-and-more", "bridge1", "bridge2"}) == "bridge1");
  CHECK(did_you_mean("lan", {"lan", "lan1"}).empty());  // an exact name is not a typo
}

TEST_CASE("durations") {
  CHECK(parse_duration("500ms") == 500ms);
  CHECK(parse_duration("30s") == 30s);
  CHECK(parse_duration("2m") == 2min);
  CHECK_FALSE(parse_duration("30"));
  CHECK_FALSE(parse_duration("s"));
  CHECK_FALSE(parse_duration("-1s"));
  CHECK_FALSE(parse_duration("1.5s"));
  CHECK(format_duration(30s) == "30s");
  CHECK(format_duration(1500ms) == "1500ms");
  CHECK(format_duration(2min) == "2m");
}

TEST_CASE("shell quoting") {
  CHECK(shell_quote("tap0:bridge0:10.0.0.1/24") == "tap0:bridge0:10.0.0.1/24");
  CHECK(shell_quote("a b") == "'a b'");
  CHECK(shell_quote("it's") == "'it'\\''s'");
  CHECK(shell_quote("") == "''");
}
