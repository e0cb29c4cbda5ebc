# Every example lab passes its own checks: up → check (exit 0, every check
# ok) → down (exit 0, every guest halted cleanly) → nothing left.
# The host's configuration of the daemons guests run (FRR, bind9, apache2)
# is byte for byte the same afterwards: guests write only their own layer.
# Usage: examples.sh NAME   (examples/labs/NAME.yaml or NAME/lab.yaml, whose lab is NAME)
. "$(dirname "$0")/lib.sh"
name=${1:?usage: examples.sh NAME}
lab="$EXAMPLES/$name.yaml"
[ -f "$lab" ] || lab="$EXAMPLES/$name/lab.yaml"
host_config() { find /etc/frr /etc/bind /etc/apache2 /var/www -exec stat -c '%n %a %U %G %s %Y' {} + 2>/dev/null | sort;
                find /etc/frr /etc/bind /etc/apache2 /var/www -type f -exec sha256sum {} + 2>/dev/null | sort; }
before=$(host_config)
expect_rc 0 "up $name" "$VKLAB" up --quiet "$lab"
guests=$("$VKLAB" status --json "$name" | grep -c '"state": "Up"')
checks=$(sed -n '/^checks:/,$p' "$lab" | grep -c '^ *- *{from:')
start=$(date +%s%N)
expect_rc 0 "check $name" "$VKLAB" check "$name"
took=$(( ($(date +%s%N) - start) / 1000000 ))
echo "$OUT"
echo "$OUT" | grep -q "^$checks passed, 0 failed$" && pass "$checks checks passed in ${took}ms" \
  || fail "check summary, want $checks passed: $OUT"
expect_rc 0 "check --json $name" "$VKLAB" check --json "$name"
n=$(echo "$OUT" | grep -c '"ok": true')
[ "$n" = "$checks" ] && pass "--json: $n ok" || fail "--json: $n ok of $checks: $OUT"
if [ "$name" = web-dns ]; then  # by name: DNS then HTTP (until checks: can say it)
  expect_rc 0 "pc fetches http://www.lab.net/" "$VKLAB" exec pc -- curl -sf http://www.lab.net/
  echo "$OUT" | grep -q "Welcome to www.lab.net" && pass "the page, by name" || fail "page: $OUT"
fi
expect_rc 0 "down $name" "$VKLAB" down "$name"
n=$(echo "$OUT" | grep -c "halted cleanly")
[ "$n" = "$guests" ] && [ "$guests" -gt 0 ] && pass "$n guests halted cleanly" \
  || { fail "down: $n of $guests halted cleanly"; echo "$OUT"; }
[ "$(host_config)" = "$before" ] && pass "the host's /etc/frr, /etc/bind, /etc/apache2, /var/www unchanged" \
  || fail "the host's daemon configuration changed"
assert_clean "after down"
finish
