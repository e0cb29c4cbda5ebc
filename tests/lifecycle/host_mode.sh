# network: host — links carry the ownership tag, a foreign bridge0 is left
# alone (the lab takes bridge1), and down after kill -9 removes only ours.
. "$(dirname "$0")/lib.sh"
ip link add bridge0 type bridge
cat > "$WORK/h.yaml" <<LAB
name: hostlab
network: host
defaults: {memory: 64m, stop_timeout: 5s}
bridges:
  lan: {subnet: 10.5.0.0/24, address: 10.5.0.254/24}
guests:
  a: {interfaces: [{bridge: lan, address: auto}]}
  b: {interfaces: [{bridge: lan, address: auto}]}
LAB
expect_rc 0 "up in host mode" "$VKLAB" up "$WORK/h.yaml"
echo "$OUT" | grep -q "tap0 → bridge1 (lan)" && pass "lab took bridge1" || fail "table: $OUT"
ip -d link show bridge1 | grep -q "alias vklab:hostlab" && pass "bridge1 tagged" || fail "no tag on bridge1"
expect_rc 0 "guest reaches the host side" "$VKLAB" exec --lab hostlab a -- ping -c1 -W2 10.5.0.254
kill -9 $(mine "labd: hostlab")
expect_rc 0 "down without labd" "$VKLAB" down hostlab
ip link show bridge0 >/dev/null 2>&1 && pass "foreign bridge0 untouched" || fail "bridge0 was removed"
ip link del bridge0
assert_clean "after host-mode down"
finish
