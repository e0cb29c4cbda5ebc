# Shared by the fault-injection tests (root, each in its own network and
# mount namespace; see CMakeLists.txt). Builds on the lifecycle tests'
# lib.sh (assert_clean, expect_rc, fake_kernel) and adds fake kernels,
# the common lab, and `settle`: the one oracle run after every fault.
. "$(dirname "$0")/../lifecycle/lib.sh"

# Kernels that behave as the tests need (all write their -p pidfile):
# polite halts on SIGTERM, stubborn ignores it, forking runs the kernel as
# a child of a wrapper (DragonFly's vkernel), slow becomes ready late,
# broken exits at once.
POLITE=$(fake_kernel polite.sh 'echo $$ > "$pf"; exec sleep 1000')
STUBBORN=$(fake_kernel stubborn.sh 'trap "" TERM; echo $$ > "$pf"; while :; do sleep 0.1; done')
FORKING=$(fake_kernel forking.sh 'sh -c "echo \$\$ > \"\$1\"; exec sleep 1000" child "$pf" &
wait $!; exit 0')
SLOW=$(fake_kernel slow.sh 'trap "kill \$! 2>/dev/null; exit 0" TERM; sleep 0.5 & wait $!; echo $$ > "$pf"; exec sleep 1000')
BROKEN=$(fake_kernel broken.sh 'exit 3')

# lab NAME GUESTS-YAML: writes $WORK/NAME.yaml
lab() {
  cat > "$WORK/$1.yaml" <<LAB
name: $1
defaults: {memory: 64m, stop_timeout: 2s}
bridges: [lan]
guests:
$2
LAB
  echo "$WORK/$1.yaml"
}

# The lab most tests use: a chain of dependencies, a forking kernel, a
# slow one.
STD=$(lab flt "  a: {kernel: $POLITE, interfaces: [lan]}
  b: {kernel: $FORKING, interfaces: [lan], depends_on: [a]}
  c: {kernel: $SLOW, interfaces: [lan], depends_on: [b]}
  d: {kernel: $POLITE, interfaces: [lan]}")

# settle LAB WHAT: after a fault, one `vklab down` must leave nothing and
# say so truthfully: exit 0 (or 3 when it had to kill), never a claim of
# success while something of the lab still runs (assert_clean checks).
settle() {
  local out rc
  out=$("$VKLAB" down "$1" 2>&1); rc=$?
  case $rc in
    0|3) ;;
    *) fail "$2: down exit $rc"; echo "$out" ;;
  esac
  echo "$out" | grep -q -e "NOT everything" -e "still holds" && fail "$2: down says: $out"
  local before=$FAILS
  assert_clean "$2" | grep -v '^ok: nothing left'
  [ $FAILS = $before ] && pass "$2: down leaves nothing" || echo "$out"
  # a second down has nothing to do, and says so
  out=$("$VKLAB" down "$1" 2>&1); rc=$?
  [ $rc = 0 ] && echo "$out" | grep -q "nothing to do" || fail "$2: second down: exit $rc: $out"
}
