//! Questions to the store, answered as NDJSON (`ls-history`): the alerts themselves, as they
//! were written, the sources they came from, and counts per day or hour. Every answer is
//! streamed row by row from SQLite, so a large store costs no memory.

use super::{StateError, Store};
use crate::schema::Severity;
use rusqlite::types::Value as SqlValue;
use serde_json::{json, Map, Value};
use std::io::{self, Write};

/// The standard filters: each narrows every question.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Alerts at or after this Unix time.
    pub since: Option<i64>,
    /// Alerts before this Unix time.
    pub until: Option<i64>,
    /// Alerts at least this severe.
    pub severity: Option<Severity>,
    /// Alerts of this rule.
    pub rule: Option<String>,
    /// Alerts from this source address.
    pub source: Option<String>,
    /// Alerts concerning this account.
    pub user: Option<String>,
}

/// The table a question reads, and how the filters read its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    Alerts,
    /// An incident passes the time filters when it was active in the span, and the others
    /// when one of its alerts would.
    Incidents,
}

impl Table {
    /// The SQL a term compares its value with (`?` stands for it).
    fn term(self, filter: &str) -> String {
        let listed = |column: &str| format!("EXISTS (SELECT 1 FROM json_each({column}) WHERE value = ?)");
        match (self, filter) {
            (Table::Alerts, "since") => "unix_time >= ?".to_owned(),
            (Table::Alerts, "until") => "unix_time < ?".to_owned(),
            (Table::Alerts, "rule") => "rule = ?".to_owned(),
            (Table::Alerts, "source") => "source_ip = ?".to_owned(),
            (Table::Alerts, "user") => "user_name = ?".to_owned(),
            (Table::Incidents, "since") => "last_unix >= ?".to_owned(),
            (Table::Incidents, "until") => "first_unix < ?".to_owned(),
            (Table::Incidents, "rule") => listed("rules"),
            (Table::Incidents, "source") => listed("sources"),
            (Table::Incidents, "user") => listed("usernames"),
            (_, _) => "severity_rank >= ?".to_owned(),
        }
    }
}

impl Filters {
    /// The `WHERE` clause over the alerts and its parameters.
    fn clause(&self) -> (String, Vec<SqlValue>) {
        self.clause_for(Table::Alerts)
    }

    fn clause_for(&self, table: Table) -> (String, Vec<SqlValue>) {
        let mut terms = Vec::new();
        let mut values = Vec::new();
        let mut term = |filter: &str, value: SqlValue| {
            values.push(value);
            terms.push(table.term(filter).replace('?', &format!("?{}", values.len())));
        };
        if let Some(since) = self.since {
            term("since", SqlValue::Integer(since));
        }
        if let Some(until) = self.until {
            term("until", SqlValue::Integer(until));
        }
        if let Some(severity) = self.severity {
            term("severity", SqlValue::Integer(i64::from(severity as u8) + 1));
        }
        for (filter, wanted) in [("rule", &self.rule), ("source", &self.source), ("user", &self.user)] {
            if let Some(wanted) = wanted {
                term(filter, SqlValue::Text(wanted.clone()));
            }
        }
        if terms.is_empty() {
            (String::new(), values)
        } else {
            (format!("WHERE {}", terms.join(" AND ")), values)
        }
    }
}

/// How `stats` groups its counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// `2026-03-14`.
    Day,
    /// `2026-03-14T01`.
    Hour,
}

/// What the stored alerts say of the weeks up to the newest, for a report's Trends: day
/// numbers are Unix days (UTC).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StoredTrends {
    /// The day of the newest stored alert.
    pub last_day: i64,
    /// (day, alerts per severity LOW to CRITICAL) for the days of the `days` up to it.
    pub per_day: Vec<(i64, [u64; 4])>,
    /// Sources of the last 7 days' alerts with none before them.
    pub new_attackers: u64,
    /// Sources of the last 7 days' alerts with some before them too.
    pub returning_attackers: u64,
    /// (technique, alerts in the last 7 days, alerts in the 7 before), the 10 with most
    /// alerts in the last 7 days.
    pub techniques: Vec<(String, u64, u64)>,
}

