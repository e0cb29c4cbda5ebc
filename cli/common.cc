#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/cli.h"
#include "common/text.h"
#include "topology/load.h"
#include "topology/netkit_load.h"
#include "topology/plan_json.h"
#include "topology/validate.h"

namespace vklab::cli {
namespace fs = std::filesystem;

std::optional<LoadedLab> load_lab(const std::string& path, topology::Target target) {
  LoadedLab out;
  // A directory is a Kathará lab (lab.conf); anything else a YAML file.
  auto lab = topology::is_netkit_dir(path) ? topology::load_netkit(path, out.diags)
                                           : topology::load_file(path, out.diags);
  if (lab) topology::validate(*lab, out.diags, target);
  out.diags.sort();
  std::cerr << out.diags.str();
  if (!lab || out.diags.has_errors()) return std::nullopt;
  out.lab = std::move(*lab);
  return out;
}

namespace {

std::string self_dir() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  buf[n] = 0;
  return fs::path(buf).parent_path().string();
}

// $ENV, else the build-tree sibling, else the installed path.
std::string find_binary(const char* env, const char* build_rel, const std::string& installed) {
  if (const char* e = std::getenv(env); e && *e) return e;
  fs::path p = fs::path(self_dir()) / build_rel;
  std::error_code ec;
  if (fs::exists(p, ec)) return fs::weakly_canonical(p, ec).string();
  return installed;
}

}  // namespace

std::string bundled_kernel_path() {
  return find_binary("VKLAB_VKERNEL", "../guest/vkernel", VKLAB_LIBEXECDIR "/vkernel");
}

std::string labd_path() {
  return find_binary("VKLAB_LABD", "../labd/labd", VKLAB_SBINDIR "/labd");
}

topology::Target host_target() {
  struct utsname u {};
  if (::uname(&u) == 0 && std::string_view(u.sysname) == "DragonFly") return topology::Target::DragonFly;
  return topology::Target::Linux;
}

CLI::Option* add_target_option(CLI::App& sub, topology::Target& target, const std::string& help) {
  target = host_target();
  auto set = [&target](const std::string& name) {
    target = name == "dragonfly" ? topology::Target::DragonFly : topology::Target::Linux;
  };
  return sub.add_option_function<std::string>("--target", set, help)
      ->check(CLI::IsMember({"linux", "dragonfly"}))
      ->default_str(topology::target_name(target));
}

topology::CompileOptions host_compile_options(const std::string& lab_file,
                                              const std::string& lab_name,
                                              topology::Target target, bool runs_here) {
  topology::CompileOptions o;
  o.target = target;
  std::error_code ec;
  fs::path dir = fs::absolute(fs::path(lab_file), ec);
  if (!topology::is_netkit_dir(lab_file)) dir = dir.parent_path();
  o.base_dir = dir.string();
  if (target == topology::Target::Linux) o.auto_kernel = bundled_kernel_path();
  if (target == topology::Target::Linux || runs_here) o.state_dir = labd::state_root() + "/" + lab_name;
  return o;
}

std::vector<std::string> lab_names() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(labd::state_root(), ec))
    if (e.is_directory(ec) && fs::exists(e.path() / "state.json", ec))
      out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> lab_named_by_path(const std::string& arg) {
  std::error_code ec;
  fs::path p(arg);
  if (fs::is_directory(p, ec)) {
    if (fs::exists(p / topology::kNetkitConf, ec)) {
      auto name = topology::netkit_lab_name(p.string());
      if (name) return name.value();
      return std::nullopt;
    }
    p /= "lab.yaml";
  }
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  Diagnostics d;
  auto lab = topology::load_file(p.string(), d);
  if (!lab || lab->name.value.empty()) return std::nullopt;
  return lab->name.value;
}

Status check_lab_access(const labd::StateDir& dir) {
  for (const std::string& p : {dir.dir, dir.state_json()}) {
    if (::access(p.c_str(), R_OK) == 0 || errno == ENOENT) continue;
    if (errno == EACCES || errno == EPERM) return make_error(p + ": permission denied");
  }
  return {};
}

std::string resolve_lab(const std::string& name, int& exit, const std::string& guest) {
  exit = kExitOk;
  if (!name.empty()) {
    std::string lab = lab_named_by_path(name).value_or(name);
    std::error_code ec;
    if (!fs::exists(fs::path(labd::state_root()) / lab, ec)) {
      // Not running: a likely typo of one that is gets a suggestion, not
      // "nothing to do".
      if (std::string near = did_you_mean(lab, lab_names()); !near.empty()) {
        std::cerr << "vklab: " << lab << ": no such lab (did you mean \"" << near << "\"?)\n";
        exit = kExitUsage;
        return "";
      }
    }
    return lab;
  }
  const std::string root = labd::state_root();
  if (::access(root.c_str(), F_OK) == 0 && ::access(root.c_str(), R_OK | X_OK) != 0 && errno == EACCES) {
    std::cerr << "vklab: " << root << ": permission denied\n";
    exit = kExitFailure;
    return "";
  }
  if (auto here = lab_named_by_path(".")) return *here;
  auto labs = lab_names();
  if (labs.size() == 1) return labs.front();
  if (labs.size() > 1 && !guest.empty()) {
    std::vector<std::string> with;
    for (const auto& l : labs) {
      auto st = labd::read_state(labd::StateDir{labd::state_root() + "/" + l}.state_json());
      if (st && st->find(guest)) with.push_back(l);
    }
    if (with.size() == 1) return with.front();
    if (with.size() > 1) {
      std::cerr << "vklab: " << guest << " is a guest of several labs; name one with --lab:\n";
      for (const auto& l : with) std::cerr << "  " << l << "\n";
      exit = kExitUsage;
      return "";
    }
  }
  if (labs.size() > 1) {
    std::cerr << "vklab: several labs are running; name one:\n";
    for (const auto& l : labs) std::cerr << "  " << l << "\n";
    exit = kExitUsage;
  }
  return "";
}

std::optional<RunningLab> open_running_lab(const std::string& name, int& exit, int not_running,
                                           const std::string& guest) {
  std::string lab = resolve_lab(name, exit, guest);
  if (exit != kExitOk) return std::nullopt;
  if (lab.empty()) {
    std::cerr << "vklab: no lab is running\n";
    exit = not_running;
    return std::nullopt;
  }
  labd::StateDir dir{labd::state_root() + "/" + lab};
  if (Status a = check_lab_access(dir); !a) {
    std::cerr << "vklab: " << a.error().message << "\n";
    exit = kExitFailure;
    return std::nullopt;
  }
  auto st = labd::read_state(dir.state_json());
  if (!st) {
    std::cerr << "vklab: " << lab << ": not running\n";
    exit = not_running;
    return std::nullopt;
  }
  return RunningLab{lab, dir, std::move(*st)};
}

}  // namespace vklab::cli
