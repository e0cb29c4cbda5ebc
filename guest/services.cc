#include "guest/services.h"

#include "common/sys.h"

#include <dirent.h>
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

#include "common/sys.h"
#include "common/text.h"
#include "guest/named_compat.h"
#include "guest/power.h"

namespace vklab::vkernel {
namespace {

constexpr std::string_view kSuffix = ".service";
const char* const kUnitDirs[] = {"/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"};
/// What a Debian init script is run with (as /usr/sbin/service does).
constexpr const char* kScriptPath = kDefaultPath;

std::string_view base(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string strip_suffix(std::string_view u) {
  if (u.size() > kSuffix.size() && u.substr(u.size() - kSuffix.size()) == kSuffix)
    u.remove_suffix(kSuffix.size());
  return std::string(u);
}

/// A unit name that can only name a file of the unit directories.
bool valid_unit(std::string_view u) {
  if (u.empty() || u[0] == '.' || u[0] == '-') return false;
  return std::all_of(u.begin(), u.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '@' ||
           c == ':';
  });
}

bool executable(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

std::string join_root(const std::string& root, const std::string& path) {
  return root == "/" || root.empty() ? path : root + path;
}

/// The unit names listed by `Alias=` lines of a unit file.
std::vector<std::string> aliases(const std::string& file) {
  std::ifstream in(file);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos || line.compare(b, 6, "Alias=") != 0) continue;
    std::istringstream words(line.substr(b + 6));
    for (std::string w; words >> w;) out.push_back(w);
  }
  return out;
}

const std::vector<std::string> kSystemctlVerbs = {
    "start",      "stop",   "restart",    "reload",  "try-restart", "reload-or-restart",
    "status",     "is-active", "is-enabled", "enable", "disable",   "daemon-reload"};

std::string usage_systemctl() {
  return "usage: systemctl [-q] start|stop|restart|reload|try-restart|reload-or-restart|status|"
         "is-active|is-enabled|enable|disable [--now] UNIT...\n"
         "       systemctl daemon-reload";
}
std::string usage_service() { return "usage: service UNIT ACTION [ARGS...]\n       service --status-all"; }

}  // namespace

bool is_service_command(std::string_view argv0) {
  for (std::string_view c : kServiceCommands)
    if (base(argv0) == c) return true;
  return false;
}

ServiceRequest parse_systemctl(const std::vector<std::string>& args) {
  ServiceRequest r;
  for (const auto& a : args) {
    if (a == "-h" || a == "--help") {
      r.help = true;
    } else if (a == "-q" || a == "--quiet") {
      r.quiet = true;
    } else if (a == "--now") {
      r.now = true;
    } else if (a == "--no-pager" || a == "--no-block" || a == "--no-ask-password" || a == "--full" ||
               a == "-l" || a == "--system") {
      // accepted, nothing to do without systemd
    } else if (!a.empty() && a[0] == '-') {
      r.error = "systemctl: unknown option '" + a + "'";
    } else if (r.verb.empty()) {
      r.verb = a;
    } else {
      r.units.push_back(a);
    }
  }
  if (r.help || !r.error.empty()) return r;
  if (r.verb.empty()) {
    r.error = "systemctl: say what to do";
  } else if (std::find(kSystemctlVerbs.begin(), kSystemctlVerbs.end(), r.verb) == kSystemctlVerbs.end()) {
    r.error = "systemctl: unknown command verb '" + r.verb + "' (a vklab guest runs init scripts)" +
              did_you_mean_suffix(r.verb, kSystemctlVerbs);
  } else if (r.verb == "daemon-reload") {
    if (!r.units.empty()) r.error = "systemctl: daemon-reload takes no unit";
  } else if (r.units.empty()) {
    r.error = "systemctl: " + r.verb + " needs a unit";
  } else if (r.now && r.verb != "enable" && r.verb != "disable") {
    r.error = "systemctl: --now goes with enable or disable";
  }
  if (!r.error.empty()) r.error += "\n" + usage_systemctl();
  return r;
}

