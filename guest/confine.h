// What a root user inside a bundled Linux guest may do: the capability
// bounding set of every guest process (init and everything it starts) and
// of every command `vklab exec` runs in a guest.
//
// Kept (kGuestCapabilities): what network labs use. Routing daemons and
// tools (FRR's zebra/ospfd/bgpd, ip, tc, tcpdump, ping, iptables/nft):
// NET_ADMIN, NET_RAW, NET_BIND_SERVICE, NET_BROADCAST, and SYS_ADMIN: FRR's
// daemons refuse to start unless they can keep it in their permitted set
// ("privs_init: initial cap_set_proc failed"; zebra wants net_admin,
// net_raw, sys_admin). Daemons that start as root and drop privileges (FRR,
// named, apache2, sshd): SETUID, SETGID, SETPCAP, CHOWN, DAC_OVERRIDE,
// DAC_READ_SEARCH (named keeps it), FOWNER, FSETID, KILL; named's rlimits
// and locked memory: SYS_RESOURCE, IPC_LOCK; chrooted daemons: SYS_CHROOT;
// package scripts and login tools: SETFCAP, AUDIT_WRITE, LEASE, IPC_OWNER.
//
// Dropped: everything else: SYS_MODULE, SYS_RAWIO, SYS_BOOT (kexec_load is
// host-wide; `reboot` in a guest is init's own command), SYS_TIME,
// SYS_PTRACE, SYS_PACCT, SYS_TTY_CONFIG, SYS_NICE (real-time priorities
// would starve the host), MKNOD, SYSLOG, LINUX_IMMUTABLE, AUDIT_CONTROL,
// AUDIT_READ, MAC_ADMIN, MAC_OVERRIDE, WAKE_ALARM, BLOCK_SUSPEND, BPF,
// PERFMON, CHECKPOINT_RESTORE and any capability newer than this list.
//
// Capabilities are set with libcap and the filter is built with libseccomp.
//
// Because SYS_ADMIN stays, a system call filter (seccomp) takes away what
// it would give a guest beyond its own namespaces: every mount call (a
// fresh proc would expose host-wide sysctls; unmounting would remove the
// guest's masks), open_by_handle_at (reaches any file of a file system the
// guest sees part of), swapon/swapoff, syslog, bpf, perf_event_open, the
// key calls, module and kexec calls, time setting, acct, quotactl,
// iopl/ioperm, new user namespaces (clone/unshare with CLONE_NEWUSER;
// clone3 answers ENOSYS so the C library falls back to clone) and every
// other system call ABI (i386, x32). Those fail with EPERM.
// man/vklab.1 (CONFINEMENT) says the same for users.
#pragma once

#include <string>

#include "common/result.h"

namespace vklab::vkernel {

/// The capabilities a guest keeps, as CAP_* numbers (linux/capability.h).
extern const int kGuestCapabilities[];
extern const int kGuestCapabilityCount;

/// True when capability `cap` is one a guest keeps.
bool guest_keeps(int cap);

/// Confines the calling process (and whatever it execs) to the guest's
/// capabilities and system calls: drops every other capability from the
/// bounding set, the ambient, inheritable, permitted and effective sets,
/// and installs the system call filter (inherited by every child, never
/// removed). Needs CAP_SETPCAP and CAP_SYS_ADMIN (the vkernel's init and
/// vklab exec run as the host's root). On Linux only; elsewhere it does
/// nothing.
Status drop_to_guest_capabilities();

}  // namespace vklab::vkernel
