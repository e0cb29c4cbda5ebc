#!/bin/bash
# Wall time of `vklab up` and `vklab down` for generated labs of N guests
# with 4 vke each (bundled Linux guest), as root inside a private network
# and mount namespace.
#   bench/lifecycle.sh BUILD_DIR [N...]      (default N: 10 50 100)
# Goal for 100×4: up ≤ 3 s, down ≤ 2 s.
set -u
BUILD=${1:?usage: bench/lifecycle.sh BUILD_DIR [N...]}
shift
SIZES=${*:-10 50 100}
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 1; }
if [ -z "${VKLAB_BENCH_INNER:-}" ]; then
  exec env VKLAB_BENCH_INNER=1 unshare -n -m --propagation private "$0" "$BUILD" $SIZES
fi
VKLAB=$(realpath "$BUILD/cli/vklab")
export VKLAB_LABD=$(realpath "$BUILD/labd/labd") VKLAB_VKERNEL=$(realpath "$BUILD/vkernel/vkernel")
export VKLAB_STATE_ROOT=$(mktemp -d /tmp/vklab-bench.XXXXXX)
WORK=$(mktemp -d /tmp/vklab-bench-work.XXXXXX)
trap 'rm -rf "$VKLAB_STATE_ROOT" "$WORK"' EXIT

# N guests; guest i: vke0 on ring i, vke1 on ring i+1, vke2 on a shared LAN
# (address auto), vke3 on one of ten LANs.
gen() {
  local n=$1 f=$WORK/bench$1.yaml
  {
    echo "name: bench$n"
    echo "defaults: {memory: 64m, stop_timeout: 10s}"
    echo "bridges:"
    echo "  shared: {subnet: 10.200.0.0/16}"
    for ((i = 0; i < n; i++)); do echo "  ring$i: {}"; done
    for ((i = 0; i < 10 && i < n; i++)); do echo "  lan$i: {}"; done
    echo "guests:"
    for ((i = 0; i < n; i++)); do
      echo "  g$i:"
      echo "    interfaces: [ring$i, ring$(((i + 1) % n)), {bridge: shared, address: auto}, lan$((i % 10))]"
    done
  } > "$f"
  echo "$f"
}

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

printf "%-8s %-6s %10s %10s %s\n" guests vke up_ms down_ms result
for n in $SIZES; do
  f=$(gen "$n")
  t=$(date +%s%N)
  "$VKLAB" up "$f" > "$WORK/up.out" 2>&1; up_rc=$?
  up=$(ms "$t")
  t=$(date +%s%N)
  "$VKLAB" down "bench$n" > "$WORK/down.out" 2>&1; down_rc=$?
  down=$(ms "$t")
  clean=$(grep -c "halted cleanly" "$WORK/down.out")
  printf "%-8s %-6s %10s %10s up=%s down=%s clean=%s/%s\n" "$n" $((4 * n)) "$up" "$down" $up_rc $down_rc "$clean" "$n"
  [ $up_rc = 0 ] || tail -5 "$WORK/up.out"
  [ -n "${VKLAB_BENCH_VERBOSE:-}" ] && grep -E "host setup|every guest" "$WORK/up.out"
done
