# vklab check: a wrong expectation fails (exit 1) and names the check; a
# guest that is gone never passes a check, not even "unreachable"; a lab
# without checks passes; no such lab is a usage error; a kernel other than
# the bundled guest is refused by name.
. "$(dirname "$0")/lib.sh"

# two-hosts, plus a target nobody has and a flipped expectation.
sed 's/^name: two-hosts/name: wrong/' "$EXAMPLES/two-hosts.yaml" > "$WORK/wrong.yaml"
cat >> "$WORK/wrong.yaml" <<'LAB'
  - {from: a, ping: 10.0.0.99}
  - {from: b, ping: 10.0.0.1, expect: unreachable}
  - {from: b, ping: 10.0.1.1, expect: unreachable}
LAB
expect_rc 0 "up wrong" "$VKLAB" up --quiet "$WORK/wrong.yaml"
expect_rc 1 "check with two wrong expectations" "$VKLAB" check wrong
echo "$OUT"
echo "$OUT" | grep -q "^a → ping 10.0.0.99 .*FAIL: expected reachable, got unreachable .*wrong.yaml:" \
  && pass "names a → ping 10.0.0.99" || fail "a → ping 10.0.0.99 not named"
echo "$OUT" | grep -q "^b → ping 10.0.0.1 .*FAIL: expected unreachable, got reachable" \
  && pass "names the flipped b → ping 10.0.0.1" || fail "b → ping 10.0.0.1 not named"
echo "$OUT" | grep -q "^4 passed, 2 failed$" && pass "4 passed, 2 failed" || fail "summary"
# File order, whatever ran first.
order=$(echo "$OUT" | sed -n 's/^\([a-z]* → ping [0-9.]*\) .*/\1/p' | tr '\n' ',')
[ "$order" = "a → ping 10.0.0.2,b → ping 10.0.0.1,a → ping 10.0.1.1,a → ping 10.0.0.99,b → ping 10.0.0.1,b → ping 10.0.1.1," ] \
  && pass "lines in file order" || fail "order: $order"
expect_rc 1 "check --json" "$VKLAB" check --json --timeout 1s wrong
echo "$OUT" | tr -d ' \n' | grep -q '"check":"a→ping10.0.0.99","expect":"reachable","expected":"ping10.0.0.99","failure":"expectedreachable,gotunreachable","found":"unreachable","from":"a","got":"unreachable","kind":"ping","loc":"[^"]*","ms":[0-9]*,"ok":false,"target":"10.0.0.99"' \
  && pass "--json names the failed check" || fail "--json: $OUT"
expect_rc 2 "bad --timeout" "$VKLAB" check --timeout soon wrong

# b halts: its checks fail with an error, even the one expecting unreachable.
kill -TERM "$(cat "$VKLAB_STATE_ROOT/wrong/b.pid")"
for i in $(seq 100); do "$VKLAB" status wrong | grep -q "^b .*Halted" && break; sleep 0.1; done
expect_rc 1 "check with b halted" "$VKLAB" check wrong
echo "$OUT" | grep -q "^b → ping 10.0.1.1 .*FAIL: expected unreachable, got error (b: not running (Halted))" \
  && pass "a halted guest never passes 'unreachable'" || fail "b halted: $OUT"
expect_rc 0 "down wrong" "$VKLAB" down wrong
assert_clean "after down"
expect_rc 2 "check of a lab that is not up" "$VKLAB" check wrong

# No checks: nothing to fail.
sed -e 's/^name: two-hosts/name: nochecks/' -e '/^checks:/,$d' "$EXAMPLES/two-hosts.yaml" > "$WORK/nochecks.yaml"
expect_rc 0 "up nochecks" "$VKLAB" up --quiet "$WORK/nochecks.yaml"
expect_rc 0 "check without checks" "$VKLAB" check nochecks
echo "$OUT" | grep -q "no checks" && pass "says no checks" || fail "no checks: $OUT"
expect_rc 0 "check --json without checks" "$VKLAB" check --json nochecks
[ "$OUT" = "[]" ] && pass "--json: []" || fail "--json: $OUT"
expect_rc 0 "down nochecks" "$VKLAB" down nochecks

# tcp: a listener answers, a closed port and an absent host do not.
cat > "$WORK/tcp.yaml" <<'LAB'
name: tcp
bridges:
  lan: {subnet: 10.0.0.0/24}
guests:
  srv:
    interfaces: [{bridge: lan, address: 10.0.0.1/24}]
    startup: |
      perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die; while ($c = $s->accept) { close $c }' >/dev/null 2>&1 &
  cli:
    interfaces: [{bridge: lan, address: auto}]
checks:
  - {from: cli, tcp: "10.0.0.1:8080"}
  - {from: cli, tcp: "10.0.0.1:8081", expect: unreachable}
  - {from: cli, tcp: "10.0.0.9:8080", expect: unreachable}
LAB
expect_rc 0 "up tcp" "$VKLAB" up --quiet "$WORK/tcp.yaml"
expect_rc 0 "tcp checks" "$VKLAB" check tcp
echo "$OUT"
echo "$OUT" | grep -q "^cli → tcp 10.0.0.1:8080 .*ok$" && pass "tcp connects to the listener" || fail "tcp: $OUT"
expect_rc 0 "down tcp" "$VKLAB" down tcp

# A kernel that is not the bundled guest: refused by name.
polite=$(fake_kernel polite.sh 'echo $$ > "$pf"; exec sleep 1000')
cat > "$WORK/foreign.yaml" <<LAB
name: foreign
defaults: {memory: 64m, stop_timeout: 2s}
bridges: [lan]
guests:
  a: {kernel: $polite, interfaces: [lan]}
  b: {kernel: $polite, interfaces: [lan]}
checks:
  - {from: a, ping: 10.0.0.2}
LAB
expect_rc 0 "up foreign" "$VKLAB" up --quiet "$WORK/foreign.yaml"
expect_rc 1 "check with a foreign kernel" "$VKLAB" check foreign
echo "$OUT" | grep -q "a: check is not supported for this kernel" && pass "not supported, by name" \
  || fail "foreign: $OUT"
expect_rc 0 "down foreign" "$VKLAB" down foreign
assert_clean "at the end"
finish
