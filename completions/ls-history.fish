# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ls_history_global_optspecs
    string join \n h/help V/version
end

function __fish_ls_history_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ls_history_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ls_history_using_subcommand
    set -l cmd (__fish_ls_history_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ls-history -n "__fish_ls_history_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ls-history -n "__fish_ls_history_needs_command" -s V -l version -d 'Print version'
complete -c ls-history -n "__fish_ls_history_needs_command" -f -a "alerts" -d 'The stored alerts that pass the filters, oldest first, each as it was written'
complete -c ls-history -n "__fish_ls_history_needs_command" -f -a "sources" -d 'The sources of those alerts, most alerts first: count, first and last seen, days active, worst severity, rules'
complete -c ls-history -n "__fish_ls_history_needs_command" -f -a "incidents" -d 'The incidents ls-correlate --state stored, in the order they began, each as its latest revision without the timeline (logsentry.incident.open: its window had not ended when the run stopped)'
complete -c ls-history -n "__fish_ls_history_needs_command" -f -a "stats" -d 'Alerts per day (or hour) and severity, oldest first'
complete -c ls-history -n "__fish_ls_history_needs_command" -f -a "prune" -d 'Delete stored alerts and closed incidents older than a duration, or the oldest until the file is within a size'
complete -c ls-history -n "__fish_ls_history_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ls-history -n "__fish_ls_history_using_subcommand alerts" -l state -d 'The state file to read (as given to the stages\' --state)' -r -F
complete -c ls-history -n "__fish_ls_history_using_subcommand alerts" -l since -d 'Only alerts at or after this: a duration back from now (7d, 12h), a date (2026-03-14) or an RFC 3339 time' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand alerts" -l until -d 'Only alerts before this: a duration back from now, a date or an RFC 3339 time' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand alerts" -l severity -d 'Only alerts at least this severe' -r -f -a "low\t'Every alert'
medium\t'MEDIUM and worse'
high\t'HIGH and CRITICAL'
critical\t'CRITICAL only'"
complete -c ls-history -n "__fish_ls_history_using_subcommand alerts" -l rule -d 'Only alerts of this rule (its id, as ls-detect --list-rules prints it)' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand alerts" -l source -d 'Only alerts from this source address' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand alerts" -l user -d 'Only alerts concerning this account' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand alerts" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ls-history -n "__fish_ls_history_using_subcommand sources" -l state -d 'The state file to read (as given to the stages\' --state)' -r -F
complete -c ls-history -n "__fish_ls_history_using_subcommand sources" -l since -d 'Only alerts at or after this: a duration back from now (7d, 12h), a date (2026-03-14) or an RFC 3339 time' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand sources" -l until -d 'Only alerts before this: a duration back from now, a date or an RFC 3339 time' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand sources" -l severity -d 'Only alerts at least this severe' -r -f -a "low\t'Every alert'
medium\t'MEDIUM and worse'
high\t'HIGH and CRITICAL'
critical\t'CRITICAL only'"
complete -c ls-history -n "__fish_ls_history_using_subcommand sources" -l rule -d 'Only alerts of this rule (its id, as ls-detect --list-rules prints it)' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand sources" -l source -d 'Only alerts from this source address' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand sources" -l user -d 'Only alerts concerning this account' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand sources" -l top -d 'How many sources to list' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand sources" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ls-history -n "__fish_ls_history_using_subcommand incidents" -l state -d 'The state file to read (as given to the stages\' --state)' -r -F
complete -c ls-history -n "__fish_ls_history_using_subcommand incidents" -l since -d 'Only alerts at or after this: a duration back from now (7d, 12h), a date (2026-03-14) or an RFC 3339 time' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand incidents" -l until -d 'Only alerts before this: a duration back from now, a date or an RFC 3339 time' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand incidents" -l severity -d 'Only alerts at least this severe' -r -f -a "low\t'Every alert'
medium\t'MEDIUM and worse'
high\t'HIGH and CRITICAL'
critical\t'CRITICAL only'"
complete -c ls-history -n "__fish_ls_history_using_subcommand incidents" -l rule -d 'Only alerts of this rule (its id, as ls-detect --list-rules prints it)' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand incidents" -l source -d 'Only alerts from this source address' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand incidents" -l user -d 'Only alerts concerning this account' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand incidents" -l open -d 'Only the incidents still open'
complete -c ls-history -n "__fish_ls_history_using_subcommand incidents" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ls-history -n "__fish_ls_history_using_subcommand stats" -l state -d 'The state file to read (as given to the stages\' --state)' -r -F
complete -c ls-history -n "__fish_ls_history_using_subcommand stats" -l since -d 'Only alerts at or after this: a duration back from now (7d, 12h), a date (2026-03-14) or an RFC 3339 time' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand stats" -l until -d 'Only alerts before this: a duration back from now, a date or an RFC 3339 time' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand stats" -l severity -d 'Only alerts at least this severe' -r -f -a "low\t'Every alert'
medium\t'MEDIUM and worse'
high\t'HIGH and CRITICAL'
critical\t'CRITICAL only'"
complete -c ls-history -n "__fish_ls_history_using_subcommand stats" -l rule -d 'Only alerts of this rule (its id, as ls-detect --list-rules prints it)' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand stats" -l source -d 'Only alerts from this source address' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand stats" -l user -d 'Only alerts concerning this account' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand stats" -l by -d 'The period each record counts' -r -f -a "day\t'Per UTC day'
hour\t'Per UTC hour'"
complete -c ls-history -n "__fish_ls_history_using_subcommand stats" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ls-history -n "__fish_ls_history_using_subcommand prune" -l state -d 'The state file to prune' -r -F
complete -c ls-history -n "__fish_ls_history_using_subcommand prune" -l older-than -d 'Delete what is older than this: seconds, or a number with s, m, h or d (90d)' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand prune" -l max-size -d 'Then delete the oldest alerts and closed incidents until the file holds at most this much (bytes, or a number with K, M or G: 500M), and give the space back' -r
complete -c ls-history -n "__fish_ls_history_using_subcommand prune" -s h -l help -d 'Print help'
complete -c ls-history -n "__fish_ls_history_using_subcommand help; and not __fish_seen_subcommand_from alerts sources incidents stats prune help" -f -a "alerts" -d 'The stored alerts that pass the filters, oldest first, each as it was written'
complete -c ls-history -n "__fish_ls_history_using_subcommand help; and not __fish_seen_subcommand_from alerts sources incidents stats prune help" -f -a "sources" -d 'The sources of those alerts, most alerts first: count, first and last seen, days active, worst severity, rules'
complete -c ls-history -n "__fish_ls_history_using_subcommand help; and not __fish_seen_subcommand_from alerts sources incidents stats prune help" -f -a "incidents" -d 'The incidents ls-correlate --state stored, in the order they began, each as its latest revision without the timeline (logsentry.incident.open: its window had not ended when the run stopped)'
complete -c ls-history -n "__fish_ls_history_using_subcommand help; and not __fish_seen_subcommand_from alerts sources incidents stats prune help" -f -a "stats" -d 'Alerts per day (or hour) and severity, oldest first'
complete -c ls-history -n "__fish_ls_history_using_subcommand help; and not __fish_seen_subcommand_from alerts sources incidents stats prune help" -f -a "prune" -d 'Delete stored alerts and closed incidents older than a duration, or the oldest until the file is within a size'
complete -c ls-history -n "__fish_ls_history_using_subcommand help; and not __fish_seen_subcommand_from alerts sources incidents stats prune help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
