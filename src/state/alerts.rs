//! The `alerts` table: every alert `ls-detect` wrote, one row each, its main fields as
//! columns for queries and the record itself, as written, for whoever wants the rest.
//!
//! A writer thread owns the connection, so the stream never waits on the disk. The stage
//! gathers alert lines into a chunk and offers it to the writer whenever it is about to wait
//! for input: an idle writer takes it (a quiet live stream's alerts are stored at once), a
//! busy one leaves it to grow. Only a chunk of [`CHUNK_BYTES`] waits for room, and at most
//! [`MAX_QUEUED`] wait, so a disk slower than the alerts holds the stage back instead of
//! filling memory. The writer stores every chunk queued in one transaction.
//!
//! The detectors' windows travel the same way, behind the alerts they led to, and are stored
//! in the same transaction as those: a run killed at any moment leaves windows and alerts
//! that agree.

use super::windows::{write_windows, SavedWindows};
use super::{StateError, Store};
use crate::schema::AlertView;
use crate::time::Timestamp;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::thread::JoinHandle;

/// The alert bytes a chunk gathers before the stage waits to hand it over.
const CHUNK_BYTES: usize = 1024 * 1024;

/// Chunks waiting for the writer at most.
const MAX_QUEUED: usize = 4;

/// The alert bytes one transaction holds at most.
const TRANSACTION_BYTES: usize = 8 * 1024 * 1024;

/// What the writer did.
#[derive(Debug)]
pub struct Stored {
    /// Alerts written to the store.
    pub stored: u64,
    /// Why it stopped early, and how many alerts it had not written then.
    pub failure: Option<(StateError, u64)>,
}

/// What the writer is given.
enum Work {
    /// Alert lines, each ending in a newline.
    Alerts(Vec<u8>),
    /// The windows as they stood after the alerts before them.
    Windows(SavedWindows),
}

impl Work {
    fn alerts(&self) -> u64 {
        match self {
            Work::Alerts(chunk) => chunk_lines(chunk).count() as u64,
            Work::Windows(_) => 0,
        }
    }
}

/// The alerts of one run on their way into the store.
pub struct AlertLog {
    chunk: Vec<u8>,
    sender: Option<SyncSender<Work>>,
    writer: Option<JoinHandle<Stored>>,
    path: PathBuf,
}

impl AlertLog {
    /// Starts the writer thread on `store`.
    pub fn start(store: Store) -> Result<Self, StateError> {
        let path = store.path().to_owned();
        let (sender, receiver) = sync_channel(MAX_QUEUED);
        let writer = std::thread::Builder::new()
            .name("state-alerts".to_owned())
            .spawn(move || write_all(store, &receiver))
            .map_err(|error| StateError::Failed {
                path: path.display().to_string(),
                detail: format!("starting its writer: {error}"),
            })?;
        Ok(AlertLog {
            chunk: Vec::with_capacity(CHUNK_BYTES),
            sender: Some(sender),
            writer: Some(writer),
            path,
        })
    }

    /// The store's path, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Gathers the alert on `line` (one alert record, as written downstream) for the writer,
    /// which is given it by [`AlertLog::flushed`], once it is downstream.
    pub fn add(&mut self, line: &str) {
        self.chunk.extend_from_slice(line.as_bytes());
        self.chunk.push(b'\n');
    }

    /// What is gathered has reached the output: a full chunk waits for the writer, a smaller
    /// one is offered. `false` when the writer has stopped: [`AlertLog::finish`] says why.
    pub fn flushed(&mut self) -> bool {
        if self.chunk.len() >= CHUNK_BYTES {
            self.hand_over()
        } else {
            self.offer()
        }
    }

    /// Offers what is gathered to the writer: handed over if
    /// the writer has room, else kept and gathered on, so a busy writer gets large chunks
    /// and an idle one each alert at once. `false` when the writer has stopped.
    fn offer(&mut self) -> bool {
        if self.chunk.is_empty() {
            return self.sender.is_some();
        }
        let Some(sender) = self.sender.as_ref() else {
            return false;
        };
        let chunk = std::mem::replace(&mut self.chunk, Vec::with_capacity(CHUNK_BYTES));
        match sender.try_send(Work::Alerts(chunk)) {
            Ok(()) => true,
            Err(TrySendError::Full(Work::Alerts(chunk))) => {
                self.chunk = chunk;
                true
            }
            Err(TrySendError::Disconnected(Work::Alerts(chunk))) => {
                self.chunk = chunk;
                false
            }
            Err(_) => false,
        }
    }

    /// Hands the windows to the writer behind the alerts gathered so far, waiting for room.
    /// `false` when the writer has stopped.
    pub fn save_windows(&mut self, windows: SavedWindows) -> bool {
        self.hand_over()
            && self
                .sender
                .as_ref()
                .is_some_and(|sender| sender.send(Work::Windows(windows)).is_ok())
    }

    /// Hands what is gathered to the writer, waiting for room. `false` when the writer has
    /// stopped.
    fn hand_over(&mut self) -> bool {
        if self.chunk.is_empty() {
            return self.sender.is_some();
        }
        let Some(sender) = self.sender.as_ref() else {
            return false;
        };
        let chunk = std::mem::replace(&mut self.chunk, Vec::with_capacity(CHUNK_BYTES));
        match sender.send(Work::Alerts(chunk)) {
            Ok(()) => true,
            Err(unsent) => {
                if let Work::Alerts(chunk) = unsent.0 {
                    self.chunk = chunk;
                }
                false
            }
        }
    }

    /// Alert lines gathered and not handed over.
    fn gathered(&self) -> u64 {
        self.chunk.iter().filter(|&&byte| byte == b'\n').count() as u64
    }

