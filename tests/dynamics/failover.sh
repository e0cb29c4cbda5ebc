# examples/labs/ospf-failover.yaml as the exercise goes: every check holds
# with the primary path, again after `vklab link r1:vke1 down` unplugs it
# (check --wait gives OSPF the time to reconverge), and again after `up`;
# r1's route to lan2 moves to the backup and back. Behaviour, not timing.
# Root, in unshare -n -m.
. "$(dirname "$0")/../lifecycle/lib.sh"
lab="$EXAMPLES/ospf-failover.yaml"
[ -x /usr/lib/frr/ospfd ] || { echo "SKIP: no FRR on this host (apt-get install frr)"; exit 77; }
checks=$(sed -n '/^checks:/,$p' "$lab" | grep -c '^ *- *{from:')

# via R: r1's route to lan2 goes through R ("none": no route).
via() {
  "$VKLAB" exec --lab ospf-failover r1 -- ip -4 route show 10.2.0.0/24 2>/dev/null \
    | sed -n 's/.* via \([0-9.]*\) .*/\1/p' | head -1 | grep . || echo none
}
all_pass() {  # all_pass WHAT [--wait D]
  local what=$1; shift
  expect_rc 0 "check $what" "$VKLAB" check ospf-failover "$@"
  echo "$OUT" | grep -q "^$checks passed, 0 failed$" && pass "$checks checks pass $what" || { fail "checks $what"; echo "$OUT"; }
}

expect_rc 0 "up" "$VKLAB" up --quiet "$lab"
all_pass "with the primary path" --wait 30s
[ "$(via)" = 10.12.0.2 ] && pass "r1 reaches lan2 by the primary (r2 direct)" || fail "r1's route before: $(via)"

expect_rc 0 "link r1:vke1 down (the primary)" "$VKLAB" link --lab ospf-failover r1:vke1 down
expect_rc 0 "r1's vke1" "$VKLAB" exec --lab ospf-failover r1 -- ip link show vke1
echo "$OUT" | grep -q NO-CARRIER && pass "r1's vke1 shows NO-CARRIER" || fail "r1 vke1: $OUT"
all_pass "without the primary path" --wait 30s
[ "$(via)" = 10.13.0.2 ] && pass "r1 reaches lan2 by the backup (r3)" || fail "r1's route after down: $(via)"
# ping -R: each router records the address it forwards from; r3's on r2-r3.
expect_rc 0 "ping -R pc1 -> pc2" "$VKLAB" exec --lab ospf-failover pc1 -- ping -n -R -c 1 -W 2 10.2.0.10
echo "$OUT" | grep -q "10\.23\.0\.2" && pass "pc1's packets go through r3" || fail "ping -R: $OUT"

expect_rc 0 "link r1:vke1 up" "$VKLAB" link --lab ospf-failover r1:vke1 up
all_pass "with the primary back" --wait 30s
n=0; while [ "$(via)" != 10.12.0.2 ] && [ $n -lt 30 ]; do sleep 1; n=$((n + 1)); done
[ "$(via)" = 10.12.0.2 ] && pass "r1 is back on the primary" || fail "r1's route after up: $(via)"

expect_rc 0 "down" "$VKLAB" down ospf-failover
assert_clean "after down"
finish
