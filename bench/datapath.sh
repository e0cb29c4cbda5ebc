#!/usr/bin/env bash
# Data path and footprint of the bundled Linux guest (vkernel/), as root.
#
#   bench/datapath.sh [VKERNEL] [SECS] [GUESTS] [RUNS]
#
#   VKERNEL  the guest binary (default: ../build/guest/vkernel of this tree)
#   SECS     seconds per iperf3 run (default 5; the 64-byte UDP runs take
#            min(SECS, 3))
#   GUESTS   guests running while the idle guest's PSS is read (default 50;
#            0 skips the footprint)
#   RUNS     rounds of the data path measurements (default 3); each round
#            measures the guests and the veth baseline back to back (order
#            alternating between rounds), the values printed are medians
#
# Output (stable; bench/run reads it): one JSON object per line on stdout,
#   {"name":"datapath.tcp_gbps","value":G,"unit":"Gbit/s","baseline":V,"ratio":R,"runs":N,"ratios":[…]}
#   {"name":"datapath.rtt_us",…}        ping RTT (median of 100 pings per round)
#   {"name":"datapath.small_pps",…}     64-byte frames (iperf3 -u -l 22, unlimited
#                                       rate): datagrams received per second
#   {"name":"datapath.tcp_cpu_s_per_gb",…}  CPU time of the whole machine
#                                       (user+system+irq+softirq, /proc/stat)
#                                       per GB moved during the TCP run: what
#                                       a byte costs on each path
#   {"name":"datapath.tcp_steal_pct",…} share of CPU time the hypervisor
#                                       stole during the TCP run (a shared VM
#                                       makes throughput figures noisy)
#   {"name":"footprint.guest_pss_kib","value":K,"unit":"KiB","runs":1,"guests":N}
# Links (vkernel/link.h; skipped with LINKS=0), both guests shaped through
# their links file and SIGUSR1, against the unshaped guests of the round:
#   {"name":"datapath.shaped0_tcp_gbps",…}  impair delay=0ms: the shaper's own cost
#   {"name":"datapath.shaped0_rtt_us",…}
#   {"name":"datapath.rate1g_tcp_gbps",…}   rate=1gbit; baseline 1 (the asked rate)
#   {"name":"datapath.delay_Nms_added_ms",…} N = 1, 10, 100 on g1 only: the
#                                       median RTT minus the unshaped one,
#                                       baseline N (the asked delay)
# With BASE_VKERNEL=PATH (an older build of the guest), the same-sitting
# regression check of the unshaped path:
#   {"name":"datapath.vs_base_tcp_gbps",…}  value this build, baseline BASE_VKERNEL
#   {"name":"datapath.vs_base_rtt_us",…}
# value and baseline are medians over the rounds (guest, veth), ratio is
# value/baseline, "ratios" the per-round ratios (each from one round, so the
# same machine load). Progress and a human summary go to stderr.
#
# Everything runs inside a private network and mount namespace (the script
# re-execs itself under `unshare -n -m`, bench/lib.sh) and traffic only
# flows between addresses of that namespace and the guests it starts:
#   - two guests g1/g2, taps on bridge0 (host address 10.0.0.254/24), vs a
#     veth baseline: two plain network namespaces whose veths are ports of
#     the same bridge;
#   - PSS (/proc/PID/smaps_rollup) of one idle guest (vkernel process + its
#     init) while GUESTS guests run.
set -euo pipefail

VK=${1:-$(dirname "$0")/../build/guest/vkernel}
SECS=${2:-5}
NGUESTS=${3:-50}
RUNS=${4:-3}
VK=$(readlink -f "$VK")

. "$(dirname "$0")/lib.sh"
bench_private datapath.sh "$VK" "$SECS" "$NGUESTS" "$RUNS"
log() { echo "datapath: $*" >&2; }

