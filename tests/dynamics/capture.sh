# vklab capture: a pcap file of COUNT frames during a ping (read back by
# tcpdump), pcap on a pipe, a guest interface's tap, a bad filter, and the
# capture ending when the lab goes down. Root, in unshare -n -m.
. "$(dirname "$0")/../lifecycle/lib.sh"
command -v tcpdump >/dev/null || { echo "SKIP: no tcpdump"; exit 77; }

sed 's/^name: two-hosts/name: cap/' "$EXAMPLES/two-hosts.yaml" > "$WORK/lab.yaml"
expect_rc 0 "up" "$VKLAB" up --quiet "$WORK/lab.yaml"

# Pings in the background for as long as the captures run.
"$VKLAB" exec --lab cap a -- ping -n -q -i 0.1 -w 30 10.0.0.2 >/dev/null 2>&1 &
PING=$!

expect_rc 0 "capture lan -w f.pcap -c 6" timeout 20 "$VKLAB" capture --lab cap lan -w "$WORK/f.pcap" -c 6
echo "$OUT" | grep -q "6 frames captured" && pass "says 6 frames" || fail "$OUT"
n=$(tcpdump -n -r "$WORK/f.pcap" 2>/dev/null | wc -l)
[ "$n" = 6 ] && pass "f.pcap holds 6 frames" || fail "f.pcap holds $n frames"
tcpdump -n -r "$WORK/f.pcap" 2>/dev/null | grep -q "ICMP echo" && pass "with ICMP echoes" || fail "no ICMP in f.pcap"

n=$(timeout 20 "$VKLAB" capture --lab cap lan 2>/dev/null | tcpdump -n -r - -c 3 2>/dev/null | wc -l)
[ "$n" = 3 ] && pass "vklab capture lan | tcpdump -r - -c 3" || fail "pipe gave $n lines"

expect_rc 0 "capture a:vke0 with a filter" timeout 20 "$VKLAB" capture --lab cap a:vke0 -w "$WORK/a.pcap" -c 4 icmp and host 10.0.0.1
n=$(tcpdump -n -r "$WORK/a.pcap" icmp 2>/dev/null | wc -l)
[ "$n" = 4 ] && pass "a:vke0 (tap0): 4 ICMP frames" || fail "a.pcap: $n ICMP frames"

# Readable lines: script(1) gives the capture a terminal.
if command -v script >/dev/null; then
  OUT=$(timeout 20 script -qec "$VKLAB capture --lab cap lan -c 2 icmp" /dev/null 2>&1)
  echo "$OUT" | grep -q "IPv4 10.0.0.[12] > 10.0.0.[12] ICMP echo" && pass "one readable line per frame on a terminal" || fail "terminal: $OUT"
fi

expect_rc 2 "a bad filter" timeout 20 "$VKLAB" capture --lab cap lan -c 1 not a filter
expect_rc 2 "unknown target" "$VKLAB" capture --lab cap lna
echo "$OUT" | grep -q '(did you mean "lan"?)' && pass "did you mean lan" || fail "$OUT"

# The lab goes down under a running capture: it ends, the file is whole.
timeout 60 "$VKLAB" capture --lab cap lan -w "$WORK/down.pcap" >"$WORK/down.out" 2>&1 &
CAP=$!
sleep 1
kill "$PING" 2>/dev/null; wait "$PING" 2>/dev/null
expect_rc 0 "down under a capture" "$VKLAB" down cap
wait "$CAP"; rc=$?
[ "$rc" = 0 ] && pass "the capture ended with the lab (exit 0)" || fail "capture exit $rc: $(cat "$WORK/down.out")"
tcpdump -n -r "$WORK/down.pcap" >/dev/null 2>&1 && pass "down.pcap is a valid file" || fail "down.pcap invalid"
assert_clean "after down"
expect_rc 2 "capture of a lab that is not up" "$VKLAB" capture --lab cap lan -c 1
finish
