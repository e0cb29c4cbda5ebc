# Every answer key in examples/keys/ passes on its own example lab (root, in
# a private namespace): KEY.yaml keys examples/labs/KEY.yaml or
# examples/labs/KEY/lab.yaml; a key whose lab is not in this tree is
# skipped by name. The OSPF key needs FRR (setup.sh installs it).
. "$(dirname "$0")/../lifecycle/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
ran=0
for key in "$HERE"/../../examples/keys/*.yaml; do
  name=$(basename "$key" .yaml)
  lab=$EXAMPLES/$name.yaml
  [ -f "$lab" ] || lab=$EXAMPLES/$name/lab.yaml
  if [ ! -f "$lab" ]; then echo "skip: $name: no example lab $name"; continue; fi
  expect_rc 0 "up $name" "$VKLAB" up --quiet "$lab"
  expect_rc 0 "$name passes its key" "$VKLAB" check --wait 60s --checks "$key" "$name"
  echo "$OUT"
  expect_rc 0 "down $name" "$VKLAB" down "$name"
  ran=$((ran + 1))
done
[ $ran -gt 0 ] && pass "$ran keys checked" || fail "no key had its lab"
assert_clean "at the end"
finish
