//! What a stage tells the user on stderr, and the lines it keeps aside: nothing is dropped
//! silently. Every stage speaks through this one channel, in one shape (`prog: place:
//! message`, `prog: error: message`, one summary line), and describes the first ten lines it
//! could not use before only counting them. Counters travel in this value, passed by `&mut`;
//! there are no globals. Every line passes [`printable`]: file names and record text are
//! written by whoever reached the service.

use crate::text::printable;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// How many unusable lines (rejected, malformed, damaged records) are described on stderr
/// before they are only counted.
const SHOWN_PROBLEMS: u64 = 10;

/// Counts for the end-of-run summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Input lines read.
    pub lines: u64,
    /// Records written.
    pub events: u64,
    /// Valid lines that carry nothing security-relevant.
    pub skipped: u64,
    /// Lines (or binary records) that could not be parsed.
    pub rejected: u64,
    /// NDJSON records a later stage could not use (not JSON, no valid time, too long).
    pub malformed: u64,
    /// NDJSON records used with some fields read as absent because of their type.
    pub mistyped: u64,
    /// Binary records read (Windows event logs), which have no lines.
    pub records: u64,
    /// Inputs that could not be read.
    pub failed_inputs: u64,
}

impl Counts {
    /// `12 lines, 10 events, 1 skipped, 1 rejected from 3 inputs`.
    pub fn summary(&self, inputs: usize) -> String {
        let mut line = format!(
            "{} lines, {} events, {} skipped, {} rejected",
            self.lines, self.events, self.skipped, self.rejected
        );
        if self.records > 0 {
            line.push_str(&format!(", {} EVTX records", self.records));
        }
        if inputs > 1 {
            line.push_str(&format!(" from {inputs} inputs"));
        }
        line.push_str(&self.unreadable_note());
        line
    }

    /// `, 3 with fields of an unexpected type` when any record had them, for a summary line.
    pub fn mistyped_note(&self) -> String {
        if self.mistyped > 0 {
            format!(", {} with fields of an unexpected type", self.mistyped)
        } else {
            String::new()
        }
    }

    /// `, 2 unreadable` when any input was, for a summary line.
    pub fn unreadable_note(&self) -> String {
        if self.failed_inputs > 0 {
            format!(", {} unreadable", self.failed_inputs)
        } else {
            String::new()
        }
    }
}

/// Stderr messages, the rejects file and the counters of one run.
pub struct Diagnostics {
    program: &'static str,
    rejects: Option<BufWriter<File>>,
    quiet: bool,
    /// Unusable lines described so far.
    shown: u64,
    /// The run's counters.
    pub counts: Counts,
}

impl Diagnostics {
    /// Diagnostics for `program`, writing rejected lines verbatim to `rejects_path` if given.
    pub fn new(program: &'static str, rejects_path: Option<&Path>, quiet: bool) -> io::Result<Self> {
        let rejects = rejects_path.map(File::create).transpose()?.map(BufWriter::new);
        Ok(Diagnostics {
            program,
            rejects,
            quiet,
            shown: 0,
            counts: Counts::default(),
        })
    }

    /// Diagnostics that keep no rejects file (a stage whose unusable lines another keeps).
    pub fn messages(program: &'static str, quiet: bool) -> Self {
        Diagnostics {
            program,
            rejects: None,
            quiet,
            shown: 0,
            counts: Counts::default(),
        }
    }

    /// A line could not be parsed: count it, describe the first few, keep it verbatim.
    pub fn reject(&mut self, input: &str, line_no: u64, reason: &str, raw: &[u8]) -> io::Result<()> {
        self.counts.rejected += 1;
        self.describe(format_args!("{input}:{line_no}: rejected: {reason}"));
        self.keep(raw)
    }

    /// An NDJSON record could not be used (`why` says how, and what became of it): count
    /// it, describe the first few, keep it verbatim.
    pub fn malformed(&mut self, input: &str, line_no: u64, why: &dyn std::fmt::Display, raw: &[u8]) -> io::Result<()> {
        self.counts.malformed += 1;
        self.describe(format_args!("{input}:{line_no}: {why}"));
        self.keep(raw)
    }

    /// A record was used, but some of its fields were read as absent because of their type:
    /// count it, and for the first few such records, name them (`name` says which: finding
    /// out costs a second reading, spent only on what is shown).
    pub fn mistyped(&mut self, input: &str, line_no: u64, name: impl FnOnce() -> String) {
        self.counts.mistyped += 1;
        if self.counts.mistyped > SHOWN_PROBLEMS {
            return;
        }
        let fields = name();
        self.warn(&format!(
            "{input}:{line_no}: {fields}: read as absent, the rest of the record is used"
        ));
        if self.counts.mistyped == SHOWN_PROBLEMS {
            self.warn("further records with fields of an unexpected type are counted, not shown");
        }
    }

    /// Part of a binary input could not be decoded and was skipped: count it and say which
    /// part and why. The rest of the input is still read.
    pub fn damaged(&mut self, input: &str, what: &str) {
        self.counts.rejected += 1;
        self.describe(format_args!("{input}: skipped: {what}"));
    }

    /// Describes one of the first few unusable lines; after the last of them, says that the
    /// rest are only counted.
    fn describe(&mut self, message: std::fmt::Arguments<'_>) {
        self.shown += 1;
        if self.shown > SHOWN_PROBLEMS {
            return;
        }
        self.warn(&message.to_string());
        if self.shown == SHOWN_PROBLEMS {
            let hint = if self.rejects.is_some() {
                ""
            } else {
                " (keep them with --rejects FILE)"
            };
            self.warn(&format!("further unusable lines are counted, not shown{hint}"));
        }
    }

    fn keep(&mut self, raw: &[u8]) -> io::Result<()> {
        if let Some(rejects) = self.rejects.as_mut() {
            rejects.write_all(raw)?;
            rejects.write_all(b"\n")?;
        }
        Ok(())
    }

    /// An input could not be read; the run goes on and exits 1.
    pub fn input_failed(&mut self, message: &str) {
        self.counts.failed_inputs += 1;
        self.error(message);
    }

    /// A warning line on stderr (`-q` does not hide warnings, only the summary).
    pub fn warn(&self, message: &str) {
        let _ = writeln!(io::stderr().lock(), "{}: {}", self.program, printable(message));
    }

    /// An error line on stderr.
    pub fn error(&self, message: &str) {
        let _ = writeln!(io::stderr().lock(), "{}: error: {}", self.program, printable(message));
    }

    /// Flushes the rejects file.
    pub fn finish(&mut self) -> io::Result<()> {
        if let Some(rejects) = self.rejects.as_mut() {
            rejects.flush()?;
        }
        Ok(())
    }

    /// ls-parse's one-line summary, unless `-q`.
    pub fn summary(&self, inputs: usize) {
        self.summary_line(&self.counts.summary(inputs));
    }

    /// A stage's one-line summary, unless `-q`.
    pub fn summary_line(&self, line: &str) {
        if self.quiet {
            return;
        }
        let _ = writeln!(io::stderr().lock(), "{}: {}", self.program, printable(line));
    }

    /// Whether any input failed or any record was malformed: a later stage's exit 1.
    pub fn lost_records(&self) -> bool {
        self.counts.failed_inputs > 0 || self.counts.malformed > 0
    }
}
