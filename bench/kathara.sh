#!/bin/bash
# The Kathará front-end, measured (see docs/BENCHMARKS.md):
#   - kathara.up_100.seconds / kathara.down_100.seconds: `vklab up DIR` and
#     `vklab down` of a generated 100-device lab.conf lab (2 interfaces each,
#     a .startup per device), against the same lab converted to YAML
#     (`vklab convert`), in the same run: the baseline;
#   - kathara.validate_100.seconds: the front-end alone (`vklab validate`),
#     directory against YAML;
#   - kathara.ospf.converged_seconds: `vklab up DIR` of examples/kathara/ospf
#     until every router has a route to every subnet (polled every 0.1 s),
#     beside kathara.ospf.up_seconds (until `up` returned: the guests booted
#     and ran their startup); the rest is FRR's (hello 1 s, dead 4 s on the
#     router links, so about 4 s of OSPF's Waiting state on each broadcast
#     segment before the DR election and the adjacency).
#
#   bench/kathara.sh BUILD_DIR [--runs R] [--size N]
#
# Root only; re-execs itself under `unshare -n -m --propagation private`,
# state in a temp directory. Prints one JSON object per line.
set -u
BUILD=${1:?usage: bench/kathara.sh BUILD_DIR [--runs R] [--size N]}
shift
ARGS=("$@")
RUNS=3
N=100
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --size) N=$2; shift 2 ;;
    *) echo "kathara.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "kathara.sh: needs root" >&2; exit 1; }
if [ -z "${VKLAB_KATHARA_INNER:-}" ]; then
  exec env VKLAB_KATHARA_INNER=1 unshare -n -m --propagation private "$0" "$BUILD" "${ARGS[@]}"
fi
HERE=$(cd "$(dirname "$0")" && pwd)
VKLAB=$(realpath "$BUILD/cli/vklab")
export VKLAB_LABD=$(realpath "$BUILD/labd/labd") VKLAB_VKERNEL=$(realpath "$BUILD/guest/vkernel")
export VKLAB_STATE_ROOT=$(mktemp -d /tmp/vklab-bench.XXXXXX)
WORK=$(mktemp -d /tmp/vklab-bench-kathara.XXXXXX)
cleanup() {
  for d in "$VKLAB_STATE_ROOT"/*/; do
    [ -d "$d" ] && "$VKLAB" down --force "$(basename "$d")" >/dev/null 2>&1
  done
  rm -rf "$VKLAB_STATE_ROOT" "$WORK"
}
trap cleanup EXIT

now() { date +%s.%N; }
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
json() {  # json NAME VALUE UNIT [BASELINE]
  local extra=""
  [ -n "${4:-}" ] && extra=$(awk -v v="$2" -v b="$4" 'BEGIN {printf ", \"baseline\": %.4f, \"ratio\": %.3f", b, v / b}')
  printf '{"name": "%s", "value": %.4f, "unit": "%s", "runs": %d%s}\n' "$1" "$2" "$3" "$RUNS" "$extra"
}

# N devices in a ring of point-to-point collision domains: device i's eth0
# is on ring i, its eth1 on ring i-1; a .startup per device addresses both.
gen() {
  local d=$WORK/kathara-bench i p
  mkdir -p "$d"
  { echo 'LAB_DESCRIPTION="generated: '"$N"' devices"'
    for ((i = 0; i < N; i++)); do
      echo "d$i[0]=\"ring$i\""
      echo "d$i[1]=\"ring$(((i + N - 1) % N))\""
      echo "d$i[image]=\"kathara/base\""
    done; } > "$d/lab.conf"
  for ((i = 0; i < N; i++)); do
    p=$(((i + N - 1) % N))
    printf 'ip address add 10.%d.%d.1/24 dev eth0\nip address add 10.%d.%d.2/24 dev eth1\n' \
      $((i / 250)) $((i % 250)) $((p / 250)) $((p % 250)) > "$d/d$i.startup"
  done
  "$VKLAB" convert "$d" > "$d/lab.yaml"
  echo "$d"
}
LAB=$(gen)

timed() { local t0; t0=$(now); "$@" >/dev/null 2>&1 || { echo "kathara.sh: $* failed" >&2; exit 1; }; awk -v a="$t0" -v b="$(now)" 'BEGIN {print b - a}'; }
declare -a up_dir down_dir up_yaml down_yaml val_dir val_yaml
for ((r = 0; r < RUNS; r++)); do
  val_dir+=("$(timed "$VKLAB" validate "$LAB")")
  val_yaml+=("$(timed "$VKLAB" validate "$LAB/lab.yaml")")
  up_dir+=("$(timed "$VKLAB" up --quiet "$LAB")")
  down_dir+=("$(timed "$VKLAB" down "$LAB")")
  up_yaml+=("$(timed "$VKLAB" up --quiet "$LAB/lab.yaml")")
  down_yaml+=("$(timed "$VKLAB" down "$LAB/lab.yaml")")
done
m() { printf '%s\n' "$@" | median; }
json "kathara.validate_$N.seconds" "$(m "${val_dir[@]}")" s "$(m "${val_yaml[@]}")"
json "kathara.up_$N.seconds" "$(m "${up_dir[@]}")" s "$(m "${up_yaml[@]}")"
json "kathara.down_$N.seconds" "$(m "${down_dir[@]}")" s "$(m "${down_yaml[@]}")"

# OSPF: up, then until every router has a route to each of the four
# subnets (two LANs, two router links).
OSPF=$WORK/ospf
cp -r "$HERE/../examples/kathara/ospf" "$OSPF"
SUBNETS="10.1.0.0/24 10.0.12.0/30 10.0.23.0/30 10.3.0.0/24"
converged() {
  local r s t
  for r in r1 r2 r3; do
    t=$("$VKLAB" exec --lab "$OSPF" "$r" -- ip -4 route show 2>/dev/null) || return 1
    for s in $SUBNETS; do echo "$t" | grep -q "^$s " || return 1; done
  done
}
declare -a t_up t_conv t_rest
for ((r = 0; r < RUNS; r++)); do
  t0=$(now)
  "$VKLAB" up --quiet "$OSPF" >/dev/null 2>&1 || { echo "kathara.sh: up ospf failed" >&2; exit 1; }
  t1=$(now)
  for ((k = 0; k < 600; k++)); do converged && break; sleep 0.1; done
  converged || { echo "kathara.sh: ospf did not converge" >&2; exit 1; }
  t2=$(now)
  t_up+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")
  t_conv+=("$(awk -v a="$t0" -v b="$t2" 'BEGIN {print b - a}')")
  t_rest+=("$(awk -v a="$t1" -v b="$t2" 'BEGIN {print b - a}')")
  "$VKLAB" down "$OSPF" >/dev/null 2>&1
done
json "kathara.ospf.up_seconds" "$(m "${t_up[@]}")" s
json "kathara.ospf.converged_seconds" "$(m "${t_conv[@]}")" s
json "kathara.ospf.after_up_seconds" "$(m "${t_rest[@]}")" s
