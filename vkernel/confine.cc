#include "vkernel/confine.h"

#ifdef __linux__
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
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

#if defined(__x86_64__)
constexpr uint32_t kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kArch = AUDIT_ARCH_AARCH64;
#else
#error "the guest's system call filter knows x86_64 and aarch64"
#endif

/// System calls a guest may not make at all (EPERM), whatever its
/// capabilities: mounting (a fresh proc or sysfs would expose host-wide
/// knobs; unmounting the guest's masks), file handles (open_by_handle_at
/// reaches any file of a file system the guest sees part of), swap, the
/// kernel log, BPF, perf, keys, modules, kexec, raw I/O, time, accounting.
constexpr long kDenied[] = {
    SYS_mount, SYS_umount2, SYS_pivot_root, SYS_move_mount, SYS_open_tree, SYS_fsopen, SYS_fsconfig,
    SYS_fsmount, SYS_fspick, SYS_mount_setattr, SYS_open_by_handle_at, SYS_swapon, SYS_swapoff,
    SYS_syslog, SYS_bpf, SYS_perf_event_open, SYS_keyctl, SYS_add_key, SYS_request_key,
    SYS_init_module, SYS_finit_module, SYS_delete_module, SYS_kexec_load, SYS_kexec_file_load,
    SYS_settimeofday, SYS_clock_settime, SYS_clock_adjtime, SYS_acct, SYS_quotactl,
#if defined(__x86_64__)
    SYS_iopl, SYS_ioperm,
#endif
};

Status install_filter() {
  using F = sock_filter;
  std::vector<F> p;
  auto ret = [](uint32_t v) { return F BPF_STMT(BPF_RET | BPF_K, v); };
  const uint32_t eperm = SECCOMP_RET_ERRNO | EPERM, enosys = SECCOMP_RET_ERRNO | ENOSYS;
  p.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0));
  p.push_back(ret(eperm));  // another ABI (i386, x32 below): nothing
  p.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
#if defined(__x86_64__)
  p.push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1));
  p.push_back(ret(eperm));
#endif
  for (long nr : kDenied) {
    p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), 0, 1));
    p.push_back(ret(eperm));
  }
  // clone3's flags are behind a pointer: ENOSYS makes the C library fall
  // back to clone, whose flags are checked below.
  p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1));
  p.push_back(ret(enosys));
  // No new user namespace (inside one a process has every capability).
  for (long nr : {SYS_clone, SYS_unshare}) {
    p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), 0, 4));
    p.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])));
    p.push_back(BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 1));
    p.push_back(ret(eperm));
    p.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  }
  p.push_back(ret(SECCOMP_RET_ALLOW));
  sock_fprog prog{static_cast<unsigned short>(p.size()), p.data()};
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
    return make_error(std::string("seccomp: ") + std::strerror(errno));
  return {};
}

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
  // The filter first: installing it without no_new_privs needs CAP_SYS_ADMIN.
  if (Status f = install_filter(); !f) return f;
  if (syscall(SYS_capset, &hdr, data) < 0) return make_error(std::string("capset: ") + std::strerror(errno));
#endif
  return {};
}

}  // namespace vklab::vkernel
