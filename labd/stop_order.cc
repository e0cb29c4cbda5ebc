#include "labd/stop_order.h"

#include <algorithm>

namespace vklab::labd {

bool may_stop(size_t i, const std::vector<std::string>& names, const std::vector<std::vector<std::string>>& depends_on,
              const std::function<bool(size_t)>& runs, bool forced) {
  if (forced) return true;
  for (size_t j = 0; j < names.size(); ++j)
    if (j != i && runs(j) && std::count(depends_on[j].begin(), depends_on[j].end(), names[i])) return false;
  return true;
}

}  // namespace vklab::labd
