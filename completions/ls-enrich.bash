_ls__enrich() {
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
                cmd="ls__enrich"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        ls__enrich)
            opts="-q -h -V --follow-symlinks --rejects --quiet --attack-stix --abuseipdb --abuseipdb-url --abuseipdb-cache --abuseipdb-ttl --abuseipdb-quota --abuseipdb-timeout --abuseipdb-max-wait --abuseipdb-workers --geoip --geoip-asn --offline --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --rejects)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --attack-stix)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --abuseipdb-url)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --abuseipdb-cache)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --abuseipdb-ttl)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --abuseipdb-quota)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --abuseipdb-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --abuseipdb-max-wait)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --abuseipdb-workers)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --geoip)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --geoip-asn)
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
    complete -F _ls__enrich -o nosort -o bashdefault -o default ls-enrich
else
    complete -F _ls__enrich -o bashdefault -o default ls-enrich
fi
