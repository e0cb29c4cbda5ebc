// `vklab up FILE --apply`: the running lab made to match a new plan.
#include <unistd.h>

#include "labd/daemon_impl.h"

namespace vklab::labd {

void Daemon::serve_apply(Client& c) {
  (void)write_all(c.fd, encode(Reply{ErrorReply{plan_.lab + ": apply is not implemented yet"}}) + "\n");
  ::close(c.fd);
  c.fd = -1;
}

}  // namespace vklab::labd
