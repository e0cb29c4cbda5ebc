#!/bin/bash
# Wall time of `vklab check` over a generated lab of 50 guests on one LAN
# with 200 checks (per guest: ping its neighbour, its connected route, its
# address on vke0, a command's exact output), one at a time (--jobs 1, the
# same-run baseline) and in parallel (the default --jobs); and 20 checks
# that cannot pass, each retried for --wait 2s (two attempts), likewise: what a bound on
# parallelism saves when checks wait. As root inside a private network and
# mount namespace (re-execs itself under unshare), private VKLAB_STATE_ROOT.
#
#   bench/checks.sh BUILD_DIR [--runs R] [--smoke]
#
# JSON lines (median over R runs, default 3), ratio = parallel / serial:
#   checks.200_over_50.seconds   (baseline: the same with --jobs 1)
#   checks.failing_20.seconds    (baseline: the same with --jobs 1)
# --smoke: 4 guests, 16 checks, 4 failing ones, one run, "smoke":true.
set -u
BUILD=${1:?usage: bench/checks.sh BUILD_DIR [--runs R] [--smoke]}
shift
ARGS=("$@")
RUNS=3 SMOKE=
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --smoke) SMOKE=1; shift ;;
    *) echo "checks.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "checks.sh: needs root" >&2; exit 1; }
if [ -z "${VKLAB_CHECKS_BENCH_INNER:-}" ]; then
  exec env VKLAB_CHECKS_BENCH_INNER=1 unshare -n -m --propagation private "$0" "$BUILD" "${ARGS[@]}"
fi
ip link set lo up
VKLAB=$(realpath "$BUILD/cli/vklab")
kernel=$BUILD/guest/vkernel
[ -x "$kernel" ] || kernel=$BUILD/guest/vkernel
export VKLAB_LABD=$(realpath "$BUILD/labd/labd") VKLAB_VKERNEL=$(realpath "$kernel")
export VKLAB_STATE_ROOT=$(mktemp -d /tmp/vklab-bench.XXXXXX)
WORK=$(mktemp -d /tmp/vklab-bench-work.XXXXXX)
cleanup() {
  for d in "$VKLAB_STATE_ROOT"/*/; do
    [ -d "$d" ] && "$VKLAB" down --force "$(basename "$d")" >/dev/null 2>&1
  done
  rm -rf "$VKLAB_STATE_ROOT" "$WORK"
}
trap cleanup EXIT

N=50 FAILING=20
extra=
if [ -n "$SMOKE" ]; then N=4 FAILING=4 RUNS=1 extra=',"smoke":true'; fi
{
  echo "name: checkbench"
  echo "defaults: {memory: 64m, stop_timeout: 10s}"
  echo "bridges:"
  echo "  lan: {subnet: 10.0.0.0/24}"
  echo "guests:"
  for ((i = 1; i <= N; i++)); do
    echo "  g$i: {interfaces: [{bridge: lan, address: 10.0.0.$i/24}]}"
  done
} > "$WORK/lab.yaml"
{
  echo "checks:"
  for ((i = 1; i <= N; i++)); do
    echo "  - {from: g$i, ping: 10.0.0.$((i % N + 1))}"
    echo "  - {from: g$i, route: 10.0.0.0/24, dev: vke0, proto: kernel}"
    echo "  - {from: g$i, address: 10.0.0.$i/24, dev: vke0}"
    echo "  - {from: g$i, command: hostname, output: g$i}"
  done
} > "$WORK/key.yaml"
{
  echo "checks:"
  for ((i = 1; i <= FAILING; i++)); do
    echo "  - {from: g$(((i - 1) % N + 1)), route: 10.9.$i.0/24}"
  done
} > "$WORK/failing.yaml"

"$VKLAB" up --quiet "$WORK/lab.yaml" >&2 || { echo "checks.sh: up failed" >&2; exit 1; }
# Every check passes once (ARP warm, the lab settled) before timing.
"$VKLAB" check --wait 30s --checks "$WORK/key.yaml" checkbench > "$WORK/warm.out" 2>&1 ||
  { echo "checks.sh: the checks do not pass:" >&2; grep FAIL "$WORK/warm.out" | head >&2; exit 1; }

now() { date +%s%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
timed() {  # want_rc args... → seconds
  local t0 t1 rc
  t0=$(now)
  "$VKLAB" check "${@:2}" checkbench > /dev/null 2>&1
  rc=$?
  t1=$(now)
  [ "$rc" = "$1" ] || { echo "checks.sh: check ${*:2}: exit $rc, want $1" >&2; return 1; }
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", (b - a) / 1e9 }'
}
measure() {  # name want_rc args...
  local name=$1 want=$2 serial=() parallel=() s p
  shift 2
  for ((r = 0; r < RUNS; r++)); do
    s=$(timed "$want" --jobs 1 "$@") || return 1
    p=$(timed "$want" "$@") || return 1
    serial+=("$s") parallel+=("$p")
  done
  s=$(printf '%s\n' "${serial[@]}" | median)
  p=$(printf '%s\n' "${parallel[@]}" | median)
  printf '{"name":"%s","value":%s,"unit":"s","runs":%s,"baseline":%s,"ratio":%s,"jobs":16,"baseline_jobs":1%s}\n' \
    "$name" "$p" "$RUNS" "$s" "$(awk -v p="$p" -v s="$s" 'BEGIN { printf "%.3f", p / s }')" "$extra"
}
rc=0
measure checks.200_over_50.seconds 0 --wait 0 --checks "$WORK/key.yaml" || rc=1
measure checks.failing_20.seconds 1 --wait 2s --checks "$WORK/failing.yaml" || rc=1
"$VKLAB" down checkbench > /dev/null 2>&1 || rc=1
exit $rc
