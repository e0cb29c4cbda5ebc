# labd killed with SIGKILL → status says so; down halts the guests cleanly
# from state.json and removes everything.
. "$(dirname "$0")/lib.sh"
expect_rc 0 "up triangle" "$VKLAB" up --quiet "$EXAMPLES/triangle.yaml"
labd=$(mine "labd: triangle")
[ -n "$labd" ] && pass "labd runs as 'labd: triangle'" || fail "no labd process"
kill -9 $labd
sleep 0.2
expect_rc 0 "status after kill -9" "$VKLAB" status triangle
echo "$OUT" | grep -q "labd is gone" && pass "status says labd is gone" || fail "status: $OUT"
expect_rc 0 "guests still work" "$VKLAB" exec --lab triangle pc1 -- ping -c1 -W2 10.3.0.2
expect_rc 0 "down without labd" "$VKLAB" down triangle
n=$(echo "$OUT" | grep -c "halted cleanly")
[ "$n" = 6 ] && pass "6 guests halted cleanly" || { fail "down: $n halted cleanly"; echo "$OUT"; }
assert_clean "after recovery"
expect_rc 0 "second down" "$VKLAB" down triangle

# labd on SIGTERM takes the lab down itself (after an up --no-wait).
expect_rc 0 "up --no-wait" "$VKLAB" up --no-wait "$EXAMPLES/triangle.yaml"
for i in $(seq 50); do "$VKLAB" status triangle 2>/dev/null | grep -q "^triangle: up" && break; sleep 0.1; done
labd=$(mine "labd: triangle")
kill -TERM $labd
for i in $(seq 100); do kill -0 $labd 2>/dev/null || break; sleep 0.1; done
kill -0 $labd 2>/dev/null && fail "labd still runs after SIGTERM" || pass "labd exits on SIGTERM"
assert_clean "after labd's own down"
finish
