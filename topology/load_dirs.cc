#include "topology/load_dirs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/text.h"

namespace vklab::topology::detail {
namespace fs = std::filesystem;

namespace {

std::string q(const std::string& s) { return "\"" + s + "\""; }

/// A path (relative ones relative to `lab_dir`) made absolute and normal.
fs::path lab_path(const fs::path& lab_dir, const std::string& p) {
  fs::path x(p);
  return (x.is_absolute() ? x : lab_dir / x).lexically_normal();
}

/// A path that -e cannot carry (the kernel drops quote characters) or that
/// would break a line of the guest's environment.
bool passable(const std::string& p) {
  return std::none_of(p.begin(), p.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return c == '"' || c == '\'' || u < 0x20 || u == 0x7f;
  });
}

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

/// Why `p` cannot be a folder given to a guest ("" = it can).
std::string folder_problem(const fs::path& p) {
  std::error_code ec;
  auto st = fs::status(p, ec);
  if (ec || !fs::exists(st)) return "does not exist";
  if (!fs::is_directory(st)) return "is not a directory";
  if (::access(p.c_str(), R_OK | X_OK) < 0) return "cannot be read";
  return "";
}

/// True when `dir` holds a lab of its own (lab.conf, *.yaml, *.yml on top).
bool holds_lab(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir / "lab.conf", ec)) return true;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    auto ext = it->path().extension();
    if ((ext == ".yaml" || ext == ".yml") && it->is_regular_file(ec)) return true;
  }
  return false;
}

/// `inner` is `outer` or below it (both absolute and normal).
bool within(const fs::path& inner, const fs::path& outer) {
  auto [o, i] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return o == outer.end();
}

void check_root(const GuestDecl& g, const fs::path& lab_dir, Diagnostics& d) {
  const auto& r = *g.root;
  if (r.value.empty()) {
    d.error(r.loc, "root needs a directory (the base tree of the guest's root)");
    return;
  }
  fs::path p = lab_path(lab_dir, r.value);
  if (!passable(p.string())) {
    d.error(r.loc, "root " + q(r.value) + ": a path with quote or control characters cannot be given to a guest");
    return;
  }
  if (auto why = folder_problem(p); !why.empty()) {
    d.error(r.loc, "root " + q(r.value) + " " + why + " (" + p.string() + ")");
    return;
  }
  struct stat st{};
  if (::lstat((p / "bin/sh").c_str(), &st) < 0)
    d.error(r.loc, "root " + q(r.value) + " has no /bin/sh: the guest's init runs it (" +
                       p.string() + ")");
}

void resolve_files(GuestDecl& g, const fs::path& lab_dir, Diagnostics& d) {
  if (!g.files) {
    if (g.name.empty() || g.name.find('/') != std::string::npos || g.name[0] == '.') return;
    fs::path p = lab_dir / g.name;
    if (is_dir(p) && passable(p.string()) && folder_problem(p).empty()) g.files_dir = p.string();
    else if (is_dir(p))
      d.error(g.loc, "the folder of guest " + q(g.name) + " (" + p.string() + ") " +
                                    (passable(p.string()) ? folder_problem(p)
                                                          : "has quote or control characters in its path"));
    return;
  }
  const auto& f = *g.files;
  if (f.value.empty()) {
    d.error(f.loc, "files needs a folder (laid over the guest's root)");
    return;
  }
  fs::path p = lab_path(lab_dir, f.value);
  if (!passable(p.string())) {
    d.error(f.loc, "files " + q(f.value) + ": a path with quote or control characters cannot be given to a guest");
    return;
  }
  if (auto why = folder_problem(p); !why.empty()) {
    d.error(f.loc, "files folder " + q(f.value) + " of guest " + q(g.name) + " " + why +
                       " (" + p.string() + ")");
    return;
  }
  g.files_dir = p.string();
}

