# vklab up FILE --apply: an edited lab applied to the running one. Only the
# guests added, removed or changed are touched (the others keep their pids
# and their `vklab impair` state); new bridges and taps are made, old ones
# removed; plan.json follows; changes --apply cannot make are refused
# whole; a labd killed in the middle of an apply still leaves nothing
# once down ran.
. "$(dirname "$0")/lib.sh"

v1() {
  cat <<'LAB'
name: ap
defaults: {memory: 64m, stop_timeout: 5s}
bridges:
  lan: {subnet: 10.8.0.0/24}
guests:
  r1:
    interfaces: [{bridge: lan, address: 10.8.0.1/24}]
    startup: |
      ip route add 192.0.2.0/24 via 10.8.0.2
  h1:
    interfaces: [{bridge: lan, address: 10.8.0.2/24}]
    depends_on: [r1]
  h2:
    interfaces: [{bridge: lan, address: 10.8.0.3/24}]
LAB
}
v1 > "$WORK/v1.yaml"
# v2: r1 changed (a second interface on a new bridge, another route), h3
# added on that bridge; h1 and h2 as they were.
sed -e 's/via 10.8.0.2/via 10.8.0.3/' \
    -e 's|^    interfaces: \[{bridge: lan, address: 10.8.0.1/24}\]|    interfaces: [{bridge: lan, address: 10.8.0.1/24}, {bridge: lan2, address: 10.8.1.1/24}]|' \
    -e 's|^  lan: {subnet: 10.8.0.0/24}|  lan: {subnet: 10.8.0.0/24}\n  lan2: {subnet: 10.8.1.0/24}|' \
    "$WORK/v1.yaml" > "$WORK/v2.yaml"
cat >> "$WORK/v2.yaml" <<'LAB'
  h3:
    interfaces: [{bridge: lan2, address: 10.8.1.2/24}]
    depends_on: [r1]
    startup: |
      ip route add default via 10.8.1.1
LAB
grep -q 'lan2, address: 10.8.1.1' "$WORK/v2.yaml" && grep -q '^  lan2:' "$WORK/v2.yaml" || { fail "v2 not made"; finish; }

in_lab() { nsenter --net="$VKLAB_STATE_ROOT/ap/netns" "$@"; }
links_of_lab() { in_lab ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -v '^lo$' | sort | tr '\n' ' '; }

expect_rc 0 "up v1" "$VKLAB" up --quiet "$WORK/v1.yaml"
r1=$(kpid ap r1); h1=$(kpid ap h1); h2=$(kpid ap h2)
expect_rc 0 "impair h2" "$VKLAB" impair --lab ap h2:vke0 --delay 5ms
before_links=$(links_of_lab)

# Without --apply: the diff, and how to make it.
expect_rc 1 "up v2 without --apply" "$VKLAB" up "$WORK/v2.yaml"
echo "$OUT" | grep -q "already running; 5 changes, run with --apply to make them" && pass "says to run with --apply" ||
  fail "no hint: $OUT"
[ "$(kpid ap r1)" = "$r1" ] && pass "nothing touched without --apply" || fail "r1 moved"

# A change --apply cannot make is refused whole.
sed -e 's|lan: {subnet: 10.8.0.0/24}|lan: {subnet: 10.8.0.0/24, address: 10.8.0.254/24}|' "$WORK/v2.yaml" > "$WORK/bad.yaml"
expect_rc 1 "apply with a bridge address change" "$VKLAB" up --apply "$WORK/bad.yaml"
echo "$OUT" | grep -q "^! bridge lan: address or uplink changed" && echo "$OUT" | grep -q "not applied" &&
  pass "unsupported change named, nothing applied" || fail "unsupported: $OUT"
[ "$(kpid ap r1)" = "$r1" ] && [ "$(links_of_lab)" = "$before_links" ] && pass "still as it was" || fail "touched"

