_ls__detect() {
    local i cur prev opts cmd
    COMPREPLY=()
    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
        cur="$2"
    else
        cur="${COMP_WORDS[COMP_CWORD]}"
    fi
    prev="$3"
    cmd=""
    opts=""

    for i in "${COMP_WORDS[@]:0:COMP_CWORD}"
    do
        case "${cmd},${i}" in
            ",$1")
                cmd="ls__detect"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        ls__detect)
            opts="-q -h -V --follow-symlinks --rejects --quiet --list-rules --config --state --save-every --only --skip --window --ipv6-prefix --max-tracked-keys --brute-force-threshold --slow-brute-force-threshold --slow-brute-force-window --compromise-window --stuffing-threshold --account-brute-force-threshold --distributed-threshold --distributed-window --preauth-threshold --scan-threshold --http-brute-force-threshold --repeat-offender-days --repeat-offender-window --tz --work-hours --weekend --allow-user --allow-source --privileged-group --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --rejects)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --state)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --save-every)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --only)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --skip)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --window)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ipv6-prefix)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-tracked-keys)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --brute-force-threshold)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --slow-brute-force-threshold)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --slow-brute-force-window)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --compromise-window)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --stuffing-threshold)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --account-brute-force-threshold)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --distributed-threshold)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --distributed-window)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --preauth-threshold)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --scan-threshold)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --http-brute-force-threshold)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repeat-offender-days)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repeat-offender-window)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tz)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --work-hours)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --weekend)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --allow-user)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --allow-source)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --privileged-group)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
    esac
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _ls__detect -o nosort -o bashdefault -o default ls-detect
else
    complete -F _ls__detect -o bashdefault -o default ls-detect
fi
