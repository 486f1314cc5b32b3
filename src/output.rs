//! The one NDJSON writer every stage uses: stdout locked once, buffered, flushed when the
//! stage is about to wait for input (so a live pipeline sees every record at once) and
//! otherwise written in large blocks.

use std::io::{self, BufWriter, Write};

const OUTPUT_BUFFER: usize = 256 * 1024;

/// Buffered NDJSON output.
pub struct NdjsonWriter<W: Write> {
    inner: BufWriter<W>,
}

impl NdjsonWriter<io::StdoutLock<'static>> {
    /// Standard output, locked for the life of the process.
    pub fn stdout() -> Self {
        NdjsonWriter::new(io::stdout().lock())
    }
}

impl<W: Write> NdjsonWriter<W> {
    /// Wraps any writer.
    pub fn new(inner: W) -> Self {
        NdjsonWriter {
            inner: BufWriter::with_capacity(OUTPUT_BUFFER, inner),
        }
    }

    /// Writes already-serialised records (each ending in `\n`).
    pub fn write_records(&mut self, records: &[u8]) -> io::Result<()> {
        self.inner.write_all(records)
    }

    /// Pushes everything buffered to the underlying writer.
    pub fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Whether an error means the reader went away (`| head`): the quiet way to end.
pub fn is_broken_pipe(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::BrokenPipe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_until_flushed() {
        let mut sink = Vec::new();
        {
            let mut writer = NdjsonWriter::new(&mut sink);
            writer.write_records(b"{\"a\":1}\n").expect("write");
            writer.flush().expect("flush");
        }
        assert_eq!(sink, b"{\"a\":1}\n");
        assert!(is_broken_pipe(&io::Error::from(io::ErrorKind::BrokenPipe)));
    }
}
