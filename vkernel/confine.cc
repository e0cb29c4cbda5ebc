#include "vkernel/confine.h"

#ifdef __linux__
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#endif

namespace vklab::vkernel {

#ifdef __linux__
const int kGuestCapabilities[] = {
    CAP_CHOWN,        CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER,     CAP_FSETID,
    CAP_KILL,         CAP_SETGID,       CAP_SETUID,          CAP_SETPCAP,    CAP_LEASE,
    CAP_NET_BIND_SERVICE, CAP_NET_BROADCAST, CAP_NET_ADMIN,  CAP_NET_RAW,    CAP_IPC_LOCK,
    CAP_IPC_OWNER,    CAP_SYS_CHROOT,   CAP_SYS_RESOURCE,    CAP_AUDIT_WRITE, CAP_SETFCAP,
};
const int kGuestCapabilityCount = sizeof kGuestCapabilities / sizeof kGuestCapabilities[0];
#else
const int kGuestCapabilities[] = {0};
const int kGuestCapabilityCount = 0;
#endif

bool guest_keeps(int cap) {
  for (int i = 0; i < kGuestCapabilityCount; ++i)
    if (kGuestCapabilities[i] == cap) return true;
  return false;
}

Status drop_to_guest_capabilities() {
#ifdef __linux__
  // Every capability the running kernel knows, including ones newer than
  // this list: PR_CAPBSET_READ fails (EINVAL) past the last one.
  for (int cap = 0; cap < 64 && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; ++cap)
    if (!guest_keeps(cap) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
      return make_error("capability " + std::to_string(cap) + ": " + std::strerror(errno));
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &hdr, data) < 0) return make_error(std::string("capget: ") + std::strerror(errno));
  uint32_t keep[2] = {0, 0};
  for (int i = 0; i < kGuestCapabilityCount; ++i) keep[kGuestCapabilities[i] / 32] |= 1u << (kGuestCapabilities[i] % 32);
  for (int i = 0; i < 2; ++i) {
    data[i].effective &= keep[i];
    data[i].permitted &= keep[i];
    data[i].inheritable &= keep[i];
  }
  if (syscall(SYS_capset, &hdr, data) < 0) return make_error(std::string("capset: ") + std::strerror(errno));
#endif
  return {};
}

}  // namespace vklab::vkernel
