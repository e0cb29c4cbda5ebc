# Shared by the apply tests (one guest at a time, up --apply): the
# lifecycle tests' lib.sh (root, a private namespace, assert_clean) plus
# pid and state look-ups over `vklab status --json`.
. "$(dirname "$0")/../lifecycle/lib.sh"

# kpid LAB GUEST: the guest's kernel pid as recorded (0 when none).
kpid() { "$VKLAB" status --json "$1" | jq -r --arg g "$2" '.guests[] | select(.name == $g) | .kernel.pid'; }
# gstate LAB GUEST: the guest's recorded state (Up, Halted, …).
gstate() { "$VKLAB" status --json "$1" | jq -r --arg g "$2" '.guests[] | select(.name == $g) | .state'; }
