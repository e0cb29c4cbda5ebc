#!/bin/sh
# A 60-guest lab's PNG fits a page (picture.h kPageSize, 11.7x8.3 in at
# 96 dpi) and is no strip (neither side more than 3 times the other).
#   page.sh VKLAB LAB.yaml...
vklab=${1:?usage: page.sh VKLAB LAB...}
shift
command -v dot > /dev/null 2>&1 || { echo "SKIP: dot (graphviz) is not installed"; exit 77; }
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
fails=0
for lab in "$@"; do
  "$vklab" graph "$lab" --format png -o "$work/p.png" || { echo "FAIL: $lab: vklab graph failed"; fails=$((fails + 1)); continue; }
  # PNG: width and height are big-endian at bytes 16..23.
  set -- $(od -An -tu1 -j16 -N8 "$work/p.png")
  w=$(( ($1 << 24) + ($2 << 16) + ($3 << 8) + $4 )) h=$(( ($5 << 24) + ($6 << 16) + ($7 << 8) + $8 ))
  if [ "$w" -le 1124 ] && [ "$h" -le 1124 ] && [ "$w" -le $((3 * h)) ] && [ "$h" -le $((3 * w)) ]; then
    echo "ok: $(basename "$lab"): ${w}x${h}"
  else
    echo "FAIL: $(basename "$lab"): ${w}x${h} does not fit a page or is a strip"; fails=$((fails + 1))
  fi
done
[ $fails = 0 ] || exit 1
echo PASS
