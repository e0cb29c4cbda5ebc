# Guests failing to launch (no such kernel, a kernel that exits at once,
# one never ready) and a stubborn guest: up fails and rolls back, down
# forces the stubborn one; nothing is left either way.
. "$(dirname "$0")/lib.sh"
for bad in "/nonexistent/kernel" "$BROKEN"; do
  f=$(lab bad "  a: {kernel: $POLITE, interfaces: [lan]}
  b: {kernel: $bad, interfaces: [lan], depends_on: [a]}
  c: {kernel: $POLITE, interfaces: [lan], depends_on: [b]}")
  expect_rc 1 "up with b = $bad" "$VKLAB" up --quiet "$f"
  echo "$OUT" | grep -q "everything was rolled back" && pass "says rolled back" || fail "up: $OUT"
  settle bad "b = $bad"
done
f=$(lab stub "  a: {kernel: $POLITE, interfaces: [lan]}
  s: {kernel: $STUBBORN, interfaces: [lan], stop_timeout: 1s}")
expect_rc 0 "up with a stubborn guest" "$VKLAB" up --quiet "$f"
expect_rc 3 "down forces the stubborn guest" "$VKLAB" down stub
echo "$OUT" | grep -q "s: forced after 1s" && pass "says s was forced" || fail "down: $OUT"
settle stub "stubborn"
# The stubborn guest again, its labd killed: recovery forces it too.
expect_rc 0 "up with a stubborn guest" "$VKLAB" up --quiet "$f"
kill -9 $(mine "labd: stub")
expect_rc 3 "recovery forces the stubborn guest" "$VKLAB" down stub
echo "$OUT" | grep -q "s: forced after 1s" && pass "says s was forced" || fail "down: $OUT"
settle stub "stubborn, labd killed"
finish
