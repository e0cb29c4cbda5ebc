# bash completion for vklab(1)                                 -*- shell-script -*-
#
# Subcommands, their options and option values; lab files (*.yaml, *.yml)
# for validate/plan/graph/up/grade; running labs (from the state directory) for
# down/status/check/--lab; guest names for console/exec, read from
# <state>/<lab>/state.json with grep/sed (no jq), or from ./lab.yaml.
# Installed as completions/vklab for bash-completion; works without it too.

_vklab_subcommands="validate plan graph up down start stop restart status ls console exec save check grade convert impair link capture"

# The directory holding every lab's state directory, as vklab computes it.
_vklab_state_root()
{
    if [[ -n ${VKLAB_STATE_ROOT-} ]]; then
        printf '%s\n' "$VKLAB_STATE_ROOT"
    elif [[ ${EUID:-$(id -u)} -eq 0 ]]; then
        printf '%s\n' /run/vklab
    elif [[ -n ${XDG_RUNTIME_DIR-} ]]; then
        printf '%s\n' "$XDG_RUNTIME_DIR/vklab"
    else
        printf '%s\n' "/tmp/vklab-${EUID:-$(id -u)}"
    fi
}

# Names of the labs with state on this host.
_vklab_labs()
{
    local root d
    root=$(_vklab_state_root)
    for d in "$root"/*/; do
        [[ -f ${d}state.json ]] || continue
        d=${d%/}
        printf '%s\n' "${d##*/}"
    done
}

