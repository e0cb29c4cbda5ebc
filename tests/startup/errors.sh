# Failed startup commands are visible: `up` names each by its line and
# exits 4 with a summary; status shows "Up (2 startup errors)" from
# state.json (no labd needed) and --json lists them; --strict rolls the up
# back at the first one and keeps that guest's console log in LAB.failed/,
# which the next up removes.
. "$(dirname "$0")/../lifecycle/lib.sh"
cat > "$WORK/lab.yaml" <<'YAML'
name: se
bridges:
  lan: {subnet: 10.0.0.0/24}
guests:
  r1:
    interfaces: [{bridge: lan, address: 10.0.0.1/24}]
    stop_timeout: 10s
    startup: |
      # the gateway is outside the subnet
      echo first
      ip route add default via 10.0.1.1
      for k in nonexistent; do
        sysctl -w net.ipv4.$k=1
      done
      echo "still ran" > /tmp/after
  h1:
    interfaces: [{bridge: lan, address: 10.0.0.2/24}]
    stop_timeout: 10s
    startup: "ip route add default via 10.0.0.1"
YAML
expect_rc 4 "up with two failing startup lines" "$VKLAB" up "$WORK/lab.yaml"
echo "$OUT" | grep -qx "r1: startup line 3 (.*/lab.yaml:11) failed (exit 2): ip route add default via 10.0.1.1" &&
  pass "line 3 named" || fail "output: $OUT"
echo "$OUT" | grep -qx "r1: startup line 4 (.*/lab.yaml:12) failed (exit [1-9][0-9]*): for k in nonexistent; do" &&
  pass "the loop named by its first line" || fail "output: $OUT"
echo "$OUT" | grep -q "^se: up, with 2 startup errors in 1 guest" && pass "summary" || fail "output: $OUT"
echo "$OUT" | grep -q "h1: startup" && fail "h1 had no error: $OUT"
expect_rc 0 "the script went on" "$VKLAB" exec r1 -- cat /tmp/after
expect_rc 0 "status" "$VKLAB" status se
echo "$OUT" | grep -q "^r1 *Up (2 startup errors)" && pass "status: Up (2 startup errors)" || fail "status: $OUT"
echo "$OUT" | grep -q "startup line 3 (.*/lab.yaml:11) failed (exit 2): ip route add default via 10.0.1.1" &&
  pass "status lists them" || fail "status: $OUT"
echo "$OUT" | grep -q "^h1 *Up  " && pass "h1 plain Up" || fail "status: $OUT"
expect_rc 0 "status --json" "$VKLAB" status --json se
echo "$OUT" | python3 -c '
import json, sys
j = json.load(sys.stdin)
g = {x["name"]: x for x in j["guests"]}
e = g["r1"]["startup_errors"]
assert [x["line"] for x in e] == [3, 4], e
assert e[0] == {"line": 3, "exit": 2, "command": "ip route add default via 10.0.1.1"}, e
assert g["h1"]["startup_errors"] == [], g["h1"]
' && pass "--json lists them" || fail "json: $OUT"
# state.json is the record: status after labd is gone still says so
grep -q '"startup_errors"' "$VKLAB_STATE_ROOT/se/state.json" && pass "kept in state.json" || fail "state.json"
expect_rc 0 "down" "$VKLAB" down se
assert_clean "after down"

expect_rc 1 "up --strict fails" "$VKLAB" up --strict "$WORK/lab.yaml"
echo "$OUT" | grep -q "up failed: .*r1: startup line 3 (.*/lab.yaml:11) failed (exit 2): ip route add default via 10.0.1.1 (--strict); everything was rolled back" &&
  pass "strict names the line" || fail "output: $OUT"
echo "$OUT" | grep -q "console logs are kept in $VKLAB_STATE_ROOT/se.failed/: r1.console.log" &&
  pass "names the kept log" || fail "output: $OUT"
check "r1's console log kept" grep -q "startup: line 3: exit 2" "$VKLAB_STATE_ROOT/se.failed/r1.console.log"
assert_clean "after the strict rollback"
expect_rc 4 "the next up" "$VKLAB" up --quiet "$WORK/lab.yaml"
check "the next up removed se.failed" test ! -e "$VKLAB_STATE_ROOT/se.failed"
expect_rc 0 "down" "$VKLAB" down se
assert_clean "after the YAML lab"

# A Kathará device's startup is shared.startup, then DEV.startup: a failed
# line is also named in its own file.
mkdir -p "$WORK/kl"
printf 'pc1[0]=lan\n' > "$WORK/kl/lab.conf"
printf 'echo shared\necho more shared\n' > "$WORK/kl/shared.startup"
printf 'ip link set eth0 up\nip route add default via 10.9.9.9\n' > "$WORK/kl/pc1.startup"
expect_rc 4 "up of a Kathará lab with a failing line" "$VKLAB" up --quiet "$WORK/kl"
echo "$OUT" | grep -q "^pc1: startup line 6 (pc1.startup:2) failed (exit 2): ip route add default via 10.9.9.9" &&
  pass "the line is named in pc1.startup" || fail "kathara: $OUT"
"$VKLAB" status kl | grep -q "startup line 6 (pc1.startup:2) failed" && pass "status names it too" ||
  fail "status: $("$VKLAB" status kl)"
expect_rc 0 "down kl" "$VKLAB" down kl
assert_clean "at the end"
finish
