# vklab impair and vklab link on a running lab: behaviour, not timing
# (the figures are in bench/datapath.sh). Root, in unshare -n -m.
. "$(dirname "$0")/../lifecycle/lib.sh"

cat > "$WORK/lab.yaml" <<'LAB'
name: dyn
bridges:
  lan: {subnet: 10.0.0.0/24}
guests:
  a:
    interfaces:
      - {bridge: lan, address: 10.0.0.1/24, impair: {delay: 40ms}}
  b:
    interfaces:
      - {bridge: lan, address: 10.0.0.2/24}
LAB

# Average RTT in ms (integer) of N pings a -> b; "none" when no reply.
rtt() {
  local out
  out=$("$VKLAB" exec --lab dyn a -- ping -n -q -c "${1:-5}" -i 0.2 -W 1 10.0.0.2 2>&1)
  echo "$out" | sed -n 's|.*= [0-9.]*/\([0-9]*\)[0-9.]*/.*|\1|p' | grep . || echo none
}

expect_rc 0 "up" "$VKLAB" up --quiet "$WORK/lab.yaml"
expect_rc 0 "impair shows the lab file's impairment" "$VKLAB" impair --lab dyn
echo "$OUT" | grep -q "^a:vke0 *lan *up *40ms" && pass "table: a:vke0 40ms" || fail "table: $OUT"
r=$(rtt 5)
[ "$r" != none ] && [ "$r" -ge 40 ] && pass "40 ms in the lab file: RTT $r ms >= 40" || fail "RTT with 40ms: $r"

expect_rc 0 "impair b:vke0 --delay 100ms" "$VKLAB" impair --lab dyn b:vke0 --delay 100ms
r2=$(rtt 5)
[ "$r2" != none ] && [ "$r2" -ge 140 ] && pass "b +100ms: RTT $r2 ms >= 140" || fail "RTT with 40+100ms: $r2"
expect_rc 0 "impair --json" "$VKLAB" impair --json --lab dyn
j=$(echo "$OUT" | tr -d ' \n')
echo "$j" | grep -q '"delay":"40ms".*"guest":"a","iface":"vke0"' && echo "$j" | grep -q '"delay":"100ms".*"guest":"b"' \
  && pass "--json lists a and b with their delays" || fail "--json: $OUT"
expect_rc 0 "status shows the impairments" "$VKLAB" status dyn
echo "$OUT" | grep -q "^b:vke0 *lan *up *100ms" && pass "status: b:vke0 100ms" || fail "status: $OUT"
grep -q '"links"' "$VKLAB_STATE_ROOT/dyn/state.json" && grep -q 'delay=100ms' "$VKLAB_STATE_ROOT/dyn/state.json" \
  && pass "state.json records the impairment" || fail "state.json: $(cat "$VKLAB_STATE_ROOT/dyn/state.json")"

expect_rc 0 "impair b:vke0 --loss 100%" "$VKLAB" impair --lab dyn b:vke0 --loss 100%
[ "$(rtt 3)" = none ] && pass "loss 100% on b: no replies" || fail "replies despite loss 100%"
expect_rc 0 "impair b:vke0 --clear" "$VKLAB" impair --lab dyn b:vke0 --clear
r3=$(rtt 5)
[ "$r3" != none ] && [ "$r3" -ge 40 ] && [ "$r3" -lt 140 ] && pass "--clear: back to the lab file's 40 ms ($r3 ms)" || fail "after --clear: $r3"
expect_rc 0 "impair lan --clear (every member)" "$VKLAB" impair --lab dyn lan --clear
expect_rc 0 "impair alone" "$VKLAB" impair --lab dyn
echo "$OUT" | grep -q "no interface is impaired" && pass "nothing impaired" || fail "after lan --clear: $OUT"
r4=$(rtt 5)
[ "$r4" != none ] && [ "$r4" -lt "$r" ] && pass "unimpaired RTT ($r4 ms) below the 40 ms one ($r ms)" || fail "unimpaired: $r4"

# Every value on one interface, then a bridge.
expect_rc 0 "all values on a bridge" "$VKLAB" impair --lab dyn lan --delay 5ms --jitter 1ms --loss 0.1% --rate 100mbit \
  --corrupt 0.1% --duplicate 0.1% --reorder 1%
expect_rc 0 "still reachable" "$VKLAB" exec --lab dyn a -- ping -n -q -c 3 -i 0.2 -W 2 10.0.0.2
expect_rc 0 "impair lan --clear" "$VKLAB" impair --lab dyn lan --clear

# Links down and up.
expect_rc 0 "link a:vke0 down" "$VKLAB" link --lab dyn a:vke0 down
expect_rc 1 "ping fails with the link down" "$VKLAB" exec --lab dyn a -- ping -n -q -c 2 -i 0.2 -W 1 10.0.0.2
expect_rc 0 "ip link in a" "$VKLAB" exec --lab dyn a -- ip link show vke0
echo "$OUT" | grep -q "NO-CARRIER" && pass "a's vke0 shows NO-CARRIER" || fail "no NO-CARRIER: $OUT"
expect_rc 0 "status" "$VKLAB" status dyn
echo "$OUT" | grep -q "^a:vke0 *lan *DOWN" && pass "status shows the downed link" || fail "status: $OUT"
expect_rc 0 "link a:vke0 up" "$VKLAB" link --lab dyn a:vke0 up
ok=1; for i in $(seq 20); do "$VKLAB" exec --lab dyn a -- ping -n -q -c 1 -W 1 10.0.0.2 >/dev/null 2>&1 && { ok=0; break; }; sleep 0.1; done
[ $ok = 0 ] && pass "up restores the pings" || fail "no ping after link up"
expect_rc 0 "ip link in a after up" "$VKLAB" exec --lab dyn a -- ip link show vke0
echo "$OUT" | grep -q "NO-CARRIER" && fail "still NO-CARRIER" || pass "carrier back"

# Bad input: exit 2 with what exists.
expect_rc 2 "unknown guest" "$VKLAB" impair --lab dyn c:vke0 --delay 1ms
echo "$OUT" | grep -q 'no guest "c".*its guests: a, b' && pass "names the guests" || fail "$OUT"
expect_rc 2 "unknown interface" "$VKLAB" impair --lab dyn a:vke1 --delay 1ms
echo "$OUT" | grep -q 'a: no interface "vke1" (did you mean "vke0"?)' && pass "did you mean vke0" || fail "$OUT"
expect_rc 2 "unknown bridge" "$VKLAB" impair --lab dyn lna --delay 1ms
echo "$OUT" | grep -q '(did you mean "lan"?)' && pass "did you mean lan" || fail "$OUT"
expect_rc 2 "loss out of range" "$VKLAB" impair --lab dyn a:vke0 --loss 120%
echo "$OUT" | grep -q "0% to 100%" && pass "names the range" || fail "$OUT"
expect_rc 2 "jitter without delay" "$VKLAB" impair --lab dyn a:vke0 --jitter 5ms
expect_rc 2 "link of a bridge" "$VKLAB" link --lab dyn lan down
expect_rc 2 "link sideways" "$VKLAB" link --lab dyn a:vke0 sideways

expect_rc 0 "down" "$VKLAB" down dyn
assert_clean "after down"
expect_rc 2 "impair of a lab that is not up" "$VKLAB" impair --lab dyn a:vke0 --delay 1ms
expect_rc 2 "link of a lab that is not up" "$VKLAB" link --lab dyn a:vke0 down
finish
