#!/bin/sh
# `vklab plan` renders a script sh accepts, for both targets and every
# example; the DragonFly one issues the kldload/ifconfig words of vkernel(7).
set -eu
vklab=$1 labs=$2
for lab in "$labs"/*.yaml; do
  for target in dragonfly linux; do
    "$vklab" plan --target "$target" "$lab" > "${TMPDIR:-/tmp}/vklab-plan.$$"
    sh -n "${TMPDIR:-/tmp}/vklab-plan.$$" || { echo "FAIL: $lab ($target) is not valid sh"; exit 1; }
  done
done
out=$("$vklab" plan --target dragonfly "$labs/triangle.yaml")
rm -f "${TMPDIR:-/tmp}/vklab-plan.$$"
for want in "kldload -n if_bridge" "kldload -n if_tap" "sysctl vm.vkernel_enable=1" \
            "ifconfig bridge0 create" "ifconfig bridge0 addm tap0" "ifconfig tap0 up" \
            "-I tap0:bridge0:10.1.0.1/24"; do
  case $out in
    *"$want"*) ;;
    *) echo "FAIL: the DragonFly script lacks: $want"; exit 1 ;;
  esac
done
echo "plan_sh: every example renders valid sh for both targets"
