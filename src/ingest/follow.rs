//! `tail -F` for one path: a `Read` that, at the end of the data, looks at the path again and
//! switches to a new file after rename-and-create rotation, rewinds after copytruncate, and
//! waits for a file that does not exist yet. Copytruncate is seen when the file shrank, or,
//! when it already regrew past our position, because the bytes before our position changed.
//!
//! Copytruncate copies the file away (`FILE.1`) and then empties it: whatever was written
//! after our last read is in the copy only. So at a truncation the newest sibling that holds
//! what we read (the same bytes just before our position) is read from our position to its
//! end first; without one, the loss is said. Changes of state a person must know about
//! (missing, unreadable, deleted, a link that now leads elsewhere) are said once per change,
//! as `tail -F` does, through [`FollowNews`].

use std::fs::{File, Metadata};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What a followed file has to tell, collected for the reader of its lines to say.
#[derive(Debug, Default)]
pub struct FollowNews {
    /// Warnings, in order: one per change of state.
    pub notes: Vec<String>,
    /// The line now ending was cut off by a rotation or truncation (a `\n` was added to end
    /// it): it is a fragment, to be rejected, not parsed.
    pub fragment: bool,
}

/// The news of one followed file, shared with whoever reads its lines.
pub type SharedNews = Arc<Mutex<FollowNews>>;

/// A followed file. Reading returns 0 when there is nothing new *for now*.
pub struct FollowedFile {
    path: PathBuf,
    file: Option<File>,
    identity: Option<(u64, u64)>,
    position: u64,
    last_byte: Option<u8>,
    /// The last bytes read, to recognise a truncated-and-rewritten file of the same size and
    /// the rotated copy that holds what followed them.
    tail: Vec<u8>,
    /// The copy a copytruncate left, read from our old position to its end before the
    /// emptied file is read again.
    rotated: Option<File>,
    /// Where the path led when first seen; a link that later leads elsewhere is read only
    /// with `follow_retargeted`.
    target: Option<PathBuf>,
    follow_retargeted: bool,
    state: State,
    news: SharedNews,
    /// The last read found nothing: before reading on, look at the path, which may since have
    /// been emptied and refilled past our position.
    waited: bool,
}

const TAIL_CHECK: usize = 64;
/// Siblings looked at for a rotated copy: a folder of a million files costs a bounded look.
const MAX_SIBLINGS: usize = 10_000;
/// Of those, how many (newest first) are opened and compared.
const MAX_CANDIDATES: usize = 8;

/// What the path is, as last said.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Following,
    Missing,
    FolderMissing,
    Unreadable(String),
    Deleted,
    Retargeted(PathBuf),
}

impl FollowedFile {
    /// Follows `path` from its start, or from its current end with `from_end`. A path that
    /// is a link to a file is followed while it leads to the same place; with
    /// `follow_retargeted`, wherever it leads.
    pub fn open(path: PathBuf, from_end: bool, follow_retargeted: bool) -> io::Result<Self> {
        let mut followed = FollowedFile {
            target: std::fs::canonicalize(&path).ok(),
            path,
            file: None,
            identity: None,
            position: 0,
            last_byte: None,
            tail: Vec::with_capacity(TAIL_CHECK),
            rotated: None,
            follow_retargeted,
            state: State::Following,
            news: SharedNews::default(),
            waited: false,
        };
        match File::open(&followed.path) {
            Ok(mut file) => {
                let meta = file.metadata()?;
                if from_end {
                    followed.position = file.seek(SeekFrom::End(0))?;
                    followed.remember_tail_before_end(&file);
                }
                followed.identity = Some(identity(&meta));
                followed.file = Some(file);
            }
            Err(error) => followed.enter(followed.absent_state(&error)),
        }
        Ok(followed)
    }

    /// What this file has to say; the reader of its lines takes it after each line.
    pub fn news(&self) -> SharedNews {
        Arc::clone(&self.news)
    }

    fn note(&self, note: String) {
        if let Ok(mut news) = self.news.lock() {
            news.notes.push(note);
        }
    }

    /// Moves to `state`, saying so if it is a change.
    fn enter(&mut self, state: State) {
        if state == self.state {
            return;
        }
        let path = self.path.display();
        let note = match &state {
            State::Following => format!("{path} is there again; following it"),
            State::Missing => format!("{path} does not exist (yet); waiting for it"),
            State::FolderMissing => format!("{path}: its folder does not exist (yet); waiting for it"),
            State::Unreadable(error) => format!("cannot read {path}: {error}; waiting until it can be read"),
            State::Deleted => format!("{path} was deleted; waiting for it to be created again"),
            State::Retargeted(now) => format!(
                "{path} now leads to {}; not read, as a link that changes where it leads may be \
                 an attack (--follow-symlinks reads it)",
                now.display()
            ),
        };
        self.note(note);
        self.state = state;
    }

