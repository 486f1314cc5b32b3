//! The `ls-enrich` runner: flags → the ATT&CK table, the read loop over NDJSON inputs, the
//! summary and the exit code.

use super::records::{each_record_of, output_failed, records_exit, Stage, StageInput};
use super::{Exit, StartError};
use crate::attack::{stix, AttackTable};
use crate::cli::enrich::EnrichArgs;
use crate::enrich::abuseipdb::{cache, AbuseConfig, ClientError, Lookups};
use crate::enrich::geoip::GeoIp;
use crate::enrich::reputation::ReputationQueue;
use crate::enrich::{Enricher, Outcome};
use crate::output::NdjsonWriter;

use std::time::Duration;

const PROGRAM: &str = "ls-enrich";

/// A validated `ls-enrich` command line.
pub struct EnrichRun {
    /// The ATT&CK table to read from.
    pub attack: AttackTable,
    /// AbuseIPDB lookups, when asked for.
    pub abuseipdb: Option<AbuseConfig>,
    /// GeoIP databases, when given.
    pub geoip: Option<GeoIp>,
    /// Inputs, rejects file, `-q`.
    pub input: StageInput,
}

/// The key, from the environment; never shown.
const KEY_VARIABLE: &str = "ABUSEIPDB_API_KEY";

impl EnrichRun {
    /// Checks the flags and reads the ATT&CK bundle they name.
    pub fn from_args(args: EnrichArgs) -> Result<Self, StartError> {
        let attack = match &args.attack_stix {
            None => AttackTable::embedded(),
            Some(path) => std::fs::File::open(path)
                .map_err(stix::StixError::from)
                .and_then(stix::read_bundle)
                .map_err(|error| StartError::data(format_args!("--attack-stix {}", path.display()), error))?,
        };
        let abuseipdb = if args.abuseipdb {
            let key = std::env::var(KEY_VARIABLE).ok().filter(|key| !key.trim().is_empty());
            if key.is_none() && !args.offline {
                return Err(StartError::Usage(format!(
                    "--abuseipdb needs an API key in {KEY_VARIABLE} (or --offline to use the cache only)"
                )));
            }
            let seconds = |value: i64| Duration::from_secs(u64::try_from(value).unwrap_or(0));
            if args.abuseipdb_timeout <= 0 {
                return Err(StartError::Usage("--abuseipdb-timeout must be more than 0".to_owned()));
            }
            Some(AbuseConfig {
                url: args.abuseipdb_url,
                key: key.map(|key| key.trim().to_owned()),
                cache_path: args.abuseipdb_cache.or_else(cache::default_path),
                ttl_seconds: args.abuseipdb_ttl,
                daily_quota: args.abuseipdb_quota,
                timeout: seconds(args.abuseipdb_timeout),
                max_wait: seconds(args.abuseipdb_max_wait),
                workers: usize::try_from(args.abuseipdb_workers).unwrap_or(4),
                offline: args.offline,
            })
        } else {
            None
        };
        let geoip = GeoIp::from_flags(args.geoip.as_deref(), args.geoip_asn.as_deref())
            .map_err(|error| StartError::Data(error.to_string()))?;
        Ok(EnrichRun {
            attack,
            abuseipdb,
            geoip,
            input: StageInput::from_args(args.input),
        })
    }
}

impl From<ClientError> for StartError {
    fn from(error: ClientError) -> Self {
        match error {
            ClientError::Tls(_) | ClientError::NoThread(_) => StartError::Data(error.to_string()),
            ClientError::BadUrl { .. } => StartError::Usage(error.to_string()),
        }
    }
}

/// `ls-enrich`'s main.
pub fn main() -> std::process::ExitCode {
    super::stage_main(PROGRAM, EnrichRun::from_args, enrich)
}

#[derive(Default)]
struct Counts {
    enriched: u64,
    unknown_techniques: u64,
    unchanged: u64,
}

/// ATT&CK context, then (when asked) reputation, for each record.
struct EnrichStage {
    enricher: Enricher,
    reputation: Option<ReputationQueue>,
    counts: Counts,
    scratch: Vec<u8>,
}

