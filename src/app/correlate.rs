//! The `ls-correlate` runner: flags → [`CorrelateConfig`], the read loop over NDJSON inputs,
//! the summary and the exit code.

use super::records::{each_record_of, output_failed, records_exit, Skipped, Stage, StageInput};
use super::{Exit, StartError};
use crate::cli::correlate::{CorrelateArgs, GroupByArg};
use crate::correlate::{
    CorrelateConfig, Correlator, GroupBy, Malformed, Memory, Outcome, MAX_OPEN_BYTES, MAX_OPEN_GROUPS,
};
use crate::output::NdjsonWriter;
use crate::schema::{Declined, Incident, IncidentHistory};
use crate::state::{IncidentBook, SavedGroups, StateError, Store};
use crate::text::printable;
use crate::time::Timestamp;
use std::io::Write;
use std::time::{Duration, Instant};

const PROGRAM: &str = "ls-correlate";

/// A validated `ls-correlate` command line.
pub struct CorrelateRun {
    /// Grouping and output settings.
    pub config: CorrelateConfig,
    /// Inputs, rejects file, `-q`.
    pub input: StageInput,
    /// The state file, if any.
    pub state: Option<std::path::PathBuf>,
    /// With a state file: how often the open groups are saved while reading.
    pub save_every: Duration,
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
            state: args.state,
            save_every: super::save_every(args.save_every)?,
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

/// The state file as the correlator's memory (none without `--state`). When it fails, the
/// run says so once and goes on without it.
#[derive(Default)]
pub(super) struct StateMemory {
    /// Who says so.
    program: &'static str,
    book: Option<IncidentBook>,
    /// Incident records stored.
    pub(super) stored: u64,
    /// The state file failed mid-run (and was let go).
    pub(super) failed: bool,
}

impl StateMemory {
    /// No memory yet: [`resume`] gives it the state file; `program` says what befalls it.
    pub(super) fn new(program: &'static str) -> Self {
        StateMemory {
            program,
            ..StateMemory::default()
        }
    }

    fn fail(&mut self, error: &StateError) {
        self.book = None;
        self.failed = true;
        let _ = writeln!(
            std::io::stderr().lock(),
            "{}: error: state: {}: going on without it ({} incident records stored)",
            self.program,
            printable(&error.to_string()),
            self.stored
        );
    }

    /// Lets the state file go without a word: another writer said why.
    pub(super) fn let_go(&mut self) {
        self.book = None;
        self.failed = true;
    }

    /// Commits what was written so far.
    pub(super) fn commit(&mut self) {
        if let Some(Err(error)) = self.book.as_mut().map(IncidentBook::commit) {
            self.fail(&error);
        }
    }
}

impl Memory for StateMemory {
    fn recall(&mut self, by: GroupBy, key: &str, time: Timestamp) -> Option<IncidentHistory> {
        match self.book.as_ref()?.recall(by.field(), key, time.unix_seconds()) {
            Ok(history) => history,
            Err(error) => {
                self.fail(&error);
                None
            }
        }
    }

    fn written(&mut self, key: &str, incident: &Incident) {
        match self.book.as_mut().map(|book| book.written(key, incident)) {
            Some(Ok(())) => self.stored += 1,
            Some(Err(error)) => self.fail(&error),
            None => {}
        }
    }

    fn closed(&mut self, id: &str) {
        if let Some(Err(error)) = self.book.as_mut().map(|book| book.closed(id)) {
            self.fail(&error);
        }
    }
}

/// The read loop's view of the correlator: each record in, what it yields out, counted.
struct CorrelateStage<'c> {
    correlator: &'c mut Correlator<StateMemory>,
    counts: &'c mut Counts,
    save_every: Duration,
    saved: Instant,
}

impl CorrelateStage<'_> {
    /// Saves the open groups (and commits what was written with them).
    fn save(&mut self) {
        self.saved = Instant::now();
        save_groups(self.correlator);
    }
}

