# systemctl and service inside a guest, over fake init scripts from the
# lab's folder (no daemon of the host is run): aliases from unit files,
# systemctl's exit codes, and init stopping the started services last-first
# on a clean halt. Each script logs to /shared, the host's $WORK/lab/shared.
. "$(dirname "$0")/lib.sh"
L=$WORK/lab
mkdir -p "$L/shared" "$L/a/etc/init.d" "$L/a/usr/lib/systemd/system"
for s in alpha beta; do
  cat > "$L/a/etc/init.d/$s" <<SCRIPT
#!/bin/sh
case "\$1" in
  start) echo "$s start" >> /shared/log; touch /run/$s.on ;;
  stop) echo "$s stop" >> /shared/log; rm -f /run/$s.on ;;
  restart) echo "$s restart" >> /shared/log; touch /run/$s.on ;;
  reload) echo "$s reload" >> /shared/log ;;
  status) [ -e /run/$s.on ] && { echo "$s is running"; exit 0; }; echo "$s is not running"; exit 3 ;;
  fail) exit 7 ;;
  *) echo "usage: $s start|stop|restart|reload|status" >&2; exit 2 ;;
esac
SCRIPT
  chmod 755 "$L/a/etc/init.d/$s"
done
printf '#!/bin/sh\n[ "$1" = status ] && exit 3\nexit 1\n' > "$L/a/etc/init.d/gamma"  # never starts
chmod 755 "$L/a/etc/init.d/gamma"
printf '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\nAlias=bravo.service\n' \
  > "$L/a/usr/lib/systemd/system/beta.service"
cat > "$L/lab.yaml" <<'YAML'
name: svc
bridges: [l]
guests:
  a: {interfaces: [l], stop_timeout: 10s}
YAML
e() { "$VKLAB" exec a -- "$@"; }
expect_rc 0 "up" "$VKLAB" up --quiet "$L/lab.yaml"
expect_rc 0 "systemctl start alpha" e systemctl start alpha
expect_rc 0 "service bravo start (an alias of beta)" e service bravo start
expect_rc 0 "is-active alpha" e systemctl is-active alpha.service
[ "$OUT" = active ] && pass "active" || fail "is-active said: $OUT"
expect_rc 0 "status beta" e systemctl status bravo
expect_rc 0 "reload" e systemctl reload beta
expect_rc 0 "start again: nothing to do" e systemctl start alpha
expect_rc 0 "stop alpha" e systemctl stop alpha
expect_rc 3 "is-active of a stopped unit" e systemctl is-active alpha
expect_rc 3 "status of a stopped unit" e systemctl status alpha
expect_rc 5 "start of no such unit" e systemctl start nope
expect_rc 4 "status of no such unit" e systemctl status nope
expect_rc 3 "is-active of no such unit" e systemctl is-active -q nope
expect_rc 7 "service passes a script's own status" e service alpha fail
expect_rc 1 "systemctl start of a unit that fails" e systemctl start gamma
expect_rc 64 "a usage error" e systemctl frobnicate alpha
expect_rc 0 "start alpha again" e systemctl start alpha
expect_rc 0 "the record" e cat /run/vkernel/services
[ "$OUT" = "beta
alpha" ] && pass "started units recorded in order" || fail "record: $OUT"
expect_rc 0 "halt" e halt
for i in $(seq 1 50); do grep -q "alpha stop" "$L/shared/log" 2>/dev/null && grep -q "beta stop" "$L/shared/log" && break; sleep 0.1; done
got=$(tr '\n' ',' < "$L/shared/log")
want="alpha start,beta start,beta reload,alpha stop,alpha start,alpha stop,beta stop,"
[ "$got" = "$want" ] && pass "halt stopped alpha then beta (last started first)" || fail "log: $got"
expect_rc 0 "down" "$VKLAB" down svc
assert_clean "after down"
finish