/// A line that is not JSON: ls-enrich writes it out unchanged, and says so.
#[derive(Debug, thiserror::Error)]
#[error("not a JSON record (written out unchanged)")]
struct NotJson;

impl Stage for EnrichStage {
    type Unusable = NotJson;

    fn record(&mut self, line: &str, out: &mut Vec<u8>) -> Result<(), NotJson> {
        let Some(reputation) = &mut self.reputation else {
            let outcome = self.enricher.process(line, out);
            return self.counted(outcome);
        };
        // A record may wait for its lookup: it is kept whole until it is written.
        self.scratch.clear();
        let outcome = self.enricher.process(line, &mut self.scratch);
        let record = String::from_utf8_lossy(self.scratch.strip_suffix(b"\n").unwrap_or(&self.scratch)).into_owned();
        reputation.push(record, out);
        self.counted(outcome)
    }

    fn before_read(&mut self, out: &mut Vec<u8>) {
        if let Some(reputation) = &mut self.reputation {
            reputation.drain(out);
        }
    }
}

impl EnrichStage {
    fn counted(&mut self, outcome: Outcome) -> Result<(), NotJson> {
        match outcome {
            Outcome::Enriched { unknown } => {
                self.counts.enriched += 1;
                self.counts.unknown_techniques += unknown as u64;
                Ok(())
            }
            Outcome::Unchanged => {
                self.counts.unchanged += 1;
                Ok(())
            }
            // Written out all the same; the loop reports it and the exit status says so.
            Outcome::NotJson => Err(NotJson),
        }
    }
}

/// Runs enrichment over the inputs, writing to stdout.
pub fn enrich(run: EnrichRun) -> Exit {
    let version = run.attack.version.clone();
    let reputation = match &run.abuseipdb {
        None => None,
        Some(config) => match Lookups::start(PROGRAM, config) {
            Ok(lookups) => Some(ReputationQueue::new(lookups)),
            Err(error) => return StartError::from(error).report(PROGRAM),
        },
    };
    let geoip_description = run.geoip.as_ref().map(|geoip| geoip.description.clone());
    let mut stage = EnrichStage {
        enricher: Enricher::new(run.attack).with_geoip(run.geoip),
        reputation,
        counts: Counts::default(),
        scratch: Vec::new(),
    };
    let mut out = NdjsonWriter::stdout();
    let mut diagnostics = match run.input.diagnostics(PROGRAM) {
        Ok(diagnostics) => diagnostics,
        Err(exit) => return exit,
    };
    let looped = each_record_of(&run.input.inputs, &mut out, &mut diagnostics, &mut stage);
    let reputation_summary = stage.reputation.as_mut().map(|reputation| {
        reputation.finish(out.buffer());
        let (records, lookups) = reputation.counts();
        format!(
            "; AbuseIPDB: {} records with a reputation, {} with a note; {} requests, {} cached answers, {} failed, {} not asked",
            records.found, records.noted, lookups.requests, lookups.cached, lookups.failed, lookups.not_asked
        )
    });
    if let Err(exit) = looped {
        return exit;
    }
    if let Err(error) = out.flush() {
        return output_failed(&diagnostics, &error);
    }
    let counts = &stage.counts;
    let geoip_summary = geoip_description
        .map(|description| format!("; {} records located with {description}", stage.enricher.located()))
        .unwrap_or_default();
    let read = &diagnostics.counts;
    diagnostics.summary_line(&format!(
        "{} records, {} enriched with ATT&CK {version}{}, {} unchanged, {} not JSON{}{geoip_summary}{}",
        read.lines,
        counts.enriched,
        if counts.unknown_techniques > 0 {
            format!(" ({} unknown technique ids)", counts.unknown_techniques)
        } else {
            String::new()
        },
        counts.unchanged,
        read.malformed,
        read.unreadable_note(),
        reputation_summary.unwrap_or_default()
    ));
    records_exit(&diagnostics)
}
