//! The one NDJSON writer every stage uses: stdout locked once, records gathered in one
//! reusable buffer (serialised straight into it), written out in large blocks, and flushed
//! when the stage is about to wait for input so a live pipeline sees every record at once.

use std::io::{self, Write};

/// As the input block (see `ingest::lines`): sized to stay in the L2 cache.
const OUTPUT_BUFFER: usize = 64 * 1024;

/// Buffered NDJSON output.
pub struct NdjsonWriter<W: Write> {
    inner: W,
    buffer: Vec<u8>,
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
            inner,
            buffer: Vec::with_capacity(OUTPUT_BUFFER + 64 * 1024),
        }
    }

    /// The buffer to serialise records into; call [`NdjsonWriter::written`] afterwards.
    pub fn buffer(&mut self) -> &mut Vec<u8> {
        &mut self.buffer
    }

    /// Records were appended to the buffer: write it out once it is full.
    pub fn written(&mut self) -> io::Result<()> {
        if self.buffer.len() >= OUTPUT_BUFFER {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes already-serialised records (each ending in `\n`).
    pub fn write_records(&mut self, records: &[u8]) -> io::Result<()> {
        if records.len() >= OUTPUT_BUFFER {
            // A block this large (a decoded EVTX batch) goes out as it is, not copied first.
            if !self.buffer.is_empty() {
                let result = self.inner.write_all(&self.buffer);
                self.buffer.clear();
                result?;
            }
            return self.inner.write_all(records);
        }
        self.buffer.extend_from_slice(records);
        self.written()
    }

    /// Pushes everything buffered to the underlying writer.
    pub fn flush(&mut self) -> io::Result<()> {
        if !self.buffer.is_empty() {
            let result = self.inner.write_all(&self.buffer);
            self.buffer.clear();
            result?;
        }
        self.inner.flush()
    }

    /// The underlying writer, after what is buffered has gone to it.
    pub fn into_inner(mut self) -> W {
        // Records are whole lines in the buffer: a writer that can fail has said so at the
        // last flush; one that cannot (an in-process sink) takes them all here.
        let _ = self.flush();
        self.inner
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
    fn buffers_until_full_or_flushed() {
        let mut sink = Vec::new();
        {
            let mut writer = NdjsonWriter::new(&mut sink);
            writer.write_records(b"{\"a\":1}\n").expect("write");
            writer.buffer().extend_from_slice(b"{\"b\":2}\n");
            writer.written().expect("written");
            writer.flush().expect("flush");
        }
        assert_eq!(sink, b"{\"a\":1}\n{\"b\":2}\n");
        let mut big = Vec::new();
        let mut writer = NdjsonWriter::new(&mut big);
        writer.write_records(&vec![b'x'; OUTPUT_BUFFER]).expect("write");
        drop(writer);
        assert_eq!(
            big.len(),
            OUTPUT_BUFFER,
            "a full buffer is written without an explicit flush"
        );
        assert!(is_broken_pipe(&io::Error::from(io::ErrorKind::BrokenPipe)));
    }
}
