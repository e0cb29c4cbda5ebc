# Random faults, N cycles (default 100: the by-hand soak; ctest runs a
# few). Each cycle: labd SIGKILLed at a random step of up or down, up
# interrupted or killed at a random step, down racing up after a random
# delay, down racing down, a guest failing to launch, or labd SIGKILLed in
# the middle of an `up --apply` (a guest added, one changed, one removed);
# then `vklab down`
# must leave nothing (settle). Prints the seed; RANDOM_SEED=S replays.
#   random.sh [--cycles N]
. "$(dirname "$0")/lib.sh"
cycles=100
[ "${1:-}" = --cycles ] && cycles=$2
seed=${RANDOM_SEED:-$$}
RANDOM=$seed
echo "seed $seed, $cycles cycles"
VKLAB_FAULT_TRACE=$WORK/trace "$VKLAB" up --quiet "$STD" >/dev/null || fail "clean up"
"$VKLAB" down flt >/dev/null || fail "clean down"
mapfile -t labd_steps < <(grep '^labd\.' "$WORK/trace")
mapfile -t up_steps < <(grep '^up\.' "$WORK/trace")
BAD=$(lab bad "  a: {kernel: $POLITE, interfaces: [lan]}
  b: {kernel: $BROKEN, interfaces: [lan], depends_on: [a]}")
# STD edited: d removed, c's kernel changed, e added (labd/apply.cc).
APPLY=$WORK/flt-apply.yaml
sed -e '/^  d:/d' -e "s|  c: {kernel: $SLOW,|  c: {kernel: $POLITE,|" "$STD" > "$APPLY"
printf '  e: {kernel: %s, interfaces: [lan], depends_on: [a]}\n' "$POLITE" >> "$APPLY"
# labd's steps during an apply, as traced (each STEP@N counts from labd's start).
VKLAB_FAULT_TRACE=$WORK/trace-apply "$VKLAB" up --quiet "$STD" >/dev/null || fail "clean up (apply trace)"
n=$(wc -l < "$WORK/trace-apply")
"$VKLAB" up --apply "$APPLY" >/dev/null || fail "clean apply"
"$VKLAB" down flt >/dev/null || fail "clean down after apply"
mapfile -t apply_steps < <(tail -n +"$((n + 1))" "$WORK/trace-apply" | grep '^labd\.' | grep -v teardown)
[ ${#apply_steps[@]} -gt 2 ] && pass "${#apply_steps[@]} labd steps in an apply" || fail "apply steps: ${apply_steps[*]}"
pick() { local -n arr=$1; echo "${arr[RANDOM % ${#arr[@]}]}"; }
for c in $(seq "$cycles"); do
  case $((RANDOM % 7)) in
    0) s=$(pick labd_steps); what="labd killed at $s"
       VKLAB_FAULT=$s "$VKLAB" up --quiet "$STD" >/dev/null 2>&1 && "$VKLAB" down flt >/dev/null 2>&1 ;;
    1) s=$(pick up_steps); what="up interrupted at $s"
       VKLAB_FAULT=$s:INT timeout 60 "$VKLAB" up --quiet "$STD" >/dev/null 2>&1 ;;
    2) s=$(pick up_steps); what="up killed at $s"
       VKLAB_FAULT=$s "$VKLAB" up --quiet "$STD" >/dev/null 2>&1 ;;
    3) d=0.$((RANDOM % 10)); what="down racing up after ${d}s"
       "$VKLAB" up --quiet "$STD" >/dev/null 2>&1 & vk=$!
       sleep "$d"; "$VKLAB" down flt >/dev/null 2>&1; wait $vk ;;
    4) what="down racing down"
       "$VKLAB" up --quiet "$STD" >/dev/null 2>&1
       "$VKLAB" down flt >/dev/null 2>&1 & a=$!; "$VKLAB" down flt >/dev/null 2>&1; wait $a ;;
    5) what="a guest failing to launch"
       "$VKLAB" up --quiet "$BAD" >/dev/null 2>&1 && fail "up of a broken guest succeeded" ;;
    6) s=$(pick apply_steps); what="labd killed at $s during up --apply"
       VKLAB_FAULT=$s "$VKLAB" up --quiet "$STD" >/dev/null 2>&1 &&
         "$VKLAB" up --apply "$APPLY" >/dev/null 2>&1 ;;
  esac
  lab_name=flt; [ -d "$VKLAB_STATE_ROOT/bad" ] && lab_name=bad
  settle "$lab_name" "cycle $c: $what"
done
finish
