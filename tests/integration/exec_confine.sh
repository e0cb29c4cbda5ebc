# `vklab exec` runs its command with the guest's confinement
# (vkernel/confine.h): the same capability bounding set as the guest's init,
# the system call filter, the guest's root and /proc, and no descriptor of
# the host. Root; run under `unshare -n -m --propagation private` with the
# lifecycle tests' environment (tests/lifecycle/lib.sh).
. "$(dirname "$0")/../lifecycle/lib.sh"
mkdir -p "$WORK/conf/shared"
cat > "$WORK/conf/conf.yaml" <<'LAB'
name: conf
defaults: {memory: 64m, stop_timeout: 5s}
guests:
  g: {}
LAB
expect_rc 0 "up" "$VKLAB" up --quiet "$WORK/conf/conf.yaml"
init=$(cat "$VKLAB_STATE_ROOT/conf/g.pid.init")
want=$(grep CapBnd "/proc/$init/status")
ex() { "$VKLAB" exec --lab conf g -- "$@"; }
check "exec: the guest's bounding set ($want)" test "$(ex grep CapBnd /proc/self/status)" == "$want"
check "exec: under the guest's system call filter" test "$(ex grep Seccomp: /proc/self/status | tr -d ' \t')" == "Seccomp:2"
check "exec: effective capabilities within the bounding set" \
  bash -c "e=\$($(declare -f ex); VKLAB=$VKLAB; ex grep CapEff /proc/self/status | cut -f2); b=\$(echo '$want' | cut -f2); (( (0x\$e & ~0x\$b) == 0 ))"
check "exec: mount fails" bash -c "! $VKLAB exec --lab conf g -- mount -t proc proc /mnt 2>/dev/null"
check "exec: /proc/1 is the guest's init" test "$(ex cat /proc/1/comm)" == init
check "exec: the state root is not visible" bash -c "! $VKLAB exec --lab conf g -- ls '$VKLAB_STATE_ROOT' >/dev/null 2>&1"
# ls itself opens /proc/self/fd as 3: nothing else may be open.
check "exec: only stdin, stdout, stderr are open" test "$(ex ls /proc/self/fd | tr '\n' ' ')" == "0 1 2 3 "
check "exec: /shared is the lab's shared folder" bash -c "$VKLAB exec --lab conf g -- sh -c 'echo hi >/shared/x' && grep -qx hi '$WORK/conf/shared/x'"
expect_rc 0 "down" "$VKLAB" down conf
assert_clean "after down"
finish
