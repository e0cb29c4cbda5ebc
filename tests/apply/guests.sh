# vklab stop|start|restart: one guest at a time, the others untouched;
# a restarted router has its startup routes again; depends_on is kept;
# a labd kill -9 after a restart still leaves nothing once down ran.
. "$(dirname "$0")/lib.sh"
cat > "$WORK/gs.yaml" <<'LAB'
name: gs
defaults: {memory: 64m, stop_timeout: 5s}
bridges:
  lan: {subnet: 10.9.0.0/24}
guests:
  r1:
    interfaces: [{bridge: lan, address: 10.9.0.1/24}]
    startup: |
      ip route add 192.0.2.0/24 via 10.9.0.2
  h1:
    interfaces: [{bridge: lan, address: 10.9.0.2/24}]
    depends_on: [r1]
  h2:
    interfaces: [{bridge: lan, address: 10.9.0.3/24}]
LAB
expect_rc 0 "up" "$VKLAB" up --quiet "$WORK/gs.yaml"
r1=$(kpid gs r1); h1=$(kpid gs h1); h2=$(kpid gs h2)

expect_rc 0 "restart r1" "$VKLAB" restart --lab gs r1
echo "$OUT" | grep -q "r1: halted cleanly" && pass "restart halts r1 cleanly" || { fail "restart: $OUT"; }
echo "$OUT" | grep -q "h1 depends on it and keeps running" && pass "restart says h1 keeps running" || fail "no dependents note: $OUT"
[ "$(gstate gs r1)" = Up ] && pass "r1 Up after restart" || fail "r1 is $(gstate gs r1)"
[ "$(kpid gs r1)" != "$r1" ] && [ "$(kpid gs r1)" -gt 0 ] && pass "r1 has a new pid" || fail "r1 pid $(kpid gs r1) (was $r1)"
[ "$(kpid gs h1)" = "$h1" ] && [ "$(kpid gs h2)" = "$h2" ] && pass "h1 and h2 keep their pids" || fail "pids moved"
expect_rc 0 "route from startup after restart" "$VKLAB" exec --lab gs r1 -- ip route show 192.0.2.0/24
echo "$OUT" | grep -q "via 10.9.0.2" && pass "r1 has its static route back" || fail "route: $OUT"
expect_rc 0 "r1 reaches h2 over the same tap" "$VKLAB" exec --lab gs r1 -- ping -c1 -W2 10.9.0.3

expect_rc 0 "stop h2" "$VKLAB" stop --lab gs h2
echo "$OUT" | grep -q "h2: halted cleanly" && pass "stop says halted cleanly" || fail "stop: $OUT"
[ "$(gstate gs h2)" = Halted ] && pass "h2 Halted in state.json" || fail "h2 is $(gstate gs h2)"
"$VKLAB" status gs | grep -q "^ *h2 *Halted" && pass "status shows h2 Halted" || fail "status: $("$VKLAB" status gs)"
expect_rc 0 "stop h2 again: nothing to do" "$VKLAB" stop --lab gs h2
expect_rc 0 "start h2" "$VKLAB" start --lab gs h2
[ "$(gstate gs h2)" = Up ] && pass "h2 Up again" || fail "h2 is $(gstate gs h2)"
expect_rc 0 "h2 reaches r1" "$VKLAB" exec --lab gs h2 -- ping -c1 -W2 10.9.0.1
expect_rc 0 "start an Up guest: nothing to do" "$VKLAB" start --lab gs h2

# depends_on: h1 alone may not start while r1 is down; both at once may.
expect_rc 0 "stop r1 and h1" "$VKLAB" stop --lab gs r1 h1
expect_rc 1 "start h1 without r1" "$VKLAB" start --lab gs h1
echo "$OUT" | grep -q "h1: depends on r1, which is Halted" && pass "start names the dependency" || fail "refusal: $OUT"
expect_rc 0 "start h1 r1" "$VKLAB" start --lab gs h1 r1
[ "$(gstate gs h1)" = Up ] && [ "$(gstate gs r1)" = Up ] && pass "both Up" || fail "h1 $(gstate gs h1), r1 $(gstate gs r1)"

# Bad input: an unknown guest, a bad timeout.
expect_rc 2 "unknown guest" "$VKLAB" restart --lab gs r9
echo "$OUT" | grep -q "r9: no such guest in gs" && pass "unknown guest named" || fail "unknown: $OUT"
expect_rc 2 "bad timeout" "$VKLAB" stop --lab gs --timeout soon h1

# up of the same file: no changes; of an edited one: the changes listed.
expect_rc 1 "up again, same file" "$VKLAB" up "$WORK/gs.yaml"
echo "$OUT" | grep -q "already running; no changes" && pass "no changes said" || fail "same file: $OUT"
sed -e 's/via 10.9.0.2/via 10.9.0.3/' "$WORK/gs.yaml" > "$WORK/gs2.yaml"
printf '  h3:\n    interfaces: [{bridge: lan, address: 10.9.0.4/24}]\n' >> "$WORK/gs2.yaml"
expect_rc 1 "up of an edited file" "$VKLAB" up "$WORK/gs2.yaml"
echo "$OUT" | grep -q "^+ guest h3" && echo "$OUT" | grep -q "^~ guest r1 (startup)" &&
  echo "$OUT" | grep -q "already running; 3 changes" && pass "the changes are listed" || fail "edited: $OUT"
[ "$(kpid gs h2)" != 0 ] && [ "$(gstate gs h2)" = Up ] && pass "nothing was touched" || fail "h2 $(gstate gs h2)"
expect_rc 0 "down" "$VKLAB" down gs
assert_clean "after stop/start/restart"

# kill -9 of labd right after a restart: down still finds every process.
expect_rc 0 "up again" "$VKLAB" up --quiet "$WORK/gs.yaml"
expect_rc 0 "restart h2" "$VKLAB" restart --lab gs h2
kill -9 $(mine "labd: gs")
sleep 0.2
expect_rc 0 "down without labd" "$VKLAB" down gs
n=$(echo "$OUT" | grep -c "halted cleanly")
[ "$n" = 3 ] && pass "3 guests halted cleanly by recovery" || fail "recovery: $OUT"
assert_clean "after kill -9 and down"
finish
