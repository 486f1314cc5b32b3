complete -c ls-report -l rejects -d 'Write every line that could not be used (rejected by the parser, or not a usable record), verbatim, to FILE' -r -F
complete -c ls-report -s o -l output -d 'Write the report to FILE, which must not exist; its extension (.html, .md, .csv, .json) sets the format unless --format does (another extension needs --format)' -r -F
complete -c ls-report -l out-dir -d 'Write a new report into DIR (made if missing), named logsentry_report_YYYYMMDD_HHMMSS.EXT by the local time' -r -F
complete -c ls-report -l format -d 'The report\'s format [default: from the -o file\'s extension; html on standard output and with --out-dir]' -r -f -a "html\t'One self-contained HTML page'
md\t'Markdown, for tickets and chat'
csv\t'One row per alert'
json\t'The report\'s data model'"
complete -c ls-report -l template -d 'A Tera template of your own for an HTML or Markdown report; it sees the data of --format json as `report`, and is escaped as HTML when its name ends in .html' -r -F
complete -c ls-report -l title -d 'The report\'s title' -r
complete -c ls-report -l state -d 'Add a Trends section from this state file (see logsentry-state(5)): alerts per day by severity over the 30 days up to the newest stored alert, new and returning attackers, and the top techniques of that week against the week before' -r -F
complete -c ls-report -l follow-symlinks -d 'Walk symbolic links to directories found below a directory operand (each directory and file is still read once); by default they are skipped and named on stderr. With ls-parse --follow, also read a followed link that now leads to another file (by default it is named on stderr and not read: a swapped link may point at /etc/shadow)'
complete -c ls-report -s q -l quiet -d 'Print no summary line (and no progress line) at exit; warnings and errors still go to stderr'
complete -c ls-report -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ls-report -s V -l version -d 'Print version'