work=$(mktemp -d /tmp/vklab-bench.XXXXXX)
pids=()
cleanup() {
  for f in "$work"/iperf3.*.pid; do
    [[ -f $f ]] && kill -TERM "$(cat "$f")" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip link add bridge0 type bridge
ip addr add 10.0.0.254/24 dev bridge0
ip link set bridge0 up

start_guest() {  # name address [kernel]
  : >"$work/$1.links"
  "${3:-$VK}" -m 64m -I "auto:bridge0:$2/24" -p "$work/$1.pid" -e "vklab_hostname=$1" \
    -e vklab_term_wait=1s -e "vklab_links=$work/$1.links" >"$work/$1.log" 2>&1 </dev/null &
  pids+=($!)
}
set_links() {  # name links-file-line: rewrite the guest's links file, SIGUSR1, wait for the console
  local n0
  n0=$(grep -c ': links' "$work/$1.log" || true)
  echo "$2" >"$work/$1.links"
  kill -USR1 "$(cat "$work/$1.pid")"
  for _ in $(seq 200); do (($(grep -c ': links' "$work/$1.log" || true) > n0)) && return 0; sleep 0.01; done
  log "$1 did not take its links: $(tail -2 "$work/$1.log")"; exit 1
}
wait_booted() {  # name
  for _ in $(seq 600); do grep -q ': booted' "$work/$1.log" 2>/dev/null && return 0; sleep 0.05; done
  echo "$1 did not boot:" >&2; cat "$work/$1.log" >&2; exit 1
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

nserv=0
server() {  # runner-fn server-id; starts a one-off iperf3 server on port 5201
  # A guest's iperf3 runs in its PID namespace (the guest's halt kills it)
  # and sees the guest's own /tmp; a veth one is killed by cleanup.
  nserv=$((nserv + 1))
  local pf=$work/iperf3.$nserv.pid seen
  seen=$pf
  if [[ $1 == in_guest ]]; then pf=/tmp/iperf3.$nserv.pid; seen=/proc/$(cat "$work/$2.pid.init")/root$pf; fi
  $1 "$2" iperf3 -s -1 -D -p 5201 -I "$pf" >/dev/null
  for _ in $(seq 200); do [[ -s $seen ]] && break; sleep 0.01; done
  sleep 0.1
}
cpu_ticks() {  # busy (user+nice+system+irq+softirq), steal, all: clock ticks of every CPU
  awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat
}
tcp() {  # runner-fn server-id client-id server-address → "Gbit/s busy-ticks steal-ticks all-ticks"
  local run=$1 s=$2 c=$3 addr=$4 a b g
  server "$run" "$s"
  a=($(cpu_ticks))
  g=$($run "$c" iperf3 -c "$addr" -p 5201 -t "$SECS" -f g | awk '/receiver/ {print $(NF-2)}')
  b=($(cpu_ticks))
  [[ -n $g ]] && echo "$g $((b[0] - a[0])) $((b[1] - a[1])) $((b[2] - a[2]))"
}
udp() {  # runner-fn server-id client-id server-address → datagrams received / s
  local run=$1 s=$2 c=$3 addr=$4 t=$((SECS < 3 ? SECS : 3))
  server "$run" "$s"
  $run "$c" iperf3 -c "$addr" -p 5201 -u -l 22 -b 0 -t "$t" -J |
    jq -r '.end.sum | ((.packets - .lost_packets) / .seconds | floor)'
}
rtt() {  # runner-fn client-id address → median RTT in µs
  $1 "$2" ping -c 100 -i 0.01 "$3" | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | sort -g |
    awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f\n", m * 1000 }'
}

ping -q -c 3 -i 0.2 10.0.0.1 >/dev/null && ping -q -c 3 -i 0.2 10.0.0.12 >/dev/null
in_guest g1 ping -q -c 3 -i 0.2 10.0.0.2 >/dev/null

declare -A G V
HZ=$(getconf CLK_TCK)
for ((r = 1; r <= RUNS; r++)); do
  for kind in tcp rtt udp; do
    for side in $( ((r % 2)) && echo "g v" || echo "v g"); do
      case $kind/$side in
        tcp/g) x=$(tcp in_guest g2 g1 10.0.0.2) ;;
        tcp/v) x=$(tcp in_ns "$n2" "$n1" 10.0.0.12) ;;
        rtt/g) x=$(rtt in_guest g1 10.0.0.2) ;;
        rtt/v) x=$(rtt in_ns "$n1" 10.0.0.12) ;;
        udp/g) x=$(udp in_guest g2 g1 10.0.0.2) ;;
        udp/v) x=$(udp in_ns "$n2" "$n1" 10.0.0.12) ;;
      esac
      [[ -n $x ]] || { log "round $r: $kind/$side gave no value"; exit 1; }
      if [[ $kind == tcp ]]; then
        # CPU time of the whole machine per GB moved, and the share of time
        # the hypervisor gave the CPUs to someone else (steal)
        read -r x busy steal all <<<"$x"
        cpu=$(awk -v g="$x" -v t="$busy" -v hz="$HZ" -v s="$SECS" 'BEGIN { printf "%.3f", (g > 0 ? (t / hz) / (g * s / 8) : 0) }')
        st=$(awk -v a="$all" -v s="$steal" 'BEGIN { printf "%.1f", (a > 0 ? 100 * s / a : 0) }')
        if [[ $side == g ]]; then G[cpu]+=" $cpu" G[steal]+=" $st"; else V[cpu]+=" $cpu" V[steal]+=" $st"; fi
      fi
      if [[ $side == g ]]; then G[$kind]+=" $x"; else V[$kind]+=" $x"; fi
    done
  done
  log "round $r/$RUNS: tcp guest$(echo "${G[tcp]}" | awk '{print $NF}') veth$(echo "${V[tcp]}" | awk '{print $NF}') Gbit/s;" \
    "rtt guest$(echo "${G[rtt]}" | awk '{print $NF}') veth$(echo "${V[rtt]}" | awk '{print $NF}') us;" \
    "64B udp guest$(echo "${G[udp]}" | awk '{print $NF}') veth$(echo "${V[udp]}" | awk '{print $NF}') pps;" \
    "tcp CPU-s/GB guest$(echo "${G[cpu]}" | awk '{print $NF}') veth$(echo "${V[cpu]}" | awk '{print $NF}');" \
    "steal guest$(echo "${G[steal]}" | awk '{print $NF}')% veth$(echo "${V[steal]}" | awk '{print $NF}')%"
