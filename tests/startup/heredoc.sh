# A startup script with here-documents writes an FRR config and a bind9
# zone in a real guest byte for byte (compared with files written here by
# the host's own printf), runs multi-line if/for/while, a function and a
# continuation, and the guest runs it with bash (Kathará's shell).
. "$(dirname "$0")/../lifecycle/lib.sh"
L=$WORK/lab
mkdir -p "$L/shared"
printf 'frr version 8.4\nhostname r1\n!\ninterface eth0\n ip ospf cost 10\n!\nrouter ospf\n network 10.0.1.0/24 area 0.0.0.0\n!\nline vty\n' > "$WORK/frr.want"
printf '$TTL 60\n@\tIN SOA ns1.lab. root.lab. ( 1 60 60 600 60 )\n@\tIN NS ns1.lab.\nns1\tIN A 10.0.0.53\nwww\tIN A 10.0.0.80 ; "q" and $x\n' > "$WORK/zone.want"
cat > "$L/lab.yaml" <<'YAML'
name: hd
bridges: [lan]
guests:
  r1:
    interfaces: [lan]
    stop_timeout: 10s
    startup: |
      mkdir -p /tmp/frr /tmp/bind
      cat > /tmp/frr/frr.conf <<EOF
      frr version 8.4
      hostname $(hostname)
      !
      interface eth0
       ip ospf cost 10
      !
      router ospf
       network 10.0.1.0/24 area 0.0.0.0
      !
      line vty
      EOF
      cat > /tmp/bind/db.lab <<'ZONE'
      $TTL 60
      @	IN SOA ns1.lab. root.lab. ( 1 60 60 600 60 )
      @	IN NS ns1.lab.
      ns1	IN A 10.0.0.53
      www	IN A 10.0.0.80 ; "q" and $x
      ZONE
      cp /tmp/frr/frr.conf /tmp/bind/db.lab /shared/
      count() {
        local n=0
        for f in "$@"; do
          n=$((n + 1))
        done
        echo $n
      }
      i=0
      while [ $i -lt 3 ]; do
        i=$((i + 1))
      done
      if [ "$(count a b c)" = 3 ] && [ $i = 3 ]; then
        echo compound-ok > /shared/compound
      fi
      echo "$BASH_VERSION" > /shared/shell
      echo continued \
        line > /shared/cont
YAML
expect_rc 0 "up" "$VKLAB" up --quiet "$L/lab.yaml"
check "frr.conf byte for byte" cmp "$WORK/frr.want" "$L/shared/frr.conf"
check "db.lab byte for byte" cmp "$WORK/zone.want" "$L/shared/db.lab"
check "if/while/for and a function" grep -qx compound-ok "$L/shared/compound"
check "continuation" grep -qx "continued line" "$L/shared/cont"
if [ -x /bin/bash ]; then check "run by bash" grep -q . "$L/shared/shell"; fi
expect_rc 0 "status says Up, no startup errors" "$VKLAB" status hd
echo "$OUT" | grep -q "startup error" && fail "status: $OUT"
expect_rc 0 "down" "$VKLAB" down hd
assert_clean "after down"
finish
