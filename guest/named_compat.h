// A BIND configuration written for an older BIND, started by this host's.
//
// A Kathará lab pins its BIND through its image (kathara/bind:9.11); a
// vklab guest runs the host's named (Debian 12: BIND 9.18), whose parser
// refuses, as a fatal error, the options older releases had and later
// removed ("/etc/bind/named.conf.options:6: option 'dnssec-enable' no
// longer exists"), so named never starts, and it says so only to syslog,
// which no guest runs. Before `systemctl start|restart bind9` runs named's
// init script (services.h), the guest asks the host's own parser,
// named-checkconf, what it refuses, and edits the guest's copy of the file
// (its writable layer: the lab's folder on the host is never touched):
//   - an option that "no longer exists" is commented out in place, with a
//     comment naming why; its meaning is gone from this BIND anyway;
//   - `dnssec-enable no;` becomes `dnssec-validation no;` when the file
//     says nothing of dnssec-validation (9.11 did not validate with DNSSEC
//     off; 9.18 validates by default against the real root's key, which a
//     lab's own root zone never matches);
//   - filter-aaaa-on-v4, filter-aaaa-on-v6 and filter-aaaa moved to a
//     plugin: the statement goes into `plugin query "filter-aaaa.so" {…};`
//     at the end of the same file.
// Each change is one line on stderr (the guest's startup log). This repeats
// until named-checkconf accepts the configuration or refuses something
// else; then its own message is printed and the init script runs as is
// (and fails as it would have). Only the default configuration,
// /etc/bind/named.conf, is checked.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vklab::vkernel {

/// The init scripts that start named (Debian 12: named; before: bind9).
inline constexpr const char* kNamedScripts[] = {"named", "bind9"};
/// The configuration named reads without -c.
inline constexpr const char* kNamedConf = "/etc/bind/named.conf";
/// The host's parser, the judge of what its named accepts.
inline constexpr const char* kNamedCheckconf = "/usr/bin/named-checkconf";

/// One option named-checkconf refuses because this BIND removed it.
struct Refusal {
  std::string file;    ///< as named-checkconf names it (absolute)
  int line = 0;        ///< 1-based
  std::string option;  ///< "dnssec-enable"
};

/// The first "FILE:LINE: option 'X' no longer exists" of named-checkconf's
/// output; nullopt when there is none (accepted, or refused for another
/// reason).
std::optional<Refusal> first_refusal(const std::string& checkconf_output);

/// `text` (the content of r.file) with the statement of r.option that
/// begins on r.line commented out (`/* vklab: … */`) and, for the options
/// above, its replacement. nullopt when no such statement starts on that
/// line or it cannot be commented out safely (it holds "*/"). `note` is the
/// one line said about the change.
std::optional<std::string> retire_option(const std::string& text, const Refusal& r, std::string& note);

/// The guest side: runs named-checkconf and edits until it accepts or
/// refuses something else (at most a bounded number of rounds). Messages go
/// to stderr prefixed "named: ". Does nothing without named-checkconf or
/// kNamedConf. Never fails: the init script decides.
void prepare_named_config();

}  // namespace vklab::vkernel
