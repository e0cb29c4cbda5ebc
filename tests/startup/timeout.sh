# A server left in the foreground: the readiness timeout (defaults:
# ready_timeout) says which startup line was still running, for how long,
# and hints at '&'; the rollback keeps the guest's console log in
# LAB.failed/ (0700/0600), and the next up of the lab removes it.
. "$(dirname "$0")/../lifecycle/lib.sh"
cat > "$WORK/lab.yaml" <<'YAML'
name: fg
defaults: {ready_timeout: 2s, stop_timeout: 5s}
bridges: [lan]
guests:
  web:
    interfaces: [lan]
    startup: |
      echo serving
      sleep 600
      echo never
  ok:
    interfaces: [lan]
YAML
expect_rc 1 "up times out" "$VKLAB" up "$WORK/lab.yaml"
echo "$OUT" | grep -q "web: not ready after 2s: startup line 2 (.*/lab.yaml:9) still running after [0-9.]*m*s: sleep 600 (a server left in the foreground never ends: end its line with ' &'" &&
  pass "names line 2 and hints at &" || fail "output: $OUT"
echo "$OUT" | grep -q "console logs are kept in $VKLAB_STATE_ROOT/fg.failed/: web.console.log$" &&
  pass "names the kept log" || fail "output: $OUT"
check "the log explains it" grep -q serving "$VKLAB_STATE_ROOT/fg.failed/web.console.log"
assert_clean "after the rollback (the kept log only)"
sed -i 's/      sleep 600/      sleep 600 \&/' "$WORK/lab.yaml"
expect_rc 0 "with '&' it is up" "$VKLAB" up --quiet "$WORK/lab.yaml"
check "the next up removed fg.failed" test ! -e "$VKLAB_STATE_ROOT/fg.failed"
expect_rc 0 "down" "$VKLAB" down fg
assert_clean "after down"
finish
