# vklab ls with no labs says so (not a bare header), exit 0; --json is [].
VKLAB=$1
root=$(mktemp -d /tmp/vklab-ls.XXXXXX)
trap 'rm -rf "$root"' EXIT
out=$(VKLAB_STATE_ROOT=$root "$VKLAB" ls) || { echo "FAIL: exit $?"; exit 1; }
echo "$out" | grep -q "^no labs are up" || { echo "FAIL: $out"; exit 1; }
echo "$out" | grep -q "^LAB" && { echo "FAIL: header printed: $out"; exit 1; }
json=$(VKLAB_STATE_ROOT=$root "$VKLAB" ls --json | tr -d ' \n')
[ "$json" = "[]" ] || [ "$json" = "null" ] || { echo "FAIL: --json: $json"; exit 1; }
echo "PASS: ls with no labs"
