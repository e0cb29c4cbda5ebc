#!/bin/sh
# Finding F1: did-you-mean on long unknown names stays bounded. A lab file
# near the loader's 1 MiB cap whose unknown names are hundreds of KB long is
# refused with exit 2 (an error, never an abort) in well under 200 MB.
#   big_names.sh path/to/vklab
set -eu
vklab=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/vklab-bignames.XXXXXX")
trap 'rm -rf "$work"' EXIT
long=$(head -c 300000 /dev/zero | tr '\0' x)
other=$(head -c 300000 /dev/zero | tr '\0' y)
{
  echo "name: big"
  echo "bridges: [lan, $other]"
  echo "guests:"
  echo "  a:"
  echo "    interfaces: [$long]"
  echo "  b: {interfaces: [lan]}"
} > "$work/lab.yaml"
rc=0
# 200 MB of address space: the quadratic distance needed 4 GB at 64 KB.
(ulimit -v 200000; "$vklab" validate "$work/lab.yaml") > "$work/out" 2>&1 || rc=$?
if [ "$rc" != 2 ]; then echo "FAIL: exit $rc, want 2"; head -c 600 "$work/out"; exit 1; fi
grep -q 'lab.yaml:5:' "$work/out" || { echo "FAIL: no error at the unknown bridge"; head -c 600 "$work/out"; exit 1; }
echo "big_names: a ~600 KB lab with huge unknown names is refused (exit 2) within 200 MB"
