# Issue 16's papercuts, as root inside unshare (lib.sh): with several labs
# up, exec picks the only lab that has the guest; a mistyped lab name gets
# "did you mean" and exit 2; a signal to `vklab exec` reaches the command;
# the console passes the terminal's size (on attach and on SIGWINCH); an
# in-guest reboot resets UPTIME; up's summary comes after its table.
. "$(dirname "$0")/../lifecycle/lib.sh"
sed 's/^name: two-hosts/name: twins/' "$EXAMPLES/two-hosts.yaml" > "$WORK/twins.yaml"
sed 's/^name: triangle/name: tri/' "$EXAMPLES/triangle.yaml" > "$WORK/tri.yaml"

expect_rc 0 "up two-hosts" "$VKLAB" up "$EXAMPLES/two-hosts.yaml"
last=$(echo "$OUT" | tail -1)
case $last in two-hosts:*) pass "up's last line is the summary: $last" ;; *) fail "up ends with: $last" ;; esac
expect_rc 0 "up tri" "$VKLAB" up --quiet "$WORK/tri.yaml"

# --- exec: the only lab that has the guest ---
expect_rc 0 "exec a (only two-hosts has a)" "$VKLAB" exec a -- hostname
[ "$OUT" = a ] && pass "it ran in two-hosts' a" || fail "exec a: $OUT"
expect_rc 0 "exec r2 (only tri has r2)" "$VKLAB" exec r2 -- hostname
expect_rc 2 "exec nosuch (no lab has it): several labs" "$VKLAB" exec nosuch -- true
echo "$OUT" | grep -q "several labs" && pass "says several labs are running" || fail "exec nosuch: $OUT"
expect_rc 0 "up twins" "$VKLAB" up --quiet "$WORK/twins.yaml"
expect_rc 2 "exec a, now in two labs" "$VKLAB" exec a -- true
echo "$OUT" | grep -q "a is a guest of several labs" && echo "$OUT" | grep -q "^  twins$" &&
  echo "$OUT" | grep -q "^  two-hosts$" && ! echo "$OUT" | grep -q "^  tri$" &&
  pass "names the two labs that have a (not tri)" || fail "ambiguous exec: $OUT"
expect_rc 0 "exec --lab twins a" "$VKLAB" exec --lab twins a -- true
expect_rc 0 "down twins" "$VKLAB" down twins

# --- Ctrl-C during up: said once, in one clean line ---
OUT=$(VKLAB_FAULT=up.progress@2:INT "$VKLAB" up "$WORK/twins.yaml" 2>&1); rc=$?
[ $rc = 1 ] && pass "interrupted up exits 1" || fail "interrupted up: exit $rc"
n=$(echo "$OUT" | grep -c "interrupted")
[ "$n" = 2 ] && echo "$OUT" | grep -qx "twins: interrupted; rolling back" &&
  echo "$OUT" | grep -qx "vklab: up failed: twins: interrupted; everything was rolled back" &&
  pass "interrupt said once, then the outcome" || fail "interrupt lines ($n): $OUT"
echo "$OUT" | grep -q -e "twins: twins:" -e "(signal" && fail "doubled or signal-numbered message: $OUT" ||
  pass "no 'twins: twins:' and no signal number"

# --- mistyped lab names ---
expect_rc 2 "down two-hostz" "$VKLAB" down two-hostz
echo "$OUT" | grep -q 'did you mean "two-hosts"' && pass "down suggests two-hosts" || fail "down two-hostz: $OUT"
expect_rc 0 "two-hosts still up" "$VKLAB" exec --lab two-hosts a -- true
expect_rc 2 "status trii" "$VKLAB" status trii
echo "$OUT" | grep -q 'did you mean "tri"' && pass "status suggests tri" || fail "status trii: $OUT"
expect_rc 2 "exec --lab tw0-hosts" "$VKLAB" exec --lab tw0-hosts a -- true
expect_rc 0 "down of a name like no lab: nothing to do" "$VKLAB" down zzzzzzzz

