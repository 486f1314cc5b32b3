complete -c ls-detect -l rejects -d 'Write every line that could not be used (rejected by the parser, or not a usable record), verbatim, to FILE' -r -F
complete -c ls-detect -l config -d 'Read settings from a TOML file: its keys are these flags\' names (brute-force-threshold = 5, window = "10m", only = ["brute-force"], ...); a flag given here wins over the file' -r -F
complete -c ls-detect -l state -d 'Keep state in this SQLite file (created if missing; the stages of one pipeline may share it): every alert written is also stored there, for ls-history, and the rules\' windows are saved and restored by the next run. See logsentry-state(5)' -r -F
complete -c ls-detect -l save-every -d 'With --state: save the windows every SECONDS while reading, besides at the end (a run killed outright goes on from its last save)' -r
complete -c ls-detect -l only -d 'Run only these rules (comma-separated ids, see --list-rules)' -r
complete -c ls-detect -l skip -d 'Do not run these rules (comma-separated ids, see --list-rules)' -r
complete -c ls-detect -l window -d 'The counting window, and how long the same alert stays quiet (seconds, or 10m, 1h, 1d) [default: 10m]' -r
complete -c ls-detect -l ipv6-prefix -d 'IPv6 sources are counted per network of this prefix length (128: per address) [default: 64]' -r
complete -c ls-detect -l max-tracked-keys -d 'Keys (sources, accounts) each rule keeps state for at most; when full, the quietest are forgotten first and counted in the summary [default: 100000]' -r
complete -c ls-detect -l brute-force-threshold -d 'Failed or invalid-user logins from one source within the window that make a brute force [default: 5]' -r
complete -c ls-detect -l slow-brute-force-threshold -d 'Failed or invalid-user logins from one source within the slow window that make a slow brute force [default: 10]' -r
complete -c ls-detect -l slow-brute-force-window -d 'The window a slow brute force is counted in (seconds, or 10m, 1h, 1d) [default: 24h]' -r
complete -c ls-detect -l compromise-window -d 'How long after a brute force a success from the same source is a compromise [default: 24h]' -r
complete -c ls-detect -l stuffing-threshold -d 'Distinct usernames tried from one source within the window that make credential stuffing [default: 3]' -r
complete -c ls-detect -l account-brute-force-threshold -d 'Failed or invalid-user logins for one account on one host, with no source address, within the window [default: 5]' -r
complete -c ls-detect -l distributed-threshold -d 'Distinct sources one existing account is refused to within the distributed window [default: 10]' -r
complete -c ls-detect -l distributed-window -d 'The window a distributed brute force is counted in (seconds, or 10m, 1h, 1d) [default: 1h]' -r
complete -c ls-detect -l preauth-threshold -d 'SSH connections from one source within the window that fail before a login is tried [default: 4]' -r
complete -c ls-detect -l scan-threshold -d 'Responses with status 404 to one source within the window that make a vulnerability scan [default: 10]' -r
complete -c ls-detect -l http-brute-force-threshold -d 'HTTP login attempts (401s, POSTs to a login page) from one source within the window that make a brute force [default: 5]' -r
complete -c ls-detect -l repeat-offender-days -d 'Separate days (UTC) with brute-force, scanning or web-attack alerts from one source, within the lookback, that make a repeat offender [default: 3]' -r
complete -c ls-detect -l repeat-offender-window -d 'The lookback the repeat offender\'s days are counted in, and how long its alert stays quiet (seconds, or 10m, 1h, 30d) [default: 30d]' -r
complete -c ls-detect -l tz -d 'Zone of the work hours: an IANA name (Europe/Berlin), UTC, an offset (+02:00), or local [default: local]' -r
complete -c ls-detect -l work-hours -d 'Work hours for the off-hours rule, HH:MM-HH:MM (an end before the start is a night shift) [default: 08:00-18:00]' -r
complete -c ls-detect -l weekend -d 'The days of the weekend for the weekend rule (comma-separated: sat,sun; none for no weekend) [default: sat,sun]' -r
complete -c ls-detect -l allow-user -d 'Users whose logins at any hour are expected (repeatable, or comma-separated; added to the config file\'s)' -r
complete -c ls-detect -l allow-source -d 'Sources whose logins at any hour are expected: addresses or networks like 10.0.0.0/8 (repeatable, or comma-separated; added to the config file\'s)' -r
complete -c ls-detect -l privileged-group -d 'Groups whose new members are reported (comma-separated; default: sudo, wheel, adm, admin, root, administrators, domain admins, enterprise admins, schema admins, dnsadmins, backup operators, account operators, server operators, print operators, group policy creator owners)' -r
complete -c ls-detect -l follow-symlinks -d 'Walk symbolic links to directories found below a directory operand (each directory and file is still read once); by default they are skipped and named on stderr. With ls-parse --follow, also read a followed link that now leads to another file (by default it is named on stderr and not read: a swapped link may point at /etc/shadow)'
complete -c ls-detect -s q -l quiet -d 'Print no summary line (and no progress line) at exit; warnings and errors still go to stderr'
complete -c ls-detect -l list-rules -d 'Print every rule (id, severity, technique, thresholds, description) and exit'
complete -c ls-detect -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ls-detect -s V -l version -d 'Print version'