ServiceRequest parse_service(const std::vector<std::string>& args) {
  ServiceRequest r;
  if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
    r.help = true;
    return r;
  }
  if (args.size() == 1 && args[0] == "--status-all") {
    r.verb = "status-all";
    return r;
  }
  if (args.size() < 2 || args[0].starts_with("-")) {
    r.error = std::string("service: ") + (args.empty() ? "say which unit" : "say what to do with " + args[0]) +
              "\n" + usage_service();
    return r;
  }
  r.units = {args[0]};
  r.verb = args[1];
  r.extra.assign(args.begin() + 2, args.end());
  return r;
}

std::optional<Unit> resolve_unit(const std::string& root, const std::string& unit, std::string& why) {
  std::string n = strip_suffix(unit);
  if (!valid_unit(n)) {
    why = "Unit " + unit + " not found (a vklab guest runs services: NAME or NAME.service)";
    return std::nullopt;
  }
  auto script_of = [&](const std::string& name) -> std::optional<Unit> {
    if (executable(join_root(root, "/etc/init.d/" + name))) return Unit{name, name};
    return std::nullopt;
  };
  if (auto u = script_of(n)) return u;
  const std::string file = n + std::string(kSuffix);
  // An alias as a symlink to the real unit file.
  for (const char* dir : kUnitDirs) {
    std::string link = join_root(root, std::string(dir) + "/" + file);
    char buf[4096];
    ssize_t len = ::readlink(link.c_str(), buf, sizeof buf - 1);
    if (len <= 0) continue;
    std::string target = strip_suffix(base(std::string_view(buf, static_cast<size_t>(len))));
    if (valid_unit(target) && target != n)
      if (auto u = script_of(target)) return u;
  }
  // An alias declared by Alias= in a unit file.
  for (const char* dir : kUnitDirs) {
    std::string d = join_root(root, dir);
    DIR* dp = ::opendir(d.c_str());
    if (!dp) continue;
    std::vector<std::string> files;
    while (dirent* e = ::readdir(dp)) {
      std::string f = e->d_name;
      if (f.size() > kSuffix.size() && f.ends_with(kSuffix)) files.push_back(f);
    }
    ::closedir(dp);
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      auto al = aliases(d + "/" + f);
      if (std::find(al.begin(), al.end(), file) == al.end()) continue;
      if (auto u = script_of(strip_suffix(f))) return u;
    }
  }
  bool has_file = false;
  for (const char* dir : kUnitDirs) {
    struct stat st{};
    if (::stat(join_root(root, std::string(dir) + "/" + file).c_str(), &st) == 0) has_file = true;
  }
  why = has_file ? "Unit " + file + " has no init script (/etc/init.d/" + n +
                       "): a vklab guest runs services through their init scripts"
                 : "Unit " + file + " not found.";
  return std::nullopt;
}

std::string record_started(const std::string& text, const std::string& script) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (l == script) return text;
  return text + script + "\n";
}

std::string record_stopped(const std::string& text, const std::string& script) {
  std::istringstream in(text);
  std::string out;
  for (std::string l; std::getline(in, l);)
    if (l != script && !l.empty()) out += l + "\n";
  return out;
}

std::string services_stop_script(const std::string& record_text, std::string_view guest) {
  std::vector<std::string> units;
  std::istringstream in(record_text);
  for (std::string l; std::getline(in, l);)
    if (valid_unit(l)) units.push_back(l);
  std::string s;
  for (auto it = units.rbegin(); it != units.rend(); ++it) {
    std::string script = "/etc/init.d/" + *it;
    s += "echo " + shell_quote(std::string(guest) + ": init: stopping " + *it) + "\n" + shell_quote(script) +
         " stop </dev/null || echo " + shell_quote(std::string(guest) + ": init: " + *it + " stop failed") +
         " >&2\n";
  }
  return s;
}

