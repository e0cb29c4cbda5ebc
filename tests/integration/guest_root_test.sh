#!/usr/bin/env bash
# The bundled guest's own root and its confinement (guest/rootfs.h,
# vkernel/confine.h), as root, in private network and mount namespaces:
#   guest_root_test.sh path/to/vkernel
#
# The hostile probes run as guest processes (the startup commands), so they
# have exactly a guest root's rights; the host side only reads (nsenter) or
# plays the part of a guest root that would have kept CAP_SYS_ADMIN.
set -uo pipefail

VK=$(readlink -f "${1:?usage: guest_root_test.sh path/to/vkernel}")
if [[ "${VKLAB_TEST_INNER:-}" != 1 ]]; then
  [[ $(id -u) == 0 ]] || { echo "guest_root_test: needs root"; exit 77; }
  exec env VKLAB_TEST_INNER=1 unshare -n -m --propagation private -- "$0" "$VK"
fi

work=$(mktemp -d /tmp/vklab-root-test.XXXXXX)
tag=$(basename "$work")
# Throwaway host paths a guest tries to change or see (removed at the end).
hostdel=/var/lib/$tag-keep     # a host directory a guest deletes
homedir=/home/$tag             # a personal file
failures=0
started=()
cleanup() {
  for p in "${started[@]}"; do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  for f in "$work"/state/*/*.cgroup; do [[ -f $f ]] && rmdir "$(cat "$f")" 2>/dev/null; done
  rm -rf "$work" "$hostdel" "$homedir" "/etc/$tag-new" "/usr/$tag-new" "/root/$tag-new"
}
trap cleanup EXIT

ok()   { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
log_has() { grep -qF -- "$2" "$work/$1.log"; }
count() { grep -c -- "$2" "$work/$1.log"; }
mounts_of_work() { cat /proc/[0-9]*/mountinfo 2>/dev/null | grep -cF "$work/state"; }

mkdir -p "$work/lab/a/etc" "$work/lab/b" "$work/lab/shared" "$work/state/lab1/a.layer" "$work/state/lab1/b.layer" \
         "$work/state/lab2" "$hostdel/sub" "$homedir"
echo "lab-motd-of-a" >"$work/lab/a/etc/motd-lab"
ln -s motd-lab "$work/lab/a/etc/motd-link"
chmod 0640 "$work/lab/a/etc/motd-lab"; chown 1:2 "$work/lab/a/etc/motd-lab"
echo keep >"$hostdel/sub/file"
echo secret >"$homedir/secret"
echo other-lab >"$work/state/lab2/state.json"
printf 'net.ipv4.ip_forward = 1\n# a comment\nkernel.printk_ratelimit=17\n' >"$work/a.sysctl"
vk_sha=$(sha256sum "$VK" | cut -d' ' -f1)
printk_before=$(cat /proc/sys/kernel/printk_ratelimit)
sleep 1001 &  # a host process no guest may see
marker=$!

guest() {  # name extra-args...: starts a guest of lab1 in the background, sets PID
  local n=$1; shift
  "$VK" -m 64m -p "$work/state/lab1/$n.pid" -e "vklab_hostname=$n" -e "vklab_layer=$work/state/lab1/$n.layer" \
    -e "vklab_shared=$work/lab/shared" -e vklab_term_wait=1s "$@" >"$work/$n.log" 2>&1 </dev/null &
  PID=$!
  started+=("$PID")
}
booted() {  # name [count]
  for _ in $(seq 200); do (( $(count "$1" ': booted') >= ${2:-1} )) && return 0; sleep 0.05; done
  echo "--- $1.log"; cat "$work/$1.log"; return 1
}
init_of() { cat "$work/state/lab1/$1.pid.init"; }
in_guest() { local n=$1; shift; nsenter --target "$(init_of "$n")" --net --uts --mount --pid -- "$@"; }
probe() { [[ $(cat "$work/lab/shared/$1" 2>/dev/null) == "$2" ]]; }  # probe-file expected-text

