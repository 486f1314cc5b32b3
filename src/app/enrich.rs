//! The `ls-enrich` runner: flags → the ATT&CK table, the read loop over NDJSON inputs, the
//! summary and the exit code.

use super::records::{each_record, Handled, RecordCounts};
use super::{parse_args, usage_error, Exit};
use crate::cli::enrich::EnrichArgs;
use crate::enrich::attack::{stix, AttackTable};
use crate::enrich::{Enricher, Outcome};
use crate::ingest::{expand_inputs, InputSpec};
use crate::output::NdjsonWriter;
use std::io::{self, Write};

const PROGRAM: &str = "ls-enrich";

/// A validated `ls-enrich` command line.
pub struct EnrichRun {
    /// The ATT&CK table to read from.
    pub attack: AttackTable,
    /// Inputs in order.
    pub inputs: Vec<InputSpec>,
    /// No summary.
    pub quiet: bool,
}

impl EnrichRun {
    /// Checks the flags and reads the ATT&CK bundle they name.
    pub fn from_args(args: EnrichArgs) -> Result<Self, String> {
        let inputs = expand_inputs(&args.files, false).map_err(|error| error.to_string())?;
        let attack = match &args.attack_stix {
            None => AttackTable::embedded(),
            Some(path) => std::fs::File::open(path)
                .map_err(stix::StixError::from)
                .and_then(stix::read_bundle)
                .map_err(|error| format!("--attack-stix {}: {error}", path.display()))?,
        };
        Ok(EnrichRun {
            attack,
            inputs,
            quiet: args.quiet,
        })
    }
}

/// `ls-enrich`'s main.
pub fn main() -> std::process::ExitCode {
    let args = match parse_args::<EnrichArgs>(PROGRAM) {
        Ok(args) => args,
        Err(exit) => return exit.into(),
    };
    match EnrichRun::from_args(args) {
        Ok(run) => enrich(run).into(),
        Err(message) => {
            usage_error(PROGRAM, &format!("error: {message}"));
            Exit::Usage.into()
        }
    }
}

#[derive(Default)]
struct Counts {
    enriched: u64,
    unknown_techniques: u64,
    unchanged: u64,
}

/// Runs enrichment over the inputs, writing to stdout.
pub fn enrich(run: EnrichRun) -> Exit {
    let version = run.attack.version.clone();
    let mut enricher = Enricher::new(run.attack);
    let mut out = NdjsonWriter::stdout();
    let mut counts = Counts::default();
    let mut read = RecordCounts::default();
    let looped = each_record(PROGRAM, &run.inputs, &mut out, &mut read, |line, buffer| {
        match enricher.process(line, buffer) {
            Outcome::Enriched { unknown } => {
                counts.enriched += 1;
                counts.unknown_techniques += unknown as u64;
                // Alerts and incidents are what carry techniques: they are news.
                Ok(Handled::News)
            }
            Outcome::Unchanged => {
                counts.unchanged += 1;
                Ok(Handled::Quiet)
            }
            // Written out all the same; the loop reports it and the exit status says so.
            Outcome::NotJson => Err("not a JSON record (written out unchanged)".to_owned()),
        }
    });
    if let Err(exit) = looped {
        return exit;
    }
    if !run.quiet {
        let _ = writeln!(
            io::stderr().lock(),
            "{PROGRAM}: {} records, {} enriched with ATT&CK {version}{}, {} unchanged, {} not JSON{}",
            read.records,
            counts.enriched,
            if counts.unknown_techniques > 0 {
                format!(" ({} unknown technique ids)", counts.unknown_techniques)
            } else {
                String::new()
            },
            counts.unchanged,
            read.malformed,
            read.unreadable_note()
        );
    }
    read.exit()
}
