# `vklab exec` hands everything after its first "--" to the command byte
# for byte: brackets (CLI11 split "[1,2]" into two words), commas, spaces,
# quotes, empty words, leading dashes, a second "--", vklab's own options.
# Root, inside unshare (lib.sh): one guest and the lab's host side run
# `printf '%s\n' WORDS…`; the output is compared with the host shell's.
. "$(dirname "$0")/../lifecycle/lib.sh"
cat > "$WORK/argv.yaml" <<'EOF'
name: argv
bridges:
  lan: {subnet: 10.0.0.0/24}
guests:
  g:
    interfaces:
      - {bridge: lan, address: auto}
EOF
expect_rc 0 "up argv" "$VKLAB" up --quiet "$WORK/argv.yaml"

nl='
'
words=('[1,2]' '[a]' '[]' '[' ']' '[x,,y]' 'a,b' ',' 'two words' '  lead and trail  '
       '"double"' "'single'" "it's" '' '' '-x' '-' '--lab' 'argv' '--host' '--help' '-h'
       '--version' '--' '--' '--=' '--lab=x' "tab	here" "new${nl}line" '*' '$HOME' '\\n' 'é∀' 'end')

# same WHAT VKLAB-ARGS…: `vklab VKLAB-ARGS… printf '%s\n' WORDS…` prints
# exactly what printf does on the host, and exits 0.
same() {
  local what=$1; shift
  printf '%s\n' "${words[@]}" > "$WORK/want"
  "$VKLAB" "$@" printf '%s\n' "${words[@]}" > "$WORK/got" 2> "$WORK/err"; local rc=$?
  if [ $rc = 0 ] && cmp -s "$WORK/want" "$WORK/got"; then
    pass "$what: ${#words[@]} words byte for byte"
  else
    fail "$what: exit $rc; $(cat "$WORK/err")"
    diff "$WORK/want" "$WORK/got" | head -20
  fi
}
same "exec g --" exec g --
same "exec --lab argv g --" exec --lab argv g --
same "exec --host --" exec --host --
same "exec --lab argv --host --" exec --lab argv --host --

# The command's first word is not vklab's either, and the exit status passes.
expect_rc 7 "exec g -- sh -c 'exit 7'" "$VKLAB" exec g -- sh -c 'exit $1' sh 7
out=$("$VKLAB" exec g -- -- 2>&1); rc=$?
[ $rc = 127 ] && pass "exec g -- --: runs a program named -- (127: none)" || fail "exec g -- --: exit $rc: $out"

# Without "--", or with a guest and --host: a usage error that says how.
expect_rc 2 "exec g hostname (no --)" "$VKLAB" exec g hostname
echo "$OUT" | grep -qF -- "vklab exec g -- hostname" && pass "says where the command goes" || fail "no --: $OUT"
expect_rc 2 "exec --host ip link (no --)" "$VKLAB" exec --host ip link
echo "$OUT" | grep -qF -- "vklab exec --host -- ip link" && pass "says where --host's command goes" || fail "no --: $OUT"
expect_rc 2 "exec --lba argv g -- true" "$VKLAB" exec --lba argv g -- true
echo "$OUT" | grep -q "unknown option --lba" && pass "names the unknown option" || fail "--lba: $OUT"
expect_rc 2 "exec g x -- true" "$VKLAB" exec g x -- true
expect_rc 2 "exec g (no command)" "$VKLAB" exec g
expect_rc 2 "exec g -- (empty command)" "$VKLAB" exec g --
expect_rc 2 "exec -- true (no guest)" "$VKLAB" exec -- true
expect_rc 2 "exec --host g -- true" "$VKLAB" exec --host g -- true
echo "$OUT" | grep -q -- "--host" && pass "says --host takes no guest" || fail "--host g: $OUT"
expect_rc 0 "exec --help" "$VKLAB" exec --help
echo "$OUT" | grep -q -- "--lab" && pass "exec --help is vklab's help" || fail "exec --help: $OUT"
expect_rc 2 "other commands still refuse stray words after --" "$VKLAB" status argv -- extra

expect_rc 0 "down argv" "$VKLAB" down argv
assert_clean "after exec's argv"
finish