echo "# 1. bad input: exit 1, a message naming the guest, the path and the reason, nothing left"
mkdir -p "$work/nosh/bin" "$work/badfiles"
mkfifo "$work/badfiles/fifo"
: >"$work/afile"
while IFS='|' read -r var val want; do
  val=${val//@/$work}; want=${want//@/$work}
  "$VK" -m 64m -p "$work/state/lab1/bad.pid" -e vklab_hostname=bad -e "$var=$val" >"$work/bad.out" 2>&1 </dev/null
  rc=$?
  if [[ $rc == 1 ]] && grep -qF -- "vkernel: bad: " "$work/bad.out" && grep -qF -- "$want" "$work/bad.out"; then
    ok "$var=$val -> 1: $(head -1 "$work/bad.out")"
  else
    fail "$var=$val -> $rc: $(cat "$work/bad.out")"
  fi
  check "  nothing left ($var)" test -z "$(ls "$work/state/lab1" | grep -v '^[ab].layer$')" -a "$(mounts_of_work)" == 0
done <<'CASES'
vklab_root|@/afile|vklab_root @/afile: not a directory
vklab_root|@/missing|vklab_root @/missing: No such file or directory
vklab_root|@/nosh|vklab_root @/nosh: no executable /bin/sh in it
vklab_files|@/missing|vklab_files @/missing: No such file or directory
vklab_files|@/badfiles|@/badfiles/fifo: not a directory, regular file or symbolic link
vklab_layer|@/afile|vklab_layer @/afile: not a directory
vklab_shared|@/afile|vklab_shared @/afile: not a directory
vklab_sysctl|@/missing|vklab_sysctl @/missing: No such file or directory
CASES

echo "# 2. two guests with their own roots"
other_state=$work/state/lab2
cat >"$work/a.rc" <<EOF
echo startup-of-a
cat /proc/sys/net/ipv4/ip_forward >/shared/a.ip_forward
umount -l /proc 2>/dev/null; echo \$? >/shared/a.umount-proc
ps -eo args | grep -c '^sleep 1001' >/shared/a.sees-host-sleep
mount -t proc proc /mnt 2>/dev/null; echo \$? >/shared/a.mount-proc
umount -l /run /tmp 2>/dev/null; echo \$? >/shared/a.umount-run-tmp
ls -A /tmp /run/vkernel >/shared/a.ls-tmp-run 2>&1
echo 5 >/proc/sys/kernel/printk_ratelimit 2>/dev/null; echo \$? >/shared/a.write-printk
echo 1 >/proc/sys/net/ipv4/conf/all/forwarding 2>/dev/null; echo \$? >/shared/a.write-net
echo h >/proc/sysrq-trigger 2>/dev/null; echo \$? >/shared/a.sysrq
ls $other_state >/dev/null 2>&1; echo \$? >/shared/a.ls-other-lab
ls $work/state/lab1 >/dev/null 2>&1; echo \$? >/shared/a.ls-own-state
find /home /root /mnt /media /srv -mindepth 1 | wc -l >/shared/a.ls-private
cat $homedir/secret >/dev/null 2>&1; echo \$? >/shared/a.cat-home
echo x >>/run/vkernel/vkernel 2>/dev/null; echo \$? >/shared/a.write-vkernel-bound
printf 'overwritten' >$VK 2>/dev/null; echo \$? >/shared/a.write-vkernel-host
mknod /dev/sda b 8 0 2>/dev/null; echo \$? >/shared/a.mknod
ip addr add 10.99.99.99/32 dev lo && ip addr del 10.99.99.99/32 dev lo; echo \$? >/shared/a.net-admin
grep CapBnd /proc/self/status | cut -f2 >/shared/a.capbnd
unshare -U true 2>/dev/null; echo \$? >/shared/a.userns
ls /dev | tr '\n' ' ' >/shared/a.ls-dev
echo new >/etc/$tag-new; echo new >/usr/$tag-new; echo new >/root/$tag-new
rm -rf $hostdel; echo \$? >/shared/a.rm-host-dir
echo from-a >/shared/a.wrote
ip -o link | grep -c ' eth0:' >/shared/a.eth0
( while [ ! -s /shared/b.initpid ]; do sleep 0.05; done
  nsenter -t "\$(cat /shared/b.initpid)" -n -m true 2>/dev/null; echo \$? >/shared/a.nsenter ) &
EOF
guest a -e "vklab_rc=$work/a.rc" -e "vklab_files=$work/lab/a" -e "vklab_sysctl=$work/a.sysctl" -e vklab_ifname=eth \
  -I tap0:10.1.0.1:10.1.0.2/30
a=$PID
check "a booted" booted a
guest b
b=$PID
check "b booted" booted b

echo "# 3. the hostile probes fail (as a guest process)"
check "umount -l /proc fails" bash -c "[[ \$(cat $work/lab/shared/a.umount-proc) != 0 ]]"
check "ps -e shows no host process" probe a.sees-host-sleep 0
check "mount -t proc fails" bash -c "[[ \$(cat $work/lab/shared/a.mount-proc) != 0 ]]"
check "umount -l /run /tmp fails" bash -c "[[ \$(cat $work/lab/shared/a.umount-run-tmp) != 0 ]]"
check "/tmp is empty and /run holds only the guest's commands" \
  bash -c "[[ \$(tr '\n' ' ' <$work/lab/shared/a.ls-tmp-run) == '/run/vkernel: bin startup vkernel  /tmp: ' ]]"
check "writing /proc/sys/kernel/printk_ratelimit fails" bash -c "[[ \$(cat $work/lab/shared/a.write-printk) != 0 ]]"
check "  and the host's value is unchanged" test "$(cat /proc/sys/kernel/printk_ratelimit)" == "$printk_before"
check "writing /proc/sys/net works" probe a.write-net 0
check "writing /proc/sysrq-trigger fails" bash -c "[[ \$(cat $work/lab/shared/a.sysrq) != 0 ]]"
check "another lab's state is not reachable" bash -c "[[ \$(cat $work/lab/shared/a.ls-other-lab) != 0 ]]"
check "its own lab's state is not reachable" bash -c "[[ \$(cat $work/lab/shared/a.ls-own-state) != 0 ]]"
check "/home /root /mnt /media /srv are empty" probe a.ls-private 0
check "a host file under /home is not visible" bash -c "[[ \$(cat $work/lab/shared/a.cat-home) != 0 ]]"
check "the bound vkernel binary is not writable" bash -c "[[ \$(cat $work/lab/shared/a.write-vkernel-bound) != 0 ]]"
check "the host's vkernel binary is unchanged" test "$(sha256sum "$VK" | cut -d' ' -f1)" == "$vk_sha"
check "mknod fails" bash -c "[[ \$(cat $work/lab/shared/a.mknod) != 0 ]]"
check "NET_ADMIN works (an address on lo)" probe a.net-admin 0
want_bnd=$(grep CapBnd "/proc/$(init_of a)/status" | cut -f2)
check "the guest's bounding set is init's ($want_bnd): NET_ADMIN (12), no SYS_MODULE (16), SYS_BOOT (22), MKNOD (27)" \
  bash -c "[[ \$(cat $work/lab/shared/a.capbnd) == $want_bnd ]] && (( (0x$want_bnd >> 12 & 1) == 1 && (0x$want_bnd >> 16 & 1) == 0 && (0x$want_bnd >> 22 & 1) == 0 && (0x$want_bnd >> 27 & 1) == 0 ))"
check "a new user namespace is refused" probe a.userns 1
check "the guest's processes run under the system call filter" bash -c "grep -q '^Seccomp:.2' /proc/$(init_of a)/status"
check "a minimal /dev" probe a.ls-dev "fd full net null ptmx pts random shm stderr stdin stdout tty urandom zero "
echo "$(init_of b)" >"$work/lab/shared/b.initpid"
for _ in $(seq 100); do [[ -s $work/lab/shared/a.nsenter ]] && break; sleep 0.05; done
check "nsenter into another guest fails from a guest" bash -c "[[ \$(cat $work/lab/shared/a.nsenter) != 0 ]]"
# Through the guest's own /proc there is no other guest's pid to name at all.
check "another guest's init pid is not in the guest's /proc" bash -c "$(declare -f in_guest init_of); work=$work; ! in_guest a test -e /proc/$(init_of b)/ns"
check "/proc/1 in a guest is its own init" test "$(in_guest a cat /proc/1/comm)" == init

echo "# 4. writes stay in the guest"
check "a host directory a guest deleted is still there" test -f "$hostdel/sub/file"
check "rm -rf in the guest succeeded there" probe a.rm-host-dir 0
check "no new file on the host (/etc /usr /root)" \
  bash -c "! ls /etc/$tag-new /usr/$tag-new /root/$tag-new 2>/dev/null"
check "the writer sees its writes" \
  bash -c "$(declare -f in_guest init_of); work=$work; in_guest a cat /etc/$tag-new /usr/$tag-new /root/$tag-new | grep -c new | grep -qx 3"
check "the writer does not see the deleted directory" bash -c "$(declare -f in_guest init_of); work=$work; ! in_guest a test -e $hostdel"
check "another guest does not see the writes" \
  bash -c "$(declare -f in_guest init_of); work=$work; ! in_guest b cat /etc/$tag-new 2>/dev/null && in_guest b test -f $hostdel/sub/file"
check "the writes are in a's layer (what vklab save reads)" \
  bash -c "grep -qx new /proc/$a/root/$work/state/lab1/a.layer/upper/etc/$tag-new"
check "a's lab file is /etc/motd-lab in a" test "$(in_guest a cat /etc/motd-lab)" == "lab-motd-of-a"
check "  with its owner and mode, and its symlink" \
  test "$(in_guest a stat -c '%u:%g %a' /etc/motd-lab) $(in_guest a readlink /etc/motd-link)" == "1:2 640 motd-lab"
check "a's lab file is not in b" bash -c "$(declare -f in_guest init_of); work=$work; ! in_guest b test -e /etc/motd-lab"
check "/shared writes appear on the host" grep -qx from-a "$work/lab/shared/a.wrote"
check "b sees a's /shared file" test "$(in_guest b cat /shared/a.wrote)" == from-a
check "sysctl net.ipv4.ip_forward=1 applied before the startup commands" probe a.ip_forward 1
check "a global sysctl is refused, with a console line" log_has a "sysctl kernel.printk_ratelimit=17: Read-only file system"
check "vklab_ifname=eth: the interface is eth0" probe a.eth0 1

echo "# 5. reboot keeps the layer"
in_guest a /run/vkernel/bin/reboot >/dev/null 2>&1
check "a booted again" booted a 2
check "a's write survived the reboot" test "$(in_guest a cat /etc/$tag-new)" == new
check "a's lab file after the reboot" test "$(in_guest a cat /etc/motd-lab)" == "lab-motd-of-a"
check "startup commands ran again in the rebooted guest" test "$(count a startup-of-a)" == 2
echo "# 6. unmounting (as a root that kept CAP_SYS_ADMIN) uncovers nothing of the host"
check "umount -l /tmp /run /home then /tmp, /run, /home are empty" \
  bash -c "$(declare -f in_guest init_of); work=$work; in_guest b sh -c 'umount -l /tmp && umount -l /run && [ -z \"\$(find /tmp /run /home -mindepth 1)\" ]'"
check "umount -l /proc uncovers an empty /proc" \
  bash -c "$(declare -f in_guest init_of); work=$work; in_guest b sh -c 'umount -l /proc && [ -z \"\$(ls -A /proc)\" ]'"

echo "# 7. SIGTERM and SIGKILL leave no mount"
kill -TERM "$a"; wait "$a"; rc=$?
check "a halted cleanly ($rc)" test "$rc" == 0
check "after a's halt its layer is unmounted and empty" test -z "$(ls -A "$work/state/lab1/a.layer")"
bcg=$(cat "$work/state/lab1/b.pid.cgroup")
kill -KILL "$b"; wait "$b" 2>/dev/null
for _ in $(seq 100); do [[ $(mounts_of_work) == 0 ]] && break; sleep 0.05; done
check "after SIGKILL of b no mount of the state is left in any namespace" test "$(mounts_of_work)" == 0
check "after SIGKILL b's layer directory is empty" test -z "$(ls -A "$work/state/lab1/b.layer")"
check "after SIGKILL b's cgroup is empty and can be removed (labd does)" rmdir "$bcg"
check "the host's directory survived it all" test -f "$hostdel/sub/file"
kill "$marker"

if ((failures)); then echo "guest_root_test: $failures failure(s)"; exit 1; fi
echo "guest_root_test: all passed"
