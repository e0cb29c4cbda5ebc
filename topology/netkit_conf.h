// netkit_conf: the lines of a Kathará lab.conf and lab.dep, as written.
//
// Internal to the Kathará front-end (netkit_load.h is its face). The
// readers are pure: text in, located entries and diagnostics out. They
// follow Kathará's own parser (src/Kathara/parser/netkit/) line for line:
//   lab.conf:  DEV[N]="CD"  DEV[N]="CD/MAC"  DEV[OPTION]=VALUE  LAB_KEY=VALUE
//              blank lines, '#' lines and trailing "  # comments"
//   lab.dep:   DEV: DEP1 DEP2 ...
// Every malformed line is an error at its line:col and reading goes on, so
// all of them are reported at once.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/diag.h"
#include "common/net.h"
#include "topology/model.h"

namespace vklab::topology::detail {

/// `DEV[N]="CD[/MAC]"`: interface N of DEV on collision domain CD.
struct ConfIface {
  Located<std::string> device;
  Located<int> index;             ///< loc: the N
  Located<std::string> cd;        ///< loc: the value
  std::optional<Located<Mac>> mac;
};

/// `DEV[OPTION]=VALUE`.
struct ConfOption {
  Located<std::string> device;
  Located<std::string> name;   ///< loc: the OPTION
  Located<std::string> value;  ///< unquoted; loc: the value
};

/// `LAB_KEY=VALUE` (LAB_NAME, LAB_DESCRIPTION, LAB_VERSION, LAB_AUTHOR,
/// LAB_EMAIL, LAB_WEB).
struct ConfMeta {
  Located<std::string> key;  ///< as written, e.g. "LAB_VERSION"
  std::string value;         ///< unquoted
};

struct LabConf {
  std::vector<ConfIface> ifaces;    ///< file order
  std::vector<ConfOption> options;  ///< file order
  std::vector<ConfMeta> meta;       ///< file order
};

/// Names Kathará reserves for itself; a device may not use them.
inline const std::vector<std::string> kReservedDeviceNames = {"shared", "_test"};

/// The LAB_ keys Kathará knows.
inline const std::vector<std::string> kLabMetaKeys = {"LAB_NAME",   "LAB_DESCRIPTION", "LAB_VERSION",
                                                      "LAB_AUTHOR", "LAB_EMAIL",       "LAB_WEB"};

/// Reads lab.conf `text`; `file` is the name used in SourceLocs.
LabConf read_lab_conf(const std::string& text, const std::string& file, Diagnostics& diags);

/// One line of lab.dep: `device` starts after every guest in `deps`.
struct DepLine {
  Located<std::string> device;
  std::vector<Located<std::string>> deps;
};

/// Reads lab.dep `text`; `file` is the name used in SourceLocs.
std::vector<DepLine> read_lab_dep(const std::string& text, const std::string& file,
                                  Diagnostics& diags);

/// Kathará's files are often written on Windows: a leading UTF-8 byte order
/// mark and the '\r' of "\r\n" line ends are dropped, as Kathará does.
std::string unix_text(std::string text);

}  // namespace vklab::topology::detail
