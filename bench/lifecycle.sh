#!/bin/bash
# Wall time of `vklab up` and `vklab down` for generated labs of N guests
# with 4 vke each (bundled Linux guest), as root inside a private network
# and mount namespace (the script re-execs itself under unshare), with a
# private VKLAB_STATE_ROOT.
#
#   bench/lifecycle.sh BUILD_DIR [--runs R] [--pss-at N] [--smoke] [N...]
#
# Default N: 10 50 100, R = 3. Prints JSON lines (median over R runs):
#   lifecycle.up_Nx4.seconds, lifecycle.down_Nx4.seconds
#   lifecycle.up_Nx4.host_setup_seconds   (labd's own "host setup done" time)
#   lifecycle.up_Nx4.before_first_launch_seconds  (vklab start → first guest
#                                          forked: CLI, labd start, host setup)
#   lifecycle.up_Nx4.launch_to_ready_seconds      (first guest forked → last
#                                          guest up, from state.json)
#   lifecycle.up_Nx4.guest_boot_seconds   (median over guests of fork → up)
#   footprint.labd_pss_kib                (with --pss-at N: Pss of labd from
#                                          /proc/PID/smaps_rollup while the
#                                          N-guest lab is up, first run)
# --smoke: sizes 2 3 4 reported under the names of 10 50 100 (and the labd
# PSS at 4), one run, every line marked "smoke":true — plumbing only.
# VKLAB_BENCH_DEBUG=1: the phase figures and state.json start times on stderr.
# Goal for 100×4: up ≤ 3 s, down ≤ 2 s.
set -u
BUILD=${1:?usage: bench/lifecycle.sh BUILD_DIR [--runs R] [--pss-at N] [--smoke] [N...]}
shift
ARGS=("$@")
RUNS=3
PSS_AT=
SMOKE=
SIZES=()
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --pss-at) PSS_AT=$2; shift 2 ;;
    --smoke) SMOKE=1; shift ;;
    *) SIZES+=("$1"); shift ;;
  esac
done
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10 50 100)
. "$(dirname "$0")/lib.sh"
bench_private lifecycle.sh "$BUILD" "${ARGS[@]}"
bench_lab lifecycle.sh "$BUILD"

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

now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", (b - a) / 1e9 }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "null"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
extra=
[ -n "$SMOKE" ] && extra=',"smoke":true'
line() {  # name value unit runs [more json]
  printf '{"name":"%s","value":%s,"unit":"%s","runs":%s%s%s}\n' "$1" "$2" "$3" "$4" "${5:-}" "$extra"
}
# labd's Pss (KiB) for the running lab $1, its pid from state.json
labd_pss() {
  local pid
  pid=$("$VKLAB" status "$1" --json 2>/dev/null | awk '/"labd"/ { f = 1 } f && /"pid"/ { gsub(/[^0-9]/, ""); print; exit }')
  [ -n "$pid" ] && [ -r "/proc/$pid/smaps_rollup" ] || return 1
  awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup"
}

# Phases of the last up from state.json: "before launch_to_ready boot_median"
# (seconds), given the wall clock (ms) at which vklab up started.
up_phases() {  # lab start_ms
  local f=$VKLAB_STATE_ROOT/$1/state.json
  [ -r "$f" ] || return 1
  paste <(grep -o '"started_ms": *[0-9]*' "$f" | grep -o '[0-9]*$') \
        <(grep -o '"ready_ms": *[0-9]*' "$f" | grep -o '[0-9]*$') |
    awk -v t0="$2" '
      $1 > 0 && $2 > 0 { n++; if (!s || $1 < s) s = $1; if ($2 > r) r = $2; b[n] = $2 - $1 }
      END {
        if (!n) exit 1
        for (i = 2; i <= n; i++) { t = b[i]; for (j = i - 1; j >= 1 && b[j] > t; j--) b[j + 1] = b[j]; b[j + 1] = t }
        m = n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
        printf "%.4f %.4f %.4f\n", (s - t0) / 1000, (r - s) / 1000, m / 1000
      }'
}

