#!/bin/bash
# bench/run --smoke, its stdout checked by bench_json_check against
# bench/names.txt.   smoke.sh SOURCE_DIR BUILD_DIR CHECKER
set -u
SRC=$1 BUILD=$2 CHECK=$3
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
for b in cli/vklab labd/labd guest/vkernel bench/compile_bench bench/netsetup_bench; do
  [ -x "$BUILD/$b" ] || { echo "SKIP: $BUILD/$b not built"; exit 77; }
done
out=$(mktemp /tmp/vklab-bench-smoke.XXXXXX)
trap 'rm -f "$out"' EXIT
start=$(date +%s)
VKLAB_BUILD=$BUILD "$SRC/bench/run" --smoke > "$out"
rc=$?
echo "bench/run --smoke: exit $rc in $(($(date +%s) - start)) s"
cat "$out"
"$CHECK" "$SRC/bench/names.txt" < "$out" || exit 1
[ $rc = 0 ] || { echo "FAIL: bench/run exited $rc"; exit 1; }
echo PASS
