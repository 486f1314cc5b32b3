complete -c ls-correlate -l rejects -d 'Write every line that could not be used (rejected by the parser, or not a usable record), verbatim, to FILE' -r -F
complete -c ls-correlate -l by -d 'What alerts are grouped by: the attacker\'s address (source.ip), the account (user.name) or the machine (host.hostname, else host.name)' -r -f -a "ip\t'source.ip: one attacker\'s address'
user\t'user.name: one account, attacked from anywhere'
host\t'host.hostname (else host.name): one machine'"
complete -c ls-correlate -l min-types -d 'Different kinds of attack a group needs to be an incident: ATT&CK techniques, a sub-technique counted as its parent (the rule, for an alert that names none)' -r
complete -c ls-correlate -l window -d 'Event time without an alert after which a group closes (seconds, or 10m, 1h, 1d); a later alert starts a new incident' -r
complete -c ls-correlate -l state -d 'Keep state in this SQLite file (created if missing; the stages of one pipeline may share it): every incident is stored there, the open groups are saved and taken back by the next run, and a new incident carries what the file knows of its attacker (logsentry.history.*). See logsentry-state(5)' -r -F
complete -c ls-correlate -l save-every -d 'With --state: save the open groups every SECONDS while reading, besides at the end (a run killed outright goes on from its last save)' -r
complete -c ls-correlate -l follow-symlinks -d 'Walk symbolic links to directories found below a directory operand (each directory and file is still read once); by default they are skipped and named on stderr. With ls-parse --follow, also read a followed link that now leads to another file (by default it is named on stderr and not read: a swapped link may point at /etc/shadow)'
complete -c ls-correlate -s q -l quiet -d 'Print no summary line (and no progress line) at exit; warnings and errors still go to stderr'
complete -c ls-correlate -l final -d 'Write each incident once, its last revision, when it closes or the input ends (the batch view), instead of every revision as it grows'
complete -c ls-correlate -l incidents-only -d 'Write only incidents: not the alerts (nor other records) read'
complete -c ls-correlate -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ls-correlate -s V -l version -d 'Print version'
