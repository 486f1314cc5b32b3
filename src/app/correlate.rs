//! The `ls-correlate` runner: flags → [`CorrelateConfig`], the read loop over NDJSON inputs,
//! the summary and the exit code.

use super::records::{each_record_of, output_failed, records_exit, Skipped, Stage, StageInput};
use super::{Exit, StartError};
use crate::cli::correlate::{CorrelateArgs, GroupByArg};
use crate::correlate::{CorrelateConfig, Correlator, GroupBy, Malformed, Outcome, MAX_OPEN_BYTES, MAX_OPEN_GROUPS};
use crate::output::NdjsonWriter;
use crate::schema::Declined;

const PROGRAM: &str = "ls-correlate";

/// A validated `ls-correlate` command line.
pub struct CorrelateRun {
    /// Grouping and output settings.
    pub config: CorrelateConfig,
    /// Inputs, rejects file, `-q`.
    pub input: StageInput,
}

impl CorrelateRun {
    /// Checks the flags.
    pub fn from_args(args: CorrelateArgs) -> Result<Self, StartError> {
        Ok(CorrelateRun {
            config: CorrelateConfig {
                by: match args.by {
                    GroupByArg::Ip => GroupBy::SourceIp,
                    GroupByArg::User => GroupBy::User,
                    GroupByArg::Host => GroupBy::Host,
                },
                min_types: usize::try_from(args.min_types).unwrap_or(usize::MAX),
                window_seconds: args.window,
                final_only: args.final_only,
                incidents_only: args.incidents_only,
            },
            input: StageInput::from_args(args.input),
        })
    }
}

/// `ls-correlate`'s main.
pub fn main() -> std::process::ExitCode {
    super::stage_main(PROGRAM, CorrelateRun::from_args, |run| correlate(&run))
}

#[derive(Default)]
struct Counts {
    alerts: u64,
    ungrouped: u64,
    /// Alerts passed through ungrouped for want of a valid `@timestamp`.
    untimed: u64,
    incident_records: u64,
    other: u64,
}

/// The read loop's view of the correlator: each record in, what it yields out, counted.
struct CorrelateStage<'c> {
    correlator: &'c mut Correlator,
    counts: &'c mut Counts,
}

impl Stage for CorrelateStage<'_> {
    type Unusable = Skipped<Malformed>;

    fn record(&mut self, line: &str, out: &mut Vec<u8>) -> Result<(), Self::Unusable> {
        let counts = &mut *self.counts;
        match self.correlator.process(line, out).map_err(Skipped)? {
            Outcome::Alert { grouped, incidents } => {
                counts.alerts += 1;
                counts.ungrouped += u64::from(!grouped);
                counts.incident_records += incidents as u64;
            }
            Outcome::Other => counts.other += 1,
            Outcome::Untimed => {
                counts.alerts += 1;
                counts.untimed += 1;
            }
        }
        Ok(())
    }

    fn take_declined(&mut self) -> Declined {
        self.correlator.take_declined()
    }
}

/// Runs correlation over the inputs, writing to stdout.
pub fn correlate(run: &CorrelateRun) -> Exit {
    let mut out = NdjsonWriter::stdout();
    let mut correlator = Correlator::new(run.config.clone());
    let mut counts = Counts::default();
    let mut diagnostics = match run.input.diagnostics(PROGRAM) {
        Ok(diagnostics) => diagnostics,
        Err(exit) => return exit,
    };
    let mut stage = CorrelateStage {
        correlator: &mut correlator,
        counts: &mut counts,
    };
    let looped = each_record_of(&run.input.inputs, &mut out, &mut diagnostics, &mut stage);
    if let Err(exit) = looped {
        return exit;
    }
    counts.incident_records += correlator.finish(out.buffer()) as u64;
    if let Err(error) = out.flush() {
        return output_failed(&diagnostics, &error);
    }
    let read = &diagnostics.counts;
    diagnostics.summary_line(&format!(
        "{} records, {} alerts ({} without {}{}), {} incident records, {} other records, {} malformed{}{}",
        read.lines,
        counts.alerts,
        counts.ungrouped,
        run.config.by.field(),
        if counts.untimed > 0 {
            format!(", {} without a valid @timestamp", counts.untimed)
        } else {
            String::new()
        },
        counts.incident_records,
        counts.other,
        read.malformed,
        read.mistyped_note(),
        read.unreadable_note()
    ));
    if correlator.crowded_out() > 0 {
        diagnostics.warn(&format!(
            "warning: more than {MAX_OPEN_GROUPS} groups, or {} MiB of them, were open at once: the {} quietest closed before their window ended",
            MAX_OPEN_BYTES >> 20,
            correlator.crowded_out()
        ));
    }
    records_exit(&diagnostics)
}
