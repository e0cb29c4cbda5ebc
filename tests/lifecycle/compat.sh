# A lab brought up by the previous build is taken down by this one.
# tests/lifecycle/compat/{state,plan}.json were written by a real `vklab up
# compat.yaml` of the build before the checked JSON reader (main e5fa2b8,
# compat/make_fixture.sh); @ROOT@ stands for the state root they were
# written under. The test puts
# them in a state directory, recreates the world they describe (the lab's
# namespace bound at <state>/netns holding its bridge and taps, and for each
# guest a live process in that namespace that halts on SIGTERM, recorded
# as the guest's pid), then runs this build's `vklab down` with labd gone.
. "$(dirname "$0")/lib.sh"
FIX=$(dirname "$0")/compat
dir=$VKLAB_STATE_ROOT/compat
mkdir -m 0700 "$dir"
sed "s|@ROOT@|$VKLAB_STATE_ROOT|g" "$FIX/plan.json" > "$dir/plan.json"
touch "$dir/netns"
unshare --net="$dir/netns" true || { fail "cannot make the lab's namespace"; finish; }
inlab() { nsenter --net="$dir/netns" "$@"; }
for b in $(python3 -c 'import json,sys; [print(o["name"]) for o in json.load(open(sys.argv[1]))["created"] if o["kind"]=="bridge"]' "$FIX/state.json"); do
  inlab ip link add "$b" type bridge
done
for t in $(python3 -c 'import json,sys; [print(o["name"]) for o in json.load(open(sys.argv[1]))["created"] if o["kind"]=="tap"]' "$FIX/state.json"); do
  inlab ip tuntap add "$t" mode tap
done
[ "$(inlab ip -o link | grep -c -e bridge -e tap)" -ge 3 ] && pass "the lab's links exist" || fail "links: $(inlab ip -o link)"

pids=""
for g in $(python3 -c 'import json,sys; [print(g["name"]) for g in json.load(open(sys.argv[1]))["guests"]]' "$FIX/state.json"); do
  # nsenter itself (no fork for a network namespace) becomes the guest's
  # sh: $! is that process. (Through the inlab function, $! would be a
  # background subshell around it, and the sh a stray.)
  nsenter --net="$dir/netns" sh -c 'trap "exit 0" TERM; while :; do sleep 0.05; done' &
  pids="$pids $g=$!"
done
sleep 0.2
# The records name the live processes (pid + start time, as labd wrote them).
python3 - "$FIX/state.json" "$dir/state.json" "$VKLAB_STATE_ROOT" $pids <<'PY'
import json, sys
src, dst, root, *pairs = sys.argv[1:]
text = open(src).read().replace("@ROOT@", root)
st = json.loads(text)
pids = dict(p.split("=") for p in pairs)
def ident(pid):
    stat = open(f"/proc/{pid}/stat").read()
    return {"pid": int(pid), "starttime": int(stat[stat.rfind(")") + 2:].split()[19])}
for g in st["guests"]:
    same = g["kernel"] == g["proc"]
    g["proc"] = ident(pids[g["name"]])
    g["kernel"] = dict(g["proc"]) if same else {"pid": 0, "starttime": 0}
json.dump(st, open(dst, "w"), indent=1)
PY
chmod 0600 "$dir"/*.json

expect_rc 0 "status of the old lab" "$VKLAB" status compat
echo "$OUT" | grep -q "labd is gone" && pass "status: labd is gone" || { fail "status"; echo "$OUT"; }
expect_rc 0 "down of the old lab" "$VKLAB" down compat
echo "$OUT"
for g in a b; do
  echo "$OUT" | grep -q "$g: halted cleanly" && pass "$g halted cleanly" || fail "$g: not halted cleanly"
done
for p in $pids; do
  kill -0 "${p#*=}" 2>/dev/null && fail "guest ${p%%=*} (pid ${p#*=}) still runs"
done
wait
[ ! -e "$dir" ] && pass "state directory removed" || fail "state left: $(ls -A "$dir")"
assert_clean "after down of a lab from the previous build"
finish