done

LINKS=${LINKS:-1}
BASE_VK=${BASE_VKERNEL:-}
if [[ -n $BASE_VK ]]; then
  start_guest o1 10.0.0.3 "$(readlink -f "$BASE_VK")"
  start_guest o2 10.0.0.4 "$(readlink -f "$BASE_VK")"
  wait_booted o1
  wait_booted o2
  in_guest o1 ping -q -c 3 -i 0.2 10.0.0.4 >/dev/null
fi
declare -A L
if ((LINKS)) || [[ -n $BASE_VK ]]; then
  for ((r = 1; r <= RUNS; r++)); do
    if [[ -n $BASE_VK ]]; then
      for side in $( ((r % 2)) && echo "new old" || echo "old new"); do
        if [[ $side == new ]]; then read -r x _ <<<"$(tcp in_guest g2 g1 10.0.0.2)"; L[new_tcp]+=" $x"; L[new_rtt]+=" $(rtt in_guest g1 10.0.0.2)"
        else read -r x _ <<<"$(tcp in_guest o2 o1 10.0.0.4)"; L[old_tcp]+=" $x"; L[old_rtt]+=" $(rtt in_guest o1 10.0.0.4)"; fi
      done
      log "round $r/$RUNS vs base: tcp$(echo "${L[new_tcp]}" | awk '{print $NF}') base$(echo "${L[old_tcp]}" | awk '{print $NF}') Gbit/s;" \
        "rtt$(echo "${L[new_rtt]}" | awk '{print $NF}') base$(echo "${L[old_rtt]}" | awk '{print $NF}') us"
    fi
    ((LINKS)) || continue
    read -r x _ <<<"$(tcp in_guest g2 g1 10.0.0.2)"; L[plain_tcp]+=" $x"
    p0=$(rtt in_guest g1 10.0.0.2); L[plain_rtt]+=" $p0"
    set_links g1 "vke0 up delay=0ms"; set_links g2 "vke0 up delay=0ms"
    read -r x _ <<<"$(tcp in_guest g2 g1 10.0.0.2)"; L[s0_tcp]+=" $x"
    L[s0_rtt]+=" $(rtt in_guest g1 10.0.0.2)"
    set_links g1 "vke0 up rate=1gbit"; set_links g2 "vke0 up rate=1gbit"
    read -r x _ <<<"$(tcp in_guest g2 g1 10.0.0.2)"; L[r1g_tcp]+=" $x"; L[one]+=" 1"
    set_links g2 ""
    for d in 1 10 100; do
      set_links g1 "vke0 up delay=${d}ms"
      m=$(in_guest g1 ping -c 20 -i 0.05 10.0.0.2 2>/dev/null | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | sort -g |
        awk -v base="$p0" '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.3f\n", m - base / 1000 }')
      L[d${d}]+=" $m"; L[a${d}]+=" $d"
    done
    set_links g1 ""
    log "round $r/$RUNS links: tcp plain$(echo "${L[plain_tcp]}" | awk '{print $NF}') delay=0ms$(echo "${L[s0_tcp]}" | awk '{print $NF}')" \
      "rate=1gbit$(echo "${L[r1g_tcp]}" | awk '{print $NF}') Gbit/s; rtt plain$(echo "${L[plain_rtt]}" | awk '{print $NF}')" \
      "delay=0ms$(echo "${L[s0_rtt]}" | awk '{print $NF}') us; added delay 1ms:$(echo "${L[d1]}" | awk '{print $NF}')" \
      "10ms:$(echo "${L[d10]}" | awk '{print $NF}') 100ms:$(echo "${L[d100]}" | awk '{print $NF}')"
  done