# v2 applied: r1 restarted, h3 started, h1 and h2 untouched.
expect_rc 0 "up --apply v2" "$VKLAB" up --apply "$WORK/v2.yaml"
echo "$OUT" | grep -q "^+ guest h3" && echo "$OUT" | grep -q "^~ guest r1 (startup, interfaces)" &&
  echo "$OUT" | grep -q "^+ bridge lan2" && echo "$OUT" | grep -q "ap: applied 5 changes" &&
  pass "the changes listed and applied" || fail "apply v2: $OUT"
echo "$OUT" | grep -q "r1: halted cleanly" && pass "r1 halted cleanly first" || fail "r1 not halted: $OUT"
echo "$OUT" | grep -E -q "h1: (halted|stopping)|h2: (halted|stopping)" && fail "h1 or h2 stopped: $OUT" ||
  pass "no word of h1 or h2 being stopped"
[ "$(kpid ap h1)" = "$h1" ] && [ "$(kpid ap h2)" = "$h2" ] && pass "h1 and h2 keep their pids" ||
  fail "pids: h1 $(kpid ap h1) (was $h1), h2 $(kpid ap h2) (was $h2)"
n1=$(kpid ap r1)
[ "$n1" != "$r1" ] && [ "$n1" -gt 0 ] && [ "$(gstate ap r1)" = Up ] && pass "r1 is a new, Up process" ||
  fail "r1 $(gstate ap r1) pid $n1 (was $r1)"
[ "$(gstate ap h3)" = Up ] && pass "h3 is Up" || fail "h3 is $(gstate ap h3)"
expect_rc 0 "r1's new route" "$VKLAB" exec --lab ap r1 -- ip route show 192.0.2.0/24
echo "$OUT" | grep -q "via 10.8.0.3" && pass "r1 runs its new startup" || fail "route: $OUT"
expect_rc 0 "h3 reaches r1 over the new bridge" "$VKLAB" exec --lab ap h3 -- ping -c1 -W2 10.8.1.1
expect_rc 0 "r1 still reaches h2 over the old one" "$VKLAB" exec --lab ap r1 -- ping -c1 -W2 10.8.0.3
"$VKLAB" status --json ap | jq -e '.links[] | select(.guest == "h2" and .iface == 0) | .impair | test("delay")' >/dev/null &&
  pass "h2's impairment kept" || fail "h2's impairment lost: $("$VKLAB" status --json ap | jq -c .links)"
jq -e '[.guests[].name] == ["r1", "h1", "h2", "h3"]' "$VKLAB_STATE_ROOT/ap/plan.json" >/dev/null &&
  pass "plan.json is the new plan" || fail "plan.json: $(jq -c '[.guests[].name]' "$VKLAB_STATE_ROOT/ap/plan.json")"
after=$(links_of_lab)
[ "$(echo "$after" | wc -w)" = $(( $(echo "$before_links" | wc -w) + 3 )) ] &&
  pass "3 new links in the lab (lan2's bridge, r1 vke1's and h3's taps): $after" || fail "links: $before_links -> $after"
[ ! -e "$VKLAB_STATE_ROOT/ap/plan.next.json" ] && pass "no plan.next.json left" || fail "plan.next.json left"

expect_rc 0 "the same file again: nothing to apply" "$VKLAB" up --apply "$WORK/v2.yaml"
echo "$OUT" | grep -q "no changes to apply" && pass "no changes said" || fail "again: $OUT"

# v3: h2 and h3 removed, lan2 and r1's second interface with them.
grep -v -e '^  h2:' -e '10.8.0.3/24' "$WORK/v1.yaml" > "$WORK/v3.yaml"
h2cg=$(cat "$VKLAB_STATE_ROOT/ap/h2.pid.cgroup" 2>/dev/null || true)
h1=$(kpid ap h1)
expect_rc 0 "up --apply v3" "$VKLAB" up --apply "$WORK/v3.yaml"
echo "$OUT" | grep -q "^- guest h2" && echo "$OUT" | grep -q "^- guest h3" && echo "$OUT" | grep -q "^- bridge lan2" &&
  pass "removals listed" || fail "apply v3: $OUT"
echo "$OUT" | grep -q "h2: halted cleanly" && echo "$OUT" | grep -q "h3: halted cleanly" &&
  pass "removed guests halted cleanly" || fail "not halted: $OUT"