/// What a prune deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    /// Alerts deleted.
    pub alerts: u64,
    /// Incidents deleted.
    pub incidents: u64,
    /// With a size bound: the bytes the file holds after.
    pub bytes_after: u64,
}

impl Pruned {
    fn add(&mut self, (alerts, incidents): (u64, u64)) {
        self.alerts += alerts;
        self.incidents += incidents;
    }
}

/// What a question wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Answered {
    /// Records written.
    pub records: u64,
}

fn write_line(out: &mut dyn Write, line: &[u8], answered: &mut Answered) -> io::Result<()> {
    out.write_all(line)?;
    out.write_all(b"\n")?;
    answered.records += 1;
    Ok(())
}

/// Why a question could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The store failed.
    #[error(transparent)]
    State(#[from] StateError),
    /// Writing the answer failed.
    #[error("writing output: {0}")]
    Output(#[from] io::Error),
}

impl Store {
    fn query_each(
        &self,
        sql: &str,
        values: Vec<SqlValue>,
        mut each: impl FnMut(&rusqlite::Row<'_>) -> Result<(), HistoryError>,
    ) -> Result<(), HistoryError> {
        let mut statement = self.connection.prepare(sql).map_err(|error| self.error(error))?;
        let mut rows = statement
            .query(rusqlite::params_from_iter(values))
            .map_err(|error| self.error(error))?;
        while let Some(row) = rows.next().map_err(|error| self.error(error))? {
            each(row)?;
        }
        Ok(())
    }

    /// The alerts that pass `filters`, oldest first, each as it was written.
    pub fn alerts(&self, filters: &Filters, out: &mut dyn Write) -> Result<Answered, HistoryError> {
        let (clause, values) = filters.clause();
        let mut answered = Answered::default();
        let sql = format!("SELECT record FROM alerts {clause} ORDER BY unix_time, id");
        self.query_each(&sql, values, |row| {
            let record: String = row.get(0).map_err(|error| self.error(error))?;
            Ok(write_line(out, record.as_bytes(), &mut answered)?)
        })?;
        Ok(answered)
    }

    /// The sources of the alerts that pass `filters`, most alerts first, at most `top`.
    pub fn sources(&self, filters: &Filters, top: u64, out: &mut dyn Write) -> Result<Answered, HistoryError> {
        let (clause, values) = filters.clause();
        let clause = if clause.is_empty() {
            "WHERE source_ip IS NOT NULL".to_owned()
        } else {
            format!("{clause} AND source_ip IS NOT NULL")
        };
        let sql = format!(
            "SELECT source_ip, count(*), min(time), max(time), max(severity_rank), \
             count(DISTINCT date(unix_time, 'unixepoch')), json_group_array(DISTINCT rule) \
             FROM alerts {clause} GROUP BY source_ip ORDER BY count(*) DESC, source_ip LIMIT {top}"
        );
        let mut answered = Answered::default();
        self.query_each(&sql, values, |row| {
            let get_error = |error| self.error(error);
            let ip: String = row.get(0).map_err(get_error)?;
            let alerts: i64 = row.get(1).map_err(get_error)?;
            let first: String = row.get(2).map_err(get_error)?;
            let last: String = row.get(3).map_err(get_error)?;
            let worst: i64 = row.get(4).map_err(get_error)?;
            let days: i64 = row.get(5).map_err(get_error)?;
            let rules: String = row.get(6).map_err(get_error)?;
            let mut rules: Vec<String> = serde_json::from_str(&rules).unwrap_or_default();
            rules.sort();
            let record = json!({
                "source": {"ip": ip},
                "logsentry": {
                    "history": {
                        "alerts": alerts,
                        "first_seen": first,
                        "last_seen": last,
                        "days": days,
                        "worst_severity": severity_named(worst),
                        "rules": rules,
                    }
                }
            });
            Ok(write_line(out, record.to_string().as_bytes(), &mut answered)?)
        })?;
        Ok(answered)
    }

    /// The incidents that pass `filters` (only those still open with `open_only`), in the
    /// order they began, each as its latest revision without the timeline.
    pub fn incidents(&self, filters: &Filters, open_only: bool, out: &mut dyn Write) -> Result<Answered, HistoryError> {
        let (clause, values) = filters.clause_for(Table::Incidents);
        let clause = match (clause.is_empty(), open_only) {
            (_, false) => clause,
            (true, true) => "WHERE open = 1".to_owned(),
            (false, true) => format!("{clause} AND open = 1"),
        };
        let sql = format!(
            "SELECT id, group_by, group_key, first_seen, last_seen, revision, open, stage, severity_rank, \
             risk_score, alerts, rules, techniques, tactics, sources, usernames, hosts, message, previous, \
             history_first_seen, incidents_before, alerts_before \
             FROM incidents {clause} ORDER BY first_unix, id"
        );
        let mut answered = Answered::default();
        self.query_each(&sql, values, |row| {
            let get_error = |error| self.error(error);
            let text = |at: usize| row.get::<_, String>(at).map_err(get_error);
            let number = |at: usize| row.get::<_, i64>(at).map_err(get_error);
            let list = |at: usize| -> Result<Value, HistoryError> {
                Ok(serde_json::from_str(&text(at)?).unwrap_or_else(|_| Value::Array(Vec::new())))
            };
            let (group_by, key) = (text(1)?, text(2)?);
            let severity = severity_of(number(8)?);
            let mut record = json!({
                "@timestamp": text(4)?,
                "message": text(17)?,
                "event": {"kind": "incident", "severity": severity.number(), "risk_score": number(9)?},
                "threat": {
                    "framework": "MITRE ATT&CK",
                    "tactic": {"name": list(13)?},
                    "technique": {"id": list(12)?},
                },
                "logsentry": {
                    "severity": severity.name(),
                    "count": number(10)?,
                    "first_seen": text(3)?,
                    "last_seen": text(4)?,
                    "usernames": list(15)?,
                    "sources": list(14)?,
                    "hosts": list(16)?,
                    "incident": {
                        "id": text(0)?,
                        "revision": number(5)?,
                        "group_by": group_by,
                        "key": key,
                        "stage": text(7)?,
                        "rules": list(11)?,
                        "tactics": list(13)?,
                        "open": number(6)? != 0,
                    },
                },
            });
            let shared = match group_by.as_str() {
                "source.ip" => Some(("source", "ip")),
                "user.name" => Some(("user", "name")),
                "host.hostname" => Some(("host", "hostname")),
                _ => None,
            };
            if let (Some((object, field)), Some(record)) = (shared, record.as_object_mut()) {
                record.insert(object.to_owned(), json!({ field: key }));
            }
            let previous = row.get::<_, Option<String>>(18).map_err(get_error)?;
            if let Some(previous) = &previous {
                record["logsentry"]["incident"]["previous"] = Value::from(previous.as_str());
            }
            if let Some(first_seen) = row.get::<_, Option<String>>(19).map_err(get_error)? {
                let count = |at: usize| row.get::<_, Option<i64>>(at).map_err(get_error);
                let mut history = json!({
                    "first_seen": first_seen,
                    "incidents_before": count(20)?.unwrap_or(0),
                    "alerts_before": count(21)?.unwrap_or(0),
                });
                if let Some(previous) = previous {
                    history["previous_incident"] = Value::from(previous);
                }
                record["logsentry"]["history"] = history;
            }
            Ok(write_line(out, record.to_string().as_bytes(), &mut answered)?)
        })?;
        Ok(answered)
    }

    /// The Trends of the `days` days up to the newest stored alert; `None` when none is.
    pub fn trends(&self, days: i64) -> Result<Option<StoredTrends>, StateError> {
        const DAY: i64 = 86_400;
        let fail = |error| self.error(error);
        let newest: Option<i64> = self
            .connection
            .query_row("SELECT max(unix_time) FROM alerts", [], |row| row.get(0))
            .map_err(fail)?;
        let Some(newest) = newest else {
            return Ok(None);
        };
        let last_day = newest.div_euclid(DAY);
        let first = (last_day - (days - 1)).saturating_mul(DAY);
        let week = (last_day - 6).saturating_mul(DAY);
        let week_before = (last_day - 13).saturating_mul(DAY);
        let mut trends = StoredTrends {
            last_day,
            ..StoredTrends::default()
        };
        let count = |value: i64| u64::try_from(value).unwrap_or(0);
        let mut statement = self
            .connection
            .prepare(
                "SELECT unix_time / 86400 AS day, severity_rank, count(*) FROM alerts \
                 WHERE unix_time >= ?1 GROUP BY day, severity_rank ORDER BY day",
            )
            .map_err(fail)?;
        let rows = statement
            .query_map([first], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
            })
            .map_err(fail)?;
        for row in rows {
            let (day, rank, alerts) = row.map_err(fail)?;
            if trends.per_day.last().is_none_or(|(known, _)| *known != day) {
                trends.per_day.push((day, [0; 4]));
            }
            let at = usize::try_from(rank.clamp(1, 4) - 1).unwrap_or(0);
            if let Some((_, counts)) = trends.per_day.last_mut() {
                counts[at] += count(alerts);
            }
        }
        let (sources, returning): (i64, Option<i64>) = self
            .connection
            .query_row(
                "SELECT count(*), sum(seen_before) FROM (SELECT EXISTS (SELECT 1 FROM alerts AS earlier \
                 WHERE earlier.source_ip = recent.source_ip AND earlier.unix_time < ?1) AS seen_before \
                 FROM alerts AS recent WHERE recent.unix_time >= ?1 AND recent.source_ip IS NOT NULL \
                 GROUP BY recent.source_ip)",
                [week],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .map_err(fail)?;
        trends.returning_attackers = count(returning.unwrap_or(0));
        trends.new_attackers = count(sources).saturating_sub(trends.returning_attackers);
        let mut statement = self
            .connection
            .prepare(
                "SELECT technique, sum(unix_time >= ?1), sum(unix_time < ?1) FROM alerts \
                 WHERE unix_time >= ?2 AND technique IS NOT NULL GROUP BY technique \
                 ORDER BY 2 DESC, 3 DESC, technique LIMIT 10",
            )
            .map_err(fail)?;
        let rows = statement
            .query_map([week, week_before], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
            })
            .map_err(fail)?;
        for row in rows {
            let (technique, this_week, last_week) = row.map_err(fail)?;
            trends.techniques.push((technique, count(this_week), count(last_week)));
        }
        Ok(Some(trends))
    }

    /// Alerts per day (or hour, UTC) and severity, oldest first.
    pub fn stats(&self, filters: &Filters, period: Period, out: &mut dyn Write) -> Result<Answered, HistoryError> {
        let (clause, values) = filters.clause();
        let bucket = match period {
            Period::Day => "strftime('%Y-%m-%d', unix_time, 'unixepoch')",
            Period::Hour => "strftime('%Y-%m-%dT%H', unix_time, 'unixepoch')",
        };
        let sql = format!(
            "SELECT {bucket} AS period, severity_rank, count(*) FROM alerts {clause} \
             GROUP BY period, severity_rank ORDER BY period, severity_rank"
        );
        let key = match period {
            Period::Day => "day",
            Period::Hour => "hour",
        };
        let mut answered = Answered::default();
        let mut current: Option<(String, Map<String, Value>, i64)> = None;
        let finish = |held: Option<(String, Map<String, Value>, i64)>,
                      out: &mut dyn Write,
                      answered: &mut Answered|
         -> io::Result<()> {
            let Some((period, by_severity, total)) = held else {
                return Ok(());
            };
            let record = json!({ key: period, "alerts": total, "by_severity": by_severity });
            write_line(out, record.to_string().as_bytes(), answered)
        };
        self.query_each(&sql, values, |row| {
            let get_error = |error| self.error(error);
            let period: String = row.get(0).map_err(get_error)?;
            let rank: i64 = row.get(1).map_err(get_error)?;
            let count: i64 = row.get(2).map_err(get_error)?;
            if current.as_ref().is_some_and(|(held, _, _)| *held != period) {
                finish(current.take(), out, &mut answered)?;
            }
            let (_, by_severity, total) = current.get_or_insert_with(|| (period, zero_counts(), 0));
            by_severity.insert(severity_named(rank).to_owned(), Value::from(count));
            *total += count;
            Ok(())
        })?;
        finish(current.take(), out, &mut answered)?;
        Ok(answered)
    }

    /// Deletes the alerts and the closed incidents older than `before` (Unix time); then,
    /// while the file holds more than `max_size` bytes, the oldest tenth of them, and gives
    /// the space back. An open incident is never pruned: a run goes on with it.
    pub fn prune(&self, before: Option<i64>, max_size: Option<u64>) -> Result<Pruned, StateError> {
        let fail = |error| self.error(error);
        let mut pruned = Pruned::default();
        if let Some(before) = before {
            pruned.add(self.prune_before(before)?);
        }
        let Some(max_size) = max_size else {
            return Ok(pruned);
        };
        while self.bytes_used()? > max_size {
            // The time below which a tenth of what is left lies.
            let cut: Option<i64> = self
                .connection
                .query_row(
                    "SELECT max(t) FROM (SELECT t FROM                      (SELECT unix_time AS t FROM alerts UNION ALL SELECT last_unix FROM incidents WHERE open = 0)                      ORDER BY t LIMIT max(1, ((SELECT count(*) FROM alerts) +                      (SELECT count(*) FROM incidents WHERE open = 0)) / 10))",
                    [],
                    |row| row.get(0),
                )
                .map_err(fail)?;
            let Some(cut) = cut else {
                break;
            };
            let round = self.prune_before(cut.saturating_add(1))?;
            if round == (0, 0) {
                break;
            }
            pruned.add(round);
        }
        // Deleted rows free pages inside the file; VACUUM gives them back to the disk.
        self.connection.execute_batch("VACUUM").map_err(fail)?;
        self.connection
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(fail)?;
        pruned.bytes_after = self.bytes_used()?;
        Ok(pruned)
    }

    fn prune_before(&self, before: i64) -> Result<(u64, u64), StateError> {
        let fail = |error| self.error(error);
        let alerts = self
            .connection
            .execute("DELETE FROM alerts WHERE unix_time < ?1", [before])
            .map_err(fail)?;
        let incidents = self
            .connection
            .execute("DELETE FROM incidents WHERE last_unix < ?1 AND open = 0", [before])
            .map_err(fail)?;
        Ok((alerts as u64, incidents as u64))
    }

    /// The bytes the database's pages in use take (the file less its free pages).
    fn bytes_used(&self) -> Result<u64, StateError> {
        let pragma = |name: &str| -> Result<i64, StateError> {
            self.connection
                .pragma_query_value(None, name, |row| row.get(0))
                .map_err(|error| self.error(error))
        };
        let pages = pragma("page_count")?.saturating_sub(pragma("freelist_count")?);
        Ok(u64::try_from(pages.saturating_mul(pragma("page_size")?)).unwrap_or(0))
    }
}

const SEVERITIES: [Severity; 4] = [Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

fn severity_of(rank: i64) -> Severity {
    let at = usize::try_from(rank.saturating_sub(1))
        .unwrap_or(0)
        .min(SEVERITIES.len() - 1);
    SEVERITIES[at]
}

fn severity_named(rank: i64) -> &'static str {
    severity_of(rank).name()
}

fn zero_counts() -> Map<String, Value> {
    SEVERITIES
        .iter()
        .map(|severity| (severity.name().to_owned(), Value::from(0)))
        .collect()
}
