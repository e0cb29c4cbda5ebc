# Random faults, N cycles (default 100: the by-hand soak; ctest runs a
# few). Each cycle: labd SIGKILLed at a random step of up or down, up
# interrupted or killed at a random step, down racing up after a random
# delay, down racing down, or a guest failing to launch; then `vklab down`
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
pick() { local -n arr=$1; echo "${arr[RANDOM % ${#arr[@]}]}"; }
for c in $(seq "$cycles"); do
  case $((RANDOM % 6)) in
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
  esac
  lab_name=flt; [ -d "$VKLAB_STATE_ROOT/bad" ] && lab_name=bad
  settle "$lab_name" "cycle $c: $what"
done
finish
