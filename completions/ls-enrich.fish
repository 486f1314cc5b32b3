complete -c ls-enrich -l rejects -d 'Write every line that could not be used (rejected by the parser, or not a usable record), verbatim, to FILE' -r -F
complete -c ls-enrich -l attack-stix -d 'Read ATT&CK from this STIX 2 bundle (MITRE\'s enterprise-attack.json, plain or gzipped) instead of the built-in table' -r -F
complete -c ls-enrich -l abuseipdb-url -d 'The AbuseIPDB check endpoint (for a proxy or a test server)' -r
complete -c ls-enrich -l abuseipdb-cache -d 'The AbuseIPDB cache file [default: $XDG_CACHE_HOME/logsentry/abuseipdb.json, else ~/.cache/logsentry/abuseipdb.json]' -r -F
complete -c ls-enrich -l abuseipdb-ttl -d 'How long a cached answer is used (seconds, or 30m, 24h, 7d)' -r
complete -c ls-enrich -l abuseipdb-quota -d 'AbuseIPDB requests per UTC day at most (the free plan allows 1000)' -r
complete -c ls-enrich -l abuseipdb-timeout -d 'How long one lookup may take (seconds, or 1m)' -r
complete -c ls-enrich -l abuseipdb-max-wait -d 'The longest Retry-After of a 429 answer that is waited out; a longer one stops the lookups for the run' -r
complete -c ls-enrich -l abuseipdb-workers -d 'Lookups under way at once' -r
complete -c ls-enrich -l geoip -d 'Add source.geo.* (country, region, city, location, time zone) from this city or country database in the MaxMind DB format (GeoIP2, GeoLite2, DB-IP)' -r -F
complete -c ls-enrich -l geoip-asn -d 'Add source.as.* (number, organisation) from this ASN database in the MaxMind DB format' -r -F
complete -c ls-enrich -l follow-symlinks -d 'Walk symbolic links to directories found below a directory operand (each directory and file is still read once); by default they are skipped and named on stderr. With ls-parse --follow, also read a followed link that now leads to another file (by default it is named on stderr and not read: a swapped link may point at /etc/shadow)'
complete -c ls-enrich -s q -l quiet -d 'Print no summary line (and no progress line) at exit; warnings and errors still go to stderr'
complete -c ls-enrich -l abuseipdb -d 'Add AbuseIPDB reputation to records with a public source.ip (the API key is read from ABUSEIPDB_API_KEY)'
complete -c ls-enrich -l offline -d 'Use no network: AbuseIPDB answers come from the cache only'
complete -c ls-enrich -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ls-enrich -s V -l version -d 'Print version'