[ "$(kpid ap h1)" = "$h1" ] && pass "h1 keeps its pid" || fail "h1 moved"
"$VKLAB" status --json ap | jq -e '[.guests[].name] == ["r1", "h1"]' >/dev/null && pass "status has r1 and h1" ||
  fail "status: $("$VKLAB" status --json ap | jq -c '[.guests[].name]')"
n=$(echo "$(links_of_lab)" | wc -w)
[ "$n" = $(( $(echo "$before_links" | wc -w) - 1 )) ] && pass "h2's tap, lan2 and the new taps are gone: $(links_of_lab)" ||
  fail "links: $before_links -> $(links_of_lab)"
ls "$VKLAB_STATE_ROOT/ap" | grep -E -q '^(h2|h3)\.' && fail "files of removed guests left: $(ls "$VKLAB_STATE_ROOT/ap")" ||
  pass "no file of h2 or h3 in the state directory"
if [ -n "$h2cg" ]; then
  [ ! -d "$h2cg" ] && pass "h2's cgroup removed" || fail "h2's cgroup left: $h2cg"
fi
expect_rc 0 "h1 still reaches r1" "$VKLAB" exec --lab ap h1 -- ping -c1 -W2 10.8.0.1

# v4: h1 moves to a new bridge; its tap keeps its name and changes master.
sed -e 's|^  lan: {subnet: 10.8.0.0/24}|  lan: {subnet: 10.8.0.0/24}\n  lan3: {subnet: 10.8.3.0/24}|' \
    -e 's|{bridge: lan, address: 10.8.0.2/24}|{bridge: lan3, address: 10.8.3.2/24}|' "$WORK/v3.yaml" > "$WORK/v4.yaml"
tap=$(jq -r '.guests[] | select(.name == "h1") | .ifaces[0].tap' "$VKLAB_STATE_ROOT/ap/plan.json")
r1=$(kpid ap r1)
expect_rc 0 "up --apply v4 (h1 to a new bridge)" "$VKLAB" up --apply "$WORK/v4.yaml"
br=$(jq -r '.guests[] | select(.name == "h1") | .ifaces[0].bridge' "$VKLAB_STATE_ROOT/ap/plan.json")
[ "$(jq -r '.guests[] | select(.name == "h1") | .ifaces[0].tap' "$VKLAB_STATE_ROOT/ap/plan.json")" = "$tap" ] &&
  in_lab ip -o link show dev "$tap" | grep -q "master $br " && pass "h1's $tap moved to $br" ||
  fail "h1's tap: $(in_lab ip -o link show dev "$tap") (want master $br)"
[ "$(kpid ap r1)" = "$r1" ] && pass "r1 untouched by v4" || fail "r1 moved"
expect_rc 0 "h1's addresses" "$VKLAB" exec --lab ap h1 -- ip -4 -o addr show dev vke0
echo "$OUT" | grep -q "10.8.3.2/24" && pass "h1 has its lan3 address" || fail "h1: $OUT"
expect_rc 0 "down" "$VKLAB" down ap
assert_clean "after three applies and down"

# kill -9 of labd in the middle of an apply: after the new links are made,
# and after plan.json is replaced but before the new guests run.
for step in labd.apply.host labd.apply.plan; do
  expect_rc 0 "up v1 ($step armed in labd)" env VKLAB_FAULT=$step "$VKLAB" up --quiet "$WORK/v1.yaml"
  cgs=$(cat "$VKLAB_STATE_ROOT"/ap/*.pid.cgroup 2>/dev/null || true)
  expect_rc 1 "apply, labd killed at $step" "$VKLAB" up --apply "$WORK/v2.yaml"
  expect_rc 0 "down after $step" "$VKLAB" down ap
  echo "$OUT" | grep -q "labd is gone" && pass "down says labd is gone" || fail "down: $OUT"
  for cg in $cgs; do [ -d "$cg" ] && fail "cgroup left: $cg"; done
  assert_clean "after labd was killed at $step"
done
finish