std::string read_services_record() {
  std::ifstream in(kServicesRecord);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

namespace {

bool is_named(const std::string& script) {
  for (const char* n : kNamedScripts)
    if (script == n) return true;
  return false;
}

/// Runs /etc/init.d/SCRIPT ACTION ARGS… and returns its exit status (127:
/// could not run it). With `quiet` its output goes to /dev/null.
int run_script(const std::string& script, const std::string& action, const std::vector<std::string>& extra,
               bool quiet) {
  std::string path = "/etc/init.d/" + script;
  pid_t pid = ::fork();
  if (pid < 0) return 127;
  if (pid == 0) {
    if (quiet) {
      int null = ::open("/dev/null", O_WRONLY);
      if (null >= 0) ::dup2(null, 1), ::dup2(null, 2);
    }
    std::vector<std::string> env = {"PATH=" + std::string(kPowerBinDir) + ":" + kScriptPath,
                                    "_SYSTEMCTL_SKIP_REDIRECT=1", "LANG=C"};
    if (const char* t = std::getenv("TERM")) env.push_back(std::string("TERM=") + t);
    if (const char* h = std::getenv("HOSTNAME")) env.push_back(std::string("HOSTNAME=") + h);
    std::vector<char*> envp, argv{path.data(), const_cast<char*>(action.c_str())};
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    for (const auto& a : extra) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (::chdir("/") < 0) _exit(127);
    ::execve(path.c_str(), argv.data(), envp.data());
    std::fprintf(stderr, "%s: %s\n", path.c_str(), std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void write_record(const std::string& text) {
  std::string tmp = std::string(kServicesRecord) + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
  }
  ::rename(tmp.c_str(), kServicesRecord);
}

/// enable/disable: the unit's link in multi-user.target.wants, as
/// systemctl makes it offline.
int set_enabled(const Unit& u, bool on, bool quiet) {
  std::string wants = "/etc/systemd/system/multi-user.target.wants";
  std::string link = wants + "/" + u.name + std::string(kSuffix);
  if (on) {
    std::string target;
    for (const char* dir : {"/lib/systemd/system", "/usr/lib/systemd/system"})
      if (::access((std::string(dir) + "/" + u.name + std::string(kSuffix)).c_str(), F_OK) == 0) {
        target = std::string(dir) + "/" + u.name + std::string(kSuffix);
        break;
      }
    if (target.empty()) target = "/etc/init.d/" + u.script;
    ::mkdir("/etc/systemd", 0755), ::mkdir("/etc/systemd/system", 0755), ::mkdir(wants.c_str(), 0755);
    if (::symlink(target.c_str(), link.c_str()) < 0 && errno != EEXIST) {
      std::fprintf(stderr, "systemctl: %s: %s\n", link.c_str(), std::strerror(errno));
      return kSvcFailed;
    }
    if (!quiet) std::printf("Created symlink %s -> %s.\n", link.c_str(), target.c_str());
  } else if (::unlink(link.c_str()) == 0) {
    if (!quiet) std::printf("Removed \"%s\".\n", link.c_str());
  }
  return kSvcOk;
}

/// One unit, one verb. `service` passes any other action to the script.
int act(const ServiceRequest& r, const std::string& unit, bool is_service) {
  std::string why;
  auto u = resolve_unit("/", unit, why);
  const std::string& v = r.verb;
  if (!u) {
    if (v == "is-active") {
      if (!r.quiet) std::printf("inactive\n");
      return kSvcInactive;
    }
    std::fprintf(stderr, "%s%s\n", is_service ? (unit + ": ").c_str() : "", why.c_str());
    return v == "status" ? kSvcNoUnitStatus : kSvcNoUnit;
  }
  auto runs = [&](const std::string& action) { return run_script(u->script, action, r.extra, r.quiet); };
  auto failed = [&](const std::string& what) {
    std::fprintf(stderr, "Job for %s.service failed: /etc/init.d/%s %s exited non-zero.\n", u->name.c_str(),
                 u->script.c_str(), what.c_str());
    return kSvcFailed;
  };
  if (v == "start" || v == "restart" || v == "reload-or-restart" || v == "try-restart") {
    bool running = run_script(u->script, "status", {}, true) == 0;
    if (v == "try-restart" && !running) return kSvcOk;
    std::string action = v == "start" ? "start" : "restart";
    if (v == "start" && running) {
      write_record(record_started(read_services_record(), u->script));
      return kSvcOk;
    }
    if (is_named(u->script)) prepare_named_config();
    if (runs(action) != 0) return failed(action);
    write_record(record_started(read_services_record(), u->script));
    return kSvcOk;
  }
  if (v == "stop") {
    int rc = runs("stop");
    write_record(record_stopped(read_services_record(), u->script));
    return rc == 0 ? kSvcOk : failed("stop");
  }
  if (v == "reload") return runs("reload") == 0 ? kSvcOk : failed("reload");
  if (v == "status") {
    int rc = run_script(u->script, "status", r.extra, r.quiet);
    return rc == 0 ? kSvcOk : rc == 4 ? kSvcNoUnitStatus : kSvcInactive;
  }
  if (v == "is-active") {
    bool active = run_script(u->script, "status", {}, true) == 0;
    if (!r.quiet) std::printf("%s\n", active ? "active" : "inactive");
    return active ? kSvcOk : kSvcInactive;
  }
  if (v == "is-enabled") {
    std::string link = "/etc/systemd/system/multi-user.target.wants/" + u->name + std::string(kSuffix);
    bool on = ::access(link.c_str(), F_OK) == 0;
    if (!r.quiet) std::printf("%s\n", on ? "enabled" : "disabled");
    return on ? kSvcOk : kSvcFailed;
  }
  if (v == "enable" || v == "disable") {
    int rc = set_enabled(*u, v == "enable", r.quiet);
    if (rc == kSvcOk && r.now) {
      ServiceRequest now = r;
      now.verb = v == "enable" ? "start" : "stop";
      return act(now, unit, is_service);
    }
    return rc;
  }
  // service UNIT ACTION: the script's own action (force-reload, graceful, …).
  int rc = runs(v);
  if (rc == 0 && v == "force-reload") write_record(record_started(read_services_record(), u->script));
  return rc;
}

int status_all() {
  DIR* d = ::opendir("/etc/init.d");
  if (!d) return kSvcOk;
  std::vector<std::string> scripts;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (valid_unit(n) && n != "README" && n.find('.') == std::string::npos && executable("/etc/init.d/" + n))
      scripts.push_back(n);
  }
  ::closedir(d);
  std::sort(scripts.begin(), scripts.end());
  for (const auto& s : scripts) {
    int rc = run_script(s, "status", {}, true);
    std::printf(" [ %c ]  %s\n", rc == 0 ? '+' : rc == 3 ? '-' : '?', s.c_str());
  }
  return kSvcOk;
}

}  // namespace

int services_main(const std::vector<std::string>& argv) {
  std::string cmd(base(argv.empty() ? "systemctl" : argv[0]));
  std::vector<std::string> args(argv.begin() + (argv.empty() ? 0 : 1), argv.end());
  bool is_service = cmd == "service";
  ServiceRequest r = is_service ? parse_service(args) : parse_systemctl(args);
  if (r.help) {
    std::printf("%s\n", (is_service ? usage_service() : usage_systemctl()).c_str());
    return kSvcOk;
  }
  if (!r.error.empty()) {
    std::fprintf(stderr, "%s\n", r.error.c_str());
    return kSvcUsage;
  }
  if (int rc = check_in_guest(cmd)) return rc;
  if (r.verb == "daemon-reload") return kSvcOk;
  if (r.verb == "status-all") return status_all();
  int result = kSvcOk;
  for (const auto& unit : r.units) {
    int rc = act(r, unit, is_service);
    if (result == kSvcOk) result = rc;
  }
  return result;
}

}  // namespace vklab::vkernel
