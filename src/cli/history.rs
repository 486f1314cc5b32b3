//! `ls-history`: questions to the state file, answered as NDJSON.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Query what LogSentry stages remembered in their state file.
#[derive(Debug, Parser)]
#[command(
    name = "ls-history",
    version,
    about = "Query the LogSentry state file: stored alerts and incidents, their sources, counts per day",
    long_about = "Query the state file that stages run with --state FILE write (see \
logsentry-state(5)), answering as NDJSON for jq and the other stages: the alerts themselves as \
they were written (so `ls-history alerts | ls-report` makes a report of them), the incidents \
ls-correlate made of them, the sources they came from, counts per day or hour and severity. Every question takes the same filters. Times are \
UTC.",
    after_help = "Examples:\n  ls-history alerts --state state.db --since 7d --source 203.0.113.47\n  \
ls-history sources --state state.db --top 20\n  ls-history incidents --state state.db --open\n  ls-history stats --state state.db --by day\n  \
ls-history prune --state state.db --older-than 90d\n\nExit status: 0 on success, 1 if the state \
file is missing, locked or cannot be read, 2 on usage errors (a file that is not a LogSentry \
state file among them)."
)]
pub struct HistoryArgs {
    /// The question.
    #[command(subcommand)]
    pub question: Question,
}

/// What to ask.
#[derive(Debug, Subcommand)]
pub enum Question {
    /// The stored alerts that pass the filters, oldest first, each as it was written
    Alerts(QueryArgs),
    /// The sources of those alerts, most alerts first: count, first and last seen, days
    /// active, worst severity, rules
    Sources {
        /// The state file and filters.
        #[command(flatten)]
        query: QueryArgs,
        /// How many sources to list
        #[arg(long, value_name = "N", default_value_t = 20)]
        top: u64,
    },
    /// The incidents ls-correlate --state stored, in the order they began, each as its
    /// latest revision without the timeline (logsentry.incident.open: its window had not
    /// ended when the run stopped)
    Incidents {
        /// The state file and filters (an incident passes when it was active in the span, and
        /// when one of its alerts has the rule, source or account)
        #[command(flatten)]
        query: QueryArgs,
        /// Only the incidents still open
        #[arg(long)]
        open: bool,
    },
    /// Alerts per day (or hour) and severity, oldest first
    Stats {
        /// The state file and filters.
        #[command(flatten)]
        query: QueryArgs,
        /// The period each record counts
        #[arg(long, value_enum, default_value_t = PeriodArg::Day)]
        by: PeriodArg,
    },
    /// Delete stored alerts and closed incidents older than a duration, or the oldest until
    /// the file is within a size
    #[command(group(clap::ArgGroup::new("bound").required(true).multiple(true).args(["older_than", "max_size"])))]
    Prune {
        /// The state file to prune
        #[arg(long, value_name = "FILE")]
        state: PathBuf,
        /// Delete what is older than this: seconds, or a number with s, m, h or d (90d)
        #[arg(long, value_name = "DURATION", value_parser = super::duration)]
        older_than: Option<i64>,
        /// Then delete the oldest alerts and closed incidents until the file holds at most
        /// this much (bytes, or a number with K, M or G: 500M), and give the space back
        #[arg(long, value_name = "SIZE", value_parser = byte_size)]
        max_size: Option<u64>,
    },
}

/// `500M` → bytes (K, M and G are powers of 1024).
fn byte_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let (number, unit) = match trimmed.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => trimmed.split_at(at),
        None => (trimmed, ""),
    };
    let shift = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => return Err(format!("not a size: {text} (e.g. 500M, 2G)")),
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|number| number.checked_mul(1 << shift))
        .filter(|&bytes| bytes > 0)
        .ok_or_else(|| format!("not a size: {text} (e.g. 500M, 2G)"))
}

/// The state file, and the filters every question takes.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The state file to read (as given to the stages' --state)
    #[arg(long, value_name = "FILE")]
    pub state: PathBuf,

    /// Only alerts at or after this: a duration back from now (7d, 12h), a date (2026-03-14)
    /// or an RFC 3339 time
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,

    /// Only alerts before this: a duration back from now, a date or an RFC 3339 time
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,

    /// Only alerts at least this severe
    #[arg(long, value_enum)]
    pub severity: Option<SeverityArg>,

    /// Only alerts of this rule (its id, as ls-detect --list-rules prints it)
    #[arg(long, value_name = "RULE")]
    pub rule: Option<String>,

    /// Only alerts from this source address
    #[arg(long, value_name = "ADDRESS")]
    pub source: Option<String>,

    /// Only alerts concerning this account
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
}

/// `--severity`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SeverityArg {
    /// Every alert.
    Low,
    /// MEDIUM and worse.
    Medium,
    /// HIGH and CRITICAL.
    High,
    /// CRITICAL only.
    Critical,
}

/// `stats --by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    /// Per UTC day.
    Day,
    /// Per UTC hour.
    Hour,
}