# --- a signal to vklab exec reaches the command ---
# Job control on: a background job of a script would otherwise start with
# SIGINT ignored, and so would the command it runs.
set -m
for sig in TERM INT HUP; do
  marker="987.$(( $(date +%s%N) % 100000 ))"
  "$VKLAB" exec --lab two-hosts a -- sleep "$marker" &
  vk=$!
  for _ in $(seq 100); do pgrep -f "sleep $marker" > /dev/null && break; sleep 0.05; done
  pgrep -f "sleep $marker" > /dev/null || fail "SIG$sig: the command never started"
  kill -$sig $vk
  wait $vk; rc=$?
  gone=no
  for _ in $(seq 40); do pgrep -f "sleep $marker" > /dev/null || { gone=yes; break; }; sleep 0.05; done
  [ $gone = yes ] && pass "SIG$sig to vklab exec ended the command (exit $rc)" ||
    { fail "SIG$sig to vklab exec orphaned the command"; for p in $(pgrep -f "sleep $marker"); do kill -KILL "$p"; done; }
  want=$((128 + $(kill -l $sig)))
  [ $rc = $want ] && pass "SIG$sig: exec exits with the command's status ($rc)" || fail "SIG$sig: exit $rc, want $want"
done
set +m

# --- the console passes the window size ---
cmd="stty rows 45 cols 150; (sleep 2; stty rows 30 cols 100 < /dev/tty) & exec $VKLAB console --lab two-hosts b"
OUT=$( (sleep 1; echo 'echo size-$(stty size | tr " " x)'; sleep 2.5; echo 'echo size-$(stty size | tr " " x)'; sleep 0.7; printf '\035') |
  script -qfec "$cmd" /dev/null 2>&1)
echo "$OUT" | grep -q "size-45x150" && pass "console: the guest's pty is 45x150 on attach" || fail "console size: $OUT"
echo "$OUT" | grep -q "size-30x100" && pass "console: SIGWINCH resizes it to 30x100" || fail "console resize: $OUT"

# --- UPTIME after an in-guest reboot ---
uptime_of() { "$VKLAB" status two-hosts | awk -v g="$1" '$1 == g && $2 == "Up" { print $4 }'; }
secs() {  # "1h2m", "3m4s", "5s" → seconds; anything else -1
  local t=$1 n=0
  case $t in *[hms]) ;; *) echo -1; return ;; esac
  case $t in *h*) n=$((${t%%h*} * 3600)); t=${t#*h} ;; esac
  case $t in *m*) n=$((n + ${t%%m*} * 60)); t=${t#*m} ;; esac
  case $t in *s) n=$((n + ${t%s})) ;; esac
  echo $n
}
sleep 3
before=$(secs "$(uptime_of a)")
[ "$before" -ge 3 ] && pass "a up for ${before}s" || fail "uptime before reboot: '$before'"
"$VKLAB" exec --lab two-hosts a -- reboot > /dev/null 2>&1
for _ in $(seq 200); do
  sleep 0.1
  "$VKLAB" exec --lab two-hosts a -- sh -c 'test $(cut -d. -f1 /proc/uptime) -ge 0' 2>/dev/null || continue
  [ -n "$(uptime_of a)" ] && break
done
after=$(secs "$(uptime_of a)")
[ "$after" -ge 0 ] && [ "$after" -lt "$before" ] && pass "UPTIME reset by the reboot: ${before}s → ${after}s" ||
  fail "uptime after reboot: '$after' (before ${before}s); $(grep -c booted "$VKLAB_STATE_ROOT/two-hosts/a.console.log") boots"

expect_rc 0 "down two-hosts" "$VKLAB" down two-hosts
expect_rc 0 "down tri" "$VKLAB" down tri
assert_clean "after the papercuts"
finish
