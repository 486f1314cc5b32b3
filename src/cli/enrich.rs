//! `ls-enrich`: any NDJSON records in, the same records with context out.

use clap::Parser;
use std::path::PathBuf;

/// Add context to LogSentry records.
#[derive(Debug, Parser)]
#[command(
    name = "ls-enrich",
    version,
    about = "Add context to LogSentry records: MITRE ATT&CK names, tactics and pages, AbuseIPDB reputation",
    long_about = "Add context to LogSentry records (events, alerts, incidents, anything NDJSON): \
for every record with a threat.technique.id, the ATT&CK technique's name and page, its tactics \
with their ids and pages, and logsentry.attack (the data's release, each technique's tactics, \
whether it was revoked and what replaced it). Fields the record already has are never changed or \
removed; no record is dropped or created; records with nothing to add are written exactly as \
read. The ATT&CK table is built in (MITRE ATT&CK Enterprise, see logsentry.attack.version); \
--attack-stix reads a newer release from MITRE's STIX bundle instead.\n\nWith --abuseipdb, every \
record whose source.ip is a public address gets logsentry.abuseipdb: AbuseIPDB's abuse confidence \
score, its band (low 0-24, moderate 25-74, high 75-100), total reports, last report, country, ISP, \
usage type and domain. Each address is asked about once (GET /api/v2/check, reports of the last 90 \
days, the key from ABUSEIPDB_API_KEY), answers are kept in an on-disk cache for --abuseipdb-ttl, \
and at most --abuseipdb-quota requests are sent per UTC day (counted in the cache, across runs). \
Private, loopback, link-local, documentation and other non-public addresses are never sent. \
Lookups run concurrently (--abuseipdb-workers) and records come out in their input order. A \
failed lookup (timeout, network, refused key, rate limit, bad answer) puts a note in \
logsentry.abuseipdb.note and one warning per kind on stderr; no record is ever lost. The key never \
appears in output or messages. --offline forbids the network: the cache answers or the note says so.\n\nWith --geoip and \
--geoip-asn (MaxMind DB files: GeoIP2, GeoLite2, DB-IP), records with a source.ip get source.geo.* \
and source.as.* where they lack them.",
    after_help = "Examples:\n  ls-parse auto logs/ | ls-detect | ls-enrich | jq .threat\n  \
ls-detect events.ndjson | ls-enrich --attack-stix enterprise-attack.json | ls-correlate\n  \
export ABUSEIPDB_API_KEY=...\n  ls-parse auto logs/ | ls-detect | ls-enrich --abuseipdb | ls-correlate\n\nExit \
status: 0 on success, 1 if an input, the --attack-stix bundle or a --geoip database could not \
be read or a line was not JSON (it is written out all the same), 2 on usage errors."
)]
pub struct EnrichArgs {
    /// The inputs, `--rejects` and `-q`.
    #[command(flatten)]
    pub input: super::InputArgs,

    /// Read ATT&CK from this STIX 2 bundle (MITRE's enterprise-attack.json, plain or gzipped)
    /// instead of the built-in table
    #[arg(long, value_name = "FILE")]
    pub attack_stix: Option<PathBuf>,

    /// Add AbuseIPDB reputation to records with a public source.ip (the API key is read
    /// from ABUSEIPDB_API_KEY)
    #[arg(long)]
    pub abuseipdb: bool,

    /// The AbuseIPDB check endpoint (for a proxy or a test server)
    #[arg(long, value_name = "URL", default_value = crate::enrich::abuseipdb::client::DEFAULT_URL, requires = "abuseipdb")]
    pub abuseipdb_url: String,

    /// The AbuseIPDB cache file [default: $XDG_CACHE_HOME/logsentry/abuseipdb.json, else
    /// ~/.cache/logsentry/abuseipdb.json]
    #[arg(long, value_name = "FILE", requires = "abuseipdb")]
    pub abuseipdb_cache: Option<PathBuf>,

    /// How long a cached answer is used (seconds, or 30m, 24h, 7d)
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = super::duration, requires = "abuseipdb")]
    pub abuseipdb_ttl: i64,

    /// AbuseIPDB requests per UTC day at most (the free plan allows 1000)
    #[arg(long, value_name = "N", default_value_t = 1000, requires = "abuseipdb")]
    pub abuseipdb_quota: u32,

    /// How long one lookup may take (seconds, or 1m)
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = super::duration, requires = "abuseipdb")]
    pub abuseipdb_timeout: i64,

    /// The longest Retry-After of a 429 answer that is waited out; a longer one stops the
    /// lookups for the run
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = super::duration, requires = "abuseipdb")]
    pub abuseipdb_max_wait: i64,

    /// Lookups under way at once
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=32), requires = "abuseipdb")]
    pub abuseipdb_workers: u64,

    /// Add source.geo.* (country, region, city, location, time zone) from this city or
    /// country database in the MaxMind DB format (GeoIP2, GeoLite2, DB-IP)
    #[arg(long, value_name = "FILE.mmdb")]
    pub geoip: Option<PathBuf>,

    /// Add source.as.* (number, organisation) from this ASN database in the MaxMind DB format
    #[arg(long, value_name = "FILE.mmdb")]
    pub geoip_asn: Option<PathBuf>,

    /// Use no network: AbuseIPDB answers come from the cache only
    #[arg(long)]
    pub offline: bool,
}
