# The README's first command, as a new user runs it from the build tree:
# no VKLAB_LABD / VKLAB_VKERNEL in the environment, so vklab must find labd
# and the bundled guest beside itself (build/labd/labd, build/guest/vkernel).
# Root, in unshare -n -m, with a private state root.
VKLAB=$1 LAB=$2
unset VKLAB_LABD VKLAB_VKERNEL
export VKLAB_STATE_ROOT=$(mktemp -d /tmp/vklab-readme.XXXXXX)
fails=0
run() { if "$@" >/tmp/readme-out.$$ 2>&1; then echo "ok: $*"; else echo "FAIL: $*"; cat /tmp/readme-out.$$; fails=$((fails + 1)); fi; }
run "$VKLAB" up --quiet "$LAB"
run "$VKLAB" check triangle
run "$VKLAB" status triangle
run "$VKLAB" down triangle
rm -f /tmp/readme-out.$$
rmdir "$VKLAB_STATE_ROOT" 2>/dev/null || { echo "FAIL: state left in $VKLAB_STATE_ROOT"; ls -la "$VKLAB_STATE_ROOT"; fails=$((fails + 1)); rm -rf "$VKLAB_STATE_ROOT"; }
[ "$fails" = 0 ]
