//! The state store: one SQLite file (`--state FILE`) that the stages of a pipeline share, so
//! that a run remembers what the runs before it saw. WAL mode lets several stages write to one
//! file at once; each stage owns its own tables. The tables are plain rows with readable
//! columns, for the `sqlite3` shell, `ls-history`, and whatever web page reads them later;
//! man/logsentry-state.5 documents them column by column.
//!
//! A file is used only when it is ours: an SQLite file of another program, a file that is not
//! SQLite at all, one that is damaged, and one written by a newer LogSentry (a schema version
//! beyond [`SCHEMA_VERSION`]) are refused before anything is written to them.

mod alerts;
pub mod history;
mod incidents;
mod inputs;
mod windows;

pub use alerts::{fingerprint as alert_fingerprint, AlertLog};
pub use incidents::{IncidentBook, SavedGroups};
pub use inputs::InputPlace;
pub use windows::SavedWindows;

use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `PRAGMA application_id` of a LogSentry state file: "LSst".
const APPLICATION_ID: i32 = 0x4C53_7374;

/// How long a stage waits for another writer to let go of the file.
pub const LOCK_WAIT: Duration = Duration::from_secs(10);

/// Each migration brings the schema from its index to the next version; `user_version` says
/// how many have run. A migration is never edited once released: a change is a new one.
const MIGRATIONS: &[&str] = &[
    // 1: the alerts ls-detect wrote.
    "CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        time TEXT NOT NULL,
        unix_time INTEGER NOT NULL,
        rule TEXT NOT NULL,
        severity TEXT NOT NULL,
        severity_rank INTEGER NOT NULL,
        risk_score INTEGER NOT NULL,
        module TEXT,
        source_ip TEXT,
        user_name TEXT,
        host_name TEXT,
        technique TEXT,
        message TEXT,
        record TEXT NOT NULL
    );
    CREATE INDEX alerts_by_time ON alerts (unix_time);
    CREATE INDEX alerts_by_source ON alerts (source_ip, unix_time);",
    // 2: ls-detect's open windows, one row per detector.
    "CREATE TABLE windows (
        detector TEXT PRIMARY KEY,
        saved_at TEXT NOT NULL,
        settings TEXT NOT NULL,
        state TEXT NOT NULL
    );",
    // 3: where ls-parse --follow read each followed file to.
    "CREATE TABLE inputs (
        path TEXT PRIMARY KEY,
        file TEXT NOT NULL,
        device INTEGER NOT NULL,
        inode INTEGER NOT NULL,
        head_bytes INTEGER NOT NULL,
        head_hash TEXT NOT NULL,
        offset INTEGER NOT NULL,
        line INTEGER NOT NULL,
        saved_at TEXT NOT NULL
    );",
    // 4: each alert stored once, however often a restarted run writes it again.
    "ALTER TABLE alerts ADD COLUMN fingerprint TEXT;
    CREATE UNIQUE INDEX alerts_by_fingerprint ON alerts (fingerprint);",
    // 5: ls-correlate's incidents, and the groups it had open when it last saved.
    "CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        group_by TEXT NOT NULL,
        group_key TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        first_unix INTEGER NOT NULL,
        last_seen TEXT NOT NULL,
        last_unix INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        open INTEGER NOT NULL,
        stage TEXT NOT NULL,
        severity TEXT NOT NULL,
        severity_rank INTEGER NOT NULL,
        risk_score INTEGER NOT NULL,
        alerts INTEGER NOT NULL,
        rules TEXT NOT NULL,
        techniques TEXT NOT NULL,
        tactics TEXT NOT NULL,
        sources TEXT NOT NULL,
        usernames TEXT NOT NULL,
        hosts TEXT NOT NULL,
        message TEXT NOT NULL,
        previous TEXT,
        saved_at TEXT NOT NULL
    );
    CREATE INDEX incidents_by_key ON incidents (group_by, group_key, first_unix);
    CREATE INDEX incidents_by_time ON incidents (last_unix);
    CREATE TABLE correlation (
        group_by TEXT PRIMARY KEY,
        saved_at TEXT NOT NULL,
        settings TEXT NOT NULL,
        state TEXT NOT NULL
    );",
    // 6: each alert once by time and fingerprint, in one index that grows at its end: the
    // fingerprint alone put each new alert at a random place, and every commit wrote again
    // most of that index's pages.
    "DROP INDEX alerts_by_fingerprint;
    DROP INDEX alerts_by_time;
    CREATE UNIQUE INDEX alerts_by_time ON alerts (unix_time, fingerprint);",
    // 7: what the file knew of an incident's key when it began (`logsentry.history.*`).
    "ALTER TABLE incidents ADD COLUMN history_first_seen TEXT;
    ALTER TABLE incidents ADD COLUMN incidents_before INTEGER;
    ALTER TABLE incidents ADD COLUMN alerts_before INTEGER;",
];

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Why the state file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file is not ours: not SQLite, or another program's database.
    #[error("{path}: not a LogSentry state file ({why}); it was left as it is")]
    Foreign {
        /// The file.
        path: String,
        /// What it is instead.
        why: String,
    },
    /// A newer LogSentry wrote it.
    #[error(
        "{path}: written by a newer LogSentry (state schema version {found}; this one knows up to \
         {SCHEMA_VERSION}); it was left as it is"
    )]
    Newer {
        /// The file.
        path: String,
        /// Its schema version.
        found: i64,
    },
    /// SQLite found the file damaged.
    #[error("{path}: damaged ({detail}); it was left as it is")]
    Damaged {
        /// The file.
        path: String,
        /// SQLite's words.
        detail: String,
    },
    /// Another writer held the file longer than [`LOCK_WAIT`].
    #[error("{path}: locked by another writer for more than {} s", LOCK_WAIT.as_secs())]
    Locked {
        /// The file.
        path: String,
    },
    /// Reading or writing failed otherwise (a full disk, say).
    #[error("{path}: {detail}")]
    Failed {
        /// The file.
        path: String,
        /// What failed.
        detail: String,
    },
}