# smoke: tiny labs under the names of the real sizes
declare -A NAME_OF
if [ -n "$SMOKE" ]; then
  SIZES=(2 3 4); RUNS=1; NAME_OF=([2]=10 [3]=50 [4]=100)
  [ -n "$PSS_AT" ] && PSS_AT=4
fi

rc=0
for n in "${SIZES[@]}"; do
  label=${NAME_OF[$n]:-$n}
  f=$(gen "$n")
  ups= downs= setups= failed= befores= launches= boots=
  for ((r = 0; r < RUNS; r++)); do
    t=$(now)
    up_start_ms=$((t / 1000000))
    "$VKLAB" up "$f" > "$WORK/up.out" 2>&1; up_rc=$?
    up=$(secs "$t" "$(now)")
    if [ $up_rc != 0 ]; then
      echo "lifecycle.sh: vklab up of $n guests failed (exit $up_rc):" >&2
      tail -5 "$WORK/up.out" >&2
      failed=1
    fi
    if [ $up_rc = 0 ] && ph=$(up_phases "bench$n" "$up_start_ms"); then
      read -r a b c <<< "$ph"; [ -n "${VKLAB_BENCH_DEBUG:-}" ] && { echo "phases $ph t0=$up_start_ms"; grep -o "\"started_ms\": *[0-9]*" "$VKLAB_STATE_ROOT/bench$n/state.json" | head -3; } >&2
      befores+=" $a" launches+=" $b" boots+=" $c"
    fi
    if [ "$n" = "$PSS_AT" ] && [ $r = 0 ] && [ $up_rc = 0 ]; then
      if p=$(labd_pss "bench$n"); then
        line footprint.labd_pss_kib "$p" KiB 1 ",\"guests\":$n"
      else
        echo "lifecycle.sh: could not read labd's smaps_rollup" >&2
      fi
    fi
    t=$(now)
    "$VKLAB" down "bench$n" > "$WORK/down.out" 2>&1; down_rc=$?
    down=$(secs "$t" "$(now)")
    clean=$(grep -c "halted cleanly" "$WORK/down.out")
    if [ $down_rc != 0 ] || [ "$clean" != "$n" ]; then
      echo "lifecycle.sh: vklab down of $n guests: exit $down_rc, $clean/$n halted cleanly" >&2
      tail -5 "$WORK/down.out" >&2
      failed=1
    fi
    ups+=" $up" downs+=" $down"
    s=$(sed -n 's/.*host setup done ([0-9]* steps, \([0-9]*\) ms).*/\1/p' "$WORK/up.out" | head -1)
    [ -n "$s" ] && setups+=" $(awk -v m="$s" 'BEGIN { printf "%.4f", m / 1000 }')"
  done
  [ -n "$failed" ] && rc=1
  more=",\"guests\":$n"
  [ -n "$failed" ] && more+=',"error":"up or down failed, see stderr"'
  line "lifecycle.up_${label}x4.seconds" "$(echo "$ups" | median)" s "$RUNS" "$more"
  line "lifecycle.down_${label}x4.seconds" "$(echo "$downs" | median)" s "$RUNS" "$more"
  [ -n "$setups" ] && line "lifecycle.up_${label}x4.host_setup_seconds" "$(echo "$setups" | median)" s "$RUNS" "$more"
  if [ -n "$befores" ]; then
    line "lifecycle.up_${label}x4.before_first_launch_seconds" "$(echo "$befores" | median)" s "$RUNS" "$more"
    line "lifecycle.up_${label}x4.launch_to_ready_seconds" "$(echo "$launches" | median)" s "$RUNS" "$more"
    line "lifecycle.up_${label}x4.guest_boot_seconds" "$(echo "$boots" | median)" s "$RUNS" "$more"
  fi
done
exit $rc