/// Saves `correlator`'s open groups in its state file, if it has one, and commits what was
/// written with them.
pub(super) fn save_groups(correlator: &mut Correlator<StateMemory>) {
    if correlator.memory_mut().book.is_none() {
        return;
    }
    let state = match correlator.save() {
        Ok(state) => state,
        Err(error) => {
            let _ = writeln!(
                std::io::stderr().lock(),
                "{}: warning: the open groups were not saved: {error}",
                correlator.memory_mut().program
            );
            return;
        }
    };
    let groups = SavedGroups {
        settings: correlator.config().fingerprint(),
        state,
    };
    let by = correlator.config().by;
    let memory = correlator.memory_mut();
    if let Some(Err(error)) = memory.book.as_mut().map(|book| book.save_groups(by.field(), &groups)) {
        memory.fail(&error);
    }
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

    fn after_flush(&mut self) {
        if self.saved.elapsed() >= self.save_every {
            self.save();
        } else {
            self.correlator.memory_mut().commit();
        }
    }
}

/// Opens the state file and takes back the groups the last run saved there (when they were
/// formed with this run's settings). Says how many.
pub(super) fn resume(
    path: &std::path::Path,
    config: &CorrelateConfig,
    correlator: &mut Correlator<StateMemory>,
) -> Result<usize, StateError> {
    let book = IncidentBook::new(Store::open(path)?);
    let saved = book.saved_groups(config.by.field())?;
    correlator.memory_mut().book = Some(book);
    let Some(saved) = saved else {
        return Ok(0);
    };
    let program = correlator.memory_mut().program;
    let place = path.display().to_string();
    let place = printable(&place);
    if saved.settings != config.fingerprint() {
        let _ = writeln!(
            std::io::stderr().lock(),
            "{program}: warning: {place}: the groups saved there were formed with other settings: grouping starts afresh"
        );
        return Ok(0);
    }
    match correlator.restore(&saved.state) {
        Ok(reopened) => Ok(reopened),
        Err(error) => {
            let _ = writeln!(
                std::io::stderr().lock(),
                "{program}: warning: {place}: {}: grouping starts afresh",
                printable(&error.to_string())
            );
            *correlator = Correlator::remembering(config.clone(), std::mem::take(correlator.memory_mut()));
            Ok(0)
        }
    }
}

/// Runs correlation over the inputs, writing to stdout.
pub fn correlate(run: &CorrelateRun) -> Exit {
    let mut out = NdjsonWriter::stdout();
    let mut correlator = Correlator::remembering(run.config.clone(), StateMemory::new(PROGRAM));
    let reopened = match run.state.as_deref() {
        Some(path) => match resume(path, &run.config, &mut correlator) {
            Ok(reopened) => reopened,
            Err(error) => return super::history::state_failed(PROGRAM, &error),
        },
        None => 0,
    };
    let mut counts = Counts::default();
    let mut diagnostics = match run.input.diagnostics(PROGRAM) {
        Ok(diagnostics) => diagnostics,
        Err(exit) => return exit,
    };
    let mut stage = CorrelateStage {
        correlator: &mut correlator,
        counts: &mut counts,
        save_every: run.save_every,
        saved: Instant::now(),
    };
    let looped = each_record_of(&run.input.inputs, &mut out, &mut diagnostics, &mut stage);
    // Saved before the end of input closes them: their windows go on in the next run.
    stage.save();
    if let Err(exit) = looped {
        return exit;
    }
    counts.incident_records += correlator.finish(out.buffer()) as u64;
    correlator.memory_mut().commit();
    if let Err(error) = out.flush() {
        return output_failed(&diagnostics, &error);
    }
    let read = &diagnostics.counts;
    let memory = correlator.memory_mut();
    let stored = match run.state.as_deref() {
        Some(path) => format!(
            " ({} stored in {}{})",
            memory.stored,
            printable(&path.display().to_string()),
            if reopened > 0 {
                format!(", {reopened} open groups taken back from it")
            } else {
                String::new()
            }
        ),
        None => String::new(),
    };
    let state_failed = memory.failed;
    diagnostics.summary_line(&format!(
        "{} records, {} alerts ({} without {}{}), {} incident records{stored}, {} other records, {} malformed{}{}",
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
    if state_failed {
        return Exit::DataError;
    }
    records_exit(&diagnostics)
}
