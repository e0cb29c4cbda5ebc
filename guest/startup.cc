#include "guest/startup.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "common/text.h"
#include "vkernel/ready.h"

namespace vklab::vkernel {
namespace {

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split_lines(std::string_view s) {
  std::vector<std::string> lines;
  for (size_t start = 0; start <= s.size();) {
    size_t nl = s.find('\n', start);
    if (nl == std::string_view::npos) nl = s.size();
    lines.emplace_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

/// A here-document opened on a line: its delimiter (quotes removed) and
/// whether `<<-` strips the body's leading tabs.
struct Heredoc {
  std::string delim;
  bool strip_tabs = false;
};

/// Just enough of the shell's lexer to know, at the end of each line,
/// whether the line goes on (open quotes, a trailing `\`) and which
/// here-documents it opened. Comments, `<<<` here-strings and `<<` inside
/// arithmetic are not here-documents.
class Lexer {
 public:
  void feed(const std::string& l) {
    escaped_ = false;
    for (size_t i = 0; i < l.size(); ++i) {
      char c = l[i];
      if (sq_) {
        if (c == '\'') sq_ = false;
        continue;
      }
      if (dq_) {
        if (c == '\\') ++i;
        else if (c == '"') dq_ = false;
        continue;
      }
      if (c == '\\') {
        if (i + 1 == l.size()) escaped_ = true;
        ++i;
      } else if (c == '\'') {
        sq_ = true;
      } else if (c == '"') {
        dq_ = true;
      } else if (c == '#' && (i == 0 || is_blank(l[i - 1]) || std::string_view(";&|(").find(l[i - 1]) != std::string_view::npos)) {
        return;  // a comment to the end of the line
      } else if (c == '(' && i + 1 < l.size() && l[i + 1] == '(' && (i == 0 || l[i - 1] != '(')) {
        arith_ += 2, ++i;  // "((" or "$((": arithmetic
      } else if (arith_ > 0 && c == '(') {
        ++arith_;
      } else if (arith_ > 0 && c == ')') {
        --arith_;
      } else if (arith_ == 0 && c == '<' && i + 1 < l.size() && l[i + 1] == '<') {
        if (i + 2 < l.size() && l[i + 2] == '<') {
          i += 2;  // a here-string
          continue;
        }
        i = heredoc(l, i + 2) - 1;
      }
    }
  }
  /// The line ends inside quotes or with a `\`: the command goes on.
  bool open() const { return sq_ || dq_ || escaped_; }
  /// Here-documents opened and not read yet; their bodies start on the next line.
  std::vector<Heredoc>& pending() { return pending_; }

 private:
  static bool is_blank(char c) { return c == ' ' || c == '\t'; }
  /// Reads the delimiter word after `<<` at `i`; returns where it ends.
  size_t heredoc(const std::string& l, size_t i) {
    Heredoc h;
    if (i < l.size() && l[i] == '-') h.strip_tabs = true, ++i;
    while (i < l.size() && is_blank(l[i])) ++i;
    for (; i < l.size(); ++i) {
      char c = l[i];
      if (is_blank(c) || std::string_view(";&|()<>").find(c) != std::string_view::npos) break;
      if (c == '\'' || c == '"') {
        size_t e = l.find(c, i + 1);
        if (e == std::string::npos) e = l.size();
        h.delim += l.substr(i + 1, e - i - 1);
        i = e;
      } else if (c == '\\' && i + 1 < l.size()) {
        h.delim += l[++i];
      } else {
        h.delim += c;
      }
    }
    if (!h.delim.empty()) pending_.push_back(std::move(h));
    return i;
  }

  bool sq_ = false, dq_ = false, escaped_ = false;
  int arith_ = 0;
  std::vector<Heredoc> pending_;
};

/// The first line of a command as reported: trimmed and cut to
/// kReadyTextMax bytes (never inside a UTF-8 sequence).
std::string first_line(const std::string& text) {
  std::string f = trim(text.substr(0, text.find('\n')));
  if (f.size() > kReadyTextMax) {
    size_t n = kReadyTextMax;
    while (n > 0 && (static_cast<unsigned char>(f[n]) & 0xC0) == 0x80) --n;
    f.resize(n);
  }
  return f;
}

}  // namespace

std::vector<RcCommand> split_rc(std::string_view script,
                                const std::function<bool(const std::string&)>& complete) {
  const std::vector<std::string> lines = split_lines(script);
  const size_t n = lines.size();
  std::vector<RcCommand> out;
  for (size_t i = 0; i < n;) {
    std::string t = trim(lines[i]);
    if (t.empty() || t[0] == '#') {
      ++i;
      continue;
    }
    Lexer lx;
    lx.feed(lines[i]);
    std::string text = lines[i];
    size_t j = i;
    bool ok = false;
    for (;;) {
      if (!lx.open() && !lx.pending().empty()) {  // here-document bodies, up to each delimiter
        for (const Heredoc& h : lx.pending())
          while (j + 1 < n) {
            const std::string& b = lines[++j];
            text += "\n" + b;
            size_t tabs = h.strip_tabs ? b.find_first_not_of('\t') : 0;
            if (std::string_view(b).substr(tabs == std::string::npos ? b.size() : tabs) == h.delim) break;
          }
        lx.pending().clear();
      }
      if (!lx.open() && complete(text)) {
        ok = true;
        break;
      }
      if (j + 1 >= n) break;
      text += "\n" + lines[++j];
      lx.feed(lines[j]);
    }
    out.push_back({static_cast<int>(i + 1), static_cast<int>(j + 1), text, ok});
    i = j + 1;
  }
  return out;
}

std::string rc_wrapper(std::string_view name, std::string_view what, std::string_view script,
                       const std::vector<RcCommand>& cmds) {
  std::vector<std::string> lines = split_lines(script);
  std::vector<std::string> pre(lines.size() + 1);
  const std::string fd = std::to_string(kStartupReportFd);
  pre[0] = "vklab_run() { { printf 'run %s %s\\n' \"$1\" \"$2\" >&" + fd +
           "; } 2>/dev/null; }; vklab_failed() { printf '%s: %s: line %s: exit %s: %s\\n' " +
           shell_quote(name) + " " + shell_quote(what) + " \"$1\" \"$2\" \"$3\" >&2; { printf 'failed %s %s %s\\n' " +
           "\"$1\" \"$2\" \"$3\" >&" + fd + "; } 2>/dev/null; }; ";
  for (const auto& c : cmds) {
    const size_t first = static_cast<size_t>(c.line - 1), last = static_cast<size_t>(c.last - 1);
    const std::string line = std::to_string(c.line), text = shell_quote(first_line(c.text));
    pre[first] += "vklab_run " + line + " " + text + "; ";
    const std::string report = " " + fd + ">&- || vklab_failed " + line + " $? " + text + "; ";
    if (c.complete) {
      pre[first] += "{ ";
      pre[last + 1] += "}" + report;
    } else {  // the shell's own parse error, and nothing of it runs
      std::vector<std::string> q = split_lines(shell_quote(c.text));
      for (size_t k = 0; k < q.size() && first + k < lines.size(); ++k) lines[first + k] = q[k];
      lines[first] = "( eval " + lines[first];
      lines[last] += " )" + report;
    }
  }
  std::string s;
  for (size_t k = 0; k < lines.size(); ++k) s += pre[k] + lines[k] + "\n";
  if (!pre.back().empty()) s += pre.back() + "\n";
  return s;
}

std::string startup_shell() { return ::access("/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh"; }

bool shell_complete(const std::string& shell, const std::string& text) {
  int mem = memfd_create("vklab-rc", MFD_CLOEXEC);
  if (mem < 0) return true;  // cannot check: one line per command
  for (size_t off = 0; off < text.size();) {
    ssize_t w = ::write(mem, text.data() + off, text.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    off += static_cast<size_t>(w);
  }
  ::lseek(mem, 0, SEEK_SET);
  pid_t pid = fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_RDWR);
    dup2(mem, 0);
    if (null >= 0) dup2(null, 1), dup2(null, 2);
    execl(shell.c_str(), shell.c_str(), "-n", static_cast<char*>(nullptr));
    _exit(127);
  }
  ::close(mem);
  if (pid < 0) return true;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace vklab::vkernel
