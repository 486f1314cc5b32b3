//! The `alerts` table: every alert `ls-detect` wrote, one row each, its main fields as
//! columns for queries and the record itself, as written, for whoever wants the rest.
//!
//! A writer thread owns the connection, so the stream never waits on the disk. The stage
//! gathers alert lines and, each time what it wrote has reached its output, adds them to
//! what waits for the writer: an append under a lock, no system call. The writer takes all
//! that waits in one transaction, every [`GATHER`] (a quiet live stream's alerts are stored
//! within it) or as soon as [`WAKE_BYTES`] wait. Waking it for each handful of alerts would
//! cost a transaction each (every commit writes again each index page its alerts touched),
//! and on a busy machine the woken writer takes the stage's core. Only when
//! [`MAX_WAITING_BYTES`] wait does the stage wait too, so a disk slower than the alerts holds
//! the stage back instead of filling memory.
//!
//! The detectors' windows travel the same way, behind the alerts they led to, and are stored
//! in the same transaction as those: a run killed at any moment leaves windows and alerts
//! that agree.

use super::windows::{write_windows, SavedWindows};
use super::{StateError, Store};
use crate::schema::AlertColumns;
use crate::time::Timestamp;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long alerts wait for the writer at most: long enough that a busy stream's
/// transactions hold thousands of alerts, short enough that a run killed then has written
/// downstream few alerts it had not stored (which its restart writes again).
const GATHER: Duration = Duration::from_millis(50);

/// Alert bytes waiting that wake the writer before [`GATHER`] is up.
const WAKE_BYTES: usize = 1024 * 1024;

/// Alert bytes waiting at most: the stage waits for the writer beyond them.
const MAX_WAITING_BYTES: usize = 16 * 1024 * 1024;

/// What the writer did.
#[derive(Debug)]
pub struct Stored {
    /// Alerts written to the store.
    pub stored: u64,
    /// Why it stopped early, and how many alerts it had not written then.
    pub failure: Option<(StateError, u64)>,
}

/// What waits for the writer, shared with the stage.
#[derive(Default)]
struct Waiting {
    /// Alert lines, each ending in a newline (text, as the stage was given it: the writer
    /// need not check it again).
    alerts: String,
    /// The windows as they stood after the alerts before them.
    windows: Option<SavedWindows>,
    /// The stage has let go: the writer stores what waits and ends.
    closed: bool,
    /// The writer has stopped (a write failed): nothing more is taken.
    stopped: bool,
}

/// The stage's and the writer's meeting place.
#[derive(Default)]
struct Handover {
    waiting: Mutex<Waiting>,
    /// Signalled to wake the writer early.
    arrived: Condvar,
    /// Signalled when the writer took what waited.
    taken: Condvar,
}

