// labd/netns.h for a build without the Linux-only parts (VKLAB_LINUX=OFF):
// no namespaces. An isolated lab cannot be made; there is never a lab
// namespace to sweep or drop; `vklab exec` reaches no guest namespace.
#include "labd/netns.h"

namespace vklab::labd {
namespace {
Error no_namespaces(const std::string& what) {
  return make_error(what + ": network namespaces need Linux (this vklab was built with VKLAB_LINUX=OFF); "
                           "use `network: host`");
}
}  // namespace

Status enter_new_netns() { return no_namespaces("isolated network"); }
Status bind_netns(const std::string& path) { return no_namespaces(path); }
Status drop_netns(const std::string&) { return {}; }
bool is_netns_mount(const std::string&) { return false; }
std::vector<pid_t> netns_members(const std::string&) { return {}; }
std::vector<std::string> kill_netns_members(const std::string&, int, std::vector<pid_t>& left) {
  left.clear();
  return {};
}
std::string strays_text(const std::string& lab, const std::vector<std::string>& killed) {
  return lab + ": killed " + std::to_string(killed.size()) + " stray processes";
}
std::optional<pid_t> find_guest_init(pid_t) { return std::nullopt; }
NsTarget guest_namespaces(pid_t) { return {}; }
Result<int> run_in_namespaces(const NsTarget&, const std::vector<std::string>&, const RunOptions&) {
  return no_namespaces("exec");
}

}  // namespace vklab::labd
