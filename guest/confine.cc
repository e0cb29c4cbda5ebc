#include "guest/confine.h"

#ifdef __linux__
#include <sched.h>
#include <seccomp.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>
#endif

namespace vklab::vkernel {

#ifdef __linux__
const int kGuestCapabilities[] = {
    CAP_CHOWN,        CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER,     CAP_FSETID,     CAP_SYS_ADMIN,
    CAP_KILL,         CAP_SETGID,       CAP_SETUID,          CAP_SETPCAP,    CAP_LEASE,
    CAP_NET_BIND_SERVICE, CAP_NET_BROADCAST, CAP_NET_ADMIN,  CAP_NET_RAW,    CAP_IPC_LOCK,
    CAP_IPC_OWNER,    CAP_SYS_CHROOT,   CAP_SYS_RESOURCE,    CAP_AUDIT_WRITE, CAP_SETFCAP,
};
const int kGuestCapabilityCount = sizeof kGuestCapabilities / sizeof kGuestCapabilities[0];
#else
const int kGuestCapabilities[] = {0};
const int kGuestCapabilityCount = 0;
#endif

#ifdef __linux__
namespace {

/// System calls a guest may not make at all (EPERM), whatever its
/// capabilities: mounting (a fresh proc or sysfs would expose host-wide
/// knobs; unmounting the guest's masks), file handles (open_by_handle_at
/// reaches any file of a file system the guest sees part of), swap, the
/// kernel log, BPF, perf, keys, modules, kexec, raw I/O, time, accounting.
/// Names, so that libseccomp maps them for the architecture (iopl and
/// ioperm exist on x86 only and are skipped elsewhere).
constexpr const char* kDenied[] = {
    "mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsconfig",
    "fsmount", "fspick", "mount_setattr", "open_by_handle_at", "swapon", "swapoff",
    "syslog", "bpf", "perf_event_open", "keyctl", "add_key", "request_key",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
    "settimeofday", "clock_settime", "clock_adjtime", "acct", "quotactl", "iopl", "ioperm",
};

struct SeccompRelease {
  void operator()(scmp_filter_ctx c) const { seccomp_release(c); }
};
using Filter = std::unique_ptr<std::remove_pointer_t<scmp_filter_ctx>, SeccompRelease>;

Status seccomp_failed(const std::string& what, int rc) {
  return make_error("seccomp: " + what + ": " + std::strerror(-rc));
}

/// The filter, built with libseccomp for the native ABI only: a call made
/// through another ABI (i386's int 0x80, x32) gets EPERM (the bad-arch
/// action), so the rules cannot be bypassed through it.
Status install_filter() {
  Filter f(seccomp_init(SCMP_ACT_ALLOW));
  if (!f) return make_error("seccomp: cannot create a filter");
  // No no_new_privs: setuid programs in a guest (su, ping on some images)
  // keep working; installing without it needs CAP_SYS_ADMIN, which we have.
  if (int rc = seccomp_attr_set(f.get(), SCMP_FLTATR_CTL_NNP, 0); rc < 0) return seccomp_failed("no_new_privs", rc);
  if (int rc = seccomp_attr_set(f.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(EPERM)); rc < 0)
    return seccomp_failed("other ABIs", rc);
  for (const char* name : kDenied) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;  // unknown to this libseccomp
    int rc = seccomp_rule_add(f.get(), SCMP_ACT_ERRNO(EPERM), nr, 0);
    if (rc < 0 && nr >= 0) return seccomp_failed(name, rc);  // < 0: not on this architecture
  }
  // clone3's flags are behind a pointer: ENOSYS makes the C library fall
  // back to clone, whose flags are checked below.
  if (int rc = seccomp_rule_add(f.get(), SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0); rc < 0)
    return seccomp_failed("clone3", rc);
  // No new user namespace (inside one a process has every capability).
  for (int nr : {SCMP_SYS(clone), SCMP_SYS(unshare)})
    if (int rc = seccomp_rule_add(f.get(), SCMP_ACT_ERRNO(EPERM), nr, 1,
                                  SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
        rc < 0)
      return seccomp_failed(nr == SCMP_SYS(clone) ? "clone" : "unshare", rc);
  if (int rc = seccomp_load(f.get()); rc < 0) return seccomp_failed("load", rc);
  return {};
}

struct CapFree {
  void operator()(cap_t c) const { cap_free(c); }
};

}  // namespace
#endif

bool guest_keeps(int cap) {
  for (int i = 0; i < kGuestCapabilityCount; ++i)
    if (kGuestCapabilities[i] == cap) return true;
  return false;
}

Status drop_to_guest_capabilities() {
#ifdef __linux__
  // Every capability the running kernel knows, including ones newer than
  // this list and than libcap (cap_get_bound fails past the last one).
  std::vector<cap_value_t> dropped;
  for (cap_value_t cap = 0; cap < 64 && cap_get_bound(cap) >= 0; ++cap)
    if (!guest_keeps(cap)) dropped.push_back(cap);
  for (cap_value_t cap : dropped)
    if (cap_drop_bound(cap) < 0)
      return make_error("capability " + std::to_string(cap) + ": " + std::strerror(errno));
  if (cap_reset_ambient() < 0 && errno != EINVAL) return make_error(std::string("ambient capabilities: ") + std::strerror(errno));
  std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree> caps(cap_get_proc());
  if (!caps) return make_error(std::string("cap_get_proc: ") + std::strerror(errno));
  for (cap_flag_t flag : {CAP_EFFECTIVE, CAP_PERMITTED, CAP_INHERITABLE})
    if (!dropped.empty() &&
        cap_set_flag(caps.get(), flag, static_cast<int>(dropped.size()), dropped.data(), CAP_CLEAR) < 0)
      return make_error(std::string("cap_set_flag: ") + std::strerror(errno));
  // The filter first: installing it without no_new_privs needs CAP_SYS_ADMIN.
  if (Status f = install_filter(); !f) return f;
  if (cap_set_proc(caps.get()) < 0) return make_error(std::string("cap_set_proc: ") + std::strerror(errno));
#endif
  return {};
}

}  // namespace vklab::vkernel
