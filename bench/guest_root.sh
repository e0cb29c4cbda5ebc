#!/bin/bash
# What a guest's own root costs: boot time and memory of one bundled guest
# with its root (this build) against a build without roots, in one run.
#
#   bench/guest_root.sh VKERNEL [BASELINE_VKERNEL] [--runs R]
#
# Prints JSON lines (median of R runs, default 9):
#   guest.root_boot_ms      start of the vkernel -> readiness ("ready" on
#                           its ready fd: startup commands ran); baseline =
#                           the same for BASELINE_VKERNEL when given
#   guest.root_pss_kib      Pss of one idle guest's vkernel + init processes
#                           (smaps_rollup) while 20 such guests run (the
#                           median guest), like footprint.guest_pss_kib;
#                           baseline likewise
#   guest.root_layer_kib    the guest's tmpfs layer in use right after boot
#                           (upper, work, the lab's files; df of the layer)
# Root only; re-execs itself under `unshare -n -m --propagation private`.
set -u
VK=$(readlink -f "${1:?usage: bench/guest_root.sh VKERNEL [BASELINE_VKERNEL] [--runs R]}"); shift
BASE=
if [[ $# -gt 0 && $1 != --* ]]; then BASE=$(readlink -f "$1"); shift; fi
RUNS=9
[[ ${1:-} == --runs ]] && RUNS=${2:?}
. "$(dirname "$0")/lib.sh"
bench_private guest_root.sh "$VK" ${BASE:+"$BASE"} --runs "$RUNS"
work=$(mktemp -d /tmp/vklab-bench-root.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/lab/g/etc"
echo "bench" >"$work/lab/g/etc/motd-lab"
printf 'ip link set lo up\n' >"$work/g.rc"

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
pss_of() { awk '/^Pss:/ {s += $2} END {print s + 0}' "/proc/$1/smaps_rollup" 2>/dev/null; }

# start VKERNEL TAG: starts one guest of $work/state/TAG, sets P and FIFO
start() {
  local vk=$1 tag=$2
  mkdir -p "$work/state/$tag/g.layer"
  FIFO=$work/ready.$tag
  mkfifo "$FIFO"
  "$vk" -m 64m -p "$work/state/$tag/g.pid" -e vklab_hostname=g -e "vklab_rc=$work/g.rc" \
    -e "vklab_files=$work/lab/g" -e "vklab_layer=$work/state/$tag/g.layer" -e vklab_ready_fd=3 \
    -e vklab_term_wait=1s 3>"$FIFO" >"$work/g.$tag.log" 2>&1 </dev/null &
  P=$!
  pids+=("$P")
}

measure() {  # VKERNEL TAG: sets MS (median boot), PSS (median idle guest of 20), LAYER
  local vk=$1 tag=$2 i t0 t1 ps=()
  : >"$work/ms"
  for i in $(seq "$RUNS"); do
    t0=$(date +%s%N)
    start "$vk" "$tag$i"
    read -r _ <"$FIFO"
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 )) >>"$work/ms"
    kill -TERM "$P"; wait "$P" 2>/dev/null
  done
  MS=$(median <"$work/ms")
  for i in $(seq 20); do start "$vk" "${tag}p$i"; read -r _ <"$FIFO"; ps+=("$P"); done
  sleep 2  # idle
  : >"$work/pss"; : >"$work/layer"
  for i in $(seq 20); do
    local p=${ps[$((i - 1))]} init
    init=$(cat "$work/state/${tag}p$i/g.pid.init")
    echo $(( $(pss_of "$p") + $(pss_of "$init") )) >>"$work/pss"
    nsenter --target "$p" --mount df -k --output=used "$work/state/${tag}p$i/g.layer" 2>/dev/null | tail -1 | tr -d ' ' >>"$work/layer"
  done
  PSS=$(median <"$work/pss")
  LAYER=$(grep . "$work/layer" | median)
  kill -TERM "${ps[@]}"; wait "${ps[@]}" 2>/dev/null
}

if [[ -n $BASE ]]; then measure "$BASE" base; BMS=$MS BPSS=$PSS; fi
measure "$VK" new
line() {  # name value unit [baseline]
  if [[ -n ${4:-} ]]; then
    printf '{"name":"%s","value":%s,"unit":"%s","runs":%s,"baseline":%s,"ratio":%s}\n' "$1" "$2" "$3" "$RUNS" "$4" \
      "$(awk -v a="$2" -v b="$4" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}')"
  else
    printf '{"name":"%s","value":%s,"unit":"%s","runs":%s}\n' "$1" "$2" "$3" "$RUNS"
  fi
}
line guest.root_boot_ms "$MS" ms "${BMS:-}"
line guest.root_pss_kib "$PSS" KiB "${BPSS:-}"
line guest.root_layer_kib "$LAYER" KiB
