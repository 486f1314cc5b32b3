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

use crate::text::fnv1a;
use std::collections::VecDeque;
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
    /// The latest stretches of the stream, each read from one file in one go.
    segments: VecDeque<Segment>,
}

/// How many of a file's first bytes tell it apart beside its device and inode: an inode is
/// reused once its file is deleted, a log's first lines are not.
pub const HEAD_BYTES: u64 = 1024;

/// Stretches remembered: a place saved is at most a buffer or two behind the reading.
const MAX_SEGMENTS: usize = 16;

/// A stretch of the stream read from one file without a break: where it starts in the
/// stream and in the file, so a place in the stream names a place in a file.
#[derive(Debug)]
struct Segment {
    starts_at: u64,
    offset: u64,
    identity: (u64, u64),
    name: PathBuf,
    /// A handle of its own on the file, to read its first bytes from when a place is saved.
    file: Option<File>,
}

/// A place in a followed file, for a later run to go on from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadPosition {
    /// The file the place is in, by its name when it was read (the followed path, or the
    /// rotated copy being finished).
    pub file: PathBuf,
    /// Its device and inode.
    pub identity: (u64, u64),
    /// How many of its first bytes `head_hash` covers (fewer than [`HEAD_BYTES`] in a file
    /// that was shorter then).
    pub head_bytes: u64,
    /// FNV-1a of those bytes.
    pub head_hash: u64,
    /// The byte after the last line whose events are written.
    pub offset: u64,
    /// Lines read from the input before that byte, to number the next one.
    pub line: u64,
}

impl FollowNews {
    /// Where in a file the stream's byte `consumed` is, and what tells that file apart.
    pub fn position_at(&self, consumed: u64, line: u64) -> Option<ReadPosition> {
        let segment = self
            .segments
            .iter()
            .rev()
            .find(|segment| segment.starts_at <= consumed)?;
        let file = segment.file.as_ref()?;
        let length = file.metadata().ok()?.len();
        // Past the file's end only by the `\n` that ended its cut-off last line.
        let offset = (segment.offset + (consumed - segment.starts_at)).min(length);
        let (head_bytes, head_hash) = head_of(file, length.min(HEAD_BYTES))?;
        Some(ReadPosition {
            file: segment.name.clone(),
            identity: segment.identity,
            head_bytes,
            head_hash,
            offset,
            line,
        })
    }
}

/// The hash of a file's first `bytes` bytes.
fn head_of(file: &File, bytes: u64) -> Option<(u64, u64)> {
    let mut head = vec![0u8; usize::try_from(bytes).ok()?];
    read_exact_at(file, &mut head, 0).ok()?;
    Some((bytes, fnv1a(&head)))
}

/// The first bytes of `file` (up to [`HEAD_BYTES`]: the first line alone may be the same
/// in every file of a log), for [`FollowedFile::unread_head`].
fn head_bytes(file: &File) -> Vec<u8> {
    let length = file.metadata().map_or(0, |meta| meta.len()).min(HEAD_BYTES);
    let mut head = vec![0u8; length as usize];
    match read_exact_at(file, &mut head, 0) {
        Ok(()) => head,
        Err(_) => Vec::new(),
    }
}

/// Whether `file` starts with `head`.
fn starts_with(file: &File, head: &[u8]) -> bool {
    let mut start = vec![0u8; head.len()];
    read_exact_at(file, &mut start, 0).is_ok() && start == head
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buf, at)
}

#[cfg(not(unix))]
fn read_exact_at(_file: &File, _buf: &mut [u8], _at: u64) -> io::Result<()> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "positioned reads"))
}

/// Whether `meta` and `file` are the file `at` names: its first bytes, and at least as long.
fn holds_position(file: &File, meta: &Metadata, at: &ReadPosition) -> bool {
    meta.len() >= at.offset
        && meta.len() >= at.head_bytes
        && head_of(file, at.head_bytes).is_some_and(|(_, hash)| hash == at.head_hash)
}

/// A rotated file read to its end before the followed path.
struct Rotated {
    file: File,
    identity: (u64, u64),
    name: PathBuf,
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
    /// emptied file is read again; at a resume, the rotations made while no run was reading.
    rotated: VecDeque<Rotated>,
    /// Bytes handed out so far.
    delivered: u64,
    /// The first bytes the followed file had when it was opened at its start and before a
    /// byte of it was read (rotated files come first): emptied and refilled meanwhile, its
    /// text moved to a copy, which is then read first.
    unread_head: Vec<u8>,
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
            rotated: VecDeque::new(),
            delivered: 0,
            unread_head: Vec::new(),
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

