# vklab check, every kind on a real lab (root, in a private namespace):
# checks written so they hold all pass; the same kinds written so they
# cannot hold all fail, each saying what it found; expect: absent inverts a
# route check; --wait retries until a route appears; --junit parses as
# JUnit with the right counts; a key naming a guest the lab lacks fails
# that check ("no guest named"), it does not crash.
. "$(dirname "$0")/../lifecycle/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

cat > "$WORK/kinds.yaml" <<'LAB'
name: kinds
defaults: {stop_timeout: 5s}
bridges:
  lan: {subnet: 10.0.0.0/24}
  r-srv: {}
guests:
  r:
    interfaces:
      - {bridge: lan, address: 10.0.0.1/24}
      - {bridge: r-srv, address: 10.9.0.1/30}
    startup: |
      sysctl -qw net.ipv4.ip_forward=1
      ip route add 10.5.0.0/24 via 10.9.0.2
      ip route add 10.6.0.0/24 via 10.9.0.2 proto static
      echo hello > /tmp/motd
  srv:
    interfaces: [{bridge: r-srv, address: 10.9.0.2/30}]
    startup: |
      ip route add default via 10.9.0.1
      mkdir -p /tmp/www && echo '<h1>Welcome to the lab</h1>' > /tmp/www/index.html
      cd /tmp/www && python3 -m http.server 80 >/dev/null 2>&1 &
  pc:
    interfaces: [{bridge: lan, address: auto}]
    startup: ip route add default via 10.0.0.1
checks:
  - {from: r, route: 10.5.0.0/24, via: 10.9.0.2, proto: static}
  - {from: r, route: 10.6.0.0/24, via: 10.9.0.2, dev: vke1, proto: static}
  - {from: r, route: 10.0.0.0/24, dev: vke0, proto: kernel}
  - {from: pc, route: default, via: 10.0.0.1, proto: boot}
  - {from: r, route: 10.7.0.0/24, expect: absent}
  - {from: r, address: 10.9.0.1/30, dev: vke1}
  - {from: srv, process: python3}
  - {from: srv, process: ospfd, expect: absent}
  - {name: motd says hello, from: r, command: "cat /tmp/motd", output: hello}
  - {from: r, command: "cat /proc/sys/net/ipv4/ip_forward", match: "^1$"}
  - {from: r, command: "exit 3", exit: 3}
  - {name: a background child keeps no check waiting, from: r, command: "sleep 30 & echo started", output: started}
  - {from: pc, resolve: localhost, address: 127.0.0.1}
  - {from: pc, http: "http://10.9.0.2/", contains: Welcome}
  - {from: pc, http: "http://10.9.0.2/missing.html", status: 404}
  - {from: pc, ping: 10.9.0.2}
  - {from: pc, tcp: "10.9.0.2:80"}
LAB
expect_rc 0 "up kinds" "$VKLAB" up --quiet "$WORK/kinds.yaml"
expect_rc 0 "every kind holds" "$VKLAB" check --wait 10s kinds
echo "$OUT"
echo "$OUT" | grep -q "^17 passed, 0 failed$" && pass "17 passed" || fail "summary: $OUT"
echo "$OUT" | grep -q "^motd says hello .*ok$" && pass "a check's name is shown" || fail "name not shown"

# The same kinds written so they cannot hold: each fails saying what it found.
cat > "$WORK/wrong.yaml" <<'KEY'
checks:
  - {from: r, route: 10.5.0.0/24, via: 10.0.0.2}
  - {from: r, route: 10.5.0.0/24, proto: ospf}
  - {from: r, route: 10.5.0.0/24, expect: absent}
  - {from: r, route: 10.7.0.0/24}
  - {from: r, address: 10.9.0.1/30, dev: vke0}
  - {from: srv, process: nginx}
  - {from: r, command: "cat /tmp/motd", output: goodbye}
  - {from: pc, http: "http://10.9.0.2/", contains: Goodbye}
  - {from: pc, http: "http://10.9.0.2/missing.html"}
  - {from: pc, ping: 10.9.0.99}
  - {from: pc, resolve: localhost, address: 10.0.0.1}
  - {from: nosuch, ping: 10.0.0.1}
