#!/bin/bash
# Exercises completion/vklab.bash: sources it (without bash-completion, the
# plain fallback path) and calls _vklab with COMP_WORDS set as bash would.
# Usage: check_completion.sh COMPLETION_FILE
set -u
file=${1:?usage: check_completion.sh COMPLETION_FILE}
# shellcheck source=/dev/null
source "$file" || { echo "cannot source $file"; exit 1; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0

# complete WORD... : COMPREPLY for the command line "WORD... " with the
# cursor on the last word (pass "" for an empty last word).
complete_line() {
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE="${COMP_WORDS[*]}"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _vklab vklab "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

expect() {  # expect "WANT" WORD...
  local want=$1
  shift
  local got
  got=$(complete_line "$@")
  if [[ $got != "$want" ]]; then
    printf 'FAIL: vklab completion of [%s]\n  want: [%s]\n  got:  [%s]\n' "$*" "$want" "$got"
    fails=$((fails + 1))
  fi
}

export VKLAB_STATE_ROOT=$tmp/state
mkdir -p "$VKLAB_STATE_ROOT/lab1" "$VKLAB_STATE_ROOT/lab2" "$VKLAB_STATE_ROOT/junk"
# state.json as labd writes it (nlohmann dump(1): sorted keys); "created"
# objects have a "name" too, which must not be taken for a guest.
cat >"$VKLAB_STATE_ROOT/lab1/state.json" <<'JSON'
{
 "created": [
  {
   "bridge": "",
   "kind": "bridge",
   "name": "bridge0",
   "plan_name": "bridge0"
  },
  {
   "bridge": "",
   "kind": "tap",
   "name": "tap0",
   "plan_name": "tap0"
  }
 ],
 "error": "",
 "guests": [
  {
   "bundled": true,
   "error": "",
   "exit": "",
   "kernel": {
    "pid": 1234,
    "starttime": 99
   },
   "name": "r1",
   "proc": {
    "pid": 1233,
    "starttime": 98
   },
   "ready_ms": 1,
   "started_ms": 1,
   "state": "Up",
   "stopped_ms": 0
  },
  {
   "bundled": true,
   "error": "r2: \"name\": \"fake\"",
   "exit": "",
   "kernel": {
    "pid": 0,
    "starttime": 0
   },
   "name": "pc-2",
   "proc": {
    "pid": 1235,
    "starttime": 98
   },
   "ready_ms": 0,
   "started_ms": 1,
   "state": "Starting",
   "stopped_ms": 0
  }
 ],
 "isolated": true,
 "lab": "lab1",
 "labd": {
  "pid": 1200,
  "starttime": 97
 },
 "netns": "/run/vklab/lab1/netns",
 "phase": "up",
 "plan_digest": "abc",
 "tag": "vklab:lab1",
 "version": 1
}
JSON
echo '{"guests": [{"name": "x"}]}' >"$VKLAB_STATE_ROOT/lab2/state.json"

mkdir "$tmp/work" && cd "$tmp/work" || exit 1
touch a.yaml b.yml notes.txt
mkdir sub

expect "capture check console convert down exec grade graph impair link ls plan restart save start status stop up validate" vklab ""
expect "--checks" vklab grade --ch
expect "0 10s 1m 30s 3s" vklab check --wait ""
expect "plan" vklab pl
expect "--help --version" vklab --
expect "--target" vklab plan --t
expect "dragonfly linux" vklab plan --target ""
expect "json sh text" vklab plan --format ""
expect "dot png svg" vklab graph --format ""
expect "--no-wait" vklab up --n
expect "dragonfly linux" vklab up --target ""
expect "--target" vklab up --t
expect "a.yaml b.yml sub" vklab validate ""
expect "a.yaml" vklab up a
expect "" vklab validate a.yaml ""
expect "lab1 lab2" vklab down ""
expect "lab2" vklab status lab2
expect "lab1 lab2" vklab console --lab ""
expect "pc-2 r1" vklab console --lab lab1 ""
expect "r1" vklab exec --lab lab1 r
expect "--" vklab exec --lab lab1 r1 ""
expect "pc-2 r1" vklab save --lab lab1 ""
expect "pc-2 r1" vklab save --lab lab1 r1 ""
expect "--help --lab --to" vklab save -
expect "--help --target" vklab validate -
expect "--force --help --timeout" vklab down --
expect "--json" vklab ls --j

# No state for the lab: guests come from ./lab.yaml.
cat >lab.yaml <<'YAML'
name: mylab
bridges:
  lan: {subnet: 10.0.0.0/24}
guests:
  alpha:
    interfaces: [lan]
  beta:
    startup: |
      echo not: a guest
  # gamma: a comment
checks:
  - {from: alpha, ping: 10.0.0.2}
YAML
expect "alpha beta" vklab console ""
expect "alpha beta" vklab exec ""
expect "down up" vklab link a:vke0 ""
expect "--clear" vklab impair --cl
expect "0.1% 1% 100% 5%" vklab impair a:vke0 --loss ""

if ((fails)); then
  echo "$fails completion case(s) failed"
  exit 1
fi
echo "completion: all cases pass"
