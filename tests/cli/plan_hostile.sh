#!/bin/sh
# Findings S1/S2: no value of a lab file can run a command when the
# rendered script is checked or run. Hostile text in every free-text field
# (a description with newlines, startup/shutdown lines that read like
# here-document delimiters, command substitutions); the script must pass
# `sh -n` for both targets, and running `up` and `down` with fake host
# commands on PATH must run none of the injected commands.
#   plan_hostile.sh path/to/vklab
set -eu
vklab=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/vklab-hostile.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" "$work/state"
# Fake host commands: they only log. The fake kernel (the "bundled" guest
# for the Linux target) too.
for c in ip modprobe ifconfig kldload sysctl vkernel kernel.debug; do
  printf '#!/bin/sh\necho "%s $*" >> "%s/calls"\n' "$c" "$work" > "$work/bin/$c"
  chmod +x "$work/bin/$c"
done
pwn="$work/pwned"
cat > "$work/lab.yaml" <<YAML
name: hostile
description: "line one
touch $pwn.desc
\$(touch $pwn.subst) \`touch $pwn.tick\`"
bridges:
  lan: {}
guests:
  a:
    interfaces: [lan]
    startup: |
      echo start
      VKLAB_EOF
      touch $pwn.startup
      'VKLAB_EOF'
      EOF
      touch $pwn.startup2
    shutdown: |
      VKLAB_EOF
      touch $pwn.shutdown
  b:
    interfaces: [lan]
YAML
export VKLAB_STATE_ROOT="$work/state" VKLAB_VKERNEL="$work/bin/vkernel"
for target in linux dragonfly; do
  "$vklab" plan --target "$target" "$work/lab.yaml" > "$work/plan.$target.sh"
  sh -n "$work/plan.$target.sh" || { echo "FAIL: the $target script is not valid sh"; exit 1; }
done
# Run the Linux script's up and down with the fakes first on PATH: every
# host command and the kernel are fakes; the rc files are written for real.
PATH="$work/bin:$PATH" sh "$work/plan.linux.sh" up > "$work/up.out" 2>&1 || { cat "$work/up.out"; echo "FAIL: up"; exit 1; }
PATH="$work/bin:$PATH" sh "$work/plan.linux.sh" down > "$work/down.out" 2>&1 || true
sleep 0.2  # the fake kernels were started in the background
left=$(ls "$work" | grep pwned || true)
[ -z "$left" ] || { echo "FAIL: injected commands ran: $left"; exit 1; }
grep -q '^ip ' "$work/calls" || { echo "FAIL: the fakes were not used"; exit 1; }
# The startup file holds the text exactly, hostile lines included.
rc="$work/state/hostile/a.rc"
grep -qx 'VKLAB_EOF' "$rc" && grep -qx "touch $pwn.startup2" "$rc" || { echo "FAIL: $rc is not the startup text"; exit 1; }
echo "plan_hostile: no lab value ran as a command (both targets pass sh -n)"
