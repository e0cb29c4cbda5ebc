# Shared by the lifecycle tests. Each test runs as root inside
# `unshare -n -m --propagation private` (see CMakeLists.txt), with its own
# VKLAB_STATE_ROOT, so nothing can reach this machine's network or mounts.
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
: "${VKLAB:?VKLAB must name the vklab binary}"
: "${EXAMPLES:?EXAMPLES must name examples/labs}"
export VKLAB_STATE_ROOT=$(mktemp -d /tmp/vklab-lifecycle.XXXXXX)
WORK=$(mktemp -d /tmp/vklab-lifecycle-work.XXXXXX)
FAILS=0

cleanup() {
  # Last resort: never leave a lab behind, even when the test failed.
  for d in "$VKLAB_STATE_ROOT"/*/; do
    [ -d "$d" ] && "$VKLAB" down --force "$(basename "$d")" >/dev/null 2>&1
  done
  rm -rf "$VKLAB_STATE_ROOT" "$WORK"
}
trap cleanup EXIT

# Pids of this test's processes whose command line matches $1: only those
# in this test's mount namespace, so tests run in parallel (ctest -j) never
# signal each other's labd.
mine() { pgrep --ns $$ --nslist mnt -f "$1"; }

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }
check() {  # check "what" command...
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

# expect_rc WANT "what" command...: runs it, output in $OUT.
expect_rc() {
  local want=$1 what=$2; shift 2
  OUT=$("$@" 2>&1); local rc=$?
  if [ "$rc" = "$want" ]; then pass "$what (exit $rc)"; else fail "$what: exit $rc, want $want"; echo "$OUT"; fi
}

# Nothing of any lab is left: no process naming the state root, no link
# besides lo in this namespace, no mount under the state root, no state.
# A rolled-back up may keep its failed guests' console logs in LAB.failed/
# (0700, logs 0600, removed by the next up): nothing else.
assert_clean() {
  local left
  left=$(pgrep -fa "$VKLAB_STATE_ROOT" | grep -v -e pgrep -e "$$" || true)
  [ -z "$left" ] || { fail "processes left: $left"; }
  left=$(ip -o link | grep -v ': lo:' || true)
  [ -z "$left" ] || fail "links left: $left"
  left=$(grep " $VKLAB_STATE_ROOT" /proc/self/mounts || true)
  [ -z "$left" ] || fail "mounts left: $left"
  left=$(ls -A "$VKLAB_STATE_ROOT" | grep -v '[.]failed$')
  [ -z "$left" ] || fail "state left: $left"
  local d
  for d in "$VKLAB_STATE_ROOT"/*.failed; do
    [ -d "$d" ] || continue
    [ "$(stat -c %a "$d")" = 700 ] || fail "$d: mode $(stat -c %a "$d")"
    left=$(find "$d" -mindepth 1 \( ! -name '*.console.log' -o ! -perm 600 -o ! -type f \))
    [ -z "$left" ] || fail "kept beside the console logs: $left"
  done
  [ $FAILS = 0 ] && pass "nothing left ${1:-}"
}

# A kernel: script for a lab: writes its -p pidfile, then `body`.
fake_kernel() {  # fake_kernel NAME BODY
  local f="$WORK/$1"
  cat > "$f" <<SCRIPT
#!/bin/sh
pf=
while [ \$# -gt 0 ]; do [ "\$1" = -p ] && pf=\$2; shift; done
$2
SCRIPT
  chmod +x "$f"
  echo "$f"
}

finish() {
  if [ $FAILS = 0 ]; then echo "PASS"; exit 0; fi
  echo "$FAILS failure(s)"; exit 1
}
