# An IPv6-only LAN passes its IPv6 ping checks; the guests hold the
# addresses of the lab file (auto6 resolved); the lab's namespace has the
# host route and forwarding of `host:`; down leaves nothing.
. "$(dirname "$0")/../lifecycle/lib.sh"
expect_rc 0 "up ipv6" "$VKLAB" up --quiet "$EXAMPLES/ipv6.yaml"
expect_rc 0 "h1 holds 2001:db8:2::2" "$VKLAB" exec --lab ipv6 h1 -- ip -6 -o addr show dev vke0
echo "$OUT" | grep -q "2001:db8:2::2/64" && pass "h1 vke0 2001:db8:2::2/64" || fail "h1 addresses: $OUT"
expect_rc 0 "r1 holds both families on vke0" "$VKLAB" exec --lab ipv6 r1 -- ip -o addr show dev vke0
echo "$OUT" | grep -q "10.1.0.2/24" && echo "$OUT" | grep -q "2001:db8:1::2/64" && pass "r1 vke0 dual stack" || fail "r1: $OUT"
expect_rc 0 "checks pass (IPv6 pings across the LAN and through r1)" "$VKLAB" check ipv6
expect_rc 0 "the lab's namespace has the host route" "$VKLAB" exec --lab ipv6 --host -- ip -6 route show 2001:db8:2::/64
echo "$OUT" | grep -q "via 2001:db8:1::2" && pass "route via r1" || fail "route: $OUT"
expect_rc 0 "forwarding on in the lab's namespace" "$VKLAB" exec --lab ipv6 --host -- cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/forwarding
[ "$(echo $OUT)" = "1 1" ] && pass "ip_forward=1, ipv6 forwarding=1" || fail "forwarding: $OUT"
expect_rc 0 "the host side reaches h1 through r1" "$VKLAB" exec --lab ipv6 --host -- ping -6 -c1 -W2 2001:db8:2::2
expect_rc 0 "down" "$VKLAB" down ipv6
assert_clean "after down"
finish
