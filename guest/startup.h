// startup: a guest's startup (or shutdown) script as one real shell
// script, each top-level command reported on its own.
//
// The script is cut into its top-level complete commands: a command starts
// on a line that is not blank or a comment and grows line by line until the
// guest's shell (`SHELL -n`) accepts it. Here-documents are read by the
// splitter itself (`<<WORD`, `<<-WORD` with its leading tabs, `<<'WORD'`,
// `<<"WORD"`, several on one line): a body belongs to the command whose
// line opened it, up to its delimiter line, and is never checked or cut
// (dash's `sh -n` accepts an unterminated here-document). A line ending in
// an unquoted `\`, or inside quotes, always takes the next one.
//
// The wrapper (rc_wrapper) is the same script, line for line (so the
// shell's own messages and LINENO name the script's lines), with each
// command in `{ … } 9>&- || vklab_failed LINE $? 'FIRST LINE'`: a failing
// command is reported and the script goes on, like rc. `cd`, variables and
// functions carry over (one shell, `{ }` groups). Reports go to stderr
// (the console: "r1: startup: line 3: exit 2: ip route add …") and, as
// vkernel/ready.h lines, to fd 9 when it is open (init's status pipe;
// closed inside each command, so a daemon the script starts never holds
// it). A command the shell never accepts (a syntax error) runs nothing: it
// is reported with the shell's parse error (exit 2) and the rest of the
// script, which it swallowed, does not run.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace vklab::vkernel {

/// The descriptor the wrapper reports on (vkernel/ready.h lines).
inline constexpr int kStartupReportFd = 9;

/// One top-level command of a script.
struct RcCommand {
  int line = 0;           ///< 1-based line of its first line
  int last = 0;           ///< 1-based line of its last line (here-document bodies included)
  std::string text;       ///< its lines, joined by '\n'
  bool complete = true;   ///< false: the shell never accepted it (a syntax error to the end)
  bool operator==(const RcCommand&) const = default;
};

/// Splits a script into its top-level commands, in order. `complete` says
/// whether a text is a complete command list (normally shell_complete).
std::vector<RcCommand> split_rc(std::string_view script,
                                const std::function<bool(const std::string&)>& complete);

/// The script that runs `cmds` (from split_rc(script)) in one shell, line
/// for line with `script`, reporting each failing one as
/// "<name>: <what>: line N: exit S: <first line>".
std::string rc_wrapper(std::string_view name, std::string_view what, std::string_view script,
                       const std::vector<RcCommand>& cmds);

/// The shell of the root this process sees: /bin/bash when it is there
/// (Kathará runs startup files with bash), else /bin/sh.
std::string startup_shell();

/// True when `shell -n` accepts `text` (read from a memory file on stdin,
/// so any size works).
bool shell_complete(const std::string& shell, const std::string& text);

}  // namespace vklab::vkernel
