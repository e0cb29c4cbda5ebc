#!/bin/sh
# The build without the Linux-only parts (VKLAB_LINUX=OFF: no bundled
# guest, no namespaces, no libnl) — what a DragonFly host runs:
# 1. a VKLAB_LINUX=OFF tree configures (temp dir): VKLAB_LINUX off, no
#    guest/, libnl not looked up;
# 2. every source the OFF build compiles differently is in VARIANTS (the
#    files CMakeLists.txt picks by VKLAB_LINUX, and every #if on
#    VKLAB_LINUX or VKLAB_HAVE_GUEST);
# 3. LABD and VKLAB, linked from those files compiled as the OFF build
#    does ahead of this build's libraries (tests/build/CMakeLists.txt),
#    hold no LinuxHost, libnl, namespace or guest code, and run.
# usage: nolinux.sh SOURCE_DIR LABD VKLAB "VARIANTS…"
set -eu
src=$1 labd=$2 vklab=$3 variants=$4
build=$(mktemp -d /tmp/vklab-nolinux.XXXXXX)
trap 'rm -rf "$build"' EXIT
cmake -S "$src" -B "$build" -DVKLAB_LINUX=OFF -DBUILD_TESTING=OFF >"$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; echo "FAIL: configure with VKLAB_LINUX=OFF"; exit 1; }
grep -q "VKLAB_LINUX:BOOL=OFF" "$build/CMakeCache.txt" || { echo "FAIL: VKLAB_LINUX is not OFF"; exit 1; }
[ ! -e "$build/guest" ] || { echo "FAIL: guest/ is configured"; exit 1; }
if grep -q "LIBNL" "$build/CMakeCache.txt"; then echo "FAIL: libnl looked up"; exit 1; fi

cd "$src"
listed() { case " $variants " in *" $src/$1 "*) return 0 ;; esac; return 1; }
bad=0
for f in $(grep -rlE '^#[[:space:]]*(if|ifdef|ifndef|elif).*VKLAB_(LINUX|HAVE_GUEST)' common vkernel hostnet topology netsetup labd cli); do
  listed "$f" || { echo "FAIL: $f has an #if on VKLAB_LINUX/VKLAB_HAVE_GUEST but is not in tests/build/CMakeLists.txt's list"; bad=1; }
done
# Sources a module's CMakeLists.txt adds only when VKLAB_LINUX is off.
for m in common vkernel hostnet topology netsetup labd cli; do
  for f in $(sed -n '/^else()/,/^endif()/p' "$m/CMakeLists.txt" | grep -o '[A-Za-z0-9_]*\.cc'); do
    listed "$m/$f" || { echo "FAIL: $m/$f is built only without VKLAB_LINUX but is not in the list"; bad=1; }
  done
done
# libnl and LinuxHost are included only by the Linux-only sources (the
# if(VKLAB_LINUX) branch of a module's CMakeLists.txt) and VARIANTS: the
# OFF build has no libnl headers.
linux_srcs=
for m in common vkernel hostnet topology netsetup labd cli; do
  for f in $(sed -n '/^if(VKLAB_LINUX)/,/^\(else\|endif\)()/p' "$m/CMakeLists.txt" | grep -o '[A-Za-z0-9_]*\.cc'); do
    linux_srcs="$linux_srcs $m/$f"
  done
done
for f in $(grep -rlE '#include (<netlink/|"hostnet/linux_host.h")' common vkernel hostnet topology netsetup labd cli); do
  case " $linux_srcs " in *" $f "*) continue ;; esac
  listed "$f" || { echo "FAIL: $f includes libnl or LinuxHost but is built without VKLAB_LINUX too"; bad=1; }
done
[ "$bad" = 0 ] || exit 1

# Pulled in from this build's libraries (the link map, FILE.map): none of
# the Linux-only objects nor the ON variants of VARIANTS.
linux_only='\((linux_host|routes|netns|open_host|cmd_save)\.cc\.o\)|libvklab_guest\.a|libvklab_confine\.a'
for f in "$labd" "$vklab"; do
  [ -s "$f.map" ] || { echo "FAIL: no link map $f.map"; exit 1; }
  if grep -E "^[^ ]*($linux_only)" "$f.map" >"$build/pulled.txt"; then
    head -5 "$build/pulled.txt"; echo "FAIL: $f pulls in Linux-only code (something portable still calls it)"; exit 1
  fi
  if nm -C "$f" | grep -e "LinuxHost" -e " nl_socket_alloc" -e "vklab::vkernel::Guest" >"$build/nm.txt"; then
    head -5 "$build/nm.txt"; echo "FAIL: $f holds Linux-only code"; exit 1
  fi
done
"$vklab" --version >/dev/null || { echo "FAIL: vklab --version"; exit 1; }
echo "PASS: VKLAB_LINUX=OFF configures; labd and vklab link without LinuxHost, libnl or the guest"
