#!/bin/sh
# vklab on Kathará lab directories without root: validate, plan and
# convert of examples/kathara/*, exit 2 and file:line:col for a bad lab.conf,
# an error naming the directory for one without lab.conf.
# Usage: kathara_cli.sh VKLAB EXAMPLES_KATHARA
set -u
vklab=${1:?usage: kathara_cli.sh VKLAB DIR}
ex=${2:?usage: kathara_cli.sh VKLAB DIR}
tmp=$(mktemp -d /tmp/vklab-kathara-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
for lab in static ospf web dns; do
  out=$("$vklab" validate "$ex/$lab" 2>&1) || fail "validate $lab: $out"
  "$vklab" plan "$ex/$lab" --format json > "$tmp/$lab.dir.json" 2>/dev/null || fail "plan $lab"
  cp -r "$ex/$lab" "$tmp/$lab"
  "$vklab" convert "$tmp/$lab" > "$tmp/$lab/lab.yaml" || fail "convert $lab"
  "$vklab" validate "$tmp/$lab/lab.yaml" > /dev/null 2>&1 || fail "validate converted $lab"
  # The same plan from the directory and from its converted YAML, but for
  # where the startup lines come from (DEV.startup files; the YAML's lines).
  "$vklab" plan "$tmp/$lab" --format json | jq 'del(.guests[].startup_sources)' > "$tmp/$lab.a.json" 2>/dev/null
  "$vklab" plan "$tmp/$lab/lab.yaml" --format json | jq 'del(.guests[].startup_sources)' > "$tmp/$lab.b.json" 2>/dev/null
  cmp -s "$tmp/$lab.a.json" "$tmp/$lab.b.json" || { fail "plans differ for $lab"; diff "$tmp/$lab.a.json" "$tmp/$lab.b.json" | head; }
done
mkdir -p "$tmp/bad" "$tmp/none"
printf 'r1[0]="A"\nr1[1="B"\nr2[0]="A$"\n' > "$tmp/bad/lab.conf"
out=$("$vklab" up "$tmp/bad" 2>&1); rc=$?
[ $rc = 2 ] || fail "up of a bad lab.conf: exit $rc, want 2"
echo "$out" | grep -q "bad/lab.conf:2:5: error: missing ']'" || fail "no 2:5 error: $out"
echo "$out" | grep -q "bad/lab.conf:3:9: error: collision domain \"A\\$\"" || fail "no 3:9 error: $out"
out=$("$vklab" validate "$tmp/none" 2>&1); rc=$?
[ $rc = 2 ] || fail "validate of a directory without lab.conf: exit $rc, want 2"
echo "$out" | grep -q "none: error: no lab.conf in this directory" || fail "no directory error: $out"
[ $fails = 0 ] && echo "kathara cli: ok"
exit $((fails > 0))
