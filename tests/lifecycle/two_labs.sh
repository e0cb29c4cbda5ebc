# Two labs up at once; each works and goes down independently.
. "$(dirname "$0")/lib.sh"
sed 's/^name: triangle/name: tri2/' "$EXAMPLES/triangle.yaml" > "$WORK/tri2.yaml"
expect_rc 0 "up triangle" "$VKLAB" up --quiet "$EXAMPLES/triangle.yaml"
expect_rc 0 "up tri2" "$VKLAB" up --quiet "$WORK/tri2.yaml"
expect_rc 0 "ls" "$VKLAB" ls
echo "$OUT" | grep -q "^tri2 " && echo "$OUT" | grep -q "^triangle " && pass "ls lists both" || fail "ls: $OUT"
expect_rc 2 "status with two labs and none named" "$VKLAB" status
expect_rc 0 "triangle works" "$VKLAB" exec --lab triangle pc1 -- ping -c1 -W2 10.3.0.2
expect_rc 0 "tri2 works" "$VKLAB" exec --lab tri2 pc1 -- ping -c1 -W2 10.3.0.2
expect_rc 0 "down triangle" "$VKLAB" down triangle
expect_rc 0 "tri2 still works" "$VKLAB" exec --lab tri2 pc2 -- ping -c1 -W2 10.1.0.2
expect_rc 0 "status of the only lab left, unnamed" "$VKLAB" status
echo "$OUT" | grep -q "^tri2: up" && pass "tri2 is the one" || fail "status: $OUT"
expect_rc 0 "down tri2 (the only one, unnamed)" "$VKLAB" down
assert_clean "after both downs"
finish
