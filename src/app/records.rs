//! The read loop every NDJSON stage shares: inputs in order, one reused line buffer, blank
//! lines skipped, over-long and malformed records reported on stderr with their place and
//! skipped, output flushed before the loop would wait for input (so a live stream sees each
//! record at once, while a large file is still written in big blocks).

use super::Exit;
use crate::ingest::{open_input, to_text, Inputs, LineError, LineReader};
use crate::output::{is_broken_pipe, NdjsonWriter};
use std::fmt::Display;
use std::io::{self, Write};

/// Longest record read; a longer line is reported and skipped.
pub const MAX_RECORD_BYTES: usize = 64 << 20;

/// What the loop counted.
#[derive(Debug, Default)]
pub struct RecordCounts {
    /// Non-blank lines read.
    pub records: u64,
    /// Lines skipped as not usable (reported on stderr).
    pub malformed: u64,
    /// Inputs that could not be opened or read to the end.
    pub unreadable: u64,
}

impl RecordCounts {
    /// `, 2 unreadable` when any were, for a summary line.
    pub fn unreadable_note(&self) -> String {
        if self.unreadable > 0 {
            format!(", {} unreadable", self.unreadable)
        } else {
            String::new()
        }
    }

    /// The exit status the counts call for.
    pub fn exit(&self) -> Exit {
        if self.malformed > 0 || self.unreadable > 0 {
            Exit::DataError
        } else {
            Exit::Success
        }
    }
}

/// Feeds every record of `inputs` to `handle`, which appends its output to the buffer it is
/// given or says why the record is unusable (and what became of it). `Err` ends the run:
/// output failed (or the reader went away, which is a quiet success).
pub fn each_record<W: Write, E: Display>(
    program: &str,
    inputs: &Inputs,
    out: &mut NdjsonWriter<W>,
    counts: &mut RecordCounts,
    handle: impl FnMut(&str, &mut Vec<u8>) -> Result<(), E>,
) -> Result<(), Exit> {
    each_record_of(program, inputs, out, counts, &mut EveryRecord(handle))
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
}

struct EveryRecord<F>(F);

impl<E: Display, F: FnMut(&str, &mut Vec<u8>) -> Result<(), E>> Stage for EveryRecord<F> {
    type Unusable = E;
    fn record(&mut self, line: &str, out: &mut Vec<u8>) -> Result<(), E> {
        (self.0)(line, out)
    }
}

/// [`each_record`] for a [`Stage`].
pub fn each_record_of<W: Write, S: Stage>(
    program: &str,
    inputs: &Inputs,
    out: &mut NdjsonWriter<W>,
    counts: &mut RecordCounts,
    stage: &mut S,
) -> Result<(), Exit> {
    let mut scratch = String::new();
    let mut stderr = io::stderr().lock();
    for error in &inputs.unreadable {
        let _ = writeln!(stderr, "{program}: {error}");
        counts.unreadable += 1;
    }
    for input in &inputs.specs {
        let display = input.display();
        let source = match open_input(input) {
            Ok(source) => source,
            Err(error) => {
                let _ = writeln!(stderr, "{program}: {error}");
                counts.unreadable += 1;
                continue;
            }
        };
        let mut reader = LineReader::new(source, MAX_RECORD_BYTES);
        let mut line_no = 0u64;
        loop {
            let line = match reader.next_line(true, &mut || {
                stage.before_read(out.buffer());
                out.flush()
            }) {
                Ok(Some(line)) => line,
                Ok(None) => break,
                Err(LineError::BeforeRead(error)) => return Err(output_failed(program, &error)),
                Err(LineError::Read(error)) => {
                    let _ = writeln!(stderr, "{program}: reading {display}: {error}");
                    counts.unreadable += 1;
                    break;
                }
            };
            line_no += 1;
            let bytes = line.bytes.strip_suffix(b"\r").unwrap_or(line.bytes);
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            counts.records += 1;
            if line.truncated {
                counts.malformed += 1;
                let _ = writeln!(
                    stderr,
                    "{program}: {display}:{line_no}: record longer than {MAX_RECORD_BYTES} bytes, skipped"
                );
                continue;
            }
            let (text, _) = to_text(bytes, &mut scratch);
            if let Err(why) = stage.record(text, out.buffer()) {
                counts.malformed += 1;
                let _ = writeln!(stderr, "{program}: {display}:{line_no}: {why}");
            }
            out.written().map_err(|error| output_failed(program, &error))?;
        }
    }
    stage.before_read(out.buffer());
    out.flush().map_err(|error| output_failed(program, &error))
}

/// The exit status for a failed write: a reader that went away is a quiet success.
pub fn output_failed(program: &str, error: &io::Error) -> Exit {
    if is_broken_pipe(error) {
        return Exit::Success;
    }
    let _ = writeln!(io::stderr().lock(), "{program}: writing output: {error}");
    Exit::DataError
}
