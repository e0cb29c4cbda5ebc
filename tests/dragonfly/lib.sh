# Shared by the DragonFly end-to-end tests: `vklab up --target dragonfly`
# through labd on THIS (Linux) machine, with fake kldload(8), ifconfig(8),
# sysctl(8) and forking vkernels first on the test's own PATH. Root, each
# test inside `unshare -n -m --propagation private` (CMakeLists.txt).
#
# The fakes log every call to $DFLY_LOG ("ifconfig bridge0 create", …) and
# behave like the real ones. DragonFlyHost reads the host's links with
# getifaddrs(3), never through ifconfig, so the fake ifconfig makes the
# links it is asked for real in this private network namespace (a bridge,
# a tap): labd's own read path sees exactly what the fake created, and
# "the fake's state is empty" is "no link but lo here" (assert_clean).
# sysctl keeps its values in files under $DFLY_STATE/sysctl.
. "$(dirname "$0")/../lifecycle/lib.sh"

# Never outside a private network namespace: the fake ifconfig creates links.
[ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] ||
  { echo "FAIL: run me inside unshare -n -m --propagation private"; exit 1; }

export DFLY_STATE=$WORK/dfly DFLY_LOG=$WORK/dfly/calls.log
mkdir -p "$DFLY_STATE/sysctl" "$WORK/bin"
: > "$DFLY_LOG"
echo 0 > "$DFLY_STATE/sysctl/net.inet.ip.forwarding"
echo 0 > "$DFLY_STATE/sysctl/vm.vkernel_enable"

fake() {  # fake NAME BODY: $WORK/bin/NAME, which logs its call first
  cat > "$WORK/bin/$1" <<SCRIPT
#!/bin/sh
[ -n "\${DFLY_LOG:-}" ] || { echo "$1: a test fake, run outside its test" >&2; exit 70; }
echo "$1 \$*" >> "\$DFLY_LOG"
$2
SCRIPT
  chmod +x "$WORK/bin/$1"
}

fake kldload '[ "$1" = -n ] && shift
[ $# = 1 ] || { echo "usage: kldload [-nv] file ..." >&2; exit 64; }
touch "$DFLY_STATE/$1.ko"'

fake sysctl 'for a in "$@"; do
  case $a in
    -*) continue ;;
    *=*) n=${a%%=*}; v=${a#*=} ;;
    *) n=$a; v= ;;
  esac
  case $n in *[!a-z0-9._]*|"") echo "sysctl: unknown oid '"'"'$n'"'"'" >&2; exit 1 ;; esac
  f=$DFLY_STATE/sysctl/$n
  [ -f "$f" ] || { echo "sysctl: unknown oid '"'"'$n'"'"'" >&2; exit 1; }
  if [ -n "$v" ]; then echo "$n: $(cat "$f") -> $v"; echo "$v" > "$f"; else echo "$n: $(cat "$f")"; fi
done'

# ifconfig -l | NAME | NAME create|destroy|up|down | NAME addm|deletem M | NAME inet[6] A alias
fake ifconfig 'no() { echo "ifconfig: interface $1 does not exist" >&2; exit 1; }
[ "$1" = -l ] && { ip -o link | awk -F": " "{ sub(/@.*/, \"\", \$2); printf \"%s \", \$2 } END { print \"\" }"; exit 0; }
n=$1; shift
case ${1:-} in
  create)
    case $n in
      bridge[0-9]*) t="link add $n type bridge" ;;
      tap[0-9]*) t="tuntap add dev $n mode tap" ;;
      *) echo "ifconfig: SIOCIFCREATE2: Invalid argument" >&2; exit 1 ;;
    esac
    ip link show "$n" >/dev/null 2>&1 && { echo "ifconfig: SIOCIFCREATE2: File exists" >&2; exit 1; }
    ip $t || exit 1 ;;
  destroy) ip link show "$n" >/dev/null 2>&1 || no "$n"; ip link del "$n" ;;
  up|down) ip link show "$n" >/dev/null 2>&1 || no "$n"; ip link set "$n" "$1" ;;
  addm|deletem)
    ip link show "$n" >/dev/null 2>&1 || no "$n"
    ip link show "$2" >/dev/null 2>&1 || { echo "ifconfig: $1 $2: No such file or directory" >&2; exit 1; }
    if [ "$1" = addm ]; then ip link set "$2" master "$n"; else ip link set "$2" nomaster; fi ;;
  inet|inet6) ip link show "$n" >/dev/null 2>&1 || no "$n"; ip addr add "$2" dev "$n" ;;
  "") ip link show "$n" >/dev/null 2>&1 || no "$n"; ip -o addr show dev "$n" ;;
  *) echo "ifconfig: $1: bad value" >&2; exit 1 ;;
