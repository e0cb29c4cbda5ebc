#!/bin/sh
# Lints the manual pages: mandoc -Tlint -Wwarning must print nothing and
# succeed for each. Usage: check_man.sh MANDIR
# Exit 77 (ctest SKIP) when mandoc is not installed.
set -u
dir=${1:?usage: check_man.sh MANDIR}
command -v mandoc >/dev/null 2>&1 || { echo "mandoc not installed: skipped"; exit 77; }
status=0
for page in vklab.1 vklab.yaml.5 labd.8; do
  f=$dir/$page
  if [ ! -f "$f" ]; then
    echo "$f: missing"
    status=1
    continue
  fi
  out=$(mandoc -Tlint -Wwarning "$f" 2>&1)
  rc=$?
  if [ -n "$out" ] || [ $rc -ne 0 ]; then
    printf '%s: mandoc -Tlint -Wwarning (exit %d):\n%s\n' "$f" "$rc" "$out"
    status=1
  fi
  # It must also render (what man -l does) to something with a NAME section.
  if ! mandoc -Tascii "$f" 2>/dev/null | sed 's/.\x08//g' | grep -q '^NAME$'; then
    echo "$f: does not render a NAME section"
    status=1
  fi
done
[ $status -eq 0 ] && echo "manual pages: clean"
exit $status
