# vklab grade over a class (root, in a private namespace): a correct copy
# of the triangle scores 100 %, a broken copy less and names its failing
# check, a lab without a guest the key names fails those checks ("no guest
# named"), a directory that is not a lab and a lab that does not validate
# score 0 with the reason; two labs of one name are never up at once; the
# report files are written; no lab is left up.
. "$(dirname "$0")/../lifecycle/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
KEY="$HERE/../../examples/keys/triangle.yaml"
C="$WORK/class"
mkdir -p "$C/bob" "$C/carol"
cp "$EXAMPLES/triangle.yaml" "$C/alice.yaml"
# bob: r1 sends 10.3.0.0/24 the long way, through r2 (pings still work).
sed 's|ip route add 10.3.0.0/24 via 10.13.0.2|ip route add 10.3.0.0/24 via 10.12.0.2|' "$EXAMPLES/triangle.yaml" > "$C/bob/lab.yaml"
grep -q "10.3.0.0/24 via 10.12.0.2" "$C/bob/lab.yaml" || fail "bob's copy is not broken"
echo "not a lab" > "$C/carol/README"
sed 's/^guests:/gests:/' "$EXAMPLES/triangle.yaml" > "$C/dave.yaml"
# erin: another name (so it may run beside alice or bob), without pc3.
sed -e 's/^name: triangle/name: triangle-e/' -e '/^  pc3:/,/^$/d' -e '/from: pc3/d' "$EXAMPLES/triangle.yaml" > "$C/erin.yaml"

expect_rc 1 "grade the class" "$VKLAB" grade --checks "$KEY" --jobs 2 --wait 5s --report "$WORK/report" \
  "$C/alice.yaml" "$C/bob" "$C/carol" "$C/dave.yaml" "$C/erin.yaml"
echo "$OUT"
line() { echo "$OUT" | grep "^$1 "; }
line alice | grep -q "triangle  *13/13  *100%" && pass "alice: 100 %" || fail "alice: $(line alice)"
line bob | grep -q "triangle  *12/13  *92%  r1 → route 10.3.0.0/24 via 10.13.0.2 proto static: found via 10.12.0.2 dev vke1 proto boot" \
  && pass "bob: 92 %, names the failing route" || fail "bob: $(line bob)"
line carol | grep -q -- "-  *0/13  *0%  not-a-lab: .*carol: not a lab" && pass "carol: not a lab" || fail "carol: $(line carol)"
line dave | grep -q "0/13  *0%  invalid: does not validate: .*dave.yaml:[0-9]*:[0-9]*: error: unknown key \"gests\"" \
  && pass "dave: does not validate, with file:line:col" || fail "dave: $(line dave)"
# erin: pc3 is gone, so pc1 cannot reach it either; the key's pc3 check fails by name.
line erin | grep -q "triangle-e  *11/13  *84%  pc1 → ping 10.3.0.2: expected reachable, got unreachable; pc3 → ping 10.2.0.2: expected reachable, got error (triangle-e: no guest named pc3)" \
  && pass "erin: no guest named pc3" || fail "erin: $(line erin)"
echo "$OUT" | grep -q "^5 labs against 13 checks: 3 graded, 1 with full marks; reports in " && pass "summary line" || fail "summary"

R="$WORK/report"
for f in alice.json alice.junit.xml alice.up.log bob.json bob.junit.xml carol.json dave.json erin.json summary.csv; do
  [ -s "$R/$f" ] && pass "wrote $f" || fail "no $f"
done
python3 - "$R" <<'PY' && pass "reports: JSON, CSV" || fail "reports"
import csv, json, sys
r = sys.argv[1]
bob = json.load(open(r + "/bob.json"))
assert bob["status"] == "graded" and bob["passed"] == 12 and bob["total"] == 13, bob
bad = [c for c in bob["checks"] if not c["ok"]]
assert len(bad) == 1 and bad[0]["found"] == "via 10.12.0.2 dev vke1 proto boot", bad
dave = json.load(open(r + "/dave.json"))
assert dave["status"] == "invalid" and "unknown key" in dave["diagnostics"], dave
rows = list(csv.DictReader(open(r + "/summary.csv")))
assert [x["student"] for x in rows] == ["alice", "bob", "carol", "dave", "erin"], rows
assert [x["score"] for x in rows] == ["100.0", "92.3", "0.0", "0.0", "84.6"], rows
assert rows[1]["failing"] == "r1 → route 10.3.0.0/24 via 10.13.0.2 proto static", rows[1]
PY
expect_rc 0 "bob's JUnit parses" python3 "$HERE/junit_check.py" "$R/bob.junit.xml"
echo "$OUT" | head -1 | grep -qx "bob tests=13 failures=1 errors=0" && pass "bob's JUnit counts" || fail "JUnit: $OUT"
expect_rc 0 "carol's JUnit parses" python3 "$HERE/junit_check.py" "$R/carol.junit.xml"
echo "$OUT" | head -1 | grep -qx "carol tests=13 failures=0 errors=13" && pass "carol: 13 errors" || fail "JUnit: $OUT"

# Ctrl-C while a lab is checked: it is taken down, the next is not started.
"$VKLAB" grade --checks "$KEY" --wait 60s "$C/bob" "$C/alice.yaml" > "$WORK/int.out" 2>&1 &
grader=$!
for i in $(seq 600); do [ -e "$VKLAB_STATE_ROOT/triangle/state.json" ] && "$VKLAB" status triangle 2>/dev/null | grep -q "^pc3 .*Up" && break; sleep 0.1; done
sleep 2  # bob's wrong route is being retried (--wait 60s)
kill -INT $grader
wait $grader
rc=$?
cat "$WORK/int.out"
[ $rc = 130 ] && pass "interrupted: exit 130" || fail "interrupted: exit $rc"
grep -q "^bob .*interrupted: interrupted while checking" "$WORK/int.out" && pass "bob: interrupted while checking" \
  || fail "bob not interrupted"
grep -q "^alice .*interrupted: interrupted before it was graded" "$WORK/int.out" && pass "alice: not started" \
  || fail "alice started"
[ ! -e "$VKLAB_STATE_ROOT/triangle" ] && pass "bob's lab is down" || fail "bob's lab left up"

# Bad input stops before any lab: a key without checks, a bad key.
printf 'checks: []\n' > "$WORK/empty.yaml"
expect_rc 2 "a key with no checks" "$VKLAB" grade --checks "$WORK/empty.yaml" "$C/alice.yaml"
echo "$OUT" | grep -q "no checks: nothing to grade" && pass "says so" || fail "empty key: $OUT"
printf 'checks:\n  - {from: r1, rout: 10.0.0.0/8}\n' > "$WORK/typo.yaml"
expect_rc 2 "a key with a typo" "$VKLAB" grade --checks "$WORK/typo.yaml" "$C/alice.yaml"
echo "$OUT" | grep -q 'typo.yaml:2:16: error: unknown key "rout" in check #1 (did you mean "route"?)' \
  && pass "did you mean route" || fail "typo: $OUT"
assert_clean "at the end"
finish
