//! The read loop every NDJSON stage shares: inputs in order, one reused line buffer, blank
//! lines skipped, over-long and malformed records reported on stderr with their place and
//! skipped, output flushed before the loop would wait for input (so a live stream sees each
//! record at once, while a large file is still written in big blocks).

use super::Exit;
use crate::cli::InputArgs;
use crate::diagnostics::Diagnostics;
use crate::ingest::{expand_inputs, open_input, to_text, Expand, Inputs, LineError, LineReader};
use crate::output::{is_broken_pipe, NdjsonWriter};
use crate::schema::{AlertView, Declined};
use std::fmt::Display;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

/// What an NDJSON stage reads, where it keeps the lines it cannot use, and whether it prints
/// its summary: the shared flags ([`InputArgs`]), checked.
pub struct StageInput {
    /// Inputs in order.
    pub inputs: Inputs,
    /// `--rejects`.
    pub rejects: Option<PathBuf>,
    /// `-q`.
    pub quiet: bool,
}

impl StageInput {
    /// The shared flags, directories expanded.
    pub fn from_args(args: InputArgs) -> Self {
        StageInput {
            inputs: expand_inputs(
                &args.files,
                Expand {
                    allow_missing: false,
                    follow_dir_links: args.follow_symlinks,
                },
            ),
            rejects: args.rejects,
            quiet: args.quiet,
        }
    }

    /// The stage's diagnostics; a rejects file that cannot be created is said and gives the
    /// exit status.
    pub fn diagnostics(&self, program: &'static str) -> Result<Diagnostics, Exit> {
        Diagnostics::new(program, self.rejects.as_deref(), self.quiet).map_err(|error| {
            let path = self
                .rejects
                .as_deref()
                .map(|path| path.display().to_string())
                .unwrap_or_default();
            super::StartError::data(format_args!("cannot create rejects file {path}"), error).report(program)
        })
    }
}

/// Longest record read; a longer line is reported and skipped.
pub const MAX_RECORD_BYTES: usize = 64 << 20;

/// Feeds every record of `inputs` to `handle`, which appends its output to the buffer it is
/// given or says why the record is unusable (and what became of it). `Err` ends the run:
/// output failed (or the reader went away, which is a quiet success).
pub fn each_record<W: Write, E: Display>(
    inputs: &Inputs,
    out: &mut NdjsonWriter<W>,
    diagnostics: &mut Diagnostics,
    handle: impl FnMut(&str, &mut Vec<u8>) -> Result<(), E>,
) -> Result<(), Exit> {
    each_record_of(inputs, out, diagnostics, &mut EveryRecord(handle))
}

/// A record that could not be used and was left out of the output.
#[derive(Debug)]
pub struct Skipped<E>(pub E);

impl<E: Display> Display for Skipped<E> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}, skipped", self.0)
    }
}

/// A stage that may hold records back (waiting for a lookup, say) and writes them when the
/// input would block or ends.
pub trait Stage {
    /// Why a record could not be used, as the stage says it.
    type Unusable: Display;
    /// Handles one record, as the closure of [`each_record`] does.
    fn record(&mut self, line: &str, out: &mut Vec<u8>) -> Result<(), Self::Unusable>;
    /// The input is about to be read (and may block) or has ended: write what is held.
    fn before_read(&mut self, _out: &mut Vec<u8>) {}
    /// Everything written so far has reached the output (after each [`Stage::before_read`]
    /// and its flush): what may be kept only once it is downstream can be kept now.
    fn after_flush(&mut self) {}
    /// Whether the record just handled, read as an [`AlertView`], had fields read as absent
    /// because of their type.
    fn take_declined(&mut self) -> Declined {
        Declined(false)
    }
}

struct EveryRecord<F>(F);

impl<E: Display, F: FnMut(&str, &mut Vec<u8>) -> Result<(), E>> Stage for EveryRecord<F> {
    type Unusable = E;
    fn record(&mut self, line: &str, out: &mut Vec<u8>) -> Result<(), E> {
        (self.0)(line, out)
    }
}