impl StateError {
    /// Whether the file itself is refused (a usage error: exit 2), rather than a run that
    /// failed on it (exit 1).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            StateError::Foreign { .. } | StateError::Newer { .. } | StateError::Damaged { .. }
        )
    }

    fn sqlite(path: &Path, error: rusqlite::Error) -> Self {
        let path = path.display().to_string();
        let detail = error.to_string();
        match error.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StateError::Locked { path },
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => StateError::Damaged { path, detail },
            Some(ErrorCode::DiskFull) => StateError::Failed {
                path,
                detail: "the disk is full".to_owned(),
            },
            _ => StateError::Failed { path, detail },
        }
    }
}

/// An open state file, its schema current.
pub struct Store {
    connection: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens `path` for reading and writing, creating it if missing, and brings its schema up
    /// to date (waiting up to [`LOCK_WAIT`] for another writer).
    pub fn open(path: &Path) -> Result<Store, StateError> {
        Store::open_waiting(path, LOCK_WAIT)
    }

    /// Opens `path`, which must exist (a question to a store that was never written is a
    /// mistake in its name, not an empty answer).
    pub fn open_existing(path: &Path) -> Result<Store, StateError> {
        if !path.exists() {
            return Err(StateError::Failed {
                path: path.display().to_string(),
                detail: "no such state file (a stage run with --state creates it)".to_owned(),
            });
        }
        Store::open(path)
    }

    fn open_waiting(path: &Path, lock_wait: Duration) -> Result<Store, StateError> {
        refuse_if_not_sqlite(path)?;
        let fail = |error| StateError::sqlite(path, error);
        let connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(fail)?;
        connection.busy_timeout(lock_wait).map_err(fail)?;
        let mut store = Store {
            connection,
            path: path.to_owned(),
        };
        let fresh = store.refuse_if_not_ours()?;
        if fresh {
            // Larger pages: an alert row is about a kilobyte, and each page is one write.
            store
                .connection
                .pragma_update(None, "page_size", 16_384)
                .map_err(fail)?;
        }
        // WAL: readers and one writer at a time, and a commit costs no fsync (NORMAL), which is
        // what lets a stage batch its writes; a crash loses at most the last commits, never the
        // file.
        store
            .connection
            .pragma_update(None, "journal_mode", "wal")
            .and_then(|()| store.connection.pragma_update(None, "synchronous", "normal"))
            // 16 MiB of page cache (the default is 2): the index on source addresses is
            // written all over.
            .and_then(|()| store.connection.pragma_update(None, "cache_size", -16_384))
            .map_err(fail)?;
        store.migrate()?;
        Ok(store)
    }

