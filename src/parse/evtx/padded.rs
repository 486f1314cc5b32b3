//! A file cut off inside a chunk (copied while Windows was writing it) read as if its last
//! chunk were whole: zeros stand in for the missing end, so the decoder still reads the
//! records before the cut instead of dropping the chunk. Zeros are where a chunk's unused
//! space is anyway, and the records past the cut were never copied.

use std::io::{self, Read, Seek, SeekFrom};

/// The file's header, then chunks of this size.
const HEADER_BYTES: u64 = 4096;
const CHUNK_BYTES: u64 = 64 * 1024;

/// Where a file of `length` bytes ends inside a chunk: the chunk's number (from 1) and the
/// length a whole last chunk would give. `None` for a whole file (or one without chunks).
pub fn cut_chunk(length: u64) -> Option<(u64, u64)> {
    let in_chunks = length.checked_sub(HEADER_BYTES).filter(|&bytes| bytes > 0)?;
    let partial = in_chunks % CHUNK_BYTES;
    (partial != 0).then(|| (in_chunks / CHUNK_BYTES + 1, length + (CHUNK_BYTES - partial)))
}

/// `inner` (of `length` bytes), then zeros up to `padded_length`.
pub struct ZeroPadded<R> {
    inner: R,
    length: u64,
    padded_length: u64,
    position: u64,
}

impl<R: Read + Seek> ZeroPadded<R> {
    /// Reads `inner`, `length` bytes long, as `padded_length` bytes.
    pub fn new(inner: R, length: u64, padded_length: u64) -> Self {
        ZeroPadded {
            inner,
            length,
            padded_length,
            position: 0,
        }
    }
}

impl<R: Read + Seek> Read for ZeroPadded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = if self.position < self.length {
            self.inner.seek(SeekFrom::Start(self.position))?;
            let wanted = buf.len().min((self.length - self.position) as usize);
            self.inner.read(&mut buf[..wanted])?
        } else {
            let zeros = buf.len().min(self.padded_length.saturating_sub(self.position) as usize);
            buf[..zeros].fill(0);
            zeros
        };
        self.position += read as u64;
        Ok(read)
    }
}

impl<R: Read + Seek> Seek for ZeroPadded<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(at) => Some(at),
            SeekFrom::End(delta) => self.padded_length.checked_add_signed(delta),
            SeekFrom::Current(delta) => self.position.checked_add_signed(delta),
        };
        self.position = target.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn a_cut_file_reads_to_its_last_chunk_boundary_with_zeros() {
        assert_eq!(cut_chunk(4096 + 2 * CHUNK_BYTES), None);
        assert_eq!(cut_chunk(4096), None);
        assert_eq!(cut_chunk(4096 + CHUNK_BYTES + 10), Some((2, 4096 + 2 * CHUNK_BYTES)));
        let mut padded = ZeroPadded::new(Cursor::new(vec![7u8; 10]), 10, 16);
        let mut all = Vec::new();
        padded.read_to_end(&mut all).expect("read");
        assert_eq!(all, [7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 0, 0, 0, 0, 0, 0]);
        assert_eq!(padded.seek(SeekFrom::End(-8)).expect("seek"), 8);
        let mut two = [1u8; 4];
        assert_eq!(padded.read(&mut two).expect("read"), 2);
        assert_eq!(two[..2], [7, 7]);
    }
}
