#!/bin/bash
# The Kathará-Labs collection (github KatharaFramework/Kathara-Labs) as an
# external acceptance suite: each lab of #12's acceptance, unchanged, runs
# up → what it teaches works → down → nothing left, once from its directory
# and once through `vklab convert DIR > lab.yaml`. Fetches nothing: give it
# a checkout (or an extracted tree) of the repository.
#
#   tests/kathara/real_labs.sh BUILD_DIR LABS_CHECKOUT [LAB…]
#       LAB: static ospf rip bgp web dns (default: all), each dir and yaml
#
# Root only; every lab runs in its own `unshare -n -m --propagation private`
# with its own state root (../lifecycle/lib.sh). Exit 77 when the checkout
# is missing, 1 when a lab failed. Each lab is copied to a temp directory
# first (labs write to shared/, convert writes lab.yaml): the checkout is
# only read.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)

# The labs, by their path in the repository.
declare -A LAB_PATH=(
  [static]=main-labs/basic-topics/static-routing/kathara-lab_static-routing
  [ospf]=main-labs/intradomain-routing/frr/ospf/kathara-lab_ospf/kathara-lab_ospf_frr-singlearea
  [rip]=main-labs/intradomain-routing/frr/rip/kathara-lab_rip
  [bgp]=main-labs/interdomain-routing/frr/bgp-simple-peering/kathara-lab_bgp-simple-peering
  [web]=main-labs/application-level/web-server/kathara-lab_web-server
  [dns]=main-labs/application-level/dns/kathara-lab_dns
)
ALL="static ospf rip bgp web dns"

if [ "${1:-}" != --one ]; then
  BUILD=${1:?usage: real_labs.sh BUILD_DIR LABS_CHECKOUT [LAB...]}
  CHECKOUT=${2:-}
  shift 2 2>/dev/null
  [ -n "$CHECKOUT" ] && [ -d "$CHECKOUT/main-labs" ] \
    || { echo "SKIP: no Kathará-Labs checkout${CHECKOUT:+ at $CHECKOUT}"; exit 77; }
  [ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
  labs=${*:-$ALL}
  export VKLAB=$(realpath "$BUILD/cli/vklab") VKLAB_LABD=$(realpath "$BUILD/labd/labd")
  export VKLAB_VKERNEL=$(realpath "$BUILD/guest/vkernel") EXAMPLES=$HERE/../../examples/labs
  logs=$(mktemp -d /tmp/vklab-real-labs.XXXXXX)
  failed=0
  summary=""
  for lab in $labs; do
    [ -n "${LAB_PATH[$lab]:-}" ] || { echo "real_labs.sh: no lab $lab (have: $ALL)" >&2; exit 2; }
    for mode in dir yaml; do
      t0=$(date +%s)
      unshare -n -m --propagation private bash "$0" --one "$CHECKOUT" "$lab" "$mode" > "$logs/$lab.$mode.log" 2>&1
      rc=$?
      line=$(printf '%-7s %-5s %-7s %3ss' "$lab" "$mode" "$([ $rc = 0 ] && echo passed || echo FAILED)" $(($(date +%s) - t0)))
      echo "$line"
      summary+="$line"$'\n'
      [ $rc = 0 ] || { failed=1; sed 's/^/    /' "$logs/$lab.$mode.log" | grep -v '^    ok:'; }
    done
  done
  echo "--- Kathará-Labs (${CHECKOUT}):"
  printf '%s' "$summary"
  echo "logs: $logs"
  exit $failed
fi

# --one CHECKOUT LAB MODE: one lab, in this (private) namespace.
CHECKOUT=$2 name=$3 mode=$4
. "$HERE/../lifecycle/lib.sh"
src="$CHECKOUT/${LAB_PATH[$name]}"
cp -r "$src" "$WORK/"
lab="$WORK/$(basename "$src")"
if [ "$mode" = yaml ]; then
  "$VKLAB" convert "$lab" > "$lab/lab.yaml" || { fail "convert $name"; finish; }
  lab="$lab/lab.yaml"
fi

# (No `[ … ]` as a whole sh -c argument: vklab exec, through CLI11, strips
# the brackets of an argument written "[…]".)
exec_ok() { local g=$1; shift; OUT=$("$VKLAB" exec --lab "$lab" "$g" -- "$@" 2>&1); }
# until_ok SECONDS WHAT GUEST CMD...: retries once a second.
until_ok() {
  local n=$1 what=$2; shift 2
  while [ "$n" -gt 0 ]; do exec_ok "$@" && { pass "$what"; return 0; }; sleep 1; n=$((n - 1)); done
  fail "$what: $OUT"
  return 1
}

expect_rc 0 "up $name ($mode)" "$VKLAB" up --quiet "$lab"
[ $FAILS = 0 ] || { "$VKLAB" down --force "$lab" >/dev/null 2>&1; finish; }
case $name in
static)
  until_ok 10 "pc1 reaches r1 on LAN A" pc1 ping -c 1 -W 2 195.11.14.1
  until_ok 10 "pc2 reaches r2 on LAN C" pc2 ping -c 1 -W 2 200.1.1.1
  until_ok 10 "r1 reaches r2 on B" r1 ping -c 1 -W 2 100.0.0.10
  exec_ok pc1 ping -c 1 -W 1 200.1.1.7 && fail "pc1 reaches pc2 before the routes: $OUT" \
    || pass "pc1 does not reach pc2 before the routes"
  # The lab's commented-out lines, typed by the student.
  exec_ok pc1 ip route add default via 195.11.14.1 dev eth0 || fail "pc1 route: $OUT"
  exec_ok pc2 ip route add default via 200.1.1.1 dev eth0 || fail "pc2 route: $OUT"
  exec_ok r1 ip route add 200.1.1.0/24 via 100.0.0.10 dev eth1 || fail "r1 route: $OUT"
  exec_ok r2 ip route add 195.11.14.0/24 via 100.0.0.9 dev eth1 || fail "r2 route: $OUT"
  until_ok 10 "pc1 reaches pc2 through the added routes" pc1 ping -c 1 -W 2 200.1.1.7
  ;;
