#!/bin/sh
# Regenerates this fixture from the build users have now (the one whose
# labs the current build must be able to take down): a real `vklab up
# compat.yaml` of OLD_BUILD, its state.json and plan.json copied while the
# lab is up (the state root replaced by @ROOT@), then `vklab down`.
# Root, in a private namespace:
#   unshare -n -m --propagation private sh make_fixture.sh OLD_BUILD_DIR
# (OLD_BUILD_DIR: a build tree of that commit with vklab, labd, vkernel).
set -eu
old=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
ip link set lo up
export VKLAB_STATE_ROOT=$(mktemp -d /tmp/vklab-compat.XXXXXX)
trap '"$old/cli/vklab" down --force compat >/dev/null 2>&1 || true; rm -rf "$VKLAB_STATE_ROOT"' EXIT
export VKLAB_LABD=$old/labd/labd VKLAB_VKERNEL=$old/guest/vkernel
rc=0
"$old/cli/vklab" up "$here/compat.yaml" || rc=$?
[ "$rc" = 4 ] || { echo "make_fixture: up exited $rc, want 4 (b's startup error)"; exit 1; }
for f in state.json plan.json; do
  sed "s|$VKLAB_STATE_ROOT|@ROOT@|g" "$VKLAB_STATE_ROOT/compat/$f" > "$here/$f"
done
"$old/cli/vklab" down compat
