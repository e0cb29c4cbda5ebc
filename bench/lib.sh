# Shared by the bench scripts (sourced; bash). Two steps, in this order,
# after a script has read its arguments:
#
#   bench_private NAME ARG...   root only; re-execs "$0" ARG... under
#                               `unshare -n -m --propagation private` unless
#                               already there, then brings lo up. Nothing a
#                               benchmark does reaches this machine's network
#                               or mounts.
#   bench_lab NAME BUILD_DIR    for scripts that run labs with vklab: VKLAB,
#                               VKLAB_LABD and VKLAB_VKERNEL from the build,
#                               a private VKLAB_STATE_ROOT and WORK directory;
#                               on exit every lab still there is taken down
#                               (--force) and both directories are removed.
#
# NAME (the script's, e.g. checks.sh) starts every message. datapath.sh and
# guest_root.sh start bare vkernel guests and use bench_private only.

# Set in the re-executed script only, and unset there at once: a bench
# script started by another one (bench/run) makes its own namespaces.
if [ -n "${VKLAB_BENCH_PRIVATE:-}" ]; then
  BENCH_INSIDE=1
  unset VKLAB_BENCH_PRIVATE
else
  BENCH_INSIDE=
fi

bench_private() {  # NAME ARG...
  local name=$1
  shift
  [ "$(id -u)" = 0 ] || { echo "$name: needs root" >&2; exit 1; }
  if [ -z "$BENCH_INSIDE" ]; then
    exec env VKLAB_BENCH_PRIVATE=1 unshare -n -m --propagation private -- "$0" "$@"
  fi
  ip link set lo up
}

bench_lab() {  # NAME BUILD_DIR
  local name=$1 build=$2 b
  for b in cli/vklab labd/labd guest/vkernel; do
    [ -x "$build/$b" ] || { echo "$name: $build/$b: not built (cmake --build $build)" >&2; exit 1; }
  done
  VKLAB=$(realpath "$build/cli/vklab")
  export VKLAB_LABD=$(realpath "$build/labd/labd") VKLAB_VKERNEL=$(realpath "$build/guest/vkernel")
  export VKLAB_STATE_ROOT=$(mktemp -d /tmp/vklab-bench.XXXXXX)
  WORK=$(mktemp -d "/tmp/vklab-bench-${name%.sh}.XXXXXX")
  trap bench_lab_cleanup EXIT
}

bench_lab_cleanup() {
  local d
  for d in "$VKLAB_STATE_ROOT"/*/; do
    [ -d "$d" ] && "$VKLAB" down --force "$(basename "$d")" > /dev/null 2>&1
  done
  rm -rf "$VKLAB_STATE_ROOT" "$WORK"
}
