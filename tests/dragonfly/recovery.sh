# labd killed with SIGKILL after `up --target dragonfly`: `vklab down`
# finds the kernels (the pidfiles' children and their wrappers) from
# state.json, stops them, and tears the links down through the same
# DragonFly Host (netsetup::open_host for the plan's target): the fake
# ifconfig is asked to destroy each one, and says so truthfully. A bridge0
# that was on the host before the lab is not the lab's: the lab takes the
# next free units and leaves bridge0 alone.
. "$(dirname "$0")/lib.sh"
LAB=$(lab dflyrec "$POLITE" "$POLITE")
S=$VKLAB_STATE_ROOT/dflyrec

ifconfig bridge0 create && ifconfig bridge0 up
calls >/dev/null
expect_rc 0 "up with bridge0 taken" "$VKLAB" up --quiet --target dragonfly "$LAB"
got=$(calls)
echo "$got" | grep -q "^ifconfig bridge0 create" && fail "the host's bridge0 was created again"
echo "$got" | grep -q "^kernel -m 64m -I tap0:bridge1:10.1.0.1/24 -I tap1:bridge2 -p $S/a.pid$" &&
  pass "a's -I names the units the lab took (bridge1, bridge2)" || fail "calls: $got"
ka=$(pidfile dflyrec a); kb=$(pidfile dflyrec b); wa=$(wrapper dflyrec a); wb=$(wrapper dflyrec b)
labd=$(mine "labd: dflyrec")
[ -n "$labd" ] && kill -9 $labd && pass "labd ($labd) killed" || fail "no labd"
sleep 0.2
expect_rc 0 "status after kill -9" "$VKLAB" status dflyrec
echo "$OUT" | grep -q "labd is gone" && pass "status says labd is gone" || fail "status: $OUT"
running "$ka" && running "$kb" && pass "the kernels outlive labd" || fail "a kernel died with labd"
calls >/dev/null
expect_rc 0 "down without labd" "$VKLAB" down dflyrec
echo "$OUT"
[ "$(echo "$OUT" | grep -c "halted cleanly")" = 2 ] && pass "both kernels halted on SIGTERM" || fail "down: $OUT"
for p in "$ka" "$kb" "$wa" "$wb"; do running "$p" && fail "pid $p still runs after the recovery"; done
expect_calls "recovery" "ifconfig tap2 destroy
ifconfig tap1 destroy
ifconfig tap0 destroy
ifconfig bridge2 destroy
ifconfig bridge1 destroy
sysctl net.inet.ip.forwarding=0"
[ "$(ifconfig -l)" = "lo bridge0 " ] && pass "only the host's own bridge0 is left" || fail "ifconfig -l: $(ifconfig -l)"
calls >/dev/null
ifconfig bridge0 destroy
calls >/dev/null
assert_clean "after recovery"

# A stubborn kernel through recovery: killed after its stop_timeout,
# wrapper and child; exit 3.
LAB=$(lab dflyrec "$POLITE" "$STUBBORN")
expect_rc 0 "up (stubborn b)" "$VKLAB" up --quiet --target dragonfly "$LAB"
kb=$(pidfile dflyrec b); wb=$(wrapper dflyrec b)
kill -9 $(mine "labd: dflyrec")
expect_rc 3 "recovery down with a stubborn kernel" "$VKLAB" down dflyrec
echo "$OUT" | grep -q "b: forced after 2s" && pass "b was killed after 2s" || fail "down: $OUT"
running "$kb" && fail "b's kernel child $kb still runs"
running "$wb" && fail "b's wrapper $wb still runs"
kill -KILL "$kb" "$wb" 2>/dev/null
calls >/dev/null
assert_clean "after the stubborn recovery"

# The same with --force: wrapper and child of both killed at once.
expect_rc 0 "up (for a forced recovery)" "$VKLAB" up --quiet --target dragonfly "$LAB"
pids="$(pidfile dflyrec a) $(wrapper dflyrec a) $(pidfile dflyrec b) $(wrapper dflyrec b)"
kill -9 $(mine "labd: dflyrec")
calls >/dev/null
expect_rc 3 "recovery down --force" "$VKLAB" down --force dflyrec
[ "$(echo "$OUT" | grep -c "forced (killed at once)")" = 2 ] && pass "both killed at once" || fail "down: $OUT"
for p in $pids; do running "$p" && fail "pid $p still runs after down --force"; done
expect_calls "forced recovery" "ifconfig tap2 destroy
ifconfig tap1 destroy
ifconfig tap0 destroy
ifconfig bridge1 destroy
ifconfig bridge0 destroy
sysctl net.inet.ip.forwarding=0"
assert_clean "after the forced recovery"
finish
