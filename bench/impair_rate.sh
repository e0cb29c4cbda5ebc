#!/bin/bash
# `vklab impair a:vke0 --rate R` end to end (#13's acceptance): iperf3 from
# a to b through a's shaped interface, against the same two guests
# unshaped, in the same run (see docs/BENCHMARKS.md):
#   impair.rate_<R>.tcp_mbps   TCP a -> b, baseline R (the asked rate)
#   impair.rate_<R>.udp_mbps   UDP a -> b offered at 4 x R, received rate,
#                              baseline R
#   impair.unshaped.tcp_mbps   TCP a -> b with no impairment (the ceiling)
#
#   bench/impair_rate.sh BUILD_DIR [--rate 8mbit] [--secs S] [--runs N]
#
# Root only; re-execs itself under `unshare -n -m --propagation private`,
# state in a temp directory. One JSON object per line; values are medians.
set -u
BUILD=${1:?usage: bench/impair_rate.sh BUILD_DIR [--rate R] [--secs S] [--runs N]}
shift
ARGS=("$@")
RATE=8mbit SECS=5 RUNS=3
while [ $# -gt 0 ]; do
  case $1 in
    --rate) RATE=$2; shift 2 ;;
    --secs) SECS=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    *) echo "impair_rate.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "impair_rate.sh: needs root" >&2; exit 1; }
command -v iperf3 >/dev/null || { echo "impair_rate.sh: needs iperf3 (setup.sh installs it)" >&2; exit 1; }
if [ -z "${VKLAB_RATE_INNER:-}" ]; then
  exec env VKLAB_RATE_INNER=1 unshare -n -m --propagation private "$0" "$BUILD" "${ARGS[@]}"
fi
VKLAB=$(realpath "$BUILD/cli/vklab")
export VKLAB_LABD=$(realpath "$BUILD/labd/labd") VKLAB_VKERNEL=$(realpath "$BUILD/guest/vkernel")
export VKLAB_STATE_ROOT=$(mktemp -d /tmp/vklab-bench.XXXXXX)
WORK=$(mktemp -d /tmp/vklab-bench-rate.XXXXXX)
cleanup() {
  "$VKLAB" down --force rate >/dev/null 2>&1
  rm -rf "$VKLAB_STATE_ROOT" "$WORK"
}
trap cleanup EXIT
# The asked rate in Mbit/s.
MBPS=$(echo "$RATE" | awk '/kbit$/ {print $0 / 1000; next} /mbit$/ {print $0 + 0; next} /gbit$/ {print $0 * 1000; next} {print "x"}')
[ "$MBPS" != x ] || { echo "impair_rate.sh: --rate $RATE: use kbit, mbit or gbit" >&2; exit 2; }

cat > "$WORK/lab.yaml" <<'LAB'
name: rate
bridges:
  lan: {subnet: 10.0.0.0/24}
guests:
  a:
    interfaces:
      - {bridge: lan, address: 10.0.0.1/24}
  b:
    interfaces:
      - {bridge: lan, address: 10.0.0.2/24}
    startup: iperf3 -s -D
LAB
"$VKLAB" up --quiet "$WORK/lab.yaml" >/dev/null || { echo "impair_rate.sh: up failed" >&2; exit 1; }

# Receiver's Mbit/s of one iperf3 run from a (extra iperf3 arguments in $@).
iperf() {
  local out
  for _ in 1 2 3; do  # the server may still be busy with the last run
    out=$("$VKLAB" exec --lab rate a -- iperf3 -c 10.0.0.2 -t "$SECS" -J "$@" 2>/dev/null) \
      && echo "$out" | jq -e '.end' >/dev/null 2>&1 && break
    sleep 1
  done
  echo "$out" | jq -r 'if .end.sum_received then .end.sum_received.bits_per_second
                       else .end.sum.bits_per_second end / 1e6'
}
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
json() {  # json NAME VALUE BASELINE
  printf '{"name": "%s", "value": %.3f, "unit": "Mbit/s", "runs": %d, "baseline": %.3f, "ratio": %.3f}\n' \
    "$1" "$2" "$RUNS" "$3" "$(awk -v v="$2" -v b="$3" 'BEGIN {print v / b}')"
}
declare -a plain tcp udp
for ((r = 0; r < RUNS; r++)); do
  "$VKLAB" impair --lab rate a:vke0 --clear >/dev/null
  plain+=("$(iperf)")
  "$VKLAB" impair --lab rate a:vke0 --rate "$RATE" >/dev/null || { echo "impair_rate.sh: impair failed" >&2; exit 1; }
  tcp+=("$(iperf)")
  udp+=("$(iperf -u -b "$(awk -v m="$MBPS" 'BEGIN {print 4 * m}')M")")
done
m() { printf '%s\n' "$@" | median; }
json "impair.rate_$RATE.tcp_mbps" "$(m "${tcp[@]}")" "$MBPS"
json "impair.rate_$RATE.udp_mbps" "$(m "${udp[@]}")" "$MBPS"
json "impair.unshaped.tcp_mbps" "$(m "${plain[@]}")" "$MBPS"
