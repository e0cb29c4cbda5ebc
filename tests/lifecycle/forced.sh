# A guest whose kernel ignores SIGTERM → down reports it forced, exits 3,
# and nothing is left running.
. "$(dirname "$0")/lib.sh"
stubborn=$(fake_kernel stubborn.sh 'trap "" TERM; echo $$ > "$pf"; exec sleep 1000')
polite=$(fake_kernel polite.sh 'echo $$ > "$pf"; exec sleep 1000')
cat > "$WORK/stubborn.yaml" <<LAB
name: stubborn
defaults: {memory: 64m, stop_timeout: 2s}
bridges: [lan]
guests:
  a: {kernel: $polite, interfaces: [lan]}
  b: {kernel: $stubborn, interfaces: [lan]}
LAB
expect_rc 0 "up" "$VKLAB" up --quiet "$WORK/stubborn.yaml"
start=$(date +%s%N)
expect_rc 3 "down with a stubborn guest" "$VKLAB" down stubborn
took=$(( ($(date +%s%N) - start) / 1000000 ))
echo "$OUT" | grep -q "b: forced after 2s" && pass "b reported forced" || fail "down output: $OUT"
echo "$OUT" | grep -q "a: halted cleanly" && pass "a halted cleanly" || fail "down output: $OUT"
[ $took -lt 5000 ] && pass "down took ${took}ms" || fail "down took ${took}ms"
assert_clean "after forced down"

# The same through recovery (labd killed first) and with --force.
expect_rc 0 "up again" "$VKLAB" up --quiet "$WORK/stubborn.yaml"
kill -9 $(mine "labd: stubborn")
expect_rc 3 "recovery down with a stubborn guest" "$VKLAB" down stubborn
assert_clean "after forced recovery"
expect_rc 0 "up again" "$VKLAB" up --quiet "$WORK/stubborn.yaml"
expect_rc 3 "down --force" "$VKLAB" down --force stubborn
assert_clean "after down --force"
finish
