#!/bin/sh
# A reader that leaves early (`vklab graph … | head`) is not an error: no
# message (no "dot failed"), exit status 0, for DOT text and for SVG.
#   pipe.sh VKLAB LAB.yaml   (a lab whose SVG is larger than a pipe's buffer)
vklab=${1:?usage: pipe.sh VKLAB LAB}
lab=${2:?usage: pipe.sh VKLAB LAB}
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
fails=0
run() {  # run NAME READER ARGS...: vklab graph LAB ARGS | READER
  name=$1 reader=$2; shift 2
  { "$vklab" graph "$lab" "$@" 2> "$work/err"; echo $? > "$work/rc"; } | sh -c "$reader" > /dev/null
  rc=$(cat "$work/rc")
  if [ "$rc" = 0 ] && [ ! -s "$work/err" ]; then echo "ok: $name (exit 0, nothing on stderr)"
  else echo "FAIL: $name: exit $rc, stderr: $(cat "$work/err")"; fails=$((fails + 1)); fi
}
run "dot | head -1" "head -1"
run "dot | (reader closes at once)" "exec 0<&-; sleep 0.2"
if command -v dot > /dev/null 2>&1; then
  size=$("$vklab" graph "$lab" --format svg | wc -c)
  [ "$size" -gt 131072 ] || echo "note: the SVG is only $size bytes; a pipe may hold it all"
  run "svg | head -c 100" "head -c 100"
  run "svg | (reader closes at once)" "exec 0<&-; sleep 0.5"
else
  echo "note: no graphviz; SVG cases skipped"
fi
# A real error still is one: an unwritable -o.
"$vklab" graph "$lab" -o /nonexistent/dir/x.dot 2> "$work/err"; rc=$?
[ "$rc" != 0 ] && [ -s "$work/err" ] && echo "ok: unwritable -o is an error (exit $rc)" ||
  { echo "FAIL: unwritable -o: exit $rc"; fails=$((fails + 1)); }
[ $fails = 0 ] || exit 1
echo PASS
