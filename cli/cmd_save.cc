// vklab save [--lab LAB] GUEST… [--to DIR]
//
// Copies what each guest changed — the upper layer of its root, read from
// the host as /proc/<kernel pid>/root/<vklab_layer>/upper (the layer's
// tmpfs lives in the vkernel process's own mount namespace) — into its lab
// folder (the plan's files_dir: ./GUEST/ beside the lab file, or `files:`),
// or into DIR/GUEST/ with --to. Deletions are listed on stdout and in
// <destination>.deleted. layer_copy.h does the copying.
#include <fstream>
#include <iostream>

#include "cli/cli.h"
#include "cli/layer_copy.h"
#include "labd/state.h"
#include "vkernel/cmdline.h"
#ifdef VKLAB_HAVE_GUEST
#include "guest/rootfs.h"
#endif

namespace vklab::cli {
namespace {

bool absolute_normal(const std::string& p) {
  if (p.empty() || p[0] != '/' || (p.size() > 1 && p.back() == '/')) return false;
  for (size_t i = 0; i < p.size();) {
    size_t j = p.find('/', i + 1);
    std::string part = p.substr(i + 1, (j == std::string::npos ? p.size() : j) - i - 1);
    if (part.empty() || part == "." || part == "..") return p == "/";
    if (j == std::string::npos) break;
    i = j;
  }
  return true;
}

/// Writes (or, with nothing to list, removes our own previous) deletions list.
void write_deletions(const std::string& path, const std::string& guest, const LayerCopyReport& r) {
  if (r.deleted.empty() && r.replaced.empty()) {
    std::ifstream in(path);
    std::string first;
    if (in && std::getline(in, first) && first.starts_with("# vklab save ")) std::remove(path.c_str());
    return;
  }
  if (Status s = labd::write_file_atomic(path, deletions_text(guest, r)); !s)
    std::cerr << "vklab: " << guest << ": " << s.error().message << "\n";
}

/// Saves one guest; the exit code for it.
int save_guest(const RunningLab& lab, const topology::Plan& plan, const std::string& name,
               const std::string& to) {
  const auto* g = plan.find_guest(name);
  const auto* rec = lab.state.find(name);
  if (!g || !rec) {
    std::cerr << "vklab: " << lab.name << ": no guest \"" << name << "\"\n";
    return kExitUsage;
  }
  auto layer = g->cmdline.getenv(vkernel::kEnvLayer);
  if (!g->bundled || !layer) {
    std::cerr << "vklab: " << name << ": not a bundled Linux guest with a layer of its own; nothing to save\n";
    return kExitUsage;
  }
  if (!absolute_normal(*layer)) {
    std::cerr << "vklab: " << name << ": refusing the layer path \"" << *layer << "\" (not absolute and normal)\n";
    return kExitFailure;
  }
  auto st = labd::read_proc_stat(rec->kernel.pid);
  if (!rec->kernel.valid() || !st || st->starttime != rec->kernel.starttime) {
    std::cerr << "vklab: " << name << ": not running; its changes went with it\n";
    return kExitFailure;
  }
  std::string dest = to.empty() ? g->files_dir : to + "/" + name;
  if (dest.empty()) {
    std::cerr << "vklab: " << name << ": no lab folder known for it; say where with --to DIR\n";
    return kExitUsage;
  }
  LayerCopyOptions o;
  o.skip.assign(std::begin(kNotSaved), std::end(kNotSaved));
#ifdef VKLAB_HAVE_GUEST
  o.own_opaque.assign(std::begin(vkernel::kHiddenDirs), std::end(vkernel::kHiddenDirs));
  std::string root = labd::state_root();
  for (const auto& p : vkernel::state_paths(g->pidfile(), *layer, g->cmdline.getenv(vkernel::kEnvFiles).value_or(""),
                                            g->cmdline.getenv(vkernel::kEnvShared).value_or(""), root.c_str()))
    o.own_opaque.push_back(p);
#endif
  std::string upper = "/proc/" + std::to_string(rec->kernel.pid) + "/root" + *layer + "/upper";
  LayerCopyReport r = copy_layer(upper, dest, o);
  // The kernel must still be the one we named: a pid reused meanwhile would
  // have shown another process's files.
  auto after = labd::read_proc_stat(rec->kernel.pid);
  if (!after || after->starttime != rec->kernel.starttime) {
    std::cerr << "vklab: " << name << ": stopped while being saved; what was copied to " << dest
              << " may be partial\n";
    return kExitFailure;
  }
  size_t files = 0;
  for (const auto& p : r.saved) files += p.back() != '/';
  std::cout << name << ": saved " << files << (files == 1 ? " file" : " files") << " to " << dest << "\n";
  for (const auto& p : r.saved) std::cout << "  saved    " << p << "\n";
  for (const auto& p : r.deleted) std::cout << "  deleted  " << p << "\n";
  for (const auto& p : r.replaced) std::cout << "  replaced " << p << "\n";
  for (const auto& p : r.skipped) std::cout << "  skipped  " << p << "\n";
  write_deletions(dest + ".deleted", name, r);
  if (!r.deleted.empty() || !r.replaced.empty())
    std::cout << name << ": " << r.deleted.size() + r.replaced.size()
              << " deletion(s) listed in " << dest << ".deleted (not applied)\n";
  for (const auto& e : r.errors) std::cerr << "vklab: " << name << ": " << e << "\n";
  return r.errors.empty() ? kExitOk : kExitFailure;
}

}  // namespace

Runner setup_save(CLI::App& sub) {
  struct Opts {
    std::string lab, to;
    std::vector<std::string> guests;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("--lab", o->lab, "lab name (default: ./lab.yaml's, or the only one running)");
  sub.add_option("--to", o->to, "save into DIR/GUEST/ instead of the guest's lab folder");
  sub.add_option("guest", o->guests, "guests to save")->required();
  return [o] {
    int exit = kExitOk;
    auto running = open_running_lab(o->lab, exit);
    if (!running) return exit;
    auto plan = read_plan_file(running->dir.plan_json());
    if (!plan) {
      std::cerr << "vklab: " << running->name << ": cannot read " << running->dir.plan_json() << "\n";
      return static_cast<int>(kExitFailure);
    }
    int rc = kExitOk;
    for (const auto& g : o->guests)
      if (int r = save_guest(*running, *plan, g, o->to); r != kExitOk && rc == kExitOk) rc = r;
    return rc;
  };
}

}  // namespace vklab::cli
