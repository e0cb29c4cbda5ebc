#!/bin/sh
# The folders are layers (README "Layout"): each one includes only the
# folders below it. Fails naming the file and the include that crosses.
#   common < vkernel < hostnet < topology < netsetup < labd < cli
#   guest (the bundled Linux guest) sees only common, vkernel, hostnet;
#   labd and cli take only guest/confine.h from it (exec confines its
#   command as a guest), and cli guest/rootfs.h (save reads a guest's layer).
#   No header of labd or cli includes netsetup/applier.h: the CLI's view of
#   a lab (state, protocol) does not carry the applier.
src=${1:?usage: layering.sh SOURCE_DIR}
cd "$src" || exit 1
fails=0
out=$(mktemp)
allowed() {
  case $1 in
    common) echo "common" ;;
    vkernel) echo "common vkernel" ;;
    hostnet) echo "common vkernel hostnet" ;;
    topology) echo "common vkernel hostnet topology" ;;
    netsetup) echo "common vkernel hostnet topology netsetup" ;;
    guest) echo "common vkernel hostnet guest" ;;
    labd) echo "common vkernel hostnet topology netsetup labd" ;;
    cli) echo "common vkernel hostnet topology netsetup labd cli" ;;
  esac
}
for d in common vkernel hostnet topology netsetup guest labd cli; do
  ok=$(allowed $d)
  for f in $(find "$d" -name '*.h' -o -name '*.cc'); do
    grep -oE '^#include "[a-z_]+/[^"]+"' "$f" | sed 's/^#include "//;s/"$//' | while read -r inc; do
      top=${inc%%/*}
      case " $ok " in *" $top "*) continue ;; esac
      [ "$inc" = guest/confine.h ] && { [ $d = labd ] || [ $d = cli ]; } && continue
      [ "$inc" = guest/rootfs.h ] && [ $d = cli ] && continue
      echo "FAIL: $f includes $inc ($d may include: $ok)"
    done
  done
done > "$out"
for f in labd/*.h cli/*.h; do
  grep -q '^#include "netsetup/applier.h"' "$f" && echo "FAIL: $f includes netsetup/applier.h" >> "$out"
done
if [ -s "$out" ]; then cat "$out"; fails=1; else echo "ok: every include stays in its layer"; fi
rm -f "$out"
exit $fails
