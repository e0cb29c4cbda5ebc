# reboot and halt from inside a guest (`vklab exec … -- reboot`): a reboot
# keeps the guest Up and boots it again; a halt makes it Halted, and the
# lab's down still ends with everything gone.
. "$(dirname "$0")/lib.sh"
expect_rc 0 "up two-hosts" "$VKLAB" up --quiet "$EXAMPLES/two-hosts.yaml"
log=$VKLAB_STATE_ROOT/two-hosts/a.console.log
boots() { grep -c "vkernel: a: booted" "$log"; }
[ "$(boots)" = 1 ] && pass "a booted once" || fail "a booted $(boots) times: $(cat "$log")"
expect_rc 0 "exec a -- reboot" "$VKLAB" exec --lab two-hosts a -- reboot
for _ in $(seq 100); do [ "$(boots)" = 2 ] && break; sleep 0.05; done
[ "$(boots)" = 2 ] && pass "a booted again" || fail "a booted $(boots) times: $(cat "$log")"
expect_rc 0 "status" "$VKLAB" status two-hosts
echo "$OUT" | grep -q "^a  *Up" && pass "a is still Up after its reboot" || fail "status: $OUT"
expect_rc 0 "checks pass after the reboot" "$VKLAB" check two-hosts
expect_rc 0 "exec a -- halt" "$VKLAB" exec --lab two-hosts a -- halt
for _ in $(seq 100); do "$VKLAB" status two-hosts 2>/dev/null | grep -q "^a  *Halted" && break; sleep 0.05; done
expect_rc 0 "status" "$VKLAB" status two-hosts
echo "$OUT" | grep -q "^a  *Halted" && pass "a is Halted after its halt" || fail "status: $OUT"
echo "$OUT" | head -1 | grep -q "^two-hosts: up, 1 of 2 guests ended (labd pid" && pass "status says one guest ended" || fail "status: $OUT"
grep -q "cpu halt, exiting vkernel" "$log" && pass "a's console shows the halt" || fail "console: $(tail -3 "$log")"
expect_rc 1 "checks from a fail now" "$VKLAB" check two-hosts
echo "$OUT" | grep -q "a: not running (Halted)" && pass "check says a is not running" || fail "check: $OUT"
expect_rc 0 "down" "$VKLAB" down two-hosts
echo "$OUT" | grep -q "^a: had already halted" && pass "down reports a as halted before" || fail "down: $OUT"
echo "$OUT" | grep -q "^b: halted cleanly" && pass "down halts b" || fail "down: $OUT"
assert_clean "after down"
finish