# Guest names of a lab file: the keys one level under `guests:`.
_vklab_file_guests()
{
    [[ -r $1 ]] || return
    awk '
        /^[^ \t#]/ { inside = ($0 ~ /^guests:[ \t]*$/); indent = ""; next }
        !inside || /^[ \t]*(#|$)/ { next }
        {
            match($0, /^[ \t]*/)
            lead = substr($0, 1, RLENGTH)
            if (indent == "") indent = lead
            if (lead == indent && match($0, /^[ \t]*[a-z][a-z0-9_-]*:/)) {
                name = $0
                sub(/^[ \t]*/, "", name)
                sub(/:.*/, "", name)
                print name
            }
        }' "$1" 2>/dev/null
}

# The `name:` of a lab file.
_vklab_file_lab()
{
    [[ -r $1 ]] || return
    sed -n 's/^name:[ \t]*["'\'']\{0,1\}\([a-z][a-z0-9-]*\).*/\1/p' "$1" 2>/dev/null | head -n 1
}

# Guest names of lab $1 (or, when empty, of the lab vklab would pick:
# ./lab.yaml's, else the only running one).
_vklab_guests()
{
    local lab=$1 root labs state
    root=$(_vklab_state_root)
    if [[ -z $lab ]]; then
        if [[ -r lab.yaml ]]; then
            lab=$(_vklab_file_lab lab.yaml)
        else
            labs=($(_vklab_labs))
            [[ ${#labs[@]} -eq 1 ]] && lab=${labs[0]}
        fi
    fi
    state=$root/$lab/state.json
    if [[ -n $lab && -r $state ]]; then
        # Everything after "guests": holds only guest objects (keys are
        # sorted; no later key is "name").
        tr -d '\n' <"$state" 2>/dev/null |
            sed -e 's/^.*"guests":[ ]*\[//' |
            grep -o '"name":[ ]*"[^"]*"' |
            sed -e 's/^"name":[ ]*"//' -e 's/"$//'
    elif [[ -r lab.yaml ]]; then
        _vklab_file_guests lab.yaml
    fi
}

_vklab()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion -n : || return
    else
        COMPREPLY=()
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
    fi

    # The subcommand: the first word after vklab that is not an option.
    local i sub="" subi=0
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            -*) ;;
            *) sub=${words[i]}; subi=$i; break ;;
        esac
    done

    if [[ -z $sub ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--help --version" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$_vklab_subcommands" -- "$cur"))
        fi
        return 0
    fi

    # exec: after `--`, complete a command and its arguments.
    if [[ $sub == exec ]]; then
        for ((i = subi + 1; i < cword; i++)); do
            if [[ ${words[i]} == -- ]]; then
                if declare -F _command_offset >/dev/null 2>&1; then
                    _command_offset $((i + 1))
                elif ((i + 1 == cword)); then
                    COMPREPLY=($(compgen -c -- "$cur"))
                else
                    COMPREPLY=($(compgen -f -- "$cur"))
                fi
                return 0
            fi
        done
    fi

    # Option values.
    case $sub:$prev in
        plan:--target | validate:--target | up:--target)
            COMPREPLY=($(compgen -W "linux dragonfly" -- "$cur")); return 0 ;;
        plan:--format)
            COMPREPLY=($(compgen -W "text sh json" -- "$cur")); return 0 ;;
        graph:--format)
            COMPREPLY=($(compgen -W "dot svg png" -- "$cur")); return 0 ;;
        graph:--layout)
            COMPREPLY=($(compgen -W "auto dot neato fdp circo" -- "$cur")); return 0 ;;
        graph:-o | graph:--output | convert:-o | convert:--output)
            COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
        down:--timeout)
            COMPREPLY=($(compgen -W "500ms 5s 10s 30s 1m" -- "$cur")); return 0 ;;
        save:--to)
            COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
        impair:--delay | impair:--jitter)
            COMPREPLY=($(compgen -W "0ms 1ms 10ms 40ms 100ms" -- "$cur")); return 0 ;;
        impair:--loss | impair:--corrupt | impair:--duplicate | impair:--reorder)
            COMPREPLY=($(compgen -W "0.1% 1% 5% 100%" -- "$cur")); return 0 ;;
        impair:--rate)
            COMPREPLY=($(compgen -W "512kbit 10mbit 100mbit 1gbit" -- "$cur")); return 0 ;;
        capture:-w)
            COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
        capture:-c)
            return 0 ;;
        check:--wait | check:--timeout | grade:--wait)
            COMPREPLY=($(compgen -W "0 3s 10s 30s 1m" -- "$cur")); return 0 ;;
        check:--checks | check:--junit | grade:--checks)
            COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
        grade:--report)
            COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
        console:--lab | exec:--lab | save:--lab | impair:--lab | link:--lab | capture:--lab)
            COMPREPLY=($(compgen -W "$(_vklab_labs)" -- "$cur")); return 0 ;;
    esac

    local opts=""
    case $sub in
        validate) opts="--target --help" ;;
        plan) opts="--target --format --help" ;;
        graph) opts="--format --layout -o --output --help" ;;
        up) opts="--target --no-wait --quiet -q --strict --apply --help" ;;
        down) opts="--timeout --force --help" ;;
        start) opts="--lab --help" ;;
        stop | restart) opts="--lab --timeout --help" ;;
        status) opts="--json --help" ;;
        ls) opts="--json --help" ;;
        console) opts="--lab --help" ;;
        exec) opts="--lab --host --help --" ;;
        save) opts="--lab --to --help" ;;
        check) opts="--json --junit --checks --wait --timeout --jobs -j --help" ;;
        grade) opts="--checks --wait --report --jobs -j --help" ;;
        convert) opts="-o --output --help" ;;
        impair) opts="--lab --json --delay --jitter --loss --rate --corrupt --duplicate --reorder --clear --help" ;;
        link) opts="--lab --help" ;;
        capture) opts="--lab -w -c --help" ;;
        *) return 0 ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return 0
    fi

    # Positional arguments: count those already given after the subcommand.
    local npos=0 lab=""
    for ((i = subi + 1; i < cword; i++)); do
        case ${words[i]} in
            --lab) lab=${words[i + 1]}; ((i++)) ;;
            --target | --format | --timeout | -o | --output | --to | -w | -c | --delay | --jitter | --loss | --rate | \
                --corrupt | --duplicate | --reorder | --wait | --junit | --checks | --jobs | -j | --report) ((i++)) ;;
            -*) ;;
            *) ((npos++)) ;;
        esac
    done

    case $sub in
        validate | plan | graph | up | grade)
            ((npos == 0)) || [[ $sub == grade ]] || return 0
            if declare -F _filedir >/dev/null 2>&1; then
                _filedir '@(yaml|yml)'
            else
                COMPREPLY=($(compgen -f -X '!*.yaml' -- "$cur")
                           $(compgen -f -X '!*.yml' -- "$cur")
                           $(compgen -d -- "$cur"))
            fi
            ;;
        convert)
            ((npos == 0)) && COMPREPLY=($(compgen -d -- "$cur"))
            ;;
        down | status | check)
            ((npos == 0)) && COMPREPLY=($(compgen -W "$(_vklab_labs)" -- "$cur"))
            ;;
        console)
            ((npos == 0)) && COMPREPLY=($(compgen -W "$(_vklab_guests "$lab")" -- "$cur"))
            ;;
        save | start | stop | restart)
            COMPREPLY=($(compgen -W "$(_vklab_guests "$lab")" -- "$cur"))
            ;;
        impair | capture)
            # GUEST:IF is typed; guest names start it.
            ((npos == 0)) && COMPREPLY=($(compgen -W "$(_vklab_guests "$lab")" -- "$cur"))
            ;;
        link)
            if ((npos == 0)); then
                COMPREPLY=($(compgen -W "$(_vklab_guests "$lab")" -- "$cur"))
            elif ((npos == 1)); then
                COMPREPLY=($(compgen -W "down up" -- "$cur"))
            fi
            ;;
        exec)
            local host=0
            for ((i = subi + 1; i < cword; i++)); do
                [[ ${words[i]} == --host ]] && host=1
            done
            if ((host == 0 && npos == 0)); then
                COMPREPLY=($(compgen -W "$(_vklab_guests "$lab")" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "--" -- "$cur"))
            fi
            ;;
    esac
    return 0
} &&
    complete -F _vklab vklab
