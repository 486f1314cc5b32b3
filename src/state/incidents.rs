//! The `incidents` table: every incident `ls-correlate --state` wrote, one row each, updated
//! with each revision; and the `correlation` table: the groups it had open when it last
//! saved, so the next run goes on with them. What earlier incidents and stored alerts say of
//! an address is the history a new incident carries.
//!
//! Writes gather in one transaction that the stage commits whenever its output has reached
//! downstream, so a busy stream costs one commit per read, not one per incident; the
//! questions of the same run see them before the commit, on the same connection.

use super::{StateError, Store};
use crate::schema::{Incident, IncidentHistory};
use crate::time::Timestamp;
use rusqlite::{params, OptionalExtension};
use std::time::{Duration, Instant};

/// The groups one grouping had open, as saved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedGroups {
    /// The settings they were formed with, as ls-correlate words them.
    pub settings: String,
    /// The groups as JSON.
    pub state: String,
}

/// Longest a batch holds the file's write lock: the other stages of the pipeline write to the
/// file too, and wait for it.
const MAX_BATCH_TIME: Duration = Duration::from_millis(250);

/// The incidents of a state file, written in batches.
pub struct IncidentBook {
    store: Store,
    /// When the open transaction began.
    in_transaction: Option<Instant>,
}

fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn json_list(values: &[String]) -> String {
    serde_json::to_string(values).unwrap_or_else(|_| "[]".to_owned())
}

impl IncidentBook {
    /// The incidents of `store`.
    pub fn new(store: Store) -> Self {
        IncidentBook {
            store,
            in_transaction: None,
        }
    }

    /// The file's path, for messages.
    pub fn path(&self) -> &std::path::Path {
        self.store.path()
    }

    /// Opens a transaction unless one is open and young. It takes the write lock at once
    /// (IMMEDIATE): one that read first and then wrote could find that another stage had
    /// written in between, and fail without waiting.
    fn begin(&mut self) -> Result<(), StateError> {
        if self
            .in_transaction
            .is_some_and(|began| began.elapsed() > MAX_BATCH_TIME)
        {
            self.commit()?;
        }
        if self.in_transaction.is_none() {
            self.store
                .connection
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(|error| self.store.error(error))?;
            self.in_transaction = Some(Instant::now());
        }
        Ok(())
    }

    /// Makes what was written since the last commit durable.
    pub fn commit(&mut self) -> Result<(), StateError> {
        if self.in_transaction.take().is_some() {
            self.store
                .connection
                .execute_batch("COMMIT")
                .map_err(|error| self.store.error(error))?;
        }
        Ok(())
    }

