# labd killed with SIGKILL at every step of up and down: after each
# recorded state change (labd.saved@N), right after each fork
# (labd.forked@N), and at its start and teardown. The steps are those a
# clean up + down of the lab reaches (VKLAB_FAULT_TRACE), so none is
# missed when labd gains one. After each, `vklab down` leaves nothing.
#   steps.sh [LAB-FILE] [--every K]   (K: inject at every Kth step only)
. "$(dirname "$0")/lib.sh"
file=$STD every=1
while [ $# -gt 0 ]; do
  case $1 in --every) every=$2; shift ;; *) file=$1 ;; esac
  shift
done
name=$(sed -n 's/^name: //p' "$file")

VKLAB_FAULT_TRACE=$WORK/trace "$VKLAB" up --quiet "$file" >/dev/null || fail "clean up"
"$VKLAB" down "$name" >/dev/null || fail "clean down"
steps=$(grep '^labd\.' "$WORK/trace")
[ -n "$steps" ] && pass "$(echo "$steps" | wc -l) labd steps in a clean up + down" || fail "no steps traced"
assert_clean "after the clean run" | grep -v '^ok'

k=0
for step in $steps; do
  k=$((k + 1))
  [ $((k % every)) = 0 ] || continue
  out=$(VKLAB_FAULT=$step "$VKLAB" up --quiet "$file" 2>&1); rc=$?
  if [ $rc = 0 ]; then
    # labd dies during the down instead: the down must finish the job.
    out=$("$VKLAB" down "$name" 2>&1); rc=$?
    case $rc in 0|3) ;; *) fail "$step: down after labd died in it: exit $rc"; echo "$out" ;; esac
  else
    echo "$out" | grep -q "everything was rolled back" || { fail "$step: up: $out"; continue; }
  fi
  settle "$name" "$step"
done
finish
