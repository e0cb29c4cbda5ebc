# network: host — the host side's route and forwarding are set on the
# (test's private) host namespace, recorded, and removed/restored by down;
# a route the host already has is refused and left alone.
. "$(dirname "$0")/../lifecycle/lib.sh"
lab="$WORK/hr.yaml"
sed -e 's/^name: ipv6/name: hr/' -e 's/^host:/network: host\nhost:/' "$EXAMPLES/ipv6.yaml" > "$lab"
ip link set lo up
echo 0 > /proc/sys/net/ipv4/ip_forward
echo 0 > /proc/sys/net/ipv6/conf/all/forwarding
expect_rc 0 "up in host mode" "$VKLAB" up --quiet "$lab"
r=$(ip -6 route show 2001:db8:2::/64)
echo "$r" | grep -q "via 2001:db8:1::2" && pass "host route set: $r" || fail "host route: $r"
[ "$(cat /proc/sys/net/ipv6/conf/all/forwarding)" = 1 ] && pass "forwarding on" || fail "forwarding off"
expect_rc 0 "the host reaches h2 through r1" ping -6 -c3 -i0.3 -w5 2001:db8:2::3
expect_rc 0 "down" "$VKLAB" down hr
[ -z "$(ip -6 route show 2001:db8:2::/64)" ] && pass "route removed" || fail "route left: $(ip -6 route)"
[ "$(cat /proc/sys/net/ipv4/ip_forward) $(cat /proc/sys/net/ipv6/conf/all/forwarding)" = "0 0" ] && pass "forwarding restored" || fail "forwarding not restored"
assert_clean "after down"
# A foreign route to the same destination: up refuses, the route stays.
ip link add vkfor0 type bridge && ip link set vkfor0 up && ip -6 addr add 2001:db8:ff::1/64 dev vkfor0 nodad
ip -6 route add 2001:db8:2::/64 via 2001:db8:ff::2
expect_rc 1 "up with a foreign route to the same LAN" "$VKLAB" up --quiet "$lab"
echo "$OUT" | grep -q "the host has one already" && pass "says the route is not ours" || fail "message: $OUT"
ip -6 route show 2001:db8:2::/64 | grep -q "via 2001:db8:ff::2" && pass "foreign route untouched" || fail "foreign route changed"
"$VKLAB" down hr >/dev/null 2>&1  # only if the refused up went through anyway
ip link del vkfor0
assert_clean "after the refused up"
finish
