// named_compat: what named-checkconf refuses, and the edits that make the
// host's BIND accept a configuration written for an older one. (Starting
// named with them is tested inside guests: tests/kathara dns.)
#include <doctest/doctest.h>

#include "guest/named_compat.h"

using namespace vklab::vkernel;

TEST_CASE("named_compat: the first option named-checkconf says no longer exists") {
  auto r = first_refusal(
      "/etc/bind/named.conf.options:4: option 'auto-dnssec' is deprecated\n"
      "/etc/bind/named.conf.options:6: option 'dnssec-enable' no longer exists\n");
  REQUIRE(r);
  CHECK(r->file == "/etc/bind/named.conf.options");
  CHECK(r->line == 6);
  CHECK(r->option == "dnssec-enable");
  // Other refusals are not ours to fix.
  CHECK_FALSE(first_refusal("/etc/bind/named.conf:3: unknown option 'bogus'\n"));
  CHECK_FALSE(first_refusal("/etc/bind/named.conf:3: 'sha1' unexpected\n"));
  CHECK_FALSE(first_refusal(""));
  CHECK_FALSE(first_refusal("named.conf:x: option 'a' no longer exists\n"));
  CHECK_FALSE(first_refusal(":3: option 'a' no longer exists\n"));
  CHECK_FALSE(first_refusal("/f:3: option 'a;b' no longer exists\n"));
}

namespace {
const std::string kOptions =
    "options {\n"
    "    directory \"/var/cache/bind\";\n"
    "    dnssec-enable no;\n"
    "    dnssec-lookaside no; send-cookie no;\n"
    "    filter-aaaa { 10.0.0.0/8; any; };\n"
    "};\n";
std::string retire(const std::string& text, int line, const std::string& option, std::string* note = nullptr) {
  std::string n;
  auto out = retire_option(text, Refusal{"/etc/bind/named.conf.options", line, option}, n);
  if (note) *note = n;
  return out ? *out : "(none)";
}
}  // namespace

TEST_CASE("named_compat: a removed option is commented out in place, the rest kept") {
  std::string note;
  CHECK(retire(kOptions, 4, "dnssec-lookaside", &note) ==
        "options {\n"
        "    directory \"/var/cache/bind\";\n"
        "    dnssec-enable no;\n"
        "    /* vklab: this host's BIND has no 'dnssec-lookaside' any more: dnssec-lookaside no; */ send-cookie no;\n"
        "    filter-aaaa { 10.0.0.0/8; any; };\n"
        "};\n");
  CHECK(note ==
        "/etc/bind/named.conf.options:4: 'dnssec-lookaside no;' commented out (this host's BIND removed the "
        "option; the lab was written for an older BIND)");
}

TEST_CASE("named_compat: dnssec-enable no turns validation off unless the file says otherwise") {
  std::string note;
  std::string out = retire(kOptions, 3, "dnssec-enable", &note);
  CHECK(out.find("    /* vklab: this host's BIND has no 'dnssec-enable' any more: dnssec-enable no; */ "
                 "dnssec-validation no;\n") != std::string::npos);
  CHECK(note.ends_with(", 'dnssec-validation no;' in its place"));
  std::string with = "options {\n dnssec-validation yes;\n dnssec-enable no;\n};\n";
  CHECK(retire(with, 3, "dnssec-enable") ==
        "options {\n dnssec-validation yes;\n /* vklab: this host's BIND has no 'dnssec-enable' any more: "
        "dnssec-enable no; */\n};\n");
  std::string yes = "options { dnssec-enable yes; };";
  CHECK(retire(yes, 1, "dnssec-enable") ==
        "options { /* vklab: this host's BIND has no 'dnssec-enable' any more: dnssec-enable yes; */ };");
}

TEST_CASE("named_compat: filter-aaaa moves into the plugin, braces and all") {
  std::string out = retire(kOptions, 5, "filter-aaaa");
  CHECK(out.find("    /* vklab: this host's BIND has no 'filter-aaaa' any more: filter-aaaa { 10.0.0.0/8; any; }; */\n") !=
        std::string::npos);
  CHECK(out.ends_with("};\n\n// vklab: filter-aaaa is a plugin since BIND 9.16\n"
                      "plugin query \"filter-aaaa.so\" { filter-aaaa { 10.0.0.0/8; any; }; };\n"));
  // The next one joins the same plugin instance.
  std::string text = "options {\n filter-aaaa-on-v4 yes;\n};\n" + out.substr(out.find("\n// vklab: filter"));
  std::string two = retire(text, 2, "filter-aaaa-on-v4");
  CHECK(two.ends_with("\nplugin query \"filter-aaaa.so\" { filter-aaaa-on-v4 yes; filter-aaaa { 10.0.0.0/8; any; }; };\n"));
  CHECK(two.find("plugin query") == two.rfind("plugin query"));
}

TEST_CASE("named_compat: nothing to do when the statement is not where named-checkconf says") {
  CHECK(retire(kOptions, 2, "dnssec-enable") == "(none)");
  CHECK(retire(kOptions, 40, "dnssec-enable") == "(none)");
  // A longer option's name is not the option.
  CHECK(retire("options { dnssec-enable-x no; };", 1, "dnssec-enable") == "(none)");
  // Unterminated, or a comment end inside: left alone.
  CHECK(retire("options { dnssec-enable no", 1, "dnssec-enable") == "(none)");
  CHECK(retire("options { sit-secret \"*/\"; };", 1, "sit-secret") == "(none)");
  // A ';' inside quotes does not end the statement.
  CHECK(retire("options { sit-secret \"a;b\"; };", 1, "sit-secret") ==
        "options { /* vklab: this host's BIND has no 'sit-secret' any more: sit-secret \"a;b\"; */ };");
}
