#!/usr/bin/env bash
# Data path and footprint of the bundled Linux guest (vkernel/), as root.
#
#   bench/datapath.sh [path/to/vkernel] [seconds per iperf3 run] [guests for PSS]
#
# Everything runs inside a private network namespace (the script re-execs
# itself under `unshare -n`) and traffic only flows between addresses of
# that namespace and the guests it starts:
#   - two guests g1/g2, taps on bridge0 (host address 10.0.0.254/24), vs a
#     veth baseline: two plain network namespaces whose veths are ports of
#     the same bridge; iperf3 TCP throughput and ping RTT for both, same run;
#   - PSS (/proc/PID/smaps_rollup) of one idle guest (vkernel process + its
#     init) while N guests run.
set -euo pipefail

VK=${1:-$(dirname "$0")/../build/vkernel/vkernel}
SECS=${2:-5}
NGUESTS=${3:-50}
VK=$(readlink -f "$VK")

if [[ "${VKLAB_BENCH_INNER:-}" != 1 ]]; then
  exec env VKLAB_BENCH_INNER=1 unshare -n -- "$0" "$VK" "$SECS" "$NGUESTS"
fi

work=$(mktemp -d /tmp/vklab-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip link set lo up
ip link add bridge0 type bridge
ip addr add 10.0.0.254/24 dev bridge0
ip link set bridge0 up

start_guest() {  # name address
  "$VK" -m 64m -I "auto:bridge0:$2/24" -p "$work/$1.pid" -e "vklab_hostname=$1" \
    -e vklab_term_wait=1s >"$work/$1.log" 2>&1 </dev/null &
  pids+=($!)
}
wait_booted() {  # name
  for _ in $(seq 200); do grep -q ': booted' "$work/$1.log" 2>/dev/null && return 0; sleep 0.05; done
  echo "$1 did not boot:"; cat "$work/$1.log"; exit 1
}
in_guest() {  # name command...
  local n=$1; shift
  nsenter --target "$(cat "$work/$n.pid.init")" --net --uts --mount --pid -- "$@"
}

# veth baseline: two namespaces held by sleeping processes
holder() {  # name address; sets HOLDER
  unshare -n sleep 100000 >/dev/null 2>&1 </dev/null &
  local p=$!
  pids+=($p)
  while [[ $(readlink "/proc/$p/ns/net") == $(readlink /proc/self/ns/net) ]]; do sleep 0.01; done
  ip link add "v$1" type veth peer name "p$1"
  ip link set "p$1" netns "$p"
  ip link set "v$1" master bridge0 up
  nsenter --target "$p" --net sh -c "ip link set lo up; ip link set p$1 name eth0; ip addr add $2/24 dev eth0; ip link set eth0 up"
  HOLDER=$p
}
in_ns() { local p=$1; shift; nsenter --target "$p" --net -- "$@"; }

start_guest g1 10.0.0.1
start_guest g2 10.0.0.2
wait_booted g1
wait_booted g2
holder n1 10.0.0.11; n1=$HOLDER
holder n2 10.0.0.12; n2=$HOLDER
sleep 0.5

iperf() {  # runner-fn server-id client-id server-address
  local run=$1 s=$2 c=$3 addr=$4
  $run "$s" iperf3 -s -1 -D -p 5201 >/dev/null
  sleep 0.3
  $run "$c" iperf3 -c "$addr" -p 5201 -t "$SECS" -f g | awk '/receiver/ {print $(NF-2)}'
}
rtt() {  # runner-fn client-id address
  $1 "$2" ping -q -c 50 -i 0.02 "$3" | awk -F/ '/rtt/ {print $5}'
}

ping -q -c 3 -i 0.2 10.0.0.1 >/dev/null && ping -q -c 3 -i 0.2 10.0.0.12 >/dev/null

g_tp=$(iperf in_guest g2 g1 10.0.0.2)
v_tp=$(iperf in_ns "$n2" "$n1" 10.0.0.12)
g_rtt=$(rtt in_guest g1 10.0.0.2)
v_rtt=$(rtt in_ns "$n1" 10.0.0.12)

echo "throughput guest<->guest: ${g_tp} Gbit/s   veth<->veth: ${v_tp} Gbit/s   ratio: $(awk "BEGIN {printf \"%.0f%%\", 100*$g_tp/$v_tp}")"
echo "ping rtt   guest<->guest: ${g_rtt} ms   veth<->veth: ${v_rtt} ms"

# footprint: NGUESTS guests in all
for i in $(seq 3 "$NGUESTS"); do
  start_guest "f$i" "10.0.1.$i"
done
for i in $(seq 3 "$NGUESTS"); do wait_booted "f$i"; done
sleep 1
pss() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup"; }
vp=$(cat "$work/g1.pid")
ip_=$(cat "$work/g1.pid.init")
a=$(pss "$vp"); b=$(pss "$ip_")
echo "PSS with $NGUESTS guests running: vkernel process ${a} KiB + init ${b} KiB = $((a + b)) KiB per guest"
