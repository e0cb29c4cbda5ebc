#!/bin/sh
# Acceptance: `vklab graph LAB --format svg` is an SVG document naming every
# guest and every bridge of the lab. No root; skipped without Graphviz.
# Usage: graph_svg.sh VKLAB LAB.yaml
vklab=${1:?usage: graph_svg.sh VKLAB LAB.yaml}
lab=${2:?usage: graph_svg.sh VKLAB LAB.yaml}
command -v dot >/dev/null 2>&1 || { echo "SKIP: dot (graphviz) is not installed"; exit 77; }
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
"$vklab" graph "$lab" --format svg > "$out" || { echo "FAIL: vklab graph exited $?"; exit 1; }
fails=0
head -c 200 "$out" | grep -q '^<?xml' || { echo "FAIL: not an XML document"; fails=$((fails + 1)); }
grep -q '<svg' "$out" || { echo "FAIL: no <svg element"; fails=$((fails + 1)); }
# Every name under guests: and bridges: (two-space indented keys).
names=$(awk '/^[a-z]/ { sect = $1 }
             (sect == "guests:" || sect == "bridges:") && /^  [A-Za-z0-9_.-]+:/ {
               sub(/^  /, ""); sub(/:.*/, ""); print }' "$lab")
[ -n "$names" ] || { echo "FAIL: no guest or bridge names read from $lab"; exit 1; }
for n in $names; do
  esc=$(printf '%s' "$n" | sed 's/-/\&#45;/g')  # Graphviz writes "-" as &#45;
  grep -qF ">$esc<" "$out" || { echo "FAIL: $n not in the SVG"; fails=$((fails + 1)); }
done
[ $fails = 0 ] || exit 1
echo "PASS: $(echo $names | wc -w) names in the SVG"
