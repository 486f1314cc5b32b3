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

impl Filters {
    /// The `WHERE` clause and its parameters.
    fn clause(&self) -> (String, Vec<SqlValue>) {
        let mut terms = Vec::new();
        let mut values = Vec::new();
        let mut term = |sql: &str, value: SqlValue| {
            values.push(value);
            terms.push(format!("{sql} ?{}", values.len()));
        };
        if let Some(since) = self.since {
            term("unix_time >=", SqlValue::Integer(since));
        }
        if let Some(until) = self.until {
            term("unix_time <", SqlValue::Integer(until));
        }
        if let Some(severity) = self.severity {
            term("severity_rank >=", SqlValue::Integer(i64::from(severity as u8) + 1));
        }
        for (column, wanted) in [
            ("rule", &self.rule),
            ("source_ip", &self.source),
            ("user_name", &self.user),
        ] {
            if let Some(wanted) = wanted {
                term(&format!("{column} ="), SqlValue::Text(wanted.clone()));
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

    /// Deletes the alerts older than `before` (Unix time); says how many went.
    pub fn prune(&self, before: i64) -> Result<u64, StateError> {
        let deleted = self
            .connection
            .execute("DELETE FROM alerts WHERE unix_time < ?1", [before])
            .map_err(|error| self.error(error))?;
        Ok(deleted as u64)
    }
}

const SEVERITIES: [Severity; 4] = [Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

fn severity_named(rank: i64) -> &'static str {
    let at = usize::try_from(rank.saturating_sub(1))
        .unwrap_or(0)
        .min(SEVERITIES.len() - 1);
    SEVERITIES[at].name()
}

fn zero_counts() -> Map<String, Value> {
    SEVERITIES
        .iter()
        .map(|severity| (severity.name().to_owned(), Value::from(0)))
        .collect()
}