    /// Follows `path` from where a run before read it to, `at`: in the same file if it is
    /// still there, else first the rest of the file it was (now a rotated sibling) and the
    /// siblings rotated after it, then the path from its start. When that file is gone, the
    /// loss is said and the path read from its start.
    pub fn resume(path: PathBuf, follow_retargeted: bool, at: &ReadPosition) -> io::Result<Self> {
        let mut followed = FollowedFile::open(path, false, follow_retargeted)?;
        let current = followed.file.take();
        if let Some(mut file) = current {
            let meta = file.metadata()?;
            if holds_position(&file, &meta, at) {
                followed.position = file.seek(SeekFrom::Start(at.offset))?;
                followed.remember_tail_before_end(&file);
                followed.file = Some(file);
                return Ok(followed);
            }
            file.seek(SeekFrom::Start(0))?;
            followed.unread_head = head_bytes(&file);
            followed.file = Some(file);
        }
        let chain = followed.rotated_since(at);
        if chain.is_empty() && at.offset > 0 {
            followed.note(format!(
                "{}: the file read to byte {} by the last run is gone (deleted, or rotated and \
                 compressed): what was written to it after that byte is lost; reading from the start",
                followed.path.display(),
                at.offset
            ));
        }
        followed.rotated = chain;
        Ok(followed)
    }

    /// The sibling that holds `at` (positioned there) and the siblings rotated after it,
    /// oldest first: what a run that was not reading must read before the path.
    fn rotated_since(&self, at: &ReadPosition) -> VecDeque<Rotated> {
        let current = std::fs::metadata(&self.path).ok().map(|meta| identity(&meta));
        let siblings = self.siblings();
        let holder = siblings.iter().find_map(|(modified, path, meta)| {
            let mut file = File::open(path).ok()?;
            if !holds_position(&file, meta, at) || Some(identity(meta)) == current {
                return None;
            }
            file.seek(SeekFrom::Start(at.offset)).ok()?;
            Some((*modified, identity(meta), path.clone(), file))
        });
        let Some((since, holder_identity, name, file)) = holder else {
            return VecDeque::new();
        };
        let mut chain = VecDeque::from([Rotated {
            file,
            identity: holder_identity,
            name,
        }]);
        chain.extend(self.rotated_after(since, &[holder_identity, current.unwrap_or_default()]));
        chain
    }

    /// The siblings last written at or after `since`, oldest first, but for the files `except`
    /// names: the rotations made after the file we were reading, to be read before the path.
    fn rotated_after(&self, since: std::time::SystemTime, except: &[(u64, u64)]) -> Vec<Rotated> {
        let mut later: Vec<_> = self
            .siblings()
            .into_iter()
            .filter(|(modified, _, meta)| *modified >= since && !except.contains(&identity(meta)))
            .collect();
        later.sort_by_key(|(modified, _, _)| *modified);
        later
            .into_iter()
            .filter_map(|(_, path, meta)| {
                Some(Rotated {
                    file: File::open(&path).ok()?,
                    identity: identity(&meta),
                    name: path,
                })
            })
            .collect()
    }