/// A folder of the guest's files where its base has a symlink (Debian's
/// merged /usr: /lib -> usr/lib): laid over the base it hides everything
/// the link led to (the guest's libc, with /lib). Checked one level down.
void check_shadowed_links(const GuestDecl& g, const fs::path& lab_dir, Diagnostics& d) {
  if (g.files_dir.empty()) return;
  fs::path base = g.root ? lab_path(lab_dir, g.root->value) : fs::path("/");
  std::error_code ec;
  for (fs::directory_iterator it(g.files_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code e2;
    if (!it->is_directory(e2) || it->is_symlink(e2)) continue;
    std::string name = it->path().filename().string();
    fs::path b = base / name;
    if (!fs::is_symlink(b, e2)) continue;
    std::string target = fs::read_symlink(b, e2).string();
    d.warning(g.files ? g.files->loc : g.loc,
              "guest " + q(g.name) + ": its folder has a directory " + name + "/ where the base has a symlink /" +
                  name + " -> " + target + "; it would hide everything there: put these files under " +
                  (target.starts_with("/") ? target.substr(1) : target) + "/ instead");
  }
}

/// Every path the lab names (absolute): folders holding one are the lab's.
std::vector<fs::path> named_paths(const Lab& lab, const fs::path& lab_dir) {
  std::vector<fs::path> out;
  for (const auto& g : lab.guests) {
    if (g.root) out.push_back(lab_path(lab_dir, g.root->value));
    if (g.files) out.push_back(lab_path(lab_dir, g.files->value));
    for (const auto& x : g.disks) out.push_back(lab_path(lab_dir, x.value));
    for (const auto& x : g.cdroms) out.push_back(lab_path(lab_dir, x.value));
  }
  return out;
}

void warn_stray_folders(const Lab& lab, const fs::path& lab_dir, Diagnostics& d) {
  std::set<std::string> guests;
  std::vector<std::string> names;
  for (const auto& g : lab.guests) guests.insert(g.name), names.push_back(g.name);
  auto named = named_paths(lab, lab_dir);
  std::vector<std::string> stray;
  bool uses_folder = is_dir(lab_dir / kSharedFolder) ||
                     std::any_of(lab.guests.begin(), lab.guests.end(), [](const GuestDecl& g) { return g.files.has_value(); });
  std::error_code ec;
  for (fs::directory_iterator it(lab_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code e2;
    if (!it->is_directory(e2)) continue;
    std::string name = it->path().filename().string();
    if (guests.count(name)) uses_folder = true;
    if (name.empty() || name[0] == '.' || name == kSharedFolder || guests.count(name)) continue;
    fs::path p = lab_dir / name;
    if (std::any_of(named.begin(), named.end(), [&](const fs::path& n) { return within(n, p); })) continue;
    if (holds_lab(p)) continue;
    stray.push_back(name);
  }
  std::sort(stray.begin(), stray.end());
  for (const auto& name : stray)
    if (uses_folder || !did_you_mean(name, names).empty())
      d.warning(SourceLoc{lab.file, 0, 0}, "folder " + name + "/ beside the lab file matches no guest; "
                                         "it is not used" + did_you_mean_suffix(name, names));
}

}  // namespace

void resolve_dirs(Lab& lab, const std::string& lab_file, Diagnostics& d) {
  std::error_code ec;
  fs::path lab_dir = fs::absolute(fs::path(lab_file), ec).parent_path().lexically_normal();
  if (ec) lab_dir = ".";
  for (auto& g : lab.guests) {
    if (g.root) check_root(g, lab_dir, d);
    resolve_files(g, lab_dir, d);
    check_shadowed_links(g, lab_dir, d);
  }
  fs::path shared = lab_dir / kSharedFolder;
  if (is_dir(shared)) {
    if (!passable(shared.string()))
      d.error(SourceLoc{lab.file, 0, 0}, "the shared folder " + shared.string() +
                                             " has quote or control characters in its path");
    else if (auto why = folder_problem(shared); !why.empty())
      d.error(SourceLoc{lab.file, 0, 0}, "the shared folder " + shared.string() + " " + why);
    else
      lab.shared_dir = shared.string();
  }
  warn_stray_folders(lab, lab_dir, d);
}

}  // namespace vklab::topology::detail