ospf)
  for r in bb0 bb1 bb2 bb3 bb4; do
    until_ok 90 "$r has all four subnets, two by OSPF" "$r" sh -c \
      'test "$(ip -4 route show proto ospf | grep -c "^10\.0\.[0-3]\.0/24")" -ge 2 && test "$(ip -4 route show | grep -c "^10\.0\.[0-3]\.0/24")" = 4' \
      || break
  done
  exec_ok bb0 ip -4 route show proto ospf && echo "$OUT" | sed 's/^/    bb0: /'
  ;;
rip)
  # The lab's exercise: the student starts FRR on each router.
  for r in r1 r2 r3 r4; do
    exec_ok "$r" systemctl start frr && pass "$r: systemctl start frr" || fail "$r: systemctl start frr: $OUT"
  done
  for r in r1 r2 r3 r4; do
    until_ok 90 "$r learns routes by RIP" "$r" sh -c 'ip -4 route show proto rip | grep -q .' || break
  done
  until_ok 90 "r1 learns r4's LAN 100.1.4.0/24 by RIP" r1 sh -c 'ip -4 route show 100.1.4.0/24 proto rip | grep -q .'
  until_ok 90 "r2 learns r3's LAN 100.1.3.0/24 by RIP" r2 sh -c 'ip -4 route show 100.1.3.0/24 proto rip | grep -q .'
  ;;
bgp)
  for r in router1 router2; do
    until_ok 90 "$r: the BGP session is Established" "$r" sh -c \
      "vtysh -c 'show bgp summary json' | jq -e '[.ipv4Unicast.peers[].state] | all(. == \"Established\") and length == 1' >/dev/null"
  done
  exec_ok router1 vtysh -c 'show bgp summary json'
  echo "$OUT" | jq -c '.ipv4Unicast.peers | map_values({remoteAs, state})' 2>/dev/null | sed 's/^/    router1: /'
  ;;
web)
  until_ok 30 "client fetches the server's page" client sh -c 'curl -sf --max-time 3 http://10.0.0.1/ | grep -q Hello'
  ;;
dns)
  # pc1 asks localuni (its resolv.conf), which recurses from the lab's own
  # root (dnsroot) through net (dnsnet) to startup.net (dnsstart).
  until_ok 60 "pc1 resolves pc2.startup.net (another zone) through localuni" pc1 sh -c \
    'dig +time=3 +tries=1 pc2.startup.net A | grep -q "SERVER: 192.168.0.110#53" && dig +short +time=3 pc2.startup.net A | grep -qx 192.168.0.222'
  until_ok 30 "pc2 resolves dnsuni.uniroma3.it through localstart" pc2 sh -c \
    'dig +short +time=3 dnsuni.uniroma3.it A | grep -qx 192.168.0.11'
  until_ok 10 "pc1 resolves by its search domain (localuni.uniroma3.it)" pc1 sh -c \
    'dig +short +search +time=3 localuni A | grep -qx 192.168.0.110'
  for g in localuni dnsuni dnsit dnsroot dnsnet dnsstart localstart; do
    exec_ok "$g" systemctl is-active bind9 || fail "$g: named is not running: $OUT"
  done
  ;;
esac
expect_rc 0 "down $name" "$VKLAB" down "$lab"
assert_clean "after down"
finish
