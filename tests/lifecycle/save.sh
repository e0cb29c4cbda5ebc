# vklab save: what a guest changed lands in its lab folder exactly (owner,
# mode, symlinks), deletions are listed, --to writes elsewhere, the host's
# files are untouched, and a guest that is not running cannot be saved.
. "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/lab/a/etc" "$WORK/lab/a/opt"
echo "from the lab" > "$WORK/lab/a/etc/motd-lab"
echo "lab file" > "$WORK/lab/a/opt/gone"
cat > "$WORK/lab/lab.yaml" <<'YAML'
name: save
bridges: [l]
guests:
  a: {interfaces: [{bridge: l, address: 10.0.0.1/24}], stop_timeout: 5s}
  b: {interfaces: [{bridge: l, address: 10.0.0.2/24}], stop_timeout: 5s}
YAML
host_etc=$(ls -la /etc | sha256sum)
expect_rc 0 "up" "$VKLAB" up --quiet "$WORK/lab/lab.yaml"
expect_rc 0 "a edits" "$VKLAB" exec a -- sh -c '
  echo edited > /etc/motd-lab
  mkdir -p /etc/frr && echo "router ospf" > /etc/frr/frr.conf && chown 65534:65534 /etc/frr/frr.conf && chmod 640 /etc/frr/frr.conf
  ln -s /etc/frr/frr.conf /etc/link
  rm /opt/gone /etc/hostname
  echo tmp > /tmp/x'
expect_rc 0 "save a" "$VKLAB" save a
echo "$OUT"
check "the edited file" [ "$(cat "$WORK/lab/a/etc/motd-lab")" = edited ]
check "a new file with its owner and mode" [ "$(stat -c '%u:%g %a' "$WORK/lab/a/etc/frr/frr.conf")" = "65534:65534 640" ]
check "a symlink as a symlink" [ "$(readlink "$WORK/lab/a/etc/link")" = /etc/frr/frr.conf ]
check "nothing of /tmp" [ ! -e "$WORK/lab/a/tmp" ]
check "deletions listed" grep -qx "deleted /etc/hostname" "$WORK/lab/a.deleted"
check "deletions listed (a lab file)" grep -qx "deleted /opt/gone" "$WORK/lab/a.deleted"
check "deletions not applied" [ -f "$WORK/lab/a/opt/gone" ]
echo "$OUT" | grep -q "deleted  /etc/hostname" && pass "deletions on stdout" || fail "deletions on stdout"
check "nothing of the guest root's own hidden directories" [ ! -e "$WORK/lab/a/home" ] && [ ! -e "$WORK/lab/a/work" ]
expect_rc 0 "save b --to" "$VKLAB" save b --to "$WORK/out"
check "--to DIR/GUEST" [ -d "$WORK/out/b" ]
check "b saw nothing of a's edits" [ ! -e "$WORK/out/b/etc/motd-lab" ]
expect_rc 2 "save of an unknown guest" "$VKLAB" save nope
check "the host's /etc untouched" [ "$(ls -la /etc | sha256sum)" = "$host_etc" ]
check "no /etc/frr/frr.conf change on the host" [ "$(cat /etc/frr/frr.conf | grep -c 'router ospf')" = 0 ]
expect_rc 0 "a halts" "$VKLAB" exec a -- halt
sleep 1
expect_rc 1 "save of a halted guest" "$VKLAB" save a
expect_rc 0 "down" "$VKLAB" down save
assert_clean "after down"
finish
