// hostnet/routes.h for a build without the Linux-only parts
// (VKLAB_LINUX=OFF): no rtnetlink, so route and address checks cannot read
// a guest's namespace. The protocol table (inline in the header) stays.
#include "hostnet/routes.h"

namespace vklab::hostnet {

Result<NetState> read_net_state() {
  return make_error("routes: reading them needs Linux rtnetlink (this vklab was built with VKLAB_LINUX=OFF)");
}

Result<NetState> read_netns(const std::string&) { return read_net_state(); }

}  // namespace vklab::hostnet
