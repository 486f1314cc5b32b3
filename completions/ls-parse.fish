complete -c ls-parse -l rejects -d 'Write every line that could not be used (rejected by the parser, or not a usable record), verbatim, to FILE' -r -F
complete -c ls-parse -l state -d 'With --follow: remember in this SQLite state file where each file was read to, and go on from there next time, finishing a file rotated meanwhile first (created if missing; see logsentry-state(5))' -r -F
complete -c ls-parse -l sleep-interval -d 'With --follow: the longest wait, in seconds, between checks for new data (a change in a followed file\'s folder wakes it sooner)' -r
complete -c ls-parse -l year -d 'Year for syslog timestamps that have none (default: the latest year that does not put the event after the file\'s modification time, or after now for stdin)' -r
complete -c ls-parse -l tz -d 'Time zone for timestamps without an offset: an IANA name (Europe/Berlin), UTC, an offset (+02:00) or `local`' -r
complete -c ls-parse -l kind -d 'For a format with several kinds of log (mysql: error, general, slow): which one the inputs are (default: sniffed from each input\'s first record)' -r -f -a "error\t'The error log: start-up, shutdown, crashes, refused logins'
general\t'The general query log: connections and every statement'
slow\t'The slow query log'"
complete -c ls-parse -l threads -d 'Threads that decode a Windows .evtx file, and as many that map its records to events (with one, the reader maps); 0 means one per CPU. Records are written in file order whatever the number' -r
complete -c ls-parse -l max-line-bytes -d 'Lines longer than this many bytes are rejected (their start goes to --rejects)' -r
complete -c ls-parse -l follow-symlinks -d 'Walk symbolic links to directories found below a directory operand (each directory and file is still read once); by default they are skipped and named on stderr. With ls-parse --follow, also read a followed link that now leads to another file (by default it is named on stderr and not read: a swapped link may point at /etc/shadow)'
complete -c ls-parse -s q -l quiet -d 'Print no summary line (and no progress line) at exit; warnings and errors still go to stderr'
complete -c ls-parse -s F -l follow -d 'Keep reading as the files grow, across rename-and-create and copytruncate rotation (like `tail -F`); a file that does not exist yet is waited for. Ctrl-C or SIGTERM stops, printing the summary; a second one stops at once'
complete -c ls-parse -l from-end -d 'With --follow: start at the current end of each file instead of reading it whole'
complete -c ls-parse -l raw -d 'Keep each raw line in `event.original`'
complete -c ls-parse -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ls-parse -s V -l version -d 'Print version'
