//! What a stage tells the user on stderr, and the lines it keeps aside: nothing is dropped
//! silently. Counters travel in this value, passed by `&mut`; there are no globals.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// How many individual rejected lines are described on stderr before only counting them.
const SHOWN_REJECTS: u64 = 10;

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
        if self.failed_inputs > 0 {
            line.push_str(&format!(", {} unreadable", self.failed_inputs));
        }
        line
    }
}

/// Stderr messages, the rejects file and the counters of one run.
pub struct Diagnostics {
    program: &'static str,
    rejects: Option<BufWriter<File>>,
    quiet: bool,
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
            counts: Counts::default(),
        })
    }

    /// A line could not be parsed: count it, describe the first few, keep it verbatim.
    pub fn reject(&mut self, input: &str, line_no: u64, reason: &str, raw: &[u8]) -> io::Result<()> {
        self.counts.rejected += 1;
        if self.counts.rejected <= SHOWN_REJECTS {
            self.warn(&format!("{input}:{line_no}: rejected: {reason}"));
            if self.counts.rejected == SHOWN_REJECTS {
                let hint = if self.rejects.is_some() {
                    ""
                } else {
                    " (keep them with --rejects FILE)"
                };
                self.warn(&format!("further rejected lines are counted, not shown{hint}"));
            }
        }
        if let Some(rejects) = self.rejects.as_mut() {
            rejects.write_all(raw)?;
            rejects.write_all(b"\n")?;
        }
        Ok(())
    }

    /// Part of a binary input could not be decoded and was skipped: count it and say which
    /// part and why. The rest of the input is still read.
    pub fn damaged(&mut self, input: &str, what: &str) {
        self.counts.rejected += 1;
        if self.counts.rejected <= SHOWN_REJECTS {
            self.warn(&format!("{input}: skipped: {what}"));
            if self.counts.rejected == SHOWN_REJECTS {
                self.warn("further rejected lines and records are counted, not shown");
            }
        }
    }

    /// An input could not be read; the run goes on and exits 1.
    pub fn input_failed(&mut self, message: &str) {
        self.counts.failed_inputs += 1;
        self.error(message);
    }

    /// A warning line on stderr (`-q` does not hide warnings, only the summary).
    pub fn warn(&self, message: &str) {
        let _ = writeln!(io::stderr().lock(), "{}: {message}", self.program);
    }

    /// An error line on stderr.
    pub fn error(&self, message: &str) {
        let _ = writeln!(io::stderr().lock(), "{}: error: {message}", self.program);
    }

    /// Flushes the rejects file.
    pub fn finish(&mut self) -> io::Result<()> {
        if let Some(rejects) = self.rejects.as_mut() {
            rejects.flush()?;
        }
        Ok(())
    }

    /// The one-line summary, unless `-q`.
    pub fn summary(&self, inputs: usize) {
        if self.quiet {
            return;
        }
        let _ = writeln!(io::stderr().lock(), "{}: {}", self.program, self.counts.summary(inputs));
    }
}
