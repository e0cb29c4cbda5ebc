# A forking kernel, as DragonFly's vkernel since 2013: a wrapper process
# (the one labd starts) runs the kernel as its child, forwards nothing, and
# on a guest reboot (the child exits 32) forks a new child, which writes its
# own pid to the pidfile. After such a reboot, down must signal the NEW
# child: a polite one halts cleanly, a stubborn one is killed — and no
# child is left behind either way.
. "$(dirname "$0")/lib.sh"
wrapper='n=0
while :; do
  n=$((n + 1))
  # the child: writes the pidfile; the first one "reboots" after 0.3 s
  sh -c "$CHILD" child "$pf" "$n" &
  wait $!; rc=$?
  [ $rc = 32 ] || exit 0
done'
polite=$(fake_kernel polite.sh "CHILD='echo \$\$ > \"\$1\"; [ \"\$2\" = 1 ] && { sleep 0.3; exit 32; }; exec sleep 1000'
$wrapper")
stubborn=$(fake_kernel stubborn.sh "CHILD='trap \"\" TERM; echo \$\$ > \"\$1\"; [ \"\$2\" = 1 ] && { sleep 0.3; exit 32; }; exec sleep 1000'
$wrapper")
cat > "$WORK/forked.yaml" <<LAB
name: forked
defaults: {memory: 64m, stop_timeout: 2s}
bridges: [lan]
guests:
  a: {kernel: $polite, interfaces: [lan]}
  b: {kernel: $stubborn, interfaces: [lan]}
LAB
# gone = no process, or a zombie its new parent has yet to reap
running() { [ -e "/proc/$1" ] && ! awk '{ sub(/.*\) /, ""); exit $1 == "Z" ? 0 : 1 }' "/proc/$1/stat" 2>/dev/null; }
pidfile() { cat "$VKLAB_STATE_ROOT/forked/$1.pid" 2>/dev/null; }

round() {  # round "how": up, let both kernels reboot, then down (after `how`)
  expect_rc 0 "up ($1)" "$VKLAB" up --quiet "$WORK/forked.yaml"
  local pa pb a2 b2
  pa=$(pidfile a); pb=$(pidfile b)
  for _ in $(seq 50); do
    [ "$(pidfile a)" != "$pa" ] && [ "$(pidfile b)" != "$pb" ] && break
    sleep 0.1
  done
  a2=$(pidfile a); b2=$(pidfile b)
  [ "$a2" != "$pa" ] && pass "a's kernel rebooted: a new child in its pidfile" || fail "a never rebooted"
  [ "$b2" != "$pb" ] && pass "b's kernel rebooted: a new child in its pidfile" || fail "b never rebooted"
  [ "$1" = recovery ] && kill -9 $(mine "labd: forked")
  expect_rc 3 "down ($1): b's new child ignores SIGTERM" "$VKLAB" down forked
  echo "$OUT" | grep -q "a: halted cleanly" && pass "a's new child got SIGTERM and halted" || fail "down output: $OUT"
  echo "$OUT" | grep -q "b: forced after 2s" && pass "b's new child was killed after 2s" || fail "down output: $OUT"
  running "$a2" && fail "a's new child $a2 is still running" || pass "a's new child is gone"
  running "$b2" && fail "b's new child $b2 is still running" || pass "b's new child is gone"
  kill -KILL "$a2" "$b2" 2>/dev/null
  assert_clean "after down ($1)"
}
round labd
round recovery

# The wrapper dies on its own after the reboot (a crash): labd, which reads
# an up forking kernel's pidfile again every second, kills the new child too.
expect_rc 0 "up (wrapper crash)" "$VKLAB" up --quiet "$WORK/forked.yaml"
pb=$(pidfile b)
for _ in $(seq 50); do [ "$(pidfile b)" != "$pb" ] && break; sleep 0.1; done
b2=$(pidfile b)
[ "$b2" != "$pb" ] && pass "b's kernel rebooted" || fail "b never rebooted"
sleep 1.5  # labd's next look at the pidfile
kill -KILL $(mine "stubborn.sh")
for _ in $(seq 50); do running "$b2" || break; sleep 0.1; done
running "$b2" && fail "b's new child $b2 outlived its wrapper" || pass "b's new child went with its wrapper"
expect_rc 0 "status" "$VKLAB" status forked
echo "$OUT" | grep -q "^b  *Failed" && pass "b is Failed after its wrapper's crash" || fail "status: $OUT"
expect_rc 0 "down" "$VKLAB" down forked
kill -KILL "$b2" 2>/dev/null
assert_clean "after down (wrapper crash)"
finish