    /// What the file knows of `key` (normalised, grouped by `group_by`) from before `before`
    /// (Unix time): the incidents that began earlier and, for an address, the alerts stored
    /// from it. `None` when it knows nothing.
    pub fn recall(&self, group_by: &str, key: &str, before: i64) -> Result<Option<IncidentHistory>, StateError> {
        let fail = |error| self.store.error(error);
        let connection = &self.store.connection;
        let (incidents, first_incident, incident_alerts): (i64, Option<i64>, Option<i64>) = connection
            .query_row(
                "SELECT count(*), min(first_unix), sum(alerts) FROM incidents \
                 WHERE group_by = ?1 AND group_key = ?2 AND first_unix < ?3",
                params![group_by, key, before],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .map_err(fail)?;
        let previous: Option<String> = connection
            .query_row(
                "SELECT id FROM incidents WHERE group_by = ?1 AND group_key = ?2 AND first_unix < ?3 \
                 ORDER BY first_unix DESC, id DESC LIMIT 1",
                params![group_by, key, before],
                |row| row.get(0),
            )
            .optional()
            .map_err(fail)?;
        // Alerts are kept by address (and indexed so): an account's or machine's history is
        // that of its incidents.
        let (alerts, first_alert): (i64, Option<i64>) = if group_by == "source.ip" {
            connection
                .query_row(
                    "SELECT count(*), min(unix_time) FROM alerts WHERE source_ip = ?1 AND unix_time < ?2",
                    params![key, before],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .map_err(fail)?
        } else {
            (0, None)
        };
        let first_seen = match (first_incident, first_alert) {
            (Some(a), Some(b)) => a.min(b),
            (Some(first), None) | (None, Some(first)) => first,
            (None, None) => return Ok(None),
        };
        let count = |value: i64| u64::try_from(value).unwrap_or(0);
        Ok(Some(IncidentHistory {
            first_seen: Timestamp::from_unix(first_seen, 0).to_string(),
            incidents_before: count(incidents),
            alerts_before: count(alerts.max(incident_alerts.unwrap_or(0))),
            previous_incident: previous,
        }))
    }

    /// Stores a revision of an incident of `key` (normalised), open.
    pub fn written(&mut self, key: &str, incident: &Incident) -> Result<(), StateError> {
        self.begin()?;
        let meta = &incident.logsentry;
        let detail = &meta.incident;
        let unix = |text: &str| Timestamp::parse_rfc3339(text).map_or(0, |time| time.unix_seconds());
        let history = meta.history.as_ref();
        self.store
            .connection
            .prepare(
                "INSERT INTO incidents (id, group_by, group_key, first_seen, first_unix, last_seen, last_unix, \
                 revision, open, stage, severity, severity_rank, risk_score, alerts, rules, techniques, tactics, \
                 sources, usernames, hosts, message, previous, saved_at, history_first_seen, incidents_before, \
                 alerts_before) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, \
                 ?20, ?21, ?22, ?23, ?24, ?25) \
                 ON CONFLICT (id) DO UPDATE SET first_seen = ?4, first_unix = ?5, last_seen = ?6, last_unix = ?7, \
                 revision = ?8, open = 1, stage = ?9, severity = ?10, severity_rank = ?11, risk_score = ?12, \
                 alerts = ?13, rules = ?14, techniques = ?15, tactics = ?16, sources = ?17, usernames = ?18, \
                 hosts = ?19, message = ?20, saved_at = ?22",
            )
            .and_then(|mut insert| {
                insert.execute(params![
                    detail.id,
                    detail.group_by,
                    key,
                    meta.first_seen,
                    unix(&meta.first_seen),
                    meta.last_seen,
                    unix(&meta.last_seen),
                    i64::try_from(detail.revision).unwrap_or(i64::MAX),
                    detail.stage,
                    meta.severity.name(),
                    meta.severity as i64 + 1,
                    incident.event.risk_score,
                    i64::try_from(meta.count).unwrap_or(i64::MAX),
                    json_list(&detail.rules),
                    json_list(&incident.threat.technique.id),
                    json_list(&detail.tactics),
                    json_list(&meta.sources),
                    json_list(&meta.usernames),
                    json_list(&meta.hosts),
                    incident.message,
                    history.and_then(|history| history.previous_incident.as_deref()),
                    now_text(),
                    history.map(|history| history.first_seen.as_str()),
                    history.map(|history| i64::try_from(history.incidents_before).unwrap_or(i64::MAX)),
                    history.map(|history| i64::try_from(history.alerts_before).unwrap_or(i64::MAX)),
                ])
            })
            .map_err(|error| self.store.error(error))?;
        Ok(())
    }

    /// Marks the incident `id` closed: its window ended.
    pub fn closed(&mut self, id: &str) -> Result<(), StateError> {
        self.begin()?;
        self.store
            .connection
            .prepare("UPDATE incidents SET open = 0, saved_at = ?2 WHERE id = ?1")
            .and_then(|mut update| update.execute(params![id, now_text()]))
            .map_err(|error| self.store.error(error))?;
        Ok(())
    }

    /// The groups the last run grouping by `group_by` saved, if one did.
    pub fn saved_groups(&self, group_by: &str) -> Result<Option<SavedGroups>, StateError> {
        self.store
            .connection
            .query_row(
                "SELECT settings, state FROM correlation WHERE group_by = ?1",
                [group_by],
                |row| {
                    Ok(SavedGroups {
                        settings: row.get(0)?,
                        state: row.get(1)?,
                    })
                },
            )
            .optional()
            .map_err(|error| self.store.error(error))
    }

    /// Replaces the saved groups of `group_by`, and commits with them what was written.
    pub fn save_groups(&mut self, group_by: &str, groups: &SavedGroups) -> Result<(), StateError> {
        self.begin()?;
        self.store
            .connection
            .execute(
                "INSERT INTO correlation (group_by, saved_at, settings, state) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (group_by) DO UPDATE SET saved_at = ?2, settings = ?3, state = ?4",
                params![group_by, now_text(), groups.settings, groups.state],
            )
            .map_err(|error| self.store.error(error))?;
        self.commit()
    }
}
