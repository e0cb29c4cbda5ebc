#!/usr/bin/env bash
# Integration test of the bundled Linux guest, as root, in a private network
# namespace:  guest_test.sh path/to/vkernel
#
# Guests are entered with nsenter --target <init pid> (from <pidfile>.init).
# Bounds are shortened with -e vklab_term_wait / vklab_shutdown_timeout.
set -uo pipefail

VK=$(readlink -f "${1:?usage: guest_test.sh path/to/vkernel}")
if [[ "${VKLAB_TEST_INNER:-}" != 1 ]]; then
  [[ $(id -u) == 0 ]] || { echo "guest_test: needs root"; exit 77; }
  exec env VKLAB_TEST_INNER=1 unshare -n -m --propagation private -- "$0" "$VK"
fi

work=$(mktemp -d /tmp/vklab-guest-test.XXXXXX)
failures=0
started=()
cleanup() {
  for p in "${started[@]}"; do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  # A SIGKILLed guest leaves its memory cgroup (labd removes it in real use).
  for f in "$work"/*.cgroup; do [[ -f $f ]] && rmdir "$(cat "$f")" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

ok()   { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }
check() {  # description command...
  local what=$1; shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}
quiet() { "$@" >/dev/null 2>&1; }
log_has() { grep -qF -- "$2" "$work/$1.log"; }

guest() {  # name extra-args...: starts a guest in the background, sets PID
  local n=$1; shift
  "$VK" -m 64m -p "$work/$n.pid" -e "vklab_hostname=$n" "$@" >"$work/$n.log" 2>&1 </dev/null &
  PID=$!
  started+=("$PID")
}
booted() {  # name
  for _ in $(seq 100); do log_has "$1" ": booted" && return 0; sleep 0.05; done
  echo "--- $1.log"; cat "$work/$1.log"; return 1
}
in_guest() {  # name command...
  local n=$1; shift
  nsenter --target "$(cat "$work/$n.pid.init")" --net --uts --mount --pid -- "$@"
}
exit_of() {  # pid timeout-seconds: waits; sets RC to the exit status (or "timeout")
  local p=$1 t=$2 st
  for _ in $(seq $((t * 100))); do
    st=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)
    if [[ -z $st || $st == Z ]]; then wait "$p"; RC=$?; return; fi
    sleep 0.01
  done
  RC=timeout
}
pidns_of() { readlink "/proc/$(cat "$work/$1.pid.init")/ns/pid"; }
no_guest_procs() {  # pid-namespace link (pidns_of): no process of it is left
  local p
  for p in /proc/[0-9]*; do [[ $(readlink "$p/ns/pid" 2>/dev/null) == "$1" ]] && return 1; done
  return 0
}
links() { ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' '; }

ip link set lo up
ip link add bridge0 type bridge
ip addr add 10.0.0.254/24 dev bridge0
ip link set bridge0 up

echo "# 1. bad command lines: exit 64, a clear message, nothing created"
before=$(links)
while IFS='|' read -r args want; do
  # shellcheck disable=SC2086
  "$VK" $args >"$work/bad.out" 2>&1 </dev/null
  rc=$?
  if [[ $rc == 64 ]] && grep -qF -- "$want" "$work/bad.out"; then ok "vkernel $args -> 64: $want"
  else fail "vkernel $args -> $rc: $(cat "$work/bad.out")"; fi
done <<'CASES'
-m 100 -I tap0:bridge0|Bad maxmem option
-m 32m -I tap0:bridge0|64MB minimum, multiples of 2MB only
-m 65m -I tap0:bridge0|64MB minimum, multiples of 2MB only
-m 64m -I tap0:10.0.0.1/32|Invalid netmask len
-m 64m -I tap0:fe80::1|IPv4 only
-m 64m -I tap0:bridge0=01:00:5e:00:00:01|unicast
-m 64m -I tap0 -I tap1 -I tap2 -I tap3 -I tap4 -I tap5 -I tap6 -I tap7 -I tap8 -I tap9 -I tap10 -I tap11 -I tap12 -I tap13 -I tap14 -I tap15 -I tap16|too many network interfaces
-m 64m -q -I tap0:bridge0|illegal option -- q
-m 64m -I|option requires an argument -- I
-I tap0:bridge0|specified with -m
-m 64m -e vklab_term_wait=soon|expected a duration
CASES
check "bad command lines created no link" test "$(links)" == "$before"
"$VK" -h >"$work/help.out" 2>&1
check "-h prints usage, exit 0" grep -q "^usage: vkernel" "$work/help.out"

echo "# 2. two guests on bridge0: ping, hostname, vke0"
printf 'false\necho rc-done\n' >"$work/g1.rc"
: >"$work/disk1.img"
guest g1 -I tap0:bridge0:10.0.0.1/24 -e "vklab_rc=$work/g1.rc" -r "$work/disk1.img" 3>"$work/g1.ready" -e vklab_ready_fd=3
g1=$PID
check "g1 booted" booted g1
guest g2 -I auto:bridge0:10.0.0.2/24   # auto after g1 holds tap0: gets tap1
g2=$PID
check "g2 booted" booted g2
check "readiness fd got ready" grep -qx ready "$work/g1.ready"
check "a failing startup command is reported, boot goes on" \
  bash -c "grep -q 'g1: startup: line 1: exit 1: false' '$work/g1.log' && grep -q rc-done '$work/g1.log'"
check "host pings g1" quiet ping -q -c 1 -W 2 10.0.0.1
check "host pings g2" quiet ping -q -c 1 -W 2 10.0.0.2
check "g1 pings g2" quiet in_guest g1 ping -q -c 1 -W 2 10.0.0.2
check "g2 pings g1 and the host" \
  bash -c "$(declare -f in_guest); work=$work; in_guest g2 ping -q -c 1 -W 2 10.0.0.1 && in_guest g2 ping -q -c 1 -W 2 10.0.0.254" >/dev/null
check "hostname in g1 is g1" test "$(in_guest g1 hostname)" == g1
check "hostname in g2 is g2" test "$(in_guest g2 hostname)" == g2
check "ip link in g1 shows vke0" bash -c "$(declare -f in_guest); work=$work; in_guest g1 ip -o link | grep -q ' vke0:'"
check "vke0 MAC = tap0 MAC with byte 1 + 1" bash -c '
  t=$(cat /sys/class/net/tap0/address 2>/dev/null || ip -o link show tap0 | grep -o "link/ether [0-9a-f:]*" | cut -d" " -f2)
  '"$(declare -f in_guest); work=$work"'
  g=$(in_guest g1 cat /sys/class/net/vke0/address)
  want=$(printf "%s:%02x:%s" "${t:0:2}" $(( (0x${t:3:2} + 1) & 255 )) "${t:6}")
  [[ $g == "$want" ]]'
"$VK" -m 64m -p "$work/g1.pid" -e vklab_hostname=dup >"$work/dup.out" 2>&1 </dev/null
check "a second vkernel on the same pidfile fails" grep -q "Failed to lock pidfile, vkernel already running" "$work/dup.out"
"$VK" -m 64m -r "$work/disk1.img" -e vklab_hostname=dup >"$work/dup2.out" 2>&1 </dev/null
check "a locked disk image is refused" grep -q "Disk image $work/disk1.img is already in use" "$work/dup2.out"

echo "# 3. SIGQUIT dumps and the guest goes on; SIGINT stops it uncleanly"
kill -QUIT "$g2"; sleep 0.3
check "SIGQUIT dump lists vke0 with counters" bash -c "grep -q '^vke0: tap tap1 (tap_unit 1) bridge bridge0' '$work/g2.log' && grep -q 'rx [0-9]* pkts' '$work/g2.log'"
check "g2 still answers after SIGQUIT" quiet ping -q -c 1 -W 2 10.0.0.2
g2init=$(pidns_of g2)
kill -INT "$g2"
exit_of "$g2" 5; rc=$RC
check "SIGINT: non-zero exit ($rc)" test "$rc" != 0 -a "$rc" != timeout
check "SIGINT: no guest process left" no_guest_procs "$g2init"
check "SIGINT: tap1 (created by g2) is gone" bash -c "! ip link show tap1 >/dev/null 2>&1"

echo "# 4. SIGTERM: shutdown commands, every process gone, exit 0, pidfile and lock released"
printf 'sleep 1000 &\nsh -c "trap \\"echo trapped-TERM; exit 0\\" TERM; while :; do sleep 0.1; done" &\n' >"$work/g3.rc"
printf 'echo g3-shutdown-ran\n' >"$work/g3.down"
: >"$work/disk3.img"
guest g3 -I tap5:bridge0:10.0.0.3/24 -r "$work/disk3.img" -e "vklab_rc=$work/g3.rc" -e "vklab_rc_shutdown=$work/g3.down" -e vklab_term_wait=5s
g3=$PID
check "g3 booted" booted g3
g3init=$(pidns_of g3)
t0=$(date +%s%N)
kill -TERM "$g3"
exit_of "$g3" 10; rc=$RC
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "SIGTERM: exit 0 (got $rc, ${ms} ms)" test "$rc" == 0
check "SIGTERM: the vkernel message" log_has g3 "Caught SIGTERM from host system. Shutting down..."
check "SIGTERM: shutdown commands ran" log_has g3 "g3-shutdown-ran"
check "SIGTERM: the TERM trap ran" log_has g3 "trapped-TERM"
check "SIGTERM: halt line" log_has g3 "cpu halt, exiting vkernel"
check "SIGTERM: well within the bounds (< 4 s)" test "$ms" -lt 4000
check "SIGTERM: no guest process left" no_guest_procs "$g3init"
check "SIGTERM: pidfile removed" test ! -e "$work/g3.pid"
check "SIGTERM: disk lock released" flock -n "$work/disk3.img" true
check "SIGTERM: tap5 gone" bash -c "! ip link show tap5 >/dev/null 2>&1"

echo "# 5. a process that ignores SIGTERM is SIGKILLed after the bounded wait"
printf 'sh -c "trap \\"\\" TERM; while :; do sleep 0.1; done" &\n' >"$work/g4.rc"
guest g4 -e "vklab_rc=$work/g4.rc" -e vklab_term_wait=1s
g4=$PID
check "g4 booted" booted g4
g4init=$(pidns_of g4)
t0=$(date +%s%N)
kill -TERM "$g4"
exit_of "$g4" 10; rc=$RC
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "ignores SIGTERM: still exit 0 (got $rc, ${ms} ms)" test "$rc" == 0
check "ignores SIGTERM: SIGKILL reported" log_has g4 "sending SIGKILL"
check "ignores SIGTERM: took the bounded wait (1-3 s)" test "$ms" -ge 900 -a "$ms" -lt 3000
check "ignores SIGTERM: no guest process left" no_guest_procs "$g4init"

echo "# 6. persistent tap: attached, not removed"
ip tuntap add dev tap7 mode tap
guest g5 -I tap7:10.9.0.1:10.9.0.2/30
g5=$PID
check "g5 booted" booted g5
check "host pings g5 over the tap link" quiet ping -q -c 1 -W 2 10.9.0.2
kill -TERM "$g5"
exit_of "$g5" 10; rc=$RC
check "g5 halted cleanly ($rc)" test "$rc" == 0
check "persistent tap7 survives the guest" quiet ip link show tap7
ip link del tap7

echo "# 7. reboot, shutdown and halt from inside the guest"
printf 'echo g6-startup-ran\necho "g6-reboot-is=$(command -v reboot)"\nsleep 1000 &\n' >"$work/g6.rc"
printf 'echo g6-shutdown-ran\n' >"$work/g6.down"
# This guest runs a copy of the binary under /tmp, a path its own /tmp hides:
# the commands must not depend on seeing the binary's host path.
cp "$VK" "$work/vkernel"
VK=$work/vkernel guest g6 -I tap8:bridge0:10.0.0.6/24 -e "vklab_rc=$work/g6.rc" -e "vklab_rc_shutdown=$work/g6.down" -e vklab_term_wait=1s
g6=$PID
check "g6 booted" booted g6
init1=$(cat "$work/g6.pid.init"); ns1=$(pidns_of g6)
count() { grep -c -- "$2" "$work/$1.log"; }
check "the guest's own reboot comes first on its PATH" log_has g6 "g6-reboot-is=/run/vkernel/bin/reboot"
in_guest g6 /run/vkernel/bin/shutdown -h >"$work/sd.out" 2>&1; rc=$?
check "shutdown without 'now' is a usage error (64, got $rc)" test "$rc" == 64 -a "$(head -c 9 "$work/sd.out")" == "shutdown:"
in_guest g6 /run/vkernel/bin/shutdown -r +5 >"$work/sd.out" 2>&1; rc=$?
check "shutdown -r +5 refused (64, got $rc): $(head -1 "$work/sd.out")" test "$rc" == 64
check "reboot inside the guest exits 0" quiet in_guest g6 /run/vkernel/bin/reboot
for _ in $(seq 200); do [[ $(count g6 ': booted') == 2 ]] && break; sleep 0.05; done
check "booted a second time" test "$(count g6 ': booted')" == 2
check "shutdown commands ran once, before the reboot" test "$(count g6 g6-shutdown-ran)" == 1
check "startup commands ran again" test "$(count g6 g6-startup-ran)" == 2
check "the same vkernel process goes on" kill -0 "$g6"
check "a new init, its pid in g6.pid.init" test "$(cat "$work/g6.pid.init")" != "$init1"
check "nothing of the first boot is left (sleep 1000)" no_guest_procs "$ns1"
check "host pings g6 after the reboot" quiet ping -q -c 1 -W 2 10.0.0.6
check "hostname is still g6" test "$(in_guest g6 hostname)" == g6
if command -v python3 >/dev/null; then
  # reboot(2) itself (RB_AUTOBOOT) from a guest process: the kernel ends init
  # with SIGHUP, which is a reboot too.
  init2=$(cat "$work/g6.pid.init")
  in_guest g6 python3 -c 'import ctypes; ctypes.CDLL(None).reboot(0x01234567)' >/dev/null 2>&1
  for _ in $(seq 200); do [[ $(count g6 ': booted') == 3 ]] && break; sleep 0.05; done
  check "reboot(2) inside the guest reboots it too" test "$(count g6 ': booted')" == 3 -a "$(cat "$work/g6.pid.init")" != "$init2"
fi
# Outside a guest PID 1 is not a vkernel init: the commands refuse, and a
# private PID namespace keeps even a broken check away from the host's init.
unshare -p -f --mount-proc bash -c "(exec -a halt '$VK')" >"$work/halt.out" 2>&1; rc=$?
check "halt outside a guest refuses (1, got $rc): $(cat "$work/halt.out")" \
  bash -c "test $rc == 1 && grep -q 'not inside a vklab guest' '$work/halt.out'"
check "halt inside the guest exits 0" quiet in_guest g6 /run/vkernel/bin/halt
exit_of "$g6" 10; rc=$RC
check "halt: the vkernel exits 0 (got $rc)" test "$rc" == 0
check "halt: shutdown commands ran again" test "$(count g6 g6-shutdown-ran)" -ge 2
check "halt: halted cleanly" log_has g6 "halted cleanly"
check "halt: pidfile removed" test ! -e "$work/g6.pid"

echo "# 8. the host's SIGTERM during a guest's reboot ends the guest"
printf 'echo g7-shutdown-start; sleep 1; echo g7-shutdown-end\n' >"$work/g7.down"
guest g7 -e "vklab_rc_shutdown=$work/g7.down" -e vklab_term_wait=1s
g7=$PID
check "g7 booted" booted g7
quiet in_guest g7 /run/vkernel/bin/reboot
for _ in $(seq 200); do log_has g7 g7-shutdown-start && break; sleep 0.02; done
kill -TERM "$g7"
exit_of "$g7" 10; rc=$RC
check "SIGTERM during the reboot: the vkernel exits 0 (got $rc)" test "$rc" == 0
check "SIGTERM during the reboot: no second boot" test "$(count g7 ': booted')" == 1
check "SIGTERM during the reboot: halted cleanly" log_has g7 "halted cleanly"

echo "# 8b. L2: a SIGTERM to a guest whose init has not started yet is not lost"
# VKLAB_TEST_INIT_DELAY_MS holds init back before it sets up its signals (a
# loaded host): the vkernel's halt reaches it during that window.
VKLAB_TEST_INIT_DELAY_MS=700 guest g8 -e vklab_term_wait=1s
g8=$PID
for _ in $(seq 200); do log_has g8 "Linux guest, pid" && break; sleep 0.01; done
kill -TERM "$g8"
exit_of "$g8" 10; rc=$RC
check "SIGTERM before init runs: the vkernel exits 0 (got $rc)" test "$rc" == 0
check "SIGTERM before init runs: init saw the halt" log_has g8 "init: halt requested"
check "SIGTERM before init runs: no boot" test "$(count g8 ': booted')" == 0

echo "# 8c. L3: the memory cgroup is named in <pidfile>.cgroup, both removed on halt"
guest g9
g9=$PID
check "g9 booted" booted g9
cg=$(cat "$work/g9.pid.cgroup" 2>/dev/null)
check "g9.pid.cgroup names an existing cgroup ($cg)" test -n "$cg" -a -d "$cg"
check "the cgroup holds g9's init" grep -qx "$(cat "$work/g9.pid.init")" "$cg/cgroup.procs"
kill -TERM "$g9"
exit_of "$g9" 10; rc=$RC
check "g9 halted cleanly ($rc)" test "$rc" == 0
check "halt: the cgroup is removed" test ! -e "$cg"
check "halt: g9.pid.cgroup is removed" test ! -e "$work/g9.pid.cgroup"

echo "# 9. g1 halts; nothing is left"
kill -TERM "$g1"
exit_of "$g1" 10; rc=$RC
check "g1 halted cleanly ($rc)" test "$rc" == 0
check "only lo and bridge0 are left" test "$(links)" == "bridge0 lo "
left=$(for p in "${started[@]}"; do kill -0 "$p" 2>/dev/null && echo "$p"; done)
check "no vkernel process left" test -z "$left"

if ((failures)); then echo "guest_test: $failures failure(s)"; exit 1; fi
echo "guest_test: all passed"