impl Handover {
    fn lock(&self) -> MutexGuard<'_, Waiting> {
        // Neither side panics holding the lock; if one did, what it left is still whole bytes.
        self.waiting.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The alerts of one run on their way into the store.
pub struct AlertLog {
    chunk: String,
    handover: Arc<Handover>,
    writer: Option<JoinHandle<Stored>>,
    path: PathBuf,
}

impl AlertLog {
    /// Starts the writer thread on `store`.
    pub fn start(store: Store) -> Result<Self, StateError> {
        let path = store.path().to_owned();
        let handover = Arc::new(Handover::default());
        let shared = Arc::clone(&handover);
        let writer = std::thread::Builder::new()
            .name("state-alerts".to_owned())
            .spawn(move || write_all(store, &shared))
            .map_err(|error| StateError::Failed {
                path: path.display().to_string(),
                detail: format!("starting its writer: {error}"),
            })?;
        Ok(AlertLog {
            chunk: String::new(),
            handover,
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
        self.chunk.push_str(line);
        self.chunk.push('\n');
    }

    /// What is gathered has reached the output: it waits for the writer (the stage waits
    /// only when [`MAX_WAITING_BYTES`] already do). `false` when the writer has stopped:
    /// [`AlertLog::finish`] says why.
    pub fn flushed(&mut self) -> bool {
        if self.chunk.is_empty() {
            return !self.handover.lock().stopped;
        }
        let waiting = hand_over(&self.handover, &mut self.chunk);
        !waiting.stopped && {
            if waiting.alerts.len() >= WAKE_BYTES {
                self.handover.arrived.notify_one();
            }
            drop(waiting);
            true
        }
    }

    /// Hands the windows to the writer behind the alerts gathered so far, and wakes it.
    /// `false` when the writer has stopped.
    pub fn save_windows(&mut self, windows: SavedWindows) -> bool {
        let mut waiting = hand_over(&self.handover, &mut self.chunk);
        if waiting.stopped {
            return false;
        }
        waiting.windows = Some(windows);
        drop(waiting);
        self.handover.arrived.notify_one();
        true
    }

    /// Lets the writer store what it was given, and says what it did.
    pub fn finish(mut self) -> Stored {
        let mut waiting = hand_over(&self.handover, &mut self.chunk);
        let unsent = if waiting.stopped { lines(&self.chunk) } else { 0 };
        waiting.closed = true;
        drop(waiting);
        self.handover.arrived.notify_one();
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

/// Adds `chunk` to what waits for the writer, once there is room (or the writer stopped:
/// then `chunk` is left as it was).
fn hand_over<'h>(handover: &'h Handover, chunk: &mut String) -> MutexGuard<'h, Waiting> {
    let mut waiting = handover.lock();
    while !waiting.stopped && waiting.alerts.len() >= MAX_WAITING_BYTES {
        handover.arrived.notify_one();
        waiting = handover
            .taken
            .wait(waiting)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
    }
    if !waiting.stopped {
        if waiting.alerts.is_empty() {
            std::mem::swap(&mut waiting.alerts, chunk);
        } else {
            waiting.alerts.push_str(chunk);
            chunk.clear();
        }
    }
    waiting
}

/// Alert lines in `chunk`.
fn lines(chunk: &str) -> u64 {
    memchr::memchr_iter(b'\n', chunk.as_bytes()).count() as u64
}

/// The writer thread: all that waits, in one transaction, every [`GATHER`] or when woken,
/// until the stage lets go or a write fails.
fn write_all(mut store: Store, handover: &Handover) -> Stored {
    let mut stored = 0u64;
    let mut alerts = String::new();
    loop {
        let (windows, closed) = {
            let mut waiting = handover.lock();
            if waiting.alerts.is_empty() && waiting.windows.is_none() && !waiting.closed {
                waiting = handover
                    .arrived
                    .wait_timeout(waiting, GATHER)
                    .map(|(waiting, _)| waiting)
                    .unwrap_or_else(|poisoned| poisoned.into_inner().0);
            }
            alerts.clear();
            std::mem::swap(&mut alerts, &mut waiting.alerts);
            (waiting.windows.take(), waiting.closed)
        };
        handover.taken.notify_one();
        if !alerts.is_empty() || windows.is_some() {
            match write_batch(&mut store, chunk_lines(&alerts), windows.as_ref()) {
                Ok(written) => stored += written,
                Err(error) => {
                    let mut waiting = handover.lock();
                    waiting.stopped = true;
                    let unwritten = lines(&alerts) + lines(&waiting.alerts);
                    waiting.alerts = String::new();
                    drop(waiting);
                    handover.taken.notify_all();
                    return Stored {
                        stored,
                        failure: Some((error, unwritten)),
                    };
                }
            }
        }
        if closed && handover.lock().alerts.is_empty() {
            return Stored { stored, failure: None };
        }
    }
}

fn chunk_lines(chunk: &str) -> impl Iterator<Item = &str> {
    chunk.split('\n').filter(|line| !line.is_empty())
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
            let inserted = AlertColumns::read(line, |alert| {
                let unix_time = Timestamp::parse_rfc3339(alert.time)?.unix_seconds();
                Some(insert.execute(rusqlite::params![
                    alert.time,
                    unix_time,
                    alert.rule,
                    alert.severity.name(),
                    alert.severity as u8 + 1,
                    alert.risk_score,
                    alert.module,
                    alert.source_ip,
                    alert.user_name,
                    alert.host_name,
                    alert.technique,
                    alert.message,
                    line,
                    format!("{:016x}", fingerprint(line)),
                ]))
            })
            .flatten();
            match inserted {
                Some(Err(error)) => return Err(fail(error)),
                Some(Ok(inserted)) => written += inserted as u64,
                None => {}
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

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(n: u32) -> String {
        format!(
            r#"{{"@timestamp":"2026-03-14T01:02:{:02}Z","message":"alert {n}","event":{{"kind":"alert","module":"ssh","severity":73,"risk_score":65}},"rule":{{"id":"brute-force"}},"source":{{"ip":"203.0.113.{n}"}}}}"#,
            n % 60
        )
    }

    fn count(path: &Path) -> i64 {
        let store = Store::open(path).expect("opened");
        store
            .connection
            .query_row("SELECT count(*) FROM alerts", [], |row| row.get(0))
            .expect("counted")
    }

    #[test]
    fn a_quiet_streams_alert_is_stored_without_more_input() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let path = folder.path().join("state.db");
        let mut log = AlertLog::start(Store::open(&path).expect("created")).expect("started");
        log.add(&alert(1));
        assert!(log.flushed());
        let started = std::time::Instant::now();
        while count(&path) == 0 {
            assert!(started.elapsed() < Duration::from_secs(10), "never stored");
            std::thread::sleep(Duration::from_millis(20));
        }
        let stored = log.finish();
        assert!(stored.failure.is_none());
        assert_eq!(stored.stored, 1);
    }

    #[test]
    fn windows_are_stored_with_every_alert_before_them_and_an_alert_once() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let path = folder.path().join("state.db");
        let mut log = AlertLog::start(Store::open(&path).expect("created")).expect("started");
        // More than the stage may leave waiting, so it waits for the writer on the way.
        let alerts = u32::try_from(MAX_WAITING_BYTES / 200 + 1000).expect("small");
        for n in 0..alerts {
            log.add(&alert(n));
            if n % 100 == 0 {
                assert!(log.flushed());
            }
        }
        let windows = SavedWindows {
            settings: "test".to_owned(),
            detectors: vec![("brute-force".to_owned(), "[]".to_owned())],
        };
        assert!(log.save_windows(windows.clone()));
        // The same record again is the same alert.
        log.add(&alert(0));
        assert!(log.flushed());
        let stored = log.finish();
        assert!(stored.failure.is_none(), "{:?}", stored.failure);
        assert_eq!(stored.stored, u64::from(alerts));
        assert_eq!(count(&path), i64::from(alerts));
        assert_eq!(
            Store::open(&path).expect("opened").windows().expect("read"),
            Some(windows)
        );
    }
}
