complete -c logsentry -l rejects -d 'Write every line that could not be used (rejected by the parser, or not a usable record), verbatim, to FILE' -r -F
complete -c logsentry -s o -l output -d 'Write the report to FILE, which must not exist; its extension (.html, .md, .csv, .json) sets the format unless --format does (another extension needs --format)' -r -F
complete -c logsentry -l out-dir -d 'Write a new report into DIR (made if missing), named logsentry_report_YYYYMMDD_HHMMSS.EXT by the local time' -r -F
complete -c logsentry -l format -d 'The report\'s format [default: from the -o file\'s extension; html on standard output and with --out-dir]' -r -f -a "html\t'One self-contained HTML page'
md\t'Markdown, for tickets and chat'
csv\t'One row per alert'
json\t'The report\'s data model'"
complete -c logsentry -l template -d 'A Tera template of your own for an HTML or Markdown report; it sees the data of --format json as `report`, and is escaped as HTML when its name ends in .html' -r -F
complete -c logsentry -l title -d 'The report\'s title' -r
complete -c logsentry -l tz -d 'Time zone of log timestamps that carry none (syslog) and of work hours for the off-hours rules: an IANA name (Europe/Berlin), UTC, an offset (+02:00) or `local` [default: the --config file\'s `tz`, else local]' -r
complete -c logsentry -l config -d 'Detection settings (thresholds, work hours, allow lists), as for ls-detect --config' -r -F
complete -c logsentry -l geoip -d 'Add source.geo.* from this city or country database (MaxMind DB format), as for ls-enrich --geoip' -r -F
complete -c logsentry -l geoip-asn -d 'Add source.as.* from this ASN database (MaxMind DB format), as for ls-enrich --geoip-asn' -r -F
complete -c logsentry -l state -d 'Keep state in this SQLite file (created if missing), as ls-detect, ls-correlate and ls-report --state do: alerts and incidents are stored, the rules\' windows and the open groups go on in the next run (which skips the events this one counted: a daily run over the same growing logs reports what is new), incidents carry their attacker\'s history, and the report has Trends. See logsentry-state(5)' -r -F
complete -c logsentry -l color -d 'Colour in the summary' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is unset'
always\t'Always'
never\t'Never'"
complete -c logsentry -l follow-symlinks -d 'Walk symbolic links to directories found below a directory operand (each directory and file is still read once); by default they are skipped and named on stderr. With ls-parse --follow, also read a followed link that now leads to another file (by default it is named on stderr and not read: a swapped link may point at /etc/shadow)'
complete -c logsentry -s q -l quiet -d 'Print no summary line (and no progress line) at exit; warnings and errors still go to stderr'
complete -c logsentry -l open -d 'Open the report when it is written (xdg-open, or open on macOS)'
complete -c logsentry -s h -l help -d 'Print help (see more with \'--help\')'
complete -c logsentry -s V -l version -d 'Print version'
