# C1: `down` at the moment of `up`, and two downs at once. A down that
# finds a lab starting stops it (the up then fails, saying why), never
# says "nothing to do" while the lab comes up, never removes the state
# under a running up; two downs agree and neither says labd is gone.
. "$(dirname "$0")/lib.sh"

# Deterministic: labd stopped (SIGSTOP) at its very start, holding the
# lock, before state.json exists; down must wait for it, not skip it.
VKLAB_FAULT=labd.start:STOP "$VKLAB" up --quiet "$STD" > "$WORK/up.out" 2>&1 &
vk=$!
for _ in $(seq 100); do [ -n "$(mine 'labd: flt')" ] && break; sleep 0.05; done
labd=$(mine 'labd: flt')
"$VKLAB" down flt > "$WORK/down.out" 2>&1 &
dn=$!
for _ in $(seq 100); do grep -q "waiting" "$WORK/down.out" && break; sleep 0.05; done
grep -q "waiting for the up or down under way" "$WORK/down.out" && pass "down waits for the starting lab" ||
  fail "down: $(cat "$WORK/down.out")"
kill -CONT $labd
wait $dn; rc=$?
# 3: b's wrapper may get the SIGTERM before its child wrote the pidfile;
# the child is then killed as a stray (and down says so).
[ $rc = 0 ] || [ $rc = 3 ] && pass "down exit $rc" || fail "down exit $rc: $(cat "$WORK/down.out")"
grep -q "^flt: down$" "$WORK/down.out" && pass "down says down" || fail "down: $(cat "$WORK/down.out")"
wait $vk; rc=$?
[ $rc = 1 ] && grep -q "down requested during up" "$WORK/up.out" && pass "up fails: down requested during up" ||
  { fail "up exit $rc"; cat "$WORK/up.out"; }
assert_clean "after down during a stopped labd's start" | grep -v '^ok'

# Down racing up at every moment: down started 0…0.9 s after up made the
# lab's state directory (before that, "nothing to do" would be true).
for delay in 0 0.01 0.05 0.1 0.2 0.3 0.5 0.7 0.9; do
  "$VKLAB" up --quiet "$STD" > "$WORK/up.out" 2>&1 &
  vk=$!
  for _ in $(seq 500); do [ -d "$VKLAB_STATE_ROOT/flt" ] && break; sleep 0.01; done
  sleep $delay
  out=$("$VKLAB" down flt 2>&1); rc=$?
  wait $vk; urc=$?
  case $rc in 0|3) ;; *) fail "down after $delay s: exit $rc: $out" ;; esac
  echo "$out" | grep -q -e "No such file" -e "labd is gone" -e "still holds" && fail "down after $delay s: $out"
  # After down returned, the lab must not come up behind its back.
  sleep 0.3
  [ -z "$(ls -A "$VKLAB_STATE_ROOT")" ] && pass "down after $delay s: the lab stays down (up exit $urc)" ||
    { fail "down after $delay s: state left: $(ls "$VKLAB_STATE_ROOT")"; echo "$out"; cat "$WORK/up.out"; }
  echo "$out" | grep -q "nothing to do" && fail "down after $delay s said nothing to do during an up: $out"
  settle flt "down racing up ($delay s)"
done

# Down racing down: two at once, on an up lab whose guests take a moment.
slow=$(lab two "  s: {kernel: $STUBBORN, interfaces: [lan], stop_timeout: 1s}
  p: {kernel: $POLITE, interfaces: [lan]}")
for i in 1 2 3; do
  "$VKLAB" up --quiet "$slow" >/dev/null || fail "up two"
  "$VKLAB" down two > "$WORK/d1.out" 2>&1 & d1=$!
  "$VKLAB" down two > "$WORK/d2.out" 2>&1 & d2=$!
  wait $d1; r1=$?; wait $d2; r2=$?
  for f in d1 d2; do
    grep -q -e "labd is gone" -e "labd is not running" -e "still holds" -e "No such file" "$WORK/$f.out" &&
      fail "down racing down ($i): $(cat "$WORK/$f.out")"
  done
  # Both saw the forced guest (3), or one found the lab already down (0).
  case "$r1$r2" in
    33|30|03) pass "down racing down ($i): exits $r1 $r2" ;;
    *) fail "down racing down ($i): exits $r1 $r2"; cat "$WORK/d1.out" "$WORK/d2.out" ;;
  esac
  settle two "down racing down ($i)"
done
finish
