//! `tail -F` for one path: a `Read` that, at the end of the data, looks at the path again and
//! switches to a new file after rename-and-create rotation, rewinds after copytruncate, and
//! waits for a file that does not exist yet. Copytruncate is seen when the file shrank, or,
//! when it already regrew past our position, because the bytes before our position changed.

use std::fs::{File, Metadata};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;

/// A followed file. Reading returns 0 when there is nothing new *for now*.
pub struct FollowedFile {
    path: PathBuf,
    file: Option<File>,
    identity: Option<(u64, u64)>,
    position: u64,
    last_byte: Option<u8>,
    /// The last bytes read, to recognise a truncated-and-rewritten file of the same size.
    tail: Vec<u8>,
}

const TAIL_CHECK: usize = 64;

impl FollowedFile {
    /// Follows `path` from its start, or from its current end with `from_end`.
    pub fn open(path: PathBuf, from_end: bool) -> io::Result<Self> {
        let mut followed = FollowedFile {
            path,
            file: None,
            identity: None,
            position: 0,
            last_byte: None,
            tail: Vec::with_capacity(TAIL_CHECK),
        };
        if let Ok(mut file) = File::open(&followed.path) {
            let meta = file.metadata()?;
            if from_end {
                followed.position = file.seek(SeekFrom::End(0))?;
            }
            followed.identity = Some(identity(&meta));
            followed.file = Some(file);
        }
        Ok(followed)
    }

    /// Looks at the path: a new file behind it, or the same file shrunk.
    fn check_path(&mut self) -> io::Result<PathChange> {
        let meta = match std::fs::metadata(&self.path) {
            Ok(meta) => meta,
            // Rotated away and not recreated yet: keep reading the old handle later.
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(PathChange::None),
            Err(error) => return Err(error),
        };
        if Some(identity(&meta)) != self.identity {
            return Ok(PathChange::Replaced);
        }
        if meta.len() < self.position || !self.tail_unchanged()? {
            return Ok(PathChange::Truncated);
        }
        Ok(PathChange::None)
    }

    #[cfg(unix)]
    fn tail_unchanged(&self) -> io::Result<bool> {
        use std::os::unix::fs::FileExt;
        let Some(file) = self.file.as_ref() else {
            return Ok(true);
        };
        if self.tail.is_empty() {
            return Ok(true);
        }
        let mut current = [0u8; TAIL_CHECK];
        let current = &mut current[..self.tail.len()];
        file.read_exact_at(current, self.position - self.tail.len() as u64)?;
        Ok(current == self.tail.as_slice())
    }

    #[cfg(not(unix))]
    fn tail_unchanged(&self) -> io::Result<bool> {
        Ok(true)
    }

    fn remember_tail(&mut self, read: &[u8]) {
        if read.len() >= TAIL_CHECK {
            self.tail.clear();
            self.tail.extend_from_slice(&read[read.len() - TAIL_CHECK..]);
        } else {
            let overflow = (self.tail.len() + read.len()).saturating_sub(TAIL_CHECK);
            self.tail.drain(..overflow);
            self.tail.extend_from_slice(read);
        }
    }
}

enum PathChange {
    None,
    Replaced,
    Truncated,
}

/// What makes a file the same file under any name: (device, inode).
#[cfg(unix)]
pub(super) fn identity(meta: &Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
pub(super) fn identity(meta: &Metadata) -> (u64, u64) {
    (
        0,
        meta.created()
            .ok()
            .map_or(0, |t| t.elapsed().map_or(0, |d| d.as_nanos() as u64)),
    )
}

impl Read for FollowedFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if let Some(file) = self.file.as_mut() {
                let read = file.read(buf)?;
                if read > 0 {
                    self.position += read as u64;
                    self.last_byte = Some(buf[read - 1]);
                    self.remember_tail(&buf[..read]);
                    return Ok(read);
                }
            }
            match self.check_path()? {
                PathChange::None => return Ok(0),
                PathChange::Truncated => {
                    if let Some(file) = self.file.as_mut() {
                        file.seek(SeekFrom::Start(0))?;
                    }
                    self.position = 0;
                    self.tail.clear();
                }
                PathChange::Replaced => {
                    let Ok(file) = File::open(&self.path) else {
                        return Ok(0);
                    };
                    let had_partial_line = self.last_byte.is_some_and(|byte| byte != b'\n');
                    self.identity = Some(identity(&file.metadata()?));
                    self.file = Some(file);
                    self.position = 0;
                    self.last_byte = None;
                    self.tail.clear();
                    // The old file's unfinished last line must not run into the new file's first.
                    if had_partial_line {
                        buf[0] = b'\n';
                        return Ok(1);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn read_now(followed: &mut FollowedFile) -> String {
        let mut out = Vec::new();
        let mut buf = [0u8; 64];
        loop {
            let n = followed.read(&mut buf).expect("read");
            if n == 0 {
                return String::from_utf8(out).expect("utf8");
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn follows_rotation_and_truncation() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("auth.log");
        std::fs::write(&path, "one\n").expect("write");
        let mut followed = FollowedFile::open(path.clone(), false).expect("open");
        assert_eq!(read_now(&mut followed), "one\n");
        assert_eq!(read_now(&mut followed), "");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(b"two\n"))
            .expect("append");
        assert_eq!(read_now(&mut followed), "two\n");
        std::fs::rename(&path, dir.path().join("auth.log.1")).expect("rotate");
        std::fs::write(&path, "three\n").expect("create");
        assert_eq!(read_now(&mut followed), "three\n");
        std::fs::write(&path, "").expect("truncate");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(b"4\n"))
            .expect("append");
        assert_eq!(read_now(&mut followed), "4\n");
        // Truncated and rewritten to the same length before we looked: the content differs.
        std::fs::write(&path, "").expect("truncate");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(b"5\n"))
            .expect("append");
        assert_eq!(read_now(&mut followed), "5\n");
    }

    #[test]
    fn waits_for_a_missing_file_and_can_start_at_the_end() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("later.log");
        let mut followed = FollowedFile::open(path.clone(), false).expect("open");
        assert_eq!(read_now(&mut followed), "");
        std::fs::write(&path, "appeared\n").expect("create");
        assert_eq!(read_now(&mut followed), "appeared\n");
        let mut from_end = FollowedFile::open(path.clone(), true).expect("open");
        assert_eq!(read_now(&mut from_end), "");
    }
}
