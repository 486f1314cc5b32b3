complete -c ls-enrich -l attack-stix -d 'Read ATT&CK from this STIX 2 bundle (MITRE\'s enterprise-attack.json, plain or gzipped) instead of the built-in table' -r -F
complete -c ls-enrich -s q -l quiet -d 'No summary on stderr'
complete -c ls-enrich -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ls-enrich -s V -l version -d 'Print version'
