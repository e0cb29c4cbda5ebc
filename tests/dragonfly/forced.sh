# A stubborn DragonFly kernel (its child ignores SIGTERM, lib.sh): `down`
# kills it after its stop_timeout, `down --force` at once; either way the
# wrapper labd started AND the kernel child the pidfile names are killed,
# and the links go as they came.
. "$(dirname "$0")/lib.sh"
LAB=$(lab dflyforce "$POLITE" "$STUBBORN")

round() {  # round "what" EXIT down-args...
  local what=$1 want=$2; shift 2
  expect_rc 0 "up ($what)" "$VKLAB" up --quiet --target dragonfly "$LAB"
  calls >/dev/null
  local ka kb wa wb
  ka=$(pidfile dflyforce a); kb=$(pidfile dflyforce b); wa=$(wrapper dflyforce a); wb=$(wrapper dflyforce b)
  [ -n "$kb" ] && [ -n "$wb" ] && [ "$kb" != "$wb" ] && running "$kb" && running "$wb" &&
    pass "b: wrapper $wb and kernel child $kb run" || fail "b: wrapper '$wb' kernel '$kb'"
  expect_rc "$want" "$what" "$VKLAB" down "$@" dflyforce
  echo "$OUT"
  for p in "$ka" "$kb" "$wa" "$wb"; do running "$p" && fail "$what: pid $p still runs"; done
  kill -KILL "$kb" "$wb" 2>/dev/null
  expect_calls "$what" "ifconfig tap2 destroy
ifconfig tap1 destroy
ifconfig tap0 destroy
ifconfig bridge1 destroy
ifconfig bridge0 destroy
sysctl net.inet.ip.forwarding=0"
  [ "$(sysctl_value net.inet.ip.forwarding)" = 0 ] && pass "$what: forwarding restored" || fail "$what: forwarding left on"
  assert_clean "after $what"
}
round "down" 3
echo "$OUT" | grep -q "a: halted cleanly" && pass "a halted" || fail "down: $OUT"
echo "$OUT" | grep -q "b: forced after 2s" && pass "b's child was killed after its 2s" || fail "down: $OUT"
round "down --force" 3 --force
finish
