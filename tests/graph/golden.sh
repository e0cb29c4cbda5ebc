#!/bin/sh
# `vklab graph` DOT text against reviewed golden files (golden/NAME.dot).
#   golden.sh VKLAB EXAMPLES_DIR      compare
#   UPDATE=1 golden.sh VKLAB EXAMPLES_DIR   rewrite the goldens (review the diff!)
# No root, no Graphviz needed.
vklab=${1:?usage: golden.sh VKLAB EXAMPLES}
ex=${2:?usage: golden.sh VKLAB EXAMPLES}
here=$(dirname "$0")
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
fails=0
# name  lab file  [vklab graph options]
while read -r name lab opts; do
  [ -n "$name" ] || continue
  case $lab in /*) ;; tests/*) lab=$here/${lab#tests/} ;; *) lab=$ex/$lab ;; esac
  # shellcheck disable=SC2086
  if ! "$vklab" graph "$lab" $opts > "$out"; then
    echo "FAIL: $name: vklab graph $lab $opts exited non-zero"; fails=$((fails + 1)); continue
  fi
  if [ -n "${UPDATE:-}" ]; then cp "$out" "$here/golden/$name.dot"; echo "updated $name"; continue; fi
  if diff -u "$here/golden/$name.dot" "$out"; then echo "ok: $name"
  else echo "FAIL: $name differs from golden/$name.dot"; fails=$((fails + 1)); fi
done <<CASES
triangle triangle.yaml
triangle-dot triangle.yaml --layout dot
chain chain.yaml
star star.yaml
two-hosts two-hosts.yaml
host-link host-link.yaml
ipv6 ipv6.yaml
big60 tests/big60.yaml
big60-tree tests/big60-tree.yaml
CASES
[ $fails = 0 ] || exit 1
echo PASS