    /// The file's path, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn error(&self, error: rusqlite::Error) -> StateError {
        StateError::sqlite(&self.path, error)
    }

    fn version(&self) -> Result<(i32, i64), StateError> {
        let application: i32 = self
            .connection
            .pragma_query_value(None, "application_id", |row| row.get(0))
            .map_err(|error| self.error(error))?;
        let version: i64 = self
            .connection
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(|error| self.error(error))?;
        Ok((application, version))
    }

    /// Refuses a file that is not ours; `true` for an empty database, ours to shape.
    fn refuse_if_not_ours(&self) -> Result<bool, StateError> {
        let (application, version) = self.version()?;
        if application == APPLICATION_ID {
            if version > SCHEMA_VERSION {
                return Err(StateError::Newer {
                    path: self.path.display().to_string(),
                    found: version,
                });
            }
            return Ok(false);
        }
        let tables: i64 = self
            .connection
            .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
            .map_err(|error| self.error(error))?;
        if application == 0 && version == 0 && tables == 0 {
            return Ok(true);
        }
        Err(StateError::Foreign {
            path: self.path.display().to_string(),
            why: format!(
                "an SQLite database of another program: application id {application:#x}, {tables} schema objects"
            ),
        })
    }

    /// Runs the migrations the file has not had, in one transaction that holds the write lock,
    /// so two stages that start together migrate it once.
    fn migrate(&mut self) -> Result<(), StateError> {
        let path = self.path.clone();
        let fail = |error| StateError::sqlite(&path, error);
        let transaction = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        let version: i64 = transaction
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(fail)?;
        if version > SCHEMA_VERSION {
            return Err(StateError::Newer {
                path: path.display().to_string(),
                found: version,
            });
        }
        let done = usize::try_from(version).unwrap_or(0);
        for migration in &MIGRATIONS[done.min(MIGRATIONS.len())..] {
            transaction.execute_batch(migration).map_err(fail)?;
        }
        transaction
            .pragma_update(None, "application_id", APPLICATION_ID)
            .and_then(|()| transaction.pragma_update(None, "user_version", SCHEMA_VERSION))
            .map_err(fail)?;
        transaction.commit().map_err(fail)
    }
}

/// Refuses a file that exists, is not empty and does not start as every SQLite file does.
fn refuse_if_not_sqlite(path: &Path) -> Result<(), StateError> {
    const MAGIC: &[u8; 16] = b"SQLite format 3\0";
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => {
            return Err(StateError::Failed {
                path: path.display().to_string(),
                detail: error.to_string(),
            })
        }
    };
    let mut start = Vec::with_capacity(MAGIC.len());
    let read = (&mut file).take(MAGIC.len() as u64).read_to_end(&mut start);
    match read {
        Ok(0) => Ok(()),
        Ok(_) if start == MAGIC => Ok(()),
        Ok(_) => Err(StateError::Foreign {
            path: path.display().to_string(),
            why: "not an SQLite file".to_owned(),
        }),
        Err(error) => Err(StateError::Failed {
            path: path.display().to_string(),
            detail: error.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_gets_the_current_schema_and_opens_again() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let path = folder.path().join("state.db");
        drop(Store::open(&path).expect("created"));
        let store = Store::open(&path).expect("opened again");
        assert_eq!(store.version().expect("read"), (APPLICATION_ID, SCHEMA_VERSION));
        let mode: String = store
            .connection
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .expect("journal mode");
        assert_eq!(mode, "wal");
    }

    #[test]
    fn foreign_newer_and_damaged_files_are_refused_and_left_as_they_are() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let text = folder.path().join("notes.txt");
        std::fs::write(&text, "my notes\n").expect("written");
        let refused = Store::open(&text).err().expect("refused");
        assert!(
            matches!(refused, StateError::Foreign { .. }) && refused.is_refusal(),
            "{refused}"
        );
        assert_eq!(std::fs::read(&text).expect("read"), b"my notes\n");

        let other = folder.path().join("other.db");
        Connection::open(&other)
            .and_then(|db| db.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);"))
            .expect("another program's database");
        let before = std::fs::read(&other).expect("read");
        let refused = Store::open(&other).err().expect("refused");
        assert!(refused.to_string().contains("another program"), "{refused}");
        assert_eq!(std::fs::read(&other).expect("read"), before);

        let newer = folder.path().join("newer.db");
        drop(Store::open(&newer).expect("created"));
        Connection::open(&newer)
            .and_then(|db| db.pragma_update(None, "user_version", SCHEMA_VERSION + 5))
            .expect("a newer version");
        let refused = Store::open(&newer).err().expect("refused");
        assert!(
            refused.to_string().contains(&format!("version {}", SCHEMA_VERSION + 5))
                && refused.to_string().contains(&format!("up to {SCHEMA_VERSION}")),
            "{refused}"
        );

        let damaged = folder.path().join("damaged.db");
        let mut bytes = b"SQLite format 3\0".to_vec();
        bytes.extend(std::iter::repeat_n(0xA5u8, 4096));
        std::fs::write(&damaged, &bytes).expect("written");
        let refused = Store::open(&damaged).err().expect("refused");
        assert!(refused.is_refusal(), "{refused}");
        assert_eq!(std::fs::read(&damaged).expect("read"), bytes);
    }

    #[test]
    fn a_writer_that_holds_the_file_makes_the_next_wait_then_fail() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let path = folder.path().join("state.db");
        drop(Store::open(&path).expect("created"));
        let holder = Connection::open(&path).expect("opened");
        holder.execute_batch("BEGIN IMMEDIATE").expect("the write lock");
        let refused = Store::open_waiting(&path, Duration::from_millis(200))
            .err()
            .expect("locked");
        assert!(matches!(refused, StateError::Locked { .. }), "{refused}");
        holder.execute_batch("COMMIT").expect("let go");
        Store::open_waiting(&path, Duration::from_millis(200)).expect("free again");
    }
}
