# A1: the state root and every lab's directory are 0700, the files labd
# and vklab write 0600 (0700 for scripts): the plan holds every command
# line. A user without access is told "permission denied", not that the
# lab is gone or not running.
. "$(dirname "$0")/lib.sh"
chmod 0755 "$VKLAB_STATE_ROOT"  # as an older vklab left /run/vklab
expect_rc 0 "up" "$VKLAB" up --quiet "$EXAMPLES/two-hosts.yaml"
lab=$(ls "$VKLAB_STATE_ROOT")
d=$VKLAB_STATE_ROOT/$lab
mode() { stat -c %a "$1"; }
[ "$(mode "$VKLAB_STATE_ROOT")" = 700 ] && pass "state root 0700" || fail "state root $(mode "$VKLAB_STATE_ROOT")"
[ "$(mode "$d")" = 700 ] && pass "lab directory 0700" || fail "lab directory $(mode "$d")"
for f in state.json plan.json labd.log lock control.sock; do
  [ "$(mode "$d/$f")" = 600 ] && pass "$f 0600" || fail "$f $(mode "$d/$f")"
done
for f in "$d"/*.log "$d"/*.rc "$d"/*.proc; do
  [ -e "$f" ] || continue
  case $(mode "$f") in 600|700) pass "$(basename "$f") $(mode "$f")" ;; *) fail "$(basename "$f") $(mode "$f")" ;; esac
done
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups env VKLAB_STATE_ROOT="$VKLAB_STATE_ROOT" "$@"; }
for cmd in "down $lab" "status $lab" "exec --lab $lab pc1 -- true" "down"; do
  out=$(as_nobody "$VKLAB" $cmd 2>&1); rc=$?
  [ $rc = 1 ] && echo "$out" | grep -q "permission denied" && ! echo "$out" | grep -q -e "labd is gone" -e "not running" &&
    pass "nobody: vklab $cmd: permission denied" || fail "nobody: vklab $cmd: exit $rc: $out"
done
expect_rc 0 "status (root)" "$VKLAB" status "$lab"
echo "$OUT" | grep -q "^$lab: up" && pass "the lab is still up" || fail "status: $OUT"
expect_rc 0 "down" "$VKLAB" down "$lab"
assert_clean
finish