KEY
expect_rc 1 "every wrong check fails" "$VKLAB" check --wait 0 --checks "$WORK/wrong.yaml" kinds
echo "$OUT"
want() {  # want LABEL-REGEX RESULT-REGEX
  echo "$OUT" | grep -q "^$1 .*FAIL: $2" && pass "$1: $2" || fail "$1: want FAIL: $2"
}
want "r → route 10.5.0.0/24 via 10.0.0.2" "found via 10.9.0.2 dev vke1 proto boot"
want "r → route 10.5.0.0/24 proto ospf" "found via 10.9.0.2 dev vke1 proto boot"
want "r → route 10.5.0.0/24 " "expected absent, found via 10.9.0.2 dev vke1 proto boot"
want "r → route 10.7.0.0/24" "found no route to 10.7.0.0/24"
want "r → address 10.9.0.1/30 dev vke0" "found 10.9.0.1/30 on vke1"
want "srv → process nginx" "found no process named nginx (running: .*python3"
want "r → command cat /tmp/motd = goodbye" "found output \"hello\""
want "pc → http http://10.9.0.2/ contains Goodbye" "found status 200, a body without \"Goodbye\""
want "pc → http http://10.9.0.2/missing.html" "found status 404"
want "pc → ping 10.9.0.99" "expected reachable, got unreachable"
want "pc → resolve localhost = 10.0.0.1" "found 127.0.0.1"
want "nosuch → ping 10.0.0.1" "expected reachable, got error (kinds: no guest named nosuch)"
echo "$OUT" | grep -q "^0 passed, 12 failed$" && pass "0 passed, 12 failed" || fail "summary"

# JUnit: parses, with one testcase per check and the failures counted.
expect_rc 1 "check --junit" "$VKLAB" check --wait 0 --checks "$WORK/wrong.yaml" --junit "$WORK/wrong.xml" kinds
expect_rc 0 "the JUnit file parses" python3 "$HERE/junit_check.py" "$WORK/wrong.xml"
echo "$OUT" | head -1 | grep -qx "kinds tests=12 failures=11 errors=1" && pass "JUnit counts" || fail "JUnit: $OUT"
echo "$OUT" | grep -q "found: via 10.9.0.2 dev vke1 proto boot" && pass "JUnit says what was found" || fail "JUnit text"
expect_rc 0 "check --junit (all pass)" "$VKLAB" check --junit "$WORK/ok.xml" kinds
expect_rc 0 "the passing JUnit file parses" python3 "$HERE/junit_check.py" "$WORK/ok.xml"
echo "$OUT" | head -1 | grep -qx "kinds tests=17 failures=0 errors=0" && pass "JUnit: 17 ok" || fail "JUnit: $OUT"

# --json carries the new fields.
expect_rc 1 "check --json" "$VKLAB" check --json --wait 0 --checks "$WORK/wrong.yaml" kinds
echo "$OUT" | python3 -c '
import json, sys
a = json.load(sys.stdin)
r = a[0]
assert r["kind"] == "route" and r["expected"] == "route 10.5.0.0/24 via 10.0.0.2", r
assert r["found"] == "via 10.9.0.2 dev vke1 proto boot" and r["got"] == "absent" and not r["ok"], r
assert a[11]["error"] == "kinds: no guest named nosuch", a[11]
' && pass "--json: expected, found, error" || fail "--json: $OUT"

# Convergence: a route that appears while `check --wait` retries passes.
cat > "$WORK/later.yaml" <<'KEY'
checks:
  - {from: r, route: 10.8.0.0/24, via: 10.9.0.2}
KEY
"$VKLAB" check --json --wait 20s --checks "$WORK/later.yaml" kinds > "$WORK/later.json" 2>&1 &
checker=$!
sleep 4
"$VKLAB" exec --lab kinds r -- ip route add 10.8.0.0/24 via 10.9.0.2
wait $checker && pass "the route that came later passed" || fail "later: $(cat "$WORK/later.json")"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))[0]; assert r["ok"] and r["attempts"] >= 2, r' \
  "$WORK/later.json" && pass "it took more than one attempt" || fail "attempts: $(cat "$WORK/later.json")"
# A check's own wait: wins over --wait.
cat > "$WORK/never.yaml" <<'KEY'
checks:
  - {from: r, route: 10.99.0.0/24, wait: 1500ms}
KEY
expect_rc 1 "a check with wait: 1500ms" "$VKLAB" check --json --wait 1m --checks "$WORK/never.yaml" kinds
echo "$OUT" | python3 -c 'import json,sys; r=json.load(sys.stdin)[0]; assert r["attempts"] == 2 and r["ms"] < 10000, r' \
  && pass "its own wait won (2 attempts)" || fail "wait: $OUT"

expect_rc 2 "bad --wait" "$VKLAB" check --wait soon kinds
printf 'checks:\n  - {from: r, route: 10.5.0.1/24}\n' > "$WORK/badkey.yaml"
expect_rc 2 "a bad key" "$VKLAB" check --checks "$WORK/badkey.yaml" kinds
echo "$OUT" | grep -q 'badkey.yaml:2:22: error: "route" in check #1: 10.5.0.1/24 has host bits set' \
  && pass "the key's error names file:line:col" || fail "bad key: $OUT"
expect_rc 0 "down kinds" "$VKLAB" down kinds
assert_clean "at the end"
finish
