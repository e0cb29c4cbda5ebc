// The one checked JSON field reader: types checked before reading, the
// first problem kept with its path, nothing thrown.
#include <doctest/doctest.h>

#include "common/json_in.h"

using nlohmann::json;
using vklab::JsonIn;
using vklab::JsonReader;

TEST_CASE("json_in: fields of the right type are read") {
  json j = json::parse(R"({"s": "a", "n": 42, "b": true, "l": [1, 2], "o": {"k": "v"}, "ss": ["x", "y"]})");
  JsonReader r("doc");
  JsonIn top = r.top(j);
  CHECK(top.str("s") == "a");
  CHECK(top.integer("n", 0, 100) == 42);
  CHECK(top.boolean("b"));
  CHECK(top.list("l").size() == 2);
  CHECK(top.at("o").str("k") == "v");
  CHECK(top.strings("ss") == std::vector<std::string>{"x", "y"});
  CHECK(top.opt_str("absent") == std::nullopt);
  CHECK(top.str_or("absent", "d") == "d");
  CHECK(top.boolean_or("absent", true));
  CHECK(top.opt_integer("absent") == std::nullopt);
  CHECK(top.opt_list("absent").empty());
  CHECK(top.strings("absent", false).empty());
  CHECK(r.ok());
}

TEST_CASE("json_in: the first problem is kept, with its path") {
  json j = json::parse(R"({"guests": [{"name": "a"}, {"name": 7, "ifaces": "no"}]})");
  JsonReader r("plan");
  JsonIn top = r.top(j);
  auto guests = top.list("guests");
  REQUIRE(guests.size() == 2);
  CHECK(guests[0].str("name") == "a");
  CHECK(r.ok());
  CHECK(guests[1].str("name") == "");
  CHECK(guests[1].list("ifaces").empty());  // a second problem: not recorded
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "plan: guests[1].name: not a string");
}

TEST_CASE("json_in: each kind of problem") {
  auto first = [](const char* text, auto read) {
    json j = json::parse(text);
    JsonReader r("d");
    read(r.top(j));
    return r.ok() ? std::string("ok") : r.error().message;
  };
  CHECK(first(R"([])", [](const JsonIn&) {}) == "d: not a JSON object");
  CHECK(first(R"({})", [](const JsonIn& t) { t.str("k"); }) == "d: k: missing");
  CHECK(first(R"({"k": 1.5})", [](const JsonIn& t) { t.integer("k"); }) == "d: k: not an integer");
  CHECK(first(R"({"k": "1"})", [](const JsonIn& t) { t.opt_integer("k"); }) == "d: k: not an integer");
  CHECK(first(R"({"k": 9})", [](const JsonIn& t) { t.integer("k", 0, 8); }) == "d: k: out of range (0..8)");
  CHECK(first(R"({"k": 18446744073709551615})", [](const JsonIn& t) { t.integer("k"); }) == "d: k: out of range");
  CHECK(first(R"({"k": 1})", [](const JsonIn& t) { t.boolean_or("k", false); }) == "d: k: not a boolean");
  CHECK(first(R"({"k": {}})", [](const JsonIn& t) { t.list("k"); }) == "d: k: not a list");
  CHECK(first(R"({"k": [1]})", [](const JsonIn& t) { t.strings("k"); }) == "d: k[0]: not a string");
  CHECK(first(R"({"k": [7]})", [](const JsonIn& t) { t.list("k")[0].str("x"); }) == "d: k[0]: not an object");
  CHECK(first(R"({"k": null})", [](const JsonIn& t) { t.at("k").at("x").str("y"); }) == "d: k: not an object");
  CHECK(first(R"({"a": 1, "zz": 2})", [](const JsonIn& t) { t.only({"a"}); }) == "d: unknown field \"zz\"");
  CHECK(first(R"({"a": 1})", [](const JsonIn& t) { t.fail("a", "too big"); }) == "d: a: too big");
}
