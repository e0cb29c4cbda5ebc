#include <filesystem>

#include "topology/load_guest.h"

namespace vklab::topology::detail {

void resolve_folders(Lab& lab) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path base = fs::absolute(fs::path(lab.file), ec).parent_path();
  for (auto& g : lab.guests) {
    if (g.files) g.files_dir = (base / g.files->value).lexically_normal().string();
    else if (!g.name.empty() && fs::is_directory(base / g.name, ec)) g.files_dir = (base / g.name).string();
  }
  if (fs::is_directory(base / "shared", ec)) lab.shared_dir = (base / "shared").string();
}

}  // namespace vklab::topology::detail
