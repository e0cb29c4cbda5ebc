# Ctrl-C (SIGINT to vklab) in the middle of up → rollback, nothing left.
. "$(dirname "$0")/lib.sh"
cat > "$WORK/slow.yaml" <<LAB
name: slow
defaults: {memory: 64m, stop_timeout: 5s}
bridges: [lan]
guests:
  fast: {interfaces: [lan]}
  slow: {interfaces: [lan], startup: sleep 30}
LAB
"$VKLAB" up "$WORK/slow.yaml" > "$WORK/up.out" 2>&1 &
vk=$!
for i in $(seq 50); do grep -q "fast: up" "$WORK/up.out" && break; sleep 0.1; done
grep -q "fast: up" "$WORK/up.out" && pass "fast guest up before the interrupt" || fail "fast never came up"
kill -INT $vk
wait $vk; rc=$?
[ $rc = 1 ] && pass "up exits 1 after Ctrl-C" || fail "up exit $rc"
grep -q "interrupted" "$WORK/up.out" && pass "says interrupted" || fail "$(cat "$WORK/up.out")"
assert_clean "after the interrupted up"
finish