esac'

export PATH=$WORK/bin:$PATH

# A real vkernel since 2013 (reference/vkernel-facts.md): the process labd
# starts is a wrapper that forks the kernel and waits; the CHILD writes its
# pid to the -p pidfile, and the wrapper forwards SIGTERM to it. Polite:
# the child halts 0.3 s after SIGTERM (init halting the guest), removes
# its pidfile, exits 0, and the wrapper then exits 0. Stubborn: the child
# ignores SIGTERM. Each logs its argv ("kernel ARGV…") first.
dfly_kernel() {  # dfly_kernel NAME CHILD-TRAP
  cat > "$WORK/$1" <<SCRIPT
#!/bin/sh
echo "kernel \$*" >> "\$DFLY_LOG"
pf=
while [ \$# -gt 0 ]; do [ "\$1" = -p ] && pf=\$2; shift; done
sh -c '$2
echo \$\$ > "\$1"
while :; do sleep 0.05; done' child "\$pf" &
c=\$!
trap 'kill -TERM \$c 2>/dev/null' TERM
while kill -0 \$c 2>/dev/null; do wait \$c; done
exit 0
SCRIPT
  chmod +x "$WORK/$1"
  echo "$WORK/$1"
}
POLITE=$(dfly_kernel polite.sh 'trap "sleep 0.3; rm -f \"\$1\"; exit 0" TERM')
STUBBORN=$(dfly_kernel stubborn.sh 'trap "" TERM')

# calls: the log since the last call to it (and the log is emptied).
calls() { cat "$DFLY_LOG"; : > "$DFLY_LOG"; }

# expect_calls "what" EXPECTED: the logged calls since the last look are
# exactly EXPECTED (one per line, in order).
expect_calls() {
  local got
  got=$(calls)
  if [ "$got" = "$2" ]; then pass "$1: exactly the expected calls"
  else fail "$1: calls differ (want, got):"; diff <(echo "$2") <(echo "$got"); fi
}

# The lab: two guests on a bridge with addresses, a second bridge, host
# forwarding (a sysctl labd sets and restores).
lab() {  # lab NAME KERNEL-A KERNEL-B
  cat > "$WORK/$1.yaml" <<LAB
name: $1
defaults: {memory: 64m, stop_timeout: 2s}
host: {forwarding: true}
bridges:
  lan: {subnet: 10.1.0.0/24}
  wan: {}
guests:
  a: {kernel: $2, interfaces: [{bridge: lan, address: 10.1.0.1/24}, wan]}
  b: {kernel: $3, interfaces: [{bridge: lan, address: auto}], depends_on: [a]}
LAB
  echo "$WORK/$1.yaml"
}

running() { [ -e "/proc/$1" ] && ! awk '{ sub(/.*\) /, ""); exit $1 == "Z" ? 0 : 1 }' "/proc/$1/stat" 2>/dev/null; }
pidfile() { cat "$VKLAB_STATE_ROOT/$1/$2.pid" 2>/dev/null; }
# The wrapper of guest $2 of lab $1: the parent of its pidfile's pid.
wrapper() { awk '{ sub(/.*\) /, ""); print $2 }' "/proc/$(pidfile "$1" "$2")/stat" 2>/dev/null; }
sysctl_value() { cat "$DFLY_STATE/sysctl/$1"; }
