#include "topology/netkit_load.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "common/text.h"
#include "topology/netkit_conf.h"
#include "topology/netkit_device.h"
#include "topology/netkit_names.h"

namespace vklab::topology {

namespace fs = std::filesystem;
using detail::ConfIface;
using detail::ConfOption;

namespace {

/// lab.conf, lab.dep and startup files are a few pages; more is a mistake.
constexpr uintmax_t kMaxFileBytes = 1 << 20;

std::string dq(const std::string& s) { return "\"" + s + "\""; }

/// The file's text; nullopt (with an error at `shown`) when it cannot be
/// read or is too large. A missing file is nullopt without an error.
std::optional<std::string> read_text(const fs::path& p, const std::string& shown, Diagnostics& d) {
  std::error_code ec;
  if (!fs::exists(p, ec)) return std::nullopt;
  if (!fs::is_regular_file(p, ec)) {
    d.error(SourceLoc{shown, 0, 0}, "not a regular file");
    return std::nullopt;
  }
  if (fs::file_size(p, ec) > kMaxFileBytes) {
    d.error(SourceLoc{shown, 0, 0}, "too large (more than " + std::to_string(kMaxFileBytes) + " bytes)");
    return std::nullopt;
  }
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    d.error(SourceLoc{shown, 0, 0}, std::string("cannot open: ") + std::strerror(errno));
    return std::nullopt;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return detail::unix_text(std::move(text));
}

std::string join_path(const std::string& dir, const std::string& name) {
  return dir.empty() || dir == "." ? name : (dir.back() == '/' ? dir + name : dir + "/" + name);
}

bool before(const SourceLoc& a, const SourceLoc& b) {
  return a.line != b.line ? a.line < b.line : a.col < b.col;
}

/// A startup/shutdown part: "# FILE" then its text, ending in a newline.
/// Trailing blank lines are dropped, so the text reads back the same from
/// a YAML block scalar.
/// Appends "# LABEL" and `text` to `out`; `sources` learns where the
/// part's first line lands (`file` names it in startup error messages).
void append_part(std::string& out, const std::string& label, const std::string& text,
                 std::vector<ScriptSource>* sources = nullptr, const std::string& file = "") {
  size_t end = text.find_last_not_of(" \t\n");
  if (end == std::string::npos) return;
  size_t nl = text.find('\n', end);
  const int lines = static_cast<int>(std::count(out.begin(), out.end(), '\n'));
  if (sources) sources->push_back({lines + 2, file.empty() ? label : file, 1});  // after the label line
  out += "# " + label + "\n" + text.substr(0, nl == std::string::npos ? text.size() : nl) + "\n";
}

class Loader {
 public:
  Loader(const fs::path& dir, std::string shown, Diagnostics& d, const NetkitOptions& o)
      : dir_(dir), shown_(std::move(shown)), d_(d), opts_(o) {}

  std::optional<Lab> run();

 private:
  std::string shown(const std::string& name) const { return join_path(shown_, name); }
  void build_bridges(const detail::LabConf& conf, Lab& lab);
  void build_guests(const detail::LabConf& conf, Lab& lab);
  void build_interfaces(const std::vector<const ConfIface*>& ifs, GuestDecl& g, const Lab& lab);
  void compose_scripts(GuestDecl& g, const std::vector<std::string>& exec);
  void read_deps(Lab& lab);
  void check_strays(const Lab& lab);