    /// Records that the bytes about to be handed out come from `name` at `offset`: a new
    /// stretch when that is not where the last one goes on.
    fn mark(&mut self, file: &File, identity: (u64, u64), name: &Path, offset: u64) {
        let Ok(mut news) = self.news.lock() else {
            return;
        };
        let delivered = self.delivered;
        let goes_on = news
            .segments
            .back()
            .is_some_and(|last| last.identity == identity && last.offset + (delivered - last.starts_at) == offset);
        if goes_on {
            return;
        }
        if news.segments.len() == MAX_SEGMENTS {
            news.segments.pop_front();
        }
        news.segments.push_back(Segment {
            starts_at: delivered,
            offset,
            identity,
            name: name.to_owned(),
            file: file.try_clone().ok(),
        });
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

    /// The files beside this one named after it (`FILE.1`, `FILE-20261207`; not compressed
    /// ones, which cannot be read on from a place), newest first, at most [`MAX_SIBLINGS`]
    /// looked at.
    fn siblings(&self) -> Vec<(std::time::SystemTime, PathBuf, Metadata)> {
        let Some(name) = self.path.file_name().and_then(|name| name.to_str()) else {
            return Vec::new();
        };
        let folder = match self.path.parent() {
            Some(folder) if !folder.as_os_str().is_empty() => folder,
            _ => Path::new("."),
        };
        let Ok(entries) = std::fs::read_dir(folder) else {
            return Vec::new();
        };
        let mut siblings: Vec<_> = entries
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
                meta.is_file()
                    .then(|| (meta.modified().unwrap_or(std::time::UNIX_EPOCH), entry.path(), meta))
            })
            .collect();
        siblings.sort_by_key(|sibling| std::cmp::Reverse(sibling.0));
        siblings
    }

    /// The copy a copytruncate made of this file before we read any of it: the newest sibling
    /// that starts with the bytes the file started with, from its start.
    fn copy_of_unread(&self, head: &[u8]) -> Option<Rotated> {
        self.siblings()
            .into_iter()
            .filter(|(_, _, meta)| Some(identity(meta)) != self.identity)
            .take(MAX_CANDIDATES)
            .find_map(|(_, path, meta)| {
                let copy = File::open(&path).ok()?;
                starts_with(&copy, head).then(|| Rotated {
                    file: copy,
                    identity: identity(&meta),
                    name: path,
                })
            })
    }

    /// The copy a copytruncate made of this file: the newest sibling that holds the bytes we
    /// read last at the place we read them, positioned where we stopped.
    fn rotated_copy(&self) -> Option<Rotated> {
        if self.tail.is_empty() {
            return None;
        }
        self.siblings()
            .into_iter()
            .filter(|(_, _, meta)| meta.len() >= self.position && Some(identity(meta)) != self.identity)
            .take(MAX_CANDIDATES)
            .find_map(|(_, path, meta)| {
                let mut copy = File::open(&path).ok()?;
                if !holds_tail_at(&copy, &self.tail, self.position) {
                    return None;
                }
                copy.seek(SeekFrom::Start(self.position)).ok()?;
                Some(Rotated {
                    file: copy,
                    identity: identity(&meta),
                    name: path,
                })
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
        let read = self.read_any(buf)?;
        self.delivered += read as u64;
        Ok(read)
    }
}

impl FollowedFile {
    fn read_any(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut look_first = std::mem::take(&mut self.waited);
        let mut truncated = false;
        loop {
            if let Some(mut rotated) = self.rotated.pop_front() {
                // A copy that cannot be read further has given what it could.
                let offset = rotated.file.stream_position().unwrap_or(0);
                let read = rotated.file.read(buf).unwrap_or(0);
                if read > 0 {
                    self.mark(&rotated.file, rotated.identity, &rotated.name, offset);
                    self.last_byte = Some(buf[read - 1]);
                    self.rotated.push_front(rotated);
                    return Ok(read);
                }
                if let Some(read) = self.end_fragment(buf) {
                    return Ok(read);
                }
                continue;
            }
            if !self.unread_head.is_empty() && !look_first {
                let head = std::mem::take(&mut self.unread_head);
                let still = self.file.as_ref().is_none_or(|file| starts_with(file, &head));
                if !still {
                    if let Some(copy) = self.copy_of_unread(&head) {
                        self.rotated.push_back(copy);
                        continue;
                    }
                }
            }
            if let Some(mut file) = self.file.take_if(|_| !look_first) {
                let read = file.read(buf);
                let read = match read {
                    Ok(read) => read,
                    Err(error) => {
                        self.file = Some(file);
                        return Err(error);
                    }
                };
                // Emptied and refilled past our place since the last read (a copytruncate
                // while we were behind): the bytes before our place are no longer what we
                // read, and what was just read is new text from the middle of a line.
                let refilled = read > 0 && !self.tail.is_empty() && !holds_tail_at(&file, &self.tail, self.position);
                if refilled {
                    truncated = true;
                } else if read > 0 {
                    if let Some(identity) = self.identity {
                        let path = self.path.clone();
                        self.mark(&file, identity, &path, self.position);
                    }
                    self.file = Some(file);
                    self.position += read as u64;
                    self.last_byte = Some(buf[read - 1]);
                    self.remember_tail(&buf[..read]);
                    return Ok(read);
                }
                self.file = Some(file);
            }
            let change = if std::mem::take(&mut truncated) {
                PathChange::Truncated
            } else {
                self.check_path()?
            };
            match change {
                PathChange::None if std::mem::take(&mut look_first) => {}
                PathChange::None => {
                    self.waited = true;
                    return Ok(0);
                }
                PathChange::Truncated => {
                    look_first = false;
                    self.rotated.extend(self.rotated_copy());
                    if self.rotated.is_empty() && self.position > 0 {
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
                    if !self.rotated.is_empty() {
                        self.unread_head = self.file.as_ref().map(head_bytes).unwrap_or_default();
                    }
                    self.position = 0;
                    self.tail.clear();
                    if self.rotated.is_empty() {
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
                    let new_identity = identity(&file.metadata()?);
                    // A reader held back (a slow pipe) may find the path rotated again since
                    // the old file was: what was rotated after it comes before the path.
                    let old = self.file.as_ref().and_then(|old| old.metadata().ok());
                    if let (Some(old), Some(old_identity)) = (old, self.identity) {
                        let since = old.modified().unwrap_or(std::time::UNIX_EPOCH);
                        let rotated_after = self.rotated_after(since, &[old_identity, new_identity]);
                        self.rotated.extend(rotated_after);
                    }
                    self.identity = Some(new_identity);
                    self.unread_head = head_bytes(&file);
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

    /// Where `followed` stands after handing out `consumed` bytes.
    fn place(followed: &FollowedFile, consumed: u64) -> ReadPosition {
        followed
            .news
            .lock()
            .expect("news")
            .position_at(consumed, 0)
            .expect("a place")
    }

    #[test]
    fn a_resumed_file_goes_on_where_the_last_run_stopped_across_rotations() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("auth.log");
        std::fs::write(&path, "one\ntwo\n").expect("write");
        let mut followed = FollowedFile::open(path.clone(), false, false).expect("open");
        assert_eq!(read_now(&mut followed), "one\ntwo\n");
        // The lines up to "one" were written downstream: a later run starts at "two".
        let after_one = place(&followed, 4);
        assert_eq!((after_one.offset, after_one.file.clone()), (4, path.clone()));
        append(&path, "three\n");
        let mut same = FollowedFile::resume(path.clone(), false, &after_one).expect("resume");
        assert_eq!(read_now(&mut same), "two\nthree\n");
        // Rotated twice while no run read: the rest of the first, the second, the new file.
        let at_end = place(&same, 10);
        assert_eq!(at_end.offset, 14);
        append(&path, "four\n");
        std::fs::rename(&path, dir.path().join("auth.log.2")).expect("rotate");
        std::fs::write(&path, "five\n").expect("create");
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::rename(&path, dir.path().join("auth.log.1")).expect("rotate");
        std::fs::write(&path, "six\n").expect("create");
        let mut rotated = FollowedFile::resume(path.clone(), false, &at_end).expect("resume");
        assert_eq!(read_now(&mut rotated), "four\nfive\nsix\n");
        assert!(notes(&rotated).is_empty());
        // A place inside the rotated copy names that copy, which a later run finds again.
        let in_copy = place(&rotated, 2);
        assert_eq!(
            (in_copy.file.clone(), in_copy.offset),
            (dir.path().join("auth.log.2"), 16)
        );
    }

    #[test]
    fn a_copytruncate_while_no_run_read_is_finished_from_the_copy_and_a_lost_file_said() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("app.log");
        std::fs::write(&path, "one\n").expect("write");
        let mut followed = FollowedFile::open(path.clone(), false, false).expect("open");
        assert_eq!(read_now(&mut followed), "one\n");
        let stopped = place(&followed, 4);
        append(&path, "two\n");
        std::fs::copy(&path, dir.path().join("app.log.1")).expect("copy");
        std::fs::write(&path, "three\n").expect("truncate and write");
        let mut resumed = FollowedFile::resume(path.clone(), false, &stopped).expect("resume");
        assert_eq!(read_now(&mut resumed), "two\nthree\n");
        // Copied away and emptied again after the resume, before the run read a byte of it:
        // its text is read from the copy.
        std::fs::write(&path, "four\n").expect("write");
        let mut early = FollowedFile::resume(path.clone(), false, &stopped).expect("resume");
        std::fs::rename(dir.path().join("app.log.1"), dir.path().join("app.log.2")).expect("shift");
        std::fs::copy(&path, dir.path().join("app.log.1")).expect("copy");
        std::fs::write(&path, "five\n").expect("truncate and write");
        assert_eq!(read_now(&mut early), "two\nfour\nfive\n");
        std::fs::remove_file(dir.path().join("app.log.2")).expect("remove");
        std::fs::rename(dir.path().join("app.log.1"), dir.path().join("app.log.9")).expect("hide");
        // The file read before is gone altogether: said, and the path read from its start.
        std::fs::remove_file(dir.path().join("app.log.9")).expect("remove");
        let mut lost = FollowedFile::resume(path.clone(), false, &stopped).expect("resume");
        assert_eq!(read_now(&mut lost), "five\n");
        let said = notes(&lost);
        assert!(said.len() == 1 && said[0].contains("is gone"), "{said:?}");
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
    fn a_copytruncate_while_the_reader_is_behind_is_seen_before_the_new_text_is_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("app.log");
        let old: String = (0..20).map(|n| format!("old line {n:02}\n")).collect();
        std::fs::write(&path, &old).expect("write");
        let mut followed = FollowedFile::open(path.clone(), false, false).expect("open");
        let mut first = [0u8; 64];
        let read = followed.read(&mut first).expect("read");
        // Behind by most of the file, which is copied away, emptied and refilled past us.
        std::fs::copy(&path, dir.path().join("app.log.1")).expect("copy");
        let new: String = (0..20).map(|n| format!("new line {n:02}\n")).collect();
        std::fs::write(&path, &new).expect("truncate and refill");
        let rest = read_now(&mut followed);
        assert_eq!(
            format!("{}{rest}", String::from_utf8_lossy(&first[..read])),
            format!("{old}{new}")
        );
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
