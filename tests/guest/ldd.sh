#!/bin/sh
# The bundled guest links only what it uses: no yaml-cpp, no Boost, and no
# lab-level module (topology, netsetup) in its symbols.
vk=${1:?usage: ldd.sh path/to/vkernel}
fails=0
libs=$(ldd "$vk") || { echo "FAIL: ldd $vk"; exit 1; }
for bad in yaml-cpp boost; do
  if echo "$libs" | grep -qi "$bad"; then echo "FAIL: $vk links $bad"; fails=1; else echo "ok: no $bad"; fi
done
if nm -C "$vk" | grep -qE 'vklab::(topology|netsetup)::'; then
  echo "FAIL: $vk holds topology/netsetup code"; fails=1
else
  echo "ok: no topology or netsetup code"
fi
exit $fails
