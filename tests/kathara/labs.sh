# Kathará labs written for vklab (examples/kathara/NAME, lab.conf format)
# run as they are: up DIR → what the lab teaches works → down → nothing
# left. With `yaml`, the same through `vklab convert DIR > DIR/lab.yaml`.
# Usage: labs.sh NAME [dir|yaml]
. "$(dirname "$0")/../lifecycle/lib.sh"
: "${KATHARA:?KATHARA must name examples/kathara}"
name=${1:?usage: labs.sh NAME [dir|yaml]}
mode=${2:-dir}
cp -r "$KATHARA/$name" "$WORK/$name"
lab="$WORK/$name"
if [ "$mode" = yaml ]; then
  "$VKLAB" convert "$lab" > "$lab/lab.yaml" || fail "convert $name"
  lab="$lab/lab.yaml"
fi
# The guests' interfaces are ethN only once guest roots pass ifname.
"$VKLAB" plan "$lab" --format json | grep -q '"vklab_ifname=eth"' \
  || { echo "SKIP: this build passes no ifname to guests"; exit 77; }

# exec_ok GUEST CMD...: runs it in the lab, output in $OUT.
exec_ok() { local g=$1; shift; OUT=$("$VKLAB" exec --lab "$lab" "$g" -- "$@" 2>&1); }
# until_ok SECONDS WHAT GUEST CMD...: retries once a second.
until_ok() {
  local n=$1 what=$2; shift 2
  while [ "$n" -gt 0 ]; do exec_ok "$@" && { pass "$what"; return 0; }; sleep 1; n=$((n - 1)); done
  fail "$what: $OUT"
}

expect_rc 0 "up $name ($mode)" "$VKLAB" up --quiet "$lab"
case $name in
static)
  exec_ok pc1 ip -br link show eth0 && pass "pc1 has eth0" || fail "pc1 eth0: $OUT"
  exec_ok r1 sysctl -n net.ipv4.ip_forward net.ipv4.conf.all.rp_filter net.ipv4.conf.eth1.rp_filter
  [ "$(echo $OUT)" = "1 0 0" ] && pass "r1: forwarding on, rp_filter off" || fail "r1 sysctls: $OUT"
  until_ok 10 "pc1 reaches pc2 through the static routes" pc1 ping -c 1 -W 2 10.2.0.10
  exec_ok pc2 cat /shared/README && pass "shared/ is /shared" || fail "/shared: $OUT"
  # A second lab up: inside a lab's directory, commands pick that lab.
  cp -r "$KATHARA/web" "$WORK/web"
  expect_rc 0 "up web beside it" "$VKLAB" up --quiet "$WORK/web"
  OUT=$(cd "$WORK/$name" && "$VKLAB" exec pc1 -- hostname 2>&1)
  [ "$OUT" = pc1 ] && pass "exec in the lab's directory picks it" || fail "exec in $name/: $OUT"
  OUT=$(cd "$WORK/web" && "$VKLAB" status 2>&1)
  echo "$OUT" | grep -q server && pass "status in web/ shows web" || fail "status in web/: $OUT"
  OUT=$(cd "$WORK/web" && "$VKLAB" down 2>&1) && pass "down in web/" || fail "down in web/: $OUT"
  ;;
ospf)
  until_ok 60 "r1 learns lanC from OSPF" r1 sh -c 'ip route show 10.3.0.0/24 | grep "proto ospf"'
  until_ok 60 "r3 learns lanA from OSPF" r3 sh -c 'ip route show 10.1.0.0/24 | grep "proto ospf"'
  until_ok 10 "pca reaches pcc" pca ping -c 1 -W 2 10.3.0.10
  exec_ok r2 cat /etc/frr/frr.conf && echo "$OUT" | grep -q "router-id 2.2.2.2" \
    && pass "r2 has its own frr.conf" || fail "r2 frr.conf: $OUT"
  ;;
web)
  until_ok 20 "client fetches the page" client sh -c 'curl -s --max-time 3 http://10.0.0.80/ | grep Welcome'
  ;;
dns)
  # pc asks the resolver, which recurses from the lab's root through net.
  until_ok 60 "pc resolves www.example.net through the resolver" pc sh -c \
    'dig +time=2 +tries=1 www.example.net | grep -q "SERVER: 10.0.0.53#53" && dig +short +time=2 www.example.net | grep -qx 10.0.0.80'
  until_ok 10 "pc resolves by its search domain" pc sh -c 'dig +short +search +time=2 pc | grep -qx 10.0.0.10'
  for g in root tld ns resolver; do
    exec_ok "$g" systemctl is-active bind9 && pass "$g: named runs" || fail "$g: named: $OUT"
  done
  # BIND 9.18 refuses 9.11's dnssec-enable: the guest commented it out in
  # its own copy (and turned validation off), the lab's folder is untouched.
  exec_ok resolver cat /etc/bind/named.conf.options
  echo "$OUT" | grep -q "/\* vklab: .*dnssec-enable no; \*/ dnssec-validation no;" \
    && pass "resolver: dnssec-enable commented out, validation off" || fail "resolver's options: $OUT"
  cmp -s "$KATHARA/dns/resolver/etc/bind/named.conf.options" "$WORK/dns/resolver/etc/bind/named.conf.options" \
    && pass "the lab's own named.conf.options unchanged" || fail "the lab's folder changed"
  exec_ok tld dig +short +norecurse @10.0.0.2 www.example.net
  [ -z "$OUT" ] && pass "tld only refers to example.net (no answer of its own)" || fail "tld answered: $OUT"
  ;;
esac
expect_rc 0 "down $name" "$VKLAB" down "$lab"
if [ "$name" = static ]; then
  log="$WORK/static/shared/log"
  [ "$(grep -c ' up$' "$log")" = 4 ] && pass "shared.startup ran in 4 devices" || fail "log: $(cat "$log")"
  order=$(grep '^pc1 ' "$log" | tr '\n' ' ')
  [ "$order" = "pc1 up pc1 pc1.shutdown pc1 shared.shutdown " ] \
    && pass "pc1.shutdown, then shared.shutdown" || fail "pc1's order: $order"
fi
assert_clean "after down"
finish
