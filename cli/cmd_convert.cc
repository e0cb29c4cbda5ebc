// vklab convert DIR [-o FILE]: a Kathará lab directory as a vklab YAML lab.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/cli.h"
#include "topology/netkit_load.h"
#include "topology/netkit_yaml.h"

namespace vklab::cli {

namespace fs = std::filesystem;

Runner setup_convert(CLI::App& sub) {
  struct Opts {
    std::string dir, output;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("dir", o->dir, "a Kathará lab directory (holding lab.conf)")->required();
  sub.add_option("-o,--output", o->output,
                 "write the YAML to FILE (its paths relative to FILE's directory) instead of stdout "
                 "(paths relative to DIR: save it as DIR/lab.yaml)");
  return [o] {
    if (!topology::is_netkit_dir(o->dir)) {
      std::cerr << "vklab: " << o->dir << ": not a directory (convert reads a Kathará lab directory)\n";
      return static_cast<int>(kExitUsage);
    }
    auto loaded = load_lab(o->dir);
    if (!loaded) return static_cast<int>(kExitUsage);
    std::error_code ec;
    fs::path out_dir = o->output.empty() ? fs::absolute(o->dir, ec) : fs::absolute(o->output, ec).parent_path();
    topology::YamlWriteOptions w;
    w.base_dir = out_dir.lexically_normal().string();
    while (w.base_dir.size() > 1 && w.base_dir.back() == '/') w.base_dir.pop_back();
    w.header = "vklab lab converted from " + loaded->lab.file + " by `vklab convert`";
    const auto& shared = loaded->lab.shared_dir;
    if (!shared.empty() && fs::path(shared).parent_path() != fs::path(w.base_dir))
      std::cerr << "vklab: note: " << shared << " is the lab's shared/ folder; a lab file sees the shared/ "
                << "beside it, so keep the YAML in " << fs::path(shared).parent_path().string() << "\n";
    std::string text = topology::lab_to_yaml(loaded->lab, w);
    if (o->output.empty()) {
      std::cout << text;
      return static_cast<int>(kExitOk);
    }
    std::ofstream f(o->output, std::ios::trunc);
    if (!(f << text) || !f.flush()) {
      std::cerr << "vklab: " << o->output << ": cannot write\n";
      return static_cast<int>(kExitFailure);
    }
    std::cerr << "vklab: wrote " << o->output << "\n";
    return static_cast<int>(kExitOk);
  };
}

}  // namespace vklab::cli
