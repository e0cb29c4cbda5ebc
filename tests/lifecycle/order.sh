# depends_on orders both ends of the lifecycle: up starts a guest only after
# what it depends on is up, down stops a guest only after everything that
# depends on it has halted (web → app → db, then db ← app ← web).
. "$(dirname "$0")/lib.sh"
# Guests have roots of their own; shared/ beside the lab file is /shared
# in each of them, and the host's $WORK/shared.
mkdir -p "$WORK/shared"
LOG=$WORK/shared
cat > "$WORK/order.yaml" <<LAB
name: order
defaults: {memory: 64m, stop_timeout: 10s}
bridges: [lan]
guests:
  web:
    depends_on: [app]
    interfaces: [lan]
    startup: echo "start web" >> /shared/events
    shutdown: echo "stop web" >> /shared/events; sleep 0.5; echo "stopped web" >> /shared/events
  db:
    interfaces: [lan]
    startup: sleep 0.5; echo "start db" >> /shared/events
    shutdown: echo "stop db" >> /shared/events
  app:
    depends_on: [db]
    interfaces: [lan]
    startup: sleep 0.3; echo "start app" >> /shared/events
    shutdown: echo "stop app" >> /shared/events; sleep 0.5; echo "stopped app" >> /shared/events
LAB
expect_rc 0 "up" "$VKLAB" up --quiet "$WORK/order.yaml"
got=$(tr '\n' ',' < "$LOG/events")
[ "$got" = "start db,start app,start web," ] && pass "started db, app, web in that order" || fail "start order: $got"
expect_rc 0 "down" "$VKLAB" down order
n=$(echo "$OUT" | grep -c "halted cleanly")
[ "$n" = 3 ] && pass "3 guests halted cleanly" || { fail "down: $n halted cleanly"; echo "$OUT"; }
got=$(tr '\n' ',' < "$LOG/events")
want="start db,start app,start web,stop web,stopped web,stop app,stopped app,stop db,"
[ "$got" = "$want" ] && pass "stopped web, then app, then db, each after the one before halted" || fail "events: $got"
assert_clean "after down"
finish