    /// Lets the writer store what it was given, and says what it did.
    pub fn finish(mut self) -> Stored {
        let handed = self.hand_over();
        let unsent = if handed { 0 } else { self.gathered() };
        self.sender = None;
        let joined = self.writer.take().map(JoinHandle::join);
        match joined {
            Some(Ok(mut stored)) => {
                if let Some((_, unwritten)) = stored.failure.as_mut() {
                    *unwritten += unsent;
                }
                stored
            }
            _ => Stored {
                stored: 0,
                failure: Some((
                    StateError::Failed {
                        path: self.path.display().to_string(),
                        detail: "its writer stopped".to_owned(),
                    },
                    0,
                )),
            },
        }
    }
}

/// The writer thread: each batch of what has arrived, in one transaction, until the stage
/// lets go or a write fails. A batch ends with the first windows in it, so the windows
/// stored always follow the alerts before them.
fn write_all(mut store: Store, receiver: &Receiver<Work>) -> Stored {
    let mut stored = 0u64;
    let mut batch: Vec<Vec<u8>> = Vec::new();
    while let Ok(first) = receiver.recv() {
        // What is queued joins the first chunk's transaction: the busier the stage, the larger
        // the transactions.
        let mut bytes = 0;
        let mut windows = None;
        let mut next = Some(first);
        while let Some(work) = next.take() {
            match work {
                Work::Alerts(chunk) => {
                    bytes += chunk.len();
                    batch.push(chunk);
                }
                Work::Windows(saved) => {
                    windows = Some(saved);
                    break;
                }
            }
            if bytes < TRANSACTION_BYTES {
                next = receiver.try_recv().ok();
            }
        }
        let lines = batch.iter().flat_map(|chunk| chunk_lines(chunk));
        match write_batch(&mut store, lines, windows.as_ref()) {
            Ok(written) => stored += written,
            Err(error) => {
                let unwritten = batch.iter().map(|chunk| chunk_lines(chunk).count() as u64).sum::<u64>()
                    + receiver.try_iter().map(|work| work.alerts()).sum::<u64>();
                return Stored {
                    stored,
                    failure: Some((error, unwritten)),
                };
            }
        }
        batch.clear();
    }
    Stored { stored, failure: None }
}

fn chunk_lines(chunk: &[u8]) -> impl Iterator<Item = &str> {
    chunk
        .split(|&byte| byte == b'\n')
        .filter(|line| !line.is_empty())
        // Alerts are written by ls-detect, as UTF-8.
        .filter_map(|line| std::str::from_utf8(line).ok())
}

/// Stores `lines`, and `windows` after them, in one transaction; says how many were alerts.
fn write_batch<'l>(
    store: &mut Store,
    lines: impl Iterator<Item = &'l str>,
    windows: Option<&SavedWindows>,
) -> Result<u64, StateError> {
    let path = store.path.clone();
    let fail = |error| StateError::sqlite(&path, error);
    let transaction = store.connection.transaction().map_err(fail)?;
    let mut written = 0;
    {
        let mut insert = transaction
            .prepare(
                "INSERT OR IGNORE INTO alerts (time, unix_time, rule, severity, severity_rank, risk_score, module, \
                 source_ip, user_name, host_name, technique, message, record, fingerprint) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )
            .map_err(fail)?;
        for line in lines {
            // A line that is not an alert with a time and a rule is not stored (ls-detect
            // writes none such).
            let inserted = AlertView::read(line, |alert| {
                let time = alert.timestamp.as_deref()?;
                let unix_time = Timestamp::parse_rfc3339(time)?.unix_seconds();
                let severity = alert.severity();
                Some(insert.execute(rusqlite::params![
                    time,
                    unix_time,
                    alert.rule()?,
                    severity.name(),
                    severity as u8 + 1,
                    alert.risk_score(),
                    alert.event.module.as_deref(),
                    alert.source.ip.as_deref(),
                    alert.user.name.as_deref(),
                    alert.host.name(),
                    alert.threat.technique.id.first(),
                    alert.message.as_deref(),
                    line,
                    format!("{:016x}", fingerprint(line)),
                ]))
            });
            match inserted {
                Ok((Some(Err(error)), _)) => return Err(fail(error)),
                Ok((Some(Ok(inserted)), _)) => written += inserted as u64,
                _ => {}
            }
        }
    }
    if let Some(windows) = windows {
        write_windows(&transaction, windows).map_err(fail)?;
    }
    transaction.commit().map_err(fail)?;
    Ok(written)
}

/// What tells one alert from another: the FNV-1a hash of its record. A run that restarts
/// from saved windows writes again, byte for byte, the alerts the run before wrote after
/// that save; the store keeps each once.
pub fn fingerprint(record: &str) -> u64 {
    crate::text::fnv1a(record.as_bytes())
}

impl Store {
    /// The fingerprints of the alerts stored with a time at or after `unix_time`: those a run
    /// restarting from windows saved then may write again.
    pub fn alert_fingerprints_since(&self, unix_time: i64) -> Result<std::collections::HashSet<u64>, StateError> {
        let fail = |error| self.error(error);
        let mut query = self
            .connection
            .prepare("SELECT fingerprint FROM alerts WHERE unix_time >= ?1 AND fingerprint IS NOT NULL")
            .map_err(fail)?;
        let rows = query
            .query_map([unix_time], |row| row.get::<_, String>(0))
            .map_err(fail)?;
        let mut fingerprints = std::collections::HashSet::new();
        for row in rows {
            if let Ok(hash) = u64::from_str_radix(&row.map_err(fail)?, 16) {
                fingerprints.insert(hash);
            }
        }
        Ok(fingerprints)
    }
}
