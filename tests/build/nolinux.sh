#!/bin/sh
# The build without the Linux-only parts (VKLAB_LINUX=OFF: no bundled
# guest, no namespaces, no libnl) configures and compiles: labd and the
# CLI, which is what a DragonFly host runs. A fresh build directory each
# time; ccache (when there) makes the second run cheap: no debug info and
# no directory in the hash, so every temporary directory shares the cache.
# usage: nolinux.sh SOURCE_DIR
set -eu
src=$1
build=$(mktemp -d /tmp/vklab-nolinux.XXXXXX)
trap 'rm -rf "$build"' EXIT
launcher=
if command -v ccache >/dev/null 2>&1; then
  launcher=-DCMAKE_CXX_COMPILER_LAUNCHER=ccache
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-/} CCACHE_NOHASHDIR=1
fi
cmake -S "$src" -B "$build" -DVKLAB_LINUX=OFF -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=None $launcher >"$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; echo "FAIL: configure with VKLAB_LINUX=OFF"; exit 1; }
grep -q "VKLAB_LINUX:BOOL=OFF" "$build/CMakeCache.txt" || { echo "FAIL: VKLAB_LINUX is not OFF"; exit 1; }
[ ! -e "$build/guest" ] || { echo "FAIL: guest/ is configured"; exit 1; }
if grep -q "LIBNL" "$build/CMakeCache.txt"; then echo "FAIL: libnl looked up"; exit 1; fi
cmake --build "$build" -j2 --target labd vklab >"$build/build.log" 2>&1 ||
  { tail -60 "$build/build.log"; echo "FAIL: build with VKLAB_LINUX=OFF"; exit 1; }
for f in labd/labd cli/vklab; do
  [ -x "$build/$f" ] || { echo "FAIL: no $f"; exit 1; }
  if nm -C "$build/$f" | grep -q -e "LinuxHost" -e " nl_socket_alloc" -e "vklab::vkernel::Guest"; then
    echo "FAIL: $f holds Linux-only code"; exit 1
  fi
done
"$build/cli/vklab" --version >/dev/null || { echo "FAIL: vklab --version"; exit 1; }
echo "PASS: VKLAB_LINUX=OFF builds labd and vklab without LinuxHost, libnl or the guest"
