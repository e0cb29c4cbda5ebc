# Recovery stops in labd's order (labd/stop_order.h): with labd killed, a
# host that depends on its router is halted first and the router gets its
# SIGTERM only once the host is gone. Before, recovery sent every SIGTERM
# at once and the router went first.
. "$(dirname "$0")/lib.sh"
LOG=$WORK/order.log
ROUTER=$(fake_kernel router.sh "trap 'echo router-term >> $LOG; exit 0' TERM; echo \$\$ > \"\$pf\"; while :; do sleep 0.05; done")
HOST=$(fake_kernel host.sh "trap 'sleep 0.5; echo host-halted >> $LOG; exit 0' TERM; echo \$\$ > \"\$pf\"; while :; do sleep 0.05; done")
f=$(lab ord "  r: {kernel: $ROUTER, interfaces: [lan]}
  h: {kernel: $HOST, interfaces: [lan], depends_on: [r]}")
for how in labd recovery; do
  : > "$LOG"
  expect_rc 0 "up ($how)" "$VKLAB" up --quiet "$f"
  if [ $how = recovery ]; then kill -9 $(mine "labd: ord"); sleep 0.2; fi
  expect_rc 0 "down ($how)" "$VKLAB" down ord
  [ "$(tr '\n' ' ' < "$LOG")" = "host-halted router-term " ] && pass "$how: the host halted before the router got SIGTERM" ||
    fail "$how: order: $(tr '\n' ' ' < "$LOG")"
  settle ord "$how"
done
finish
