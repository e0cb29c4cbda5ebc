# The third guest cannot start (its kernel does not exist) → up exits 1
# naming it, and nothing of the lab is left.
. "$(dirname "$0")/lib.sh"
cat > "$WORK/broken.yaml" <<LAB
name: broken
defaults: {memory: 64m, stop_timeout: 5s}
bridges:
  lan: {subnet: 10.0.0.0/24}
guests:
  g1: {interfaces: [{bridge: lan, address: auto}]}
  g2: {interfaces: [{bridge: lan, address: auto}]}
  g3: {kernel: /nonexistent/kernel, interfaces: [{bridge: lan, address: auto}]}
  g4: {interfaces: [{bridge: lan, address: auto}], depends_on: [g3]}
LAB
expect_rc 1 "up with a missing kernel" "$VKLAB" up "$WORK/broken.yaml"
echo "$OUT" | grep -q "up failed: .*g3: /nonexistent/kernel: No such file" && pass "names g3" || fail "output: $OUT"
assert_clean "after the failed up"
finish
