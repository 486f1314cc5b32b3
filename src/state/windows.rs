//! The `windows` table: what `ls-detect`'s detectors were counting when the run last saved
//! (at exit and every `--save-every` seconds), one row per detector, so the next run goes on counting
//! where this one stopped. Each row holds the settings it was counted with: windows counted
//! against other thresholds are not restored.

use super::{StateError, Store};
use rusqlite::Transaction;

/// Every detector's windows at one moment, and the settings they were counted with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SavedWindows {
    /// The detection settings, as ls-detect words them (`name=value ...`).
    pub settings: String,
    /// (detector, its windows as JSON): the detector is named by its first rule's id.
    pub detectors: Vec<(String, String)>,
}

impl Store {
    /// The windows the last run saved, if any run did.
    pub fn windows(&self) -> Result<Option<SavedWindows>, StateError> {
        let fail = |error| self.error(error);
        let mut query = self
            .connection
            .prepare("SELECT detector, settings, state FROM windows ORDER BY detector")
            .map_err(fail)?;
        let rows = query
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get(2)?))
            })
            .map_err(fail)?;
        let mut saved: Option<SavedWindows> = None;
        for row in rows {
            let (detector, settings, state) = row.map_err(fail)?;
            let windows = saved.get_or_insert_with(|| SavedWindows {
                settings,
                detectors: Vec::new(),
            });
            windows.detectors.push((detector, state));
        }
        Ok(saved)
    }
}

/// Replaces the saved windows with `windows`, inside the caller's transaction.
pub(super) fn write_windows(transaction: &Transaction<'_>, windows: &SavedWindows) -> rusqlite::Result<()> {
    transaction.execute("DELETE FROM windows", [])?;
    let saved_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut insert =
        transaction.prepare("INSERT INTO windows (detector, saved_at, settings, state) VALUES (?1, ?2, ?3, ?4)")?;
    for (detector, state) in &windows.detectors {
        insert.execute(rusqlite::params![detector, saved_at, windows.settings, state])?;
    }
    Ok(())
}