fi

emit() {  # name unit guest-values veth-values
  awk -v name="$1" -v unit="$2" -v gs="$3" -v vs="$4" '
    function med(s, a,   n, i, j, t) {
      n = split(s, a, " ")
      for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    BEGIN {
      n = split(gs, g, " "); split(vs, v, " ")
      rs = ""
      for (i = 1; i <= n; i++) rs = rs (i > 1 ? "," : "") sprintf("%.3f", v[i] > 0 ? g[i] / v[i] : 0)
      gm = med(gs); vm = med(vs)
      printf "{\"name\":\"%s\",\"value\":%s,\"unit\":\"%s\",\"baseline\":%s,\"ratio\":%.3f,\"runs\":%d,\"ratios\":[%s]}\n",
        name, gm, unit, vm, (vm > 0 ? gm / vm : 0), n, rs
    }'
}
emit datapath.tcp_gbps Gbit/s "${G[tcp]}" "${V[tcp]}"
emit datapath.rtt_us us "${G[rtt]}" "${V[rtt]}"
emit datapath.small_pps pps "${G[udp]}" "${V[udp]}"
emit datapath.tcp_cpu_s_per_gb CPU-s/GB "${G[cpu]}" "${V[cpu]}"
emit datapath.tcp_steal_pct % "${G[steal]}" "${V[steal]}"
if [[ -n $BASE_VK ]]; then
  emit datapath.vs_base_tcp_gbps Gbit/s "${L[new_tcp]}" "${L[old_tcp]}"
  emit datapath.vs_base_rtt_us us "${L[new_rtt]}" "${L[old_rtt]}"
fi
if ((LINKS)); then
  emit datapath.shaped0_tcp_gbps Gbit/s "${L[s0_tcp]}" "${L[plain_tcp]}"
  emit datapath.shaped0_rtt_us us "${L[s0_rtt]}" "${L[plain_rtt]}"
  emit datapath.rate1g_tcp_gbps Gbit/s "${L[r1g_tcp]}" "${L[one]}"
  for d in 1 10 100; do emit "datapath.delay_${d}ms_added_ms" ms "${L[d$d]}" "${L[a$d]}"; done
fi

# footprint: NGUESTS guests in all (g1 idle by now)
if ((NGUESTS > 0)); then
  for i in $(seq 3 "$NGUESTS"); do
    start_guest "f$i" "10.0.$((1 + i / 250)).$((i % 250 + 1))"
  done
  for i in $(seq 3 "$NGUESTS"); do wait_booted "f$i"; done
  sleep 1
  pss() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup"; }
  a=$(pss "$(cat "$work/g1.pid")"); b=$(pss "$(cat "$work/g1.pid.init")")
  log "PSS with $NGUESTS guests running: vkernel process ${a} KiB + init ${b} KiB = $((a + b)) KiB per guest"
  printf '{"name":"footprint.guest_pss_kib","value":%d,"unit":"KiB","runs":1,"guests":%d}\n' $((a + b)) "$NGUESTS"
fi
