# `vklab up` interrupted (Ctrl-C = SIGINT) at every phase: right after it
# started labd, after each progress line, and after "ready" before its
# final check (H1: it used to wait for labd forever there). Each time up
# exits 1, says it was interrupted and that everything was rolled back,
# and nothing is left. A second Ctrl-C turns a slow rollback into a forced
# one. And `vklab up` itself killed: labd carries on; down takes it down.
. "$(dirname "$0")/lib.sh"
VKLAB_FAULT_TRACE=$WORK/trace "$VKLAB" up --quiet "$STD" >/dev/null || fail "clean up"
"$VKLAB" down flt >/dev/null || fail "clean down"
steps=$(grep '^up\.' "$WORK/trace")
[ -n "$steps" ] && pass "$(echo "$steps" | wc -l) up steps" || fail "no up steps traced"
for step in $steps; do
  out=$(VKLAB_FAULT=$step:INT timeout 60 "$VKLAB" up --quiet "$STD" 2>&1); rc=$?
  [ $rc = 1 ] && echo "$out" | grep -q "interrupted" && echo "$out" | grep -q "everything was rolled back" &&
    pass "$step: up interrupted: exit 1, rolled back" || { fail "$step: up exit $rc"; echo "$out"; }
  settle flt "$step:INT"
done

# H1's second Ctrl-C: the rollback waits for a stubborn guest (stop_timeout
# 60s); the second interrupt makes labd kill it at once.
slow=$(lab stub "  s: {kernel: $STUBBORN, interfaces: [lan], stop_timeout: 60s}")
VKLAB_FAULT=up.ready:INT "$VKLAB" up --quiet "$slow" > "$WORK/up.out" 2>&1 &
vk=$!
for _ in $(seq 100); do grep -q interrupted "$WORK/up.out" && break; sleep 0.1; done
sleep 0.5
kill -INT $vk
# Bounded wait only to turn a hang into a failure (60s would be the stop_timeout).
for _ in $(seq 300); do kill -0 $vk 2>/dev/null || break; sleep 0.1; done
if kill -0 $vk 2>/dev/null; then fail "second Ctrl-C: up still waits"; kill -KILL $vk; fi
wait $vk; rc=$?
[ $rc = 1 ] && pass "second Ctrl-C: up exits 1" || { fail "second Ctrl-C: exit $rc"; cat "$WORK/up.out"; }
settle stub "second Ctrl-C"

# vklab up itself killed while it shows progress: labd is not its child's
# hostage; the lab comes up and a down takes it down.
out=$(VKLAB_FAULT=up.progress@2 "$VKLAB" up --quiet "$STD" 2>&1); rc=$?
[ $rc = 137 ] && pass "up killed (137)" || fail "up killed: exit $rc: $out"
for _ in $(seq 100); do "$VKLAB" status flt 2>/dev/null | grep -q "^flt: up" && break; sleep 0.1; done
settle flt "vklab up killed"
finish