    fn absent_state(&self, error: &io::Error) -> State {
        if error.kind() != io::ErrorKind::NotFound {
            return State::Unreadable(error.to_string());
        }
        match self.path.parent() {
            Some(folder) if !folder.as_os_str().is_empty() && !folder.exists() => State::FolderMissing,
            _ => State::Missing,
        }
    }

    /// Looks at the path: a new file behind it, the same file shrunk, or nothing to read.
    fn check_path(&mut self) -> io::Result<PathChange> {
        let meta = match std::fs::metadata(&self.path) {
            Ok(meta) => meta,
            Err(error) => {
                let state = match self.file.as_ref().map(File::metadata) {
                    Some(Ok(open)) if links(&open) == 0 => State::Deleted,
                    // Rotated away and not recreated yet: the old handle is read meanwhile.
                    Some(_) if error.kind() == io::ErrorKind::NotFound => State::Following,
                    _ => self.absent_state(&error),
                };
                self.enter(state);
                return Ok(PathChange::None);
            }
        };
        if !self.follow_retargeted {
            if let Ok(now) = std::fs::canonicalize(&self.path) {
                match &self.target {
                    Some(target) if *target != now => {
                        self.enter(State::Retargeted(now));
                        return Ok(PathChange::None);
                    }
                    Some(_) => {}
                    None => self.target = Some(now),
                }
            }
        }
        if Some(identity(&meta)) != self.identity {
            return Ok(PathChange::Replaced);
        }
        if meta.len() < self.position || !self.tail_unchanged()? {
            return Ok(PathChange::Truncated);
        }
        self.enter(State::Following);
        Ok(PathChange::None)
    }

