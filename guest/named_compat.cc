#include "guest/named_compat.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace vklab::vkernel {
namespace {

constexpr std::string_view kGone = "' no longer exists";
constexpr std::string_view kOption = ": option '";
/// The plugin that holds the filter-aaaa options since BIND 9.16 (one
/// instance for all of them).
constexpr std::string_view kPluginOpen = "plugin query \"filter-aaaa.so\" { ";
/// Rounds of check-and-edit: one option per round.
constexpr int kMaxRounds = 64;

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }

/// Offset of line `n` (1-based) in `text`, npos when it has fewer lines.
size_t line_start(const std::string& text, int n) {
  size_t at = 0;
  for (int i = 1; i < n; ++i) {
    at = text.find('\n', at);
    if (at == std::string::npos) return at;
    ++at;
  }
  return at <= text.size() ? at : std::string::npos;
}

/// Where the statement beginning at `b` ends (the offset after its ';' at
/// brace depth 0), npos when it does not end.
size_t statement_end(const std::string& text, size_t b) {
  int depth = 0;
  bool quote = false;
  for (size_t i = b; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == '"') quote = false;
    } else if (c == '"') {
      quote = true;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (--depth < 0) return std::string::npos;
    } else if (c == ';' && depth == 0) {
      return i + 1;
    }
  }
  return std::string::npos;
}

/// The statement's second word ("no" in "dnssec-enable no;").
std::string value_of(const std::string& stmt) {
  std::istringstream in(stmt);
  std::string name, value;
  in >> name >> value;
  while (!value.empty() && value.back() == ';') value.pop_back();
  return value;
}

bool is_filter_aaaa(const std::string& o) {
  return o == "filter-aaaa-on-v4" || o == "filter-aaaa-on-v6" || o == "filter-aaaa";
}

/// Runs named-checkconf on kNamedConf; its output (stdout and stderr) in
/// `out`. Returns its exit status, -1 when it could not run.
int checkconf(std::string& out) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) return -1;
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]), ::close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    ::dup2(fds[1], 1), ::dup2(fds[1], 2);
    int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    ::execl(kNamedCheckconf, kNamedCheckconf, kNamedConf, static_cast<char*>(nullptr));
    _exit(127);
  }
  ::close(fds[1]);
  out.clear();
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void say_output(const std::string& out) {
  std::istringstream in(out);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) std::fprintf(stderr, "named: %s\n", l.c_str());
}

/// Replaces `path` by `text`, keeping its owner and mode (temp + rename).
bool rewrite(const std::string& path, const std::string& text) {
  struct stat st{};
  if (::stat(path.c_str(), &st) < 0) return false;
  std::string tmp = path + ".vklab-tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ok && ::fchown(fd, st.st_uid, st.st_gid) == 0 && ::fchmod(fd, st.st_mode & 07777) == 0;
  ok = ::close(fd) == 0 && ok;
  if (ok && ::rename(tmp.c_str(), path.c_str()) == 0) return true;
  ::unlink(tmp.c_str());
  return false;
}

}  // namespace

std::optional<Refusal> first_refusal(const std::string& output) {
  std::istringstream in(output);
  for (std::string l; std::getline(in, l);) {
    size_t o = l.find(kOption);
    if (o == std::string::npos || !l.ends_with(kGone)) continue;
    std::string where = l.substr(0, o);
    size_t colon = where.rfind(':');
    if (colon == std::string::npos || colon == 0) continue;
    std::string num = where.substr(colon + 1);
    if (num.empty() || num.size() > 9 || num.find_first_not_of("0123456789") != std::string::npos) continue;
    size_t b = o + kOption.size();
    std::string option = l.substr(b, l.size() - kGone.size() - b);
    if (option.empty() || !std::all_of(option.begin(), option.end(), word_char)) continue;
    return Refusal{where.substr(0, colon), std::stoi(num), option};
  }
  return std::nullopt;
}

std::optional<std::string> retire_option(const std::string& text, const Refusal& r, std::string& note) {
  size_t ls = line_start(text, r.line);
  if (ls == std::string::npos) return std::nullopt;
  size_t le = text.find('\n', ls);
  if (le == std::string::npos) le = text.size();
  size_t b = std::string::npos;
  for (size_t at = text.find(r.option, ls); at != std::string::npos && at < le; at = text.find(r.option, at + 1)) {
    size_t after = at + r.option.size();
    if ((at == 0 || !word_char(text[at - 1])) && (after >= text.size() || !word_char(text[after]))) {
      b = at;
      break;
    }
  }
  if (b == std::string::npos) return std::nullopt;
  size_t e = statement_end(text, b);
  if (e == std::string::npos) return std::nullopt;
  std::string stmt = text.substr(b, e - b);
  if (stmt.find("*/") != std::string::npos) return std::nullopt;

  std::string in_place = "/* vklab: this host's BIND has no '" + r.option + "' any more: " + stmt + " */";
  note = r.file + ":" + std::to_string(r.line) + ": '" + stmt +
         "' commented out (this host's BIND removed the option; the lab was written for an older BIND)";
  if (r.option == "dnssec-enable") {
    std::string v = value_of(stmt);
    if ((v == "no" || v == "false" || v == "0") && text.find("dnssec-validation") == std::string::npos) {
      in_place += " dnssec-validation no;";
      note += ", 'dnssec-validation no;' in its place";
    }
  }
  std::string out = text.substr(0, b) + in_place + text.substr(e);
  if (is_filter_aaaa(r.option)) {
    note += ", moved into '" + std::string(kPluginOpen) + "…' at the end of the file";
    size_t p = out.find("\n" + std::string(kPluginOpen));
    if (p != std::string::npos) return out.insert(p + 1 + kPluginOpen.size(), stmt + " ");
    if (!out.empty() && out.back() != '\n') out += '\n';
    out += "\n// vklab: filter-aaaa is a plugin since BIND 9.16\n" + std::string(kPluginOpen) + stmt + " };\n";
  }
  return out;
}

void prepare_named_config() {
  if (::access(kNamedCheckconf, X_OK) != 0 || ::access(kNamedConf, R_OK) != 0) return;
  std::string out;
  for (int round = 0; round < kMaxRounds; ++round) {
    int rc = checkconf(out);
    if (rc == 0 || rc < 0) return;
    auto r = first_refusal(out);
    if (!r || r->file.empty() || r->file[0] != '/') break;
    std::ifstream in(r->file);
    if (!in) break;
    std::stringstream s;
    s << in.rdbuf();
    std::string note;
    auto edited = retire_option(s.str(), *r, note);
    if (!edited || !rewrite(r->file, *edited)) break;
    std::fprintf(stderr, "named: %s\n", note.c_str());
  }
  say_output(out);
}

}  // namespace vklab::vkernel