  fs::path dir_;
  std::string shown_;
  Diagnostics& d_;
  const NetkitOptions& opts_;
  std::map<std::string, std::string> cd_bridge_;  // collision domain -> bridge name
  std::optional<std::string> shared_startup_, shared_shutdown_;
};

void Loader::build_bridges(const detail::LabConf& conf, Lab& lab) {
  std::map<std::string, const ConfIface*> owner;  // bridge name -> first CD mapped to it
  std::vector<const ConfIface*> ifs;
  for (const auto& f : conf.ifaces) ifs.push_back(&f);
  std::stable_sort(ifs.begin(), ifs.end(), [](auto* a, auto* b) { return before(a->cd.loc, b->cd.loc); });
  for (const ConfIface* f : ifs) {
    if (cd_bridge_.count(f->cd.value)) continue;
    std::string b = bridge_name_for_cd(f->cd.value);
    auto [it, fresh] = owner.emplace(b, f);
    if (!fresh) {
      d_.error(f->cd.loc, "collision domains " + dq(it->second->cd.value) + " (line " +
                              std::to_string(it->second->cd.loc.line) + ") and " + dq(f->cd.value) +
                              " would both be bridge " + dq(b) + ": vklab's bridge names are "
                              "lowercase; rename one");
      continue;
    }
    cd_bridge_[f->cd.value] = b;
    BridgeDecl bd;
    bd.name = b;
    bd.loc = f->cd.loc;
    lab.bridges.push_back(std::move(bd));
  }
}

void Loader::build_interfaces(const std::vector<const ConfIface*>& ifs, GuestDecl& g, const Lab& lab) {
  std::map<int, const ConfIface*> by_index;
  std::map<std::string, const ConfIface*> by_cd;
  for (const ConfIface* f : ifs) {
    if (f->index.value >= vkernel::kMaxNetIfs) {
      d_.error(f->index.loc, "interface " + std::to_string(f->index.value) + " of " + dq(g.name) +
                                 " is out of range: a guest has at most " + std::to_string(vkernel::kMaxNetIfs) +
                                 " interfaces, 0 to " + std::to_string(vkernel::kMaxNetIfs - 1));
      continue;
    }
    if (auto [it, fresh] = by_index.emplace(f->index.value, f); !fresh) {
      d_.error(f->index.loc, "interface " + std::to_string(f->index.value) + " of " + dq(g.name) +
                                 " is already set (line " + std::to_string(it->second->index.loc.line) + ")");
      continue;
    }
    if (auto [it, fresh] = by_cd.emplace(f->cd.value, f); !fresh) {
      d_.error(f->cd.loc, dq(g.name) + " is already on collision domain " + dq(f->cd.value) +
                              " (line " + std::to_string(it->second->cd.loc.line) + ")");
      by_index.erase(f->index.value);
    }
  }
  int expect = 0;
  for (const auto& [n, f] : by_index) {
    if (n != expect) {
      d_.error(f->index.loc, dq(g.name) + " has interface " + std::to_string(n) + " but no interface " +
                                 std::to_string(expect) + ": interfaces are numbered from 0 without gaps");
      break;
    }
    ++expect;
    auto b = cd_bridge_.find(f->cd.value);
    if (b == cd_bridge_.end()) continue;  // its collision domain was reported
    InterfaceDecl i;
    i.kind = InterfaceDecl::Kind::Bridge;
    i.loc = f->cd.loc;
    i.bridge = {b->second, f->cd.loc};
    i.mac = f->mac;
    g.interfaces.push_back(std::move(i));
  }
  (void)lab;
  g.interfaces_loc = g.interfaces.empty() ? g.loc : g.interfaces.front().loc;
}

void Loader::compose_scripts(GuestDecl& g, const std::vector<std::string>& exec) {
  auto own_startup = read_text(dir_ / (g.name + ".startup"), shown(g.name + ".startup"), d_);
  auto own_shutdown = read_text(dir_ / (g.name + ".shutdown"), shown(g.name + ".shutdown"), d_);
  std::string startup;
  std::vector<ScriptSource> parts;
  if (shared_startup_) append_part(startup, "shared.startup", *shared_startup_, &parts);
  if (own_startup) append_part(startup, g.name + ".startup", *own_startup, &parts);
  if (!exec.empty()) {
    std::string lines;
    for (const auto& e : exec) lines += e + "\n";
    append_part(startup, g.name + "[exec]", lines, &parts, "lab.conf " + g.name + "[exec]");
  }
  g.startup = startup;
  g.startup_sources = std::move(parts);
  std::string shutdown;
  if (own_shutdown) append_part(shutdown, g.name + ".shutdown", *own_shutdown);
  if (shared_shutdown_) append_part(shutdown, "shared.shutdown", *shared_shutdown_);
  g.shutdown = shutdown;
  std::error_code ec;
  if (fs::is_directory(dir_ / g.name, ec)) g.files_dir = fs::absolute(dir_ / g.name, ec).lexically_normal().string();
}

void Loader::build_guests(const detail::LabConf& conf, Lab& lab) {
  struct Dev {
    SourceLoc first;
    std::vector<const ConfIface*> ifs;
    std::vector<const ConfOption*> opts;
  };
  std::map<std::string, Dev> devs;
  for (const auto& f : conf.ifaces) {
    auto& dv = devs[f.device.value];
    if (dv.first.line == 0 || before(f.device.loc, dv.first)) dv.first = f.device.loc;
    dv.ifs.push_back(&f);
  }
  for (const auto& o : conf.options) {
    auto& dv = devs[o.device.value];
    if (dv.first.line == 0 || before(o.device.loc, dv.first)) dv.first = o.device.loc;
    dv.opts.push_back(&o);
  }
  std::vector<std::pair<std::string, Dev*>> order;
  for (auto& [name, dv] : devs) order.emplace_back(name, &dv);
  std::sort(order.begin(), order.end(), [](auto& a, auto& b) { return before(a.second->first, b.second->first); });
  std::set<std::string> images_checked;
  for (auto& [name, dv] : order) {
    GuestDecl g;
    g.name = name;
    g.loc = dv->first;
    g.memory = {kNetkitMemory, g.loc};
    g.ifname = {kNetkitIfname, g.loc};
    build_interfaces(dv->ifs, g, lab);
    auto extras = detail::apply_options(dv->opts, g, d_);
    compose_scripts(g, extras.exec);
    if (!g.image.empty() && images_checked.insert(g.image).second) {
      auto it = std::find_if(dv->opts.rbegin(), dv->opts.rend(), [](auto* o) { return o->name.value == "image"; });
      detail::check_image(g.image, it == dv->opts.rend() ? g.loc : (*it)->value.loc, opts_.host_has, d_);
    }
    lab.guests.push_back(std::move(g));
  }
}

void Loader::read_deps(Lab& lab) {
  const std::string file = shown(kNetkitDep);
  auto text = read_text(dir_ / kNetkitDep, file, d_);
  if (!text) return;
  if (text->find_first_not_of(" \t\n") == std::string::npos) {
    d_.warning(SourceLoc{file, 0, 0}, "lab.dep is empty; every device starts at once");
    return;
  }
  std::vector<std::string> names;
  for (const auto& g : lab.guests) names.push_back(g.name);
  for (auto& line : detail::read_lab_dep(*text, file, d_)) {
    int gi = lab.guest_index(line.device.value);
    if (gi < 0) {
      d_.error(line.device.loc, "unknown device " + dq(line.device.value) + " in lab.dep" +
                                    did_you_mean_suffix(line.device.value, names) + ": lab.conf declares " +
                                    (names.empty() ? std::string("none") : join(names, ", ")));
      continue;
    }
    // The validator names unknown dependencies and cycles at these lines.
    lab.guests[static_cast<size_t>(gi)].depends_on = std::move(line.deps);
  }
}

/// DEV.startup, DEV.shutdown and DEV/ for no device of lab.conf: Kathará
/// ignores them; a warning, as they are likely a typo.
void Loader::check_strays(const Lab& lab) {
  std::vector<std::string> names;
  for (const auto& g : lab.guests) names.push_back(g.name);
  std::error_code ec;
  std::vector<std::string> strays;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    std::string f = e.path().filename().string();
    std::string dev;
    if (e.is_directory(ec)) {
      if (f == "shared" || f == "_test" || f.starts_with(".")) continue;
      dev = f;
    } else {
      for (const char* suffix : {".startup", ".shutdown"})
        if (f.ends_with(suffix) && f.size() > std::strlen(suffix)) dev = f.substr(0, f.size() - std::strlen(suffix));
      if (dev == "shared") continue;
      if (f == "lab.ext")
        d_.warning(SourceLoc{shown(f), 0, 0}, "lab.ext (collision domains on host interfaces) is not supported; "
                                              "use a YAML bridge `uplink:` with `network: host`");
    }
    if (!dev.empty() && lab.guest_index(dev) < 0) strays.push_back(f);
  }
  std::sort(strays.begin(), strays.end());
  for (const auto& f : strays) {
    std::string dev = f.substr(0, f.find('.'));
    d_.warning(SourceLoc{shown(f), 0, 0}, "no device " + dq(dev) + " in lab.conf" +
                                              did_you_mean_suffix(dev, names) + "; " + f + " is not used");
  }
}

std::optional<Lab> Loader::run() {
  std::error_code ec;
  if (!fs::is_directory(dir_, ec)) {
    d_.error(SourceLoc{shown_, 0, 0}, "not a directory");
    return std::nullopt;
  }
  const std::string conf_file = shown(kNetkitConf);
  auto text = read_text(dir_ / kNetkitConf, conf_file, d_);
  if (!text) {
    if (!fs::exists(dir_ / kNetkitConf, ec))
      d_.error(SourceLoc{shown_, 0, 0}, "no lab.conf in this directory: a Kathará lab directory holds "
                                        "lab.conf (a vklab lab is a .yaml file)");
    return std::nullopt;
  }
  if (text->find_first_not_of(" \t\n") == std::string::npos) {
    d_.error(SourceLoc{conf_file, 0, 0}, "lab.conf is empty: it declares no device");
    return std::nullopt;
  }
  fs::path abs = fs::absolute(dir_, ec).lexically_normal();
  auto name = netkit_lab_name(dir_.string());
  if (!name) {
    d_.error(SourceLoc{shown_, 0, 0}, name.error().message);
    return std::nullopt;
  }
  Lab lab;
  lab.file = conf_file;
  lab.format = "netkit";
  lab.name = {name.value(), SourceLoc{conf_file, 0, 0}};
  auto conf = detail::read_lab_conf(*text, conf_file, d_);
  for (const auto& m : conf.meta) {
    if (m.key.value == "LAB_DESCRIPTION") lab.description = m.value;
    else lab.meta.emplace_back(m.key.value.substr(4), m.value);
  }
  for (auto& [k, v] : lab.meta)
    for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (conf.ifaces.empty() && conf.options.empty() && !d_.has_errors())
    d_.error(SourceLoc{conf_file, 0, 0}, "lab.conf declares no device (write DEV[0]=CD)");
  shared_startup_ = read_text(dir_ / "shared.startup", shown("shared.startup"), d_);
  shared_shutdown_ = read_text(dir_ / "shared.shutdown", shown("shared.shutdown"), d_);
  build_bridges(conf, lab);
  build_guests(conf, lab);
  read_deps(lab);
  if (fs::is_directory(dir_ / "shared", ec)) lab.shared_dir = (abs / "shared").string();
  check_strays(lab);
  return lab;
}

}  // namespace

Result<std::string> netkit_lab_name(const std::string& dir) {
  std::error_code ec;
  fs::path abs = fs::absolute(dir, ec).lexically_normal();
  if (abs.filename().empty()) abs = abs.parent_path();
  return lab_name_from_dir(abs.filename().string());
}

bool is_netkit_dir(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

std::optional<Lab> load_netkit(const std::string& dir, Diagnostics& diags, const NetkitOptions& opts) {
  NetkitOptions o = opts;
  if (!o.host_has) o.host_has = [](const std::string& p) {
    std::error_code ec;
    return fs::exists(p, ec);
  };
  std::string shown = o.display_dir.empty() ? dir : o.display_dir;
  while (shown.size() > 1 && shown.back() == '/') shown.pop_back();
  try {
    return Loader(dir, shown, diags, o).run();
  } catch (const std::exception& e) {
    diags.error(SourceLoc{shown, 0, 0}, std::string("cannot load the lab: ") + e.what());
    return std::nullopt;
  }
}

}  // namespace vklab::topology