    #[cfg(unix)]
    fn tail_unchanged(&self) -> io::Result<bool> {
        let Some(file) = self.file.as_ref() else {
            return Ok(true);
        };
        Ok(self.tail.is_empty() || holds_tail_at(file, &self.tail, self.position))
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

    /// Starting at the end, the bytes before it are what a rotated copy must hold.
    #[cfg(unix)]
    fn remember_tail_before_end(&mut self, file: &File) {
        use std::os::unix::fs::FileExt;
        let length = self.position.min(TAIL_CHECK as u64);
        let mut before = [0u8; TAIL_CHECK];
        let before = &mut before[..length as usize];
        if file.read_exact_at(before, self.position - length).is_ok() {
            self.tail.extend_from_slice(before);
            self.last_byte = before.last().copied();
        }
    }

    #[cfg(not(unix))]
    fn remember_tail_before_end(&mut self, _file: &File) {}

    /// The copy a copytruncate made of this file: the newest sibling named after it (`FILE.1`,
    /// `FILE-20261207`; compressed ones cannot be) that holds the bytes we read last at the
    /// place we read them, positioned where we stopped.
    fn rotated_copy(&self) -> Option<File> {
        if self.tail.is_empty() {
            return None;
        }
        let name = self.path.file_name()?.to_str()?;
        let folder = match self.path.parent() {
            Some(folder) if !folder.as_os_str().is_empty() => folder,
            _ => Path::new("."),
        };
        let mut candidates: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(folder)
            .ok()?
            .take(MAX_SIBLINGS)
            .flatten()
            .filter(|entry| {
                entry.file_name().to_str().is_some_and(|sibling| {
                    sibling.strip_prefix(name).is_some_and(|rest| {
                        rest.starts_with(['.', '-', '_'])
                            && ![".gz", ".xz", ".bz2", ".zst", ".lz4"]
                                .iter()
                                .any(|ext| rest.ends_with(ext))
                    })
                })
            })
            .filter_map(|entry| {
                let meta = std::fs::metadata(entry.path()).ok()?;
                let fits = meta.is_file() && meta.len() >= self.position && Some(identity(&meta)) != self.identity;
                fits.then(|| (meta.modified().unwrap_or(std::time::UNIX_EPOCH), entry.path()))
            })
            .collect();
        candidates.sort_by_key(|candidate| std::cmp::Reverse(candidate.0));
        candidates.into_iter().take(MAX_CANDIDATES).find_map(|(_, path)| {
            let mut copy = File::open(path).ok()?;
            if !holds_tail_at(&copy, &self.tail, self.position) {
                return None;
            }
            copy.seek(SeekFrom::Start(self.position)).ok()?;
            Some(copy)
        })
    }

    /// Ends a line the stream left unfinished, marking it as a fragment: `Some(1)` when a
    /// `\n` was put in `buf`.
    fn end_fragment(&mut self, buf: &mut [u8]) -> Option<usize> {
        if self.last_byte.is_none_or(|byte| byte == b'\n') {
            return None;
        }
        self.last_byte = Some(b'\n');
        if let Ok(mut news) = self.news.lock() {
            news.fragment = true;
        }
        buf[0] = b'\n';
        Some(1)
    }
}

/// Whether `file` holds `tail` just before `position`.
#[cfg(unix)]
fn holds_tail_at(file: &File, tail: &[u8], position: u64) -> bool {
    use std::os::unix::fs::FileExt;
    let mut current = [0u8; TAIL_CHECK];
    let current = &mut current[..tail.len()];
    let Some(at) = position.checked_sub(tail.len() as u64) else {
        return false;
    };
    file.read_exact_at(current, at).is_ok() && current == tail
}

#[cfg(not(unix))]
fn holds_tail_at(_file: &File, _tail: &[u8], _position: u64) -> bool {
    false
}

#[cfg(unix)]
fn links(meta: &Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.nlink()
}

#[cfg(not(unix))]
fn links(_meta: &Metadata) -> u64 {
    1
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
        let mut look_first = std::mem::take(&mut self.waited);
        loop {
            if let Some(rotated) = self.rotated.as_mut() {
                // A copy that cannot be read further has given what it could.
                let read = rotated.read(buf).unwrap_or(0);
                if read > 0 {
                    self.last_byte = Some(buf[read - 1]);
                    return Ok(read);
                }
                self.rotated = None;
                if let Some(read) = self.end_fragment(buf) {
                    return Ok(read);
                }
            }
            if let Some(file) = self.file.as_mut().filter(|_| !look_first) {
                let read = file.read(buf)?;
                if read > 0 {
                    self.position += read as u64;
                    self.last_byte = Some(buf[read - 1]);
                    self.remember_tail(&buf[..read]);
                    return Ok(read);
                }
            }
            match self.check_path()? {
                PathChange::None if std::mem::take(&mut look_first) => {}
                PathChange::None => {
                    self.waited = true;
                    return Ok(0);
                }
                PathChange::Truncated => {
                    look_first = false;
                    self.rotated = self.rotated_copy();
                    if self.rotated.is_none() && self.position > 0 {
                        self.note(format!(
                            "{} was truncated and no rotated copy holds what followed byte {}: \
                             lines written just before the truncation may be lost",
                            self.path.display(),
                            self.position
                        ));
                    }
                    if let Some(file) = self.file.as_mut() {
                        file.seek(SeekFrom::Start(0))?;
                    }
                    self.position = 0;
                    self.tail.clear();
                    if self.rotated.is_none() {
                        if let Some(read) = self.end_fragment(buf) {
                            return Ok(read);
                        }
                    }
                }
                PathChange::Replaced => {
                    // The old file first, to its end: what was written before the rename.
                    if std::mem::take(&mut look_first) && self.file.is_some() {
                        continue;
                    }
                    let file = match File::open(&self.path) {
                        Ok(file) => file,
                        Err(error) => {
                            let state = self.absent_state(&error);
                            self.enter(state);
                            return Ok(0);
                        }
                    };
                    self.enter(State::Following);
                    self.identity = Some(identity(&file.metadata()?));
                    self.file = Some(file);
                    self.position = 0;
                    self.tail.clear();
                    // The old file's unfinished last line must not run into the new file's first.
                    if let Some(read) = self.end_fragment(buf) {
                        return Ok(read);
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

    fn append(path: &std::path::Path, text: &str) {
        std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .expect("append");
    }

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
        let mut followed = FollowedFile::open(path.clone(), false, false).expect("open");
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
        // Written to the old file after our last read, then renamed away: still read first.
        append(&path, "3b\n");
        std::fs::rename(&path, dir.path().join("auth.log.1")).expect("rotate");
        std::fs::write(&path, "3c\n").expect("create");
        assert_eq!(read_now(&mut followed), "3b\n3c\n");
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
        let mut followed = FollowedFile::open(path.clone(), false, false).expect("open");
        assert_eq!(read_now(&mut followed), "");
        std::fs::write(&path, "appeared\n").expect("create");
        assert_eq!(read_now(&mut followed), "appeared\n");
        let mut from_end = FollowedFile::open(path.clone(), true, false).expect("open");
        assert_eq!(read_now(&mut from_end), "");
    }

    fn notes(followed: &FollowedFile) -> Vec<String> {
        std::mem::take(&mut followed.news.lock().expect("news").notes)
    }

    fn fragment(followed: &FollowedFile) -> bool {
        std::mem::take(&mut followed.news.lock().expect("news").fragment)
    }

    #[test]
    fn at_copytruncate_the_rest_is_read_from_the_copy_and_a_cut_line_is_a_fragment() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("app.log");
        std::fs::write(&path, "one\n").expect("write");
        let mut followed = FollowedFile::open(path.clone(), false, false).expect("open");
        assert_eq!(read_now(&mut followed), "one\n");
        // Written after our read, copied away, emptied: only the copy has "two".
        std::fs::write(&path, "one\ntwo\n").expect("write");
        std::fs::write(dir.path().join("app.log.2"), "old\nolder\n").expect("older sibling");
        std::fs::copy(&path, dir.path().join("app.log.1")).expect("copy");
        std::fs::write(&path, "three\n").expect("truncate and write");
        assert_eq!(read_now(&mut followed), "two\nthree\n");
        assert!(notes(&followed).is_empty());
        assert!(!fragment(&followed));
        // A line half written at a truncation with no copy: ended and marked, never glued.
        std::fs::write(&path, "three\nfour\nhal").expect("write");
        assert_eq!(read_now(&mut followed), "four\nhal");
        std::fs::remove_file(dir.path().join("app.log.1")).expect("remove copy");
        std::fs::write(&path, "five\n").expect("truncate");
        assert_eq!(read_now(&mut followed), "\nfive\n");
        assert!(fragment(&followed));
        let said = notes(&followed);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].contains("no rotated copy holds what followed byte"), "{said:?}");
    }

    #[test]
    fn each_change_of_state_is_said_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("later").join("app.log");
        let mut followed = FollowedFile::open(path.clone(), false, false).expect("open");
        assert_eq!(read_now(&mut followed), "");
        assert_eq!(read_now(&mut followed), "");
        let said = notes(&followed);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].contains("its folder does not exist"), "{said:?}");
        std::fs::create_dir(dir.path().join("later")).expect("mkdir");
        assert_eq!(read_now(&mut followed), "");
        assert!(notes(&followed)[0].contains("does not exist (yet)"));
        std::fs::write(&path, "here\n").expect("create");
        assert_eq!(read_now(&mut followed), "here\n");
        assert!(notes(&followed)[0].contains("is there again"));
        std::fs::remove_file(&path).expect("delete");
        assert_eq!(read_now(&mut followed), "");
        assert_eq!(read_now(&mut followed), "");
        let said = notes(&followed);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].contains("was deleted"), "{said:?}");
    }

    /// Unreadable for another reason than absence (root reads any mode, so a file standing
    /// where a folder should is the case a test can make): said once, then the way back.
    #[test]
    fn an_unreadable_path_is_said_once_and_waited_for() {
        let dir = tempfile::tempdir().expect("tempdir");
        let folder = dir.path().join("logs");
        std::fs::write(&folder, "a file, not a folder").expect("write");
        let path = folder.join("app.log");
        let mut followed = FollowedFile::open(path.clone(), false, false).expect("open");
        assert_eq!(read_now(&mut followed), "");
        assert_eq!(read_now(&mut followed), "");
        let said = notes(&followed);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(
            said[0].starts_with("cannot read ") && said[0].contains("waiting until it can be read"),
            "{said:?}"
        );
        std::fs::remove_file(&folder).expect("remove");
        std::fs::create_dir(&folder).expect("mkdir");
        std::fs::write(&path, "readable\n").expect("write");
        assert_eq!(read_now(&mut followed), "readable\n");
        assert!(notes(&followed)[0].contains("is there again"));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_that_now_leads_elsewhere_is_not_read_without_leave() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (app, secret) = (dir.path().join("app.real"), dir.path().join("shadow"));
        std::fs::write(&app, "app\n").expect("write");
        std::fs::write(&secret, "root:secret\n").expect("write");
        let link = dir.path().join("app.log");
        std::os::unix::fs::symlink(&app, &link).expect("link");
        for follow_retargeted in [false, true] {
            let mut followed = FollowedFile::open(link.clone(), false, follow_retargeted).expect("open");
            assert_eq!(read_now(&mut followed), "app\n");
            let swapped = dir.path().join("swap");
            std::os::unix::fs::symlink(&secret, &swapped).expect("link");
            std::fs::rename(&swapped, &link).expect("swap");
            if follow_retargeted {
                assert_eq!(read_now(&mut followed), "root:secret\n");
            } else {
                assert_eq!(read_now(&mut followed), "");
                let said = notes(&followed);
                assert!(said.len() == 1 && said[0].contains("now leads to"), "{said:?}");
                // Led back, it is followed again.
                std::os::unix::fs::symlink(&app, &swapped).expect("link");
                std::fs::rename(&swapped, &link).expect("swap back");
                std::fs::write(&app, "app\nmore\n").expect("append");
                assert_eq!(read_now(&mut followed), "more\n");
            }
            std::os::unix::fs::symlink(&app, &swapped).expect("link");
            std::fs::rename(&swapped, &link).expect("restore");
            std::fs::write(&app, "app\n").expect("reset");
        }
    }
}
