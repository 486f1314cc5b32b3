//! The `ls-history` runner: flags → a question to the state file, its answer on stdout.

use super::{Exit, StartError};
use crate::cli::history::{HistoryArgs, PeriodArg, QueryArgs, Question, SeverityArg};
use crate::output::is_broken_pipe;
use crate::schema::Severity;
use crate::state::history::{Filters, HistoryError, Period};
use crate::state::{StateError, Store};
use crate::time::{parse_duration, Timestamp};
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

const PROGRAM: &str = "ls-history";

/// A validated question.
pub struct HistoryRun {
    state: PathBuf,
    ask: Ask,
}

enum Ask {
    Alerts(Filters),
    Incidents(Filters, bool),
    Sources(Filters, u64),
    Stats(Filters, Period),
    /// Before this Unix time; then down to this many bytes.
    Prune(Option<i64>, Option<u64>),
}

impl HistoryRun {
    /// Checks the flags; `now` (Unix seconds) anchors the durations.
    pub fn from_args(args: HistoryArgs, now: i64) -> Result<Self, StartError> {
        let (state, ask) = match args.question {
            Question::Alerts(query) => (query.state.clone(), Ask::Alerts(filters(&query, now)?)),
            Question::Sources { query, top } => (query.state.clone(), Ask::Sources(filters(&query, now)?, top)),
            Question::Incidents { query, open } => (query.state.clone(), Ask::Incidents(filters(&query, now)?, open)),
            Question::Stats { query, by } => {
                let period = match by {
                    PeriodArg::Day => Period::Day,
                    PeriodArg::Hour => Period::Hour,
                };
                (query.state.clone(), Ask::Stats(filters(&query, now)?, period))
            }
            Question::Prune {
                state,
                older_than,
                max_size,
            } => (
                state,
                Ask::Prune(older_than.map(|older_than| now.saturating_sub(older_than)), max_size),
            ),
        };
        Ok(HistoryRun { state, ask })
    }
}

fn filters(query: &QueryArgs, now: i64) -> Result<Filters, StartError> {
    Ok(Filters {
        since: query
            .since
            .as_deref()
            .map(|when| moment(when, now))
            .transpose()
            .map_err(|error| StartError::usage("--since", error))?,
        until: query
            .until
            .as_deref()
            .map(|when| moment(when, now))
            .transpose()
            .map_err(|error| StartError::usage("--until", error))?,
        severity: query.severity.map(|severity| match severity {
            SeverityArg::Low => Severity::Low,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::High => Severity::High,
            SeverityArg::Critical => Severity::Critical,
        }),
        rule: query.rule.clone(),
        source: query.source.clone(),
        user: query.user.clone(),
    })
}

/// `7d` (back from `now`), `2026-03-14` (that UTC midnight) or an RFC 3339 time, as Unix
/// seconds.
fn moment(when: &str, now: i64) -> Result<i64, String> {
    if let Some(back) = parse_duration(when) {
        return Ok(now.saturating_sub(back));
    }
    if let Ok(date) = chrono::NaiveDate::parse_from_str(when, "%Y-%m-%d") {
        return Ok(date.and_time(chrono::NaiveTime::MIN).and_utc().timestamp());
    }
    Timestamp::parse_rfc3339(when)
        .map(|time| time.unix_seconds())
        .ok_or_else(|| format!("not a duration, date or time: {when} (e.g. 7d, 2026-03-14, 2026-03-14T08:00:00Z)"))
}

/// `ls-history`'s main.
pub fn main() -> std::process::ExitCode {
    let now = chrono::Utc::now().timestamp();
    super::stage_main(PROGRAM, |args| HistoryRun::from_args(args, now), history)
}

/// Answers the question on stdout.
pub fn history(run: HistoryRun) -> Exit {
    let store = match Store::open_existing(&run.state) {
        Ok(store) => store,
        Err(error) => return state_failed(PROGRAM, &error),
    };
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let answered = match &run.ask {
        Ask::Alerts(filters) => store.alerts(filters, &mut out),
        Ask::Incidents(filters, open) => store.incidents(filters, *open, &mut out),
        Ask::Sources(filters, top) => store.sources(filters, *top, &mut out),
        Ask::Stats(filters, period) => store.stats(filters, *period, &mut out),
        Ask::Prune(before, max_size) => {
            return match store.prune(*before, *max_size) {
                Ok(pruned) => {
                    let size = max_size.map_or(String::new(), |max_size| {
                        let over = if pruned.bytes_after > max_size {
                            " (more than --max-size: what is left is not alerts or closed incidents)"
                        } else {
                            ""
                        };
                        format!("; the file holds {} bytes{over}", pruned.bytes_after)
                    });
                    let _ = writeln!(
                        io::stderr().lock(),
                        "{PROGRAM}: {} alerts and {} incidents pruned{size}",
                        pruned.alerts,
                        pruned.incidents
                    );
                    Exit::Success
                }
                Err(error) => state_failed(PROGRAM, &error),
            };
        }
    };
    let flushed = answered.and_then(|answered| out.flush().map(|()| answered).map_err(HistoryError::from));
    match flushed {
        Ok(_) => Exit::Success,
        Err(HistoryError::Output(error)) if is_broken_pipe(&error) => Exit::Success,
        Err(HistoryError::Output(error)) => {
            let _ = writeln!(io::stderr().lock(), "{PROGRAM}: error: writing output: {error}");
            Exit::DataError
        }
        Err(HistoryError::State(error)) => state_failed(PROGRAM, &error),
    }
}

/// Says why the state file failed; a refused file is a usage error.
pub fn state_failed(program: &str, error: &StateError) -> Exit {
    let failure = if error.is_refusal() {
        StartError::Config(error.to_string())
    } else {
        StartError::Data(error.to_string())
    };
    failure.report(program)
}
