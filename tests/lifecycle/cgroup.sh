# L3 (labd's half): a guest names its memory cgroup in "<pidfile>.cgroup";
# after the guest is reaped or killed — by labd, and by recovery when labd
# is gone — that cgroup is removed. A file naming anything but a vkernel-*
# directory under /sys/fs/cgroup is never acted on.
. "$(dirname "$0")/lib.sh"
mem=/sys/fs/cgroup/memory
[ -d "$mem" ] && [ -w "$mem" ] || mem=/sys/fs/cgroup
[ -w "$mem/cgroup.procs" ] || { echo "SKIP: no writable cgroup hierarchy"; exit 77; }
tag=lc$$
# The kernel joins its own cgroup as the bundled guest does, then says which.
kern=$(fake_kernel cg.sh "cg=$mem/vkernel-$tag-\$\$
mkdir \"\$cg\" && echo \$\$ > \"\$cg/cgroup.procs\" && echo \"\$cg\" > \"\$pf.cgroup\"
echo \$\$ > \"\$pf\"; exec sleep 1000")
decoy=$mem/notvkernel-$tag
mkdir "$decoy"
liar=$(fake_kernel liar.sh "echo $decoy > \"\$pf.cgroup\"; echo \$\$ > \"\$pf\"; exec sleep 1000")
cat > "$WORK/cg.yaml" <<LAB
name: cg
defaults: {memory: 64m, stop_timeout: 2s}
bridges: [lan]
guests:
  a: {kernel: $kern, interfaces: [lan]}
  b: {kernel: $kern, interfaces: [lan]}
  l: {kernel: $liar, interfaces: [lan]}
LAB
left() { ls -d "$mem"/vkernel-$tag-* 2>/dev/null; }
for how in down force recovery; do
  expect_rc 0 "up ($how)" "$VKLAB" up --quiet "$WORK/cg.yaml"
  [ "$(left | wc -l)" = 2 ] && pass "two guest cgroups exist" || fail "cgroups: $(left)"
  case $how in
    down) expect_rc 0 "down" "$VKLAB" down cg ;;
    force) expect_rc 3 "down --force" "$VKLAB" down --force cg ;;
    recovery) kill -9 $(mine "labd: cg"); expect_rc 0 "down without labd" "$VKLAB" down cg ;;
  esac
  [ -z "$(left)" ] && pass "no cgroup left ($how)" || fail "cgroups left ($how): $(left)"
  [ -d "$decoy" ] && pass "a cgroup not named vkernel-* is left alone ($how)" || fail "decoy removed"
  assert_clean "($how)"
done
rmdir "$decoy" $(left) 2>/dev/null
finish