/// The line too long to read as a record.
struct TooLong;

impl Display for TooLong {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "record longer than {MAX_RECORD_BYTES} bytes, skipped")
    }
}

/// [`each_record`] for a [`Stage`]. Non-blank lines are counted in `lines`, unusable ones
/// in `malformed`, unreadable inputs in `failed_inputs`.
pub fn each_record_of<W: Write, S: Stage>(
    inputs: &Inputs,
    out: &mut NdjsonWriter<W>,
    diagnostics: &mut Diagnostics,
    stage: &mut S,
) -> Result<(), Exit> {
    super::hint_if_reading_a_terminal(inputs, diagnostics, "NDJSON records (ls-parse's output)");
    // In a pipe, Ctrl-C reaches every stage: each reads on to the end its upstream makes on
    // stopping, and says its summary. (Reading files or a terminal, the signal ends the run.)
    if inputs.specs == [crate::ingest::InputSpec::Stdin] && !io::stdin().is_terminal() {
        super::stop_on_signals();
    }
    let mut scratch = String::new();
    let mut raw_log_hinted = false;
    let kept = |diagnostics: &Diagnostics, result: io::Result<()>| {
        result.map_err(|error| {
            diagnostics.error(&format!("writing rejects file: {error}"));
            Exit::DataError
        })
    };
    inputs.report_listing(diagnostics);
    for input in &inputs.specs {
        let display = input.display();
        let source = match open_input(input) {
            Ok(source) => source,
            Err(error) => {
                diagnostics.input_failed(&error.to_string());
                continue;
            }
        };
        let mut reader = LineReader::new(source, MAX_RECORD_BYTES);
        let mut line_no = 0u64;
        loop {
            let line = match reader.next_line(true, &mut || {
                stage.before_read(out.buffer());
                out.flush()?;
                stage.after_flush();
                Ok(())
            }) {
                Ok(Some(line)) => line,
                Ok(None) => break,
                Err(LineError::BeforeRead(error)) => return Err(output_failed(diagnostics, &error)),
                Err(LineError::Read(error)) => {
                    diagnostics.input_failed(&format!("reading {display}: {error}"));
                    break;
                }
            };
            line_no += 1;
            let bytes = line.bytes.strip_suffix(b"\r").unwrap_or(line.bytes);
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            diagnostics.counts.lines += 1;
            if line.truncated {
                let result = diagnostics.malformed(&display, line_no, &TooLong, bytes);
                kept(diagnostics, result)?;
                continue;
            }
            let (text, _) = to_text(bytes, &mut scratch);
            let used = stage.record(text, out.buffer());
            if used.is_ok() && stage.take_declined().0 {
                diagnostics.mistyped(&display, line_no, || AlertView::mistyped_fields(text).to_string());
            }
            if let Err(why) = used {
                if !raw_log_hinted && !text.trim_start().starts_with('{') {
                    raw_log_hinted = true;
                    diagnostics.warn(&format!(
                        "{display} looks like a raw log, not NDJSON records: pipe it through \
                         ls-parse first (ls-parse auto FILE | ...)"
                    ));
                }
                let result = diagnostics.malformed(&display, line_no, &why, bytes);
                kept(diagnostics, result)?;
            }
            out.written().map_err(|error| output_failed(diagnostics, &error))?;
        }
    }
    stage.before_read(out.buffer());
    out.flush().map_err(|error| output_failed(diagnostics, &error))?;
    stage.after_flush();
    let result = diagnostics.finish();
    kept(diagnostics, result)
}

/// The exit status for a failed write: a reader that went away is a quiet success.
pub fn output_failed(diagnostics: &Diagnostics, error: &io::Error) -> Exit {
    if is_broken_pipe(error) {
        return Exit::Success;
    }
    diagnostics.error(&format!("writing output: {error}"));
    Exit::DataError
}

/// The exit status of a stage that read NDJSON: 1 when a record or an input was lost.
pub fn records_exit(diagnostics: &Diagnostics) -> Exit {
    if diagnostics.lost_records() {
        Exit::DataError
    } else {
        Exit::Success
    }
}
