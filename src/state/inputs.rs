//! The `inputs` table: where `ls-parse --follow --state` read each followed file to, so the
//! next run goes on from there. A row names the file by its device, inode and a hash of its
//! first bytes (an inode is reused once its file is deleted; the first lines of a log are
//! not), so a run finds the file again after it was rotated.

use super::{StateError, Store};

/// Where one followed path was read to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputPlace {
    /// The path followed, absolute.
    pub path: String,
    /// The file the place is in, by its name when it was read (the path, or the rotated copy
    /// being finished).
    pub file: String,
    /// Its device.
    pub device: u64,
    /// Its inode.
    pub inode: u64,
    /// How many of its first bytes `head_hash` covers.
    pub head_bytes: u64,
    /// FNV-1a of those bytes.
    pub head_hash: u64,
    /// The byte after the last line whose events were written.
    pub offset: u64,
    /// Lines read from the path before that byte.
    pub line: u64,
}

impl Store {
    /// Every followed path's place, as the last run saved it.
    pub fn input_places(&self) -> Result<Vec<InputPlace>, StateError> {
        let fail = |error| self.error(error);
        let mut query = self
            .connection
            .prepare("SELECT path, file, device, inode, head_bytes, head_hash, offset, line FROM inputs ORDER BY path")
            .map_err(fail)?;
        let rows = query
            .query_map([], |row| {
                let hash: String = row.get(5)?;
                Ok(InputPlace {
                    path: row.get(0)?,
                    file: row.get(1)?,
                    // SQLite integers are signed: device and inode go in as their bits.
                    device: row.get::<_, i64>(2)? as u64,
                    inode: row.get::<_, i64>(3)? as u64,
                    head_bytes: row.get::<_, i64>(4)?.max(0) as u64,
                    head_hash: u64::from_str_radix(&hash, 16).unwrap_or(0),
                    offset: row.get::<_, i64>(6)?.max(0) as u64,
                    line: row.get::<_, i64>(7)?.max(0) as u64,
                })
            })
            .map_err(fail)?;
        rows.collect::<Result<_, _>>().map_err(fail)
    }

    /// Saves `places`, one transaction for all, in place of what those paths had.
    pub fn save_input_places(&mut self, places: &[InputPlace]) -> Result<(), StateError> {
        let path = self.path.clone();
        let fail = |error| StateError::sqlite(&path, error);
        let transaction = self.connection.transaction().map_err(fail)?;
        {
            let saved_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            let mut upsert = transaction
                .prepare(
                    "INSERT OR REPLACE INTO inputs (path, file, device, inode, head_bytes, head_hash, offset, line, saved_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )
                .map_err(fail)?;
            for place in places {
                upsert
                    .execute(rusqlite::params![
                        place.path,
                        place.file,
                        place.device as i64,
                        place.inode as i64,
                        place.head_bytes as i64,
                        format!("{:016x}", place.head_hash),
                        place.offset as i64,
                        place.line as i64,
                        saved_at,
                    ])
                    .map_err(fail)?;
            }
        }
        transaction.commit().map_err(fail)
    }
}
