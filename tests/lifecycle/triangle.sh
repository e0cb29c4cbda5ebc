# up the triangle → every guest Up; routes work end to end; status --json;
# down exits 0 with every guest halted cleanly; nothing is left.
. "$(dirname "$0")/lib.sh"
expect_rc 0 "up triangle" "$VKLAB" up --quiet "$EXAMPLES/triangle.yaml"
echo "$OUT" | grep -q "pc3 .*Up" && pass "summary table" || fail "summary table: $OUT"
expect_rc 0 "r1 reaches r3's LAN side" "$VKLAB" exec --lab triangle r1 -- ping -c1 -W2 10.3.0.1
expect_rc 0 "pc1 reaches pc3 across two routers" "$VKLAB" exec --lab triangle pc1 -- ping -c1 -W2 10.3.0.2
expect_rc 1 "pc1 cannot reach 10.99.0.1" "$VKLAB" exec --lab triangle pc1 -- ping -c1 -W1 10.99.0.1
expect_rc 0 "exec sees the guest's hostname" "$VKLAB" exec --lab triangle r2 -- hostname
[ "$OUT" = r2 ] && pass "hostname r2" || fail "hostname: $OUT"
expect_rc 7 "exec passes the exit status through" "$VKLAB" exec --lab triangle r1 -- sh -c 'exit 7'
expect_rc 0 "exec --host sees the lab's bridges" "$VKLAB" exec --lab triangle --host -- ip -o link show bridge0
OUT=$( (sleep 0.3; echo 'echo console-of-$(hostname)'; sleep 0.5; printf '\035') | "$VKLAB" console --lab triangle r2 2>&1)
echo "$OUT" | grep -q "console-of-r2" && pass "console: input reaches r2, output comes back" || fail "console: $OUT"
echo "$OUT" | grep -q "vkernel: r2: booted" && pass "console replays recent output" || fail "console replay: $OUT"
expect_rc 1 "console of an unknown guest" "$VKLAB" console --lab triangle nope
expect_rc 0 "status --json" "$VKLAB" status --json triangle
n=$(echo "$OUT" | grep -c '"state": "Up"')
[ "$n" = 6 ] && pass "6 guests Up in status --json" || fail "status --json: $n Up"
expect_rc 0 "status without a name" "$VKLAB" status
expect_rc 0 "ls" "$VKLAB" ls
echo "$OUT" | grep -q "^triangle .*up" && pass "ls lists triangle" || fail "ls: $OUT"
expect_rc 1 "a second up is refused" "$VKLAB" up --quiet "$EXAMPLES/triangle.yaml"
expect_rc 0 "still up after the refused up" "$VKLAB" exec --lab triangle r1 -- ping -c1 -W2 10.3.0.1
expect_rc 0 "down" "$VKLAB" down triangle
n=$(echo "$OUT" | grep -c "halted cleanly")
[ "$n" = 6 ] && pass "6 guests halted cleanly" || { fail "down: $n halted cleanly"; echo "$OUT"; }
assert_clean "after down"
expect_rc 0 "a second down has nothing to do" "$VKLAB" down triangle
echo "$OUT" | grep -q "nothing to do" && pass "says nothing to do" || fail "second down: $OUT"
finish
