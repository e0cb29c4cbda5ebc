# depends_on orders both ends of the lifecycle: up starts a guest only after
# what it depends on is up, down stops a guest only after everything that
# depends on it has halted (web → app → db, then db ← app ← web).
. "$(dirname "$0")/lib.sh"
# Guests have roots of their own: the lab's shared/ folder (/shared in
# every guest) is where their events meet.
mkdir -p "$WORK/order/shared"
LOG=/shared
cat > "$WORK/order/order.yaml" <<LAB
name: order
defaults: {memory: 64m, stop_timeout: 10s}
bridges: [lan]
guests:
  web:
    depends_on: [app]
    interfaces: [lan]
    startup: echo "start web" >> $LOG/events
    shutdown: echo "stop web" >> $LOG/events; sleep 0.5; echo "stopped web" >> $LOG/events
  db:
    interfaces: [lan]
    startup: sleep 0.5; echo "start db" >> $LOG/events
    shutdown: echo "stop db" >> $LOG/events
  app:
    depends_on: [db]
    interfaces: [lan]
    startup: sleep 0.3; echo "start app" >> $LOG/events
    shutdown: echo "stop app" >> $LOG/events; sleep 0.5; echo "stopped app" >> $LOG/events
LAB
expect_rc 0 "up" "$VKLAB" up --quiet "$WORK/order/order.yaml"
got=$(tr '\n' ',' < "$WORK/order/shared/events")
[ "$got" = "start db,start app,start web," ] && pass "started db, app, web in that order" || fail "start order: $got"
expect_rc 0 "down" "$VKLAB" down order
n=$(echo "$OUT" | grep -c "halted cleanly")
[ "$n" = 3 ] && pass "3 guests halted cleanly" || { fail "down: $n halted cleanly"; echo "$OUT"; }
got=$(tr '\n' ',' < "$WORK/order/shared/events")
want="start db,start app,start web,stop web,stopped web,stop app,stopped app,stop db,"
[ "$got" = "$want" ] && pass "stopped web, then app, then db, each after the one before halted" || fail "events: $got"
assert_clean "after down"
finish
