# `vklab up --target dragonfly` through labd with fake DragonFly tools
# (lib.sh): the exact host commands in order, the kernels' argv, status,
# then `down`: every kernel (wrapper and child) gone, the links destroyed
# in reverse, forwarding restored, nothing left.
. "$(dirname "$0")/lib.sh"
LAB=$(lab dflyup "$POLITE" "$POLITE")
S=$VKLAB_STATE_ROOT/dflyup

expect_rc 0 "up --target dragonfly" "$VKLAB" up --quiet --target dragonfly "$LAB"
echo "$OUT" | grep -q "^a  *Up" && echo "$OUT" | grep -q "^b  *Up" && pass "both guests are Up" || fail "up: $OUT"
expect_calls "up" "kldload -n if_bridge
kldload -n if_tap
sysctl vm.vkernel_enable=1
sysctl net.inet.ip.forwarding=1
ifconfig bridge0 create
ifconfig bridge1 create
ifconfig tap0 create
ifconfig tap1 create
ifconfig tap2 create
ifconfig bridge0 addm tap0
ifconfig bridge1 addm tap1
ifconfig bridge0 addm tap2
ifconfig bridge0 up
ifconfig bridge1 up
ifconfig tap0 up
ifconfig tap1 up
ifconfig tap2 up
kernel -m 64m -I tap0:bridge0:10.1.0.1/24 -I tap1:bridge1 -p $S/a.pid
kernel -m 64m -I tap2:bridge0:10.1.0.2/24 -p $S/b.pid"
[ "$(sysctl_value net.inet.ip.forwarding)" = 1 ] && pass "forwarding on" || fail "forwarding: $(sysctl_value net.inet.ip.forwarding)"
[ "$(ip -o link show master bridge0 | awk -F': ' '{print $2}' | sort | tr '\n' ' ')" = "tap0 tap2 " ] &&
  pass "bridge0 holds tap0 and tap2" || fail "bridge0: $(ip -o link show master bridge0)"
[ -z "$(find "$S" -name netns)" ] && pass "no network namespace for a DragonFly lab" || fail "a netns in $S"
grep -q '"network": "host"' "$S/plan.json" && grep -q '"target": "dragonfly"' "$S/plan.json" &&
  pass "plan.json: dragonfly, host network" || fail "plan.json: $(grep -e network -e '"target"' "$S/plan.json")"

# The pidfile holds the kernel's CHILD; labd started its wrapper.
ka=$(pidfile dflyup a); kb=$(pidfile dflyup b); wa=$(wrapper dflyup a); wb=$(wrapper dflyup b)
[ -n "$ka" ] && [ "$(cat /proc/"$wa"/cmdline | tr '\0' ' ')" != "" ] && running "$wa" && running "$ka" &&
  pass "a: wrapper $wa runs its kernel $ka" || fail "a: wrapper '$wa' kernel '$ka'"

expect_rc 0 "status" "$VKLAB" status dflyup
echo "$OUT" | grep -q "^a  *Up.*$ka" && echo "$OUT" | grep -q "^b  *Up.*$kb" &&
  pass "status shows both Up with their kernels' pids" || fail "status: $OUT"
expect_calls "status" ""

expect_rc 0 "down" "$VKLAB" down dflyup
echo "$OUT" | grep -q "a: halted cleanly" && echo "$OUT" | grep -q "b: halted cleanly" &&
  pass "both kernels halted on SIGTERM" || fail "down: $OUT"
for p in "$ka" "$kb" "$wa" "$wb"; do running "$p" && fail "pid $p still runs after down"; done
expect_calls "down" "ifconfig tap2 destroy
ifconfig tap1 destroy
ifconfig tap0 destroy
ifconfig bridge1 destroy
ifconfig bridge0 destroy
sysctl net.inet.ip.forwarding=0"
[ "$(sysctl_value net.inet.ip.forwarding)" = 0 ] && pass "forwarding restored" || fail "forwarding left on"
[ "$(ifconfig -l)" = "lo " ] && pass "ifconfig -l: only lo" || fail "ifconfig -l: $(ifconfig -l)"
calls >/dev/null
assert_clean "after down"

# network: isolated cannot be: refused at its place, nothing done.
printf 'name: iso\nnetwork: isolated\nbridges: [lan]\nguests:\n  a: {kernel: %s, interfaces: [lan]}\n' "$POLITE" > "$WORK/iso.yaml"
expect_rc 2 "up --target dragonfly of an isolated lab" "$VKLAB" up --target dragonfly "$WORK/iso.yaml"
echo "$OUT" | grep -q "iso.yaml:2:10: error: \`network: isolated\` needs Linux" && pass "says where and why" || fail "$OUT"
expect_calls "refused up" ""
assert_clean "after the refused up"
finish
