//! `ls-enrich`: any NDJSON records in, the same records with context out.

use clap::Parser;
use std::path::PathBuf;

/// Add context to LogSentry records.
#[derive(Debug, Parser)]
#[command(
    name = "ls-enrich",
    version,
    about = "Add context to LogSentry records: MITRE ATT&CK names, tactics and pages",
    long_about = "Add context to LogSentry records (events, alerts, incidents, anything NDJSON): \
for every record with a threat.technique.id, the ATT&CK technique's name and page, its tactics \
with their ids and pages, and logsentry.attack (the data's release, each technique's tactics, \
whether it was revoked and what replaced it). Fields the record already has are never changed or \
removed; no record is dropped or created; records with nothing to add are written exactly as \
read. The ATT&CK table is built in (MITRE ATT&CK Enterprise, see logsentry.attack.version); \
--attack-stix reads a newer release from MITRE's STIX bundle instead.",
    after_help = "Examples:\n  ls-parse auto logs/ | ls-detect | ls-enrich | jq .threat\n  \
ls-detect events.ndjson | ls-enrich --attack-stix enterprise-attack.json | ls-correlate\n\nExit \
status: 0 on success, 1 if an input could not be read or a line was not JSON (it is written out \
all the same), 2 on usage errors (an unreadable --attack-stix file among them)."
)]
pub struct EnrichArgs {
    /// Input files of NDJSON records; none or `-` reads standard input
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Read ATT&CK from this STIX 2 bundle (MITRE's enterprise-attack.json, plain or gzipped)
    /// instead of the built-in table
    #[arg(long, value_name = "FILE")]
    pub attack_stix: Option<PathBuf>,

    /// No summary on stderr
    #[arg(short, long)]
    pub quiet: bool,
}
