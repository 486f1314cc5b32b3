//! `ls-report`: NDJSON events, alerts and incidents in, a report out.

use clap::{Args, Parser, ValueEnum};
use std::path::PathBuf;

/// Write a report of LogSentry records.
#[derive(Debug, Parser)]
#[command(
    name = "ls-report",
    version,
    about = "Write a report of LogSentry alerts and incidents: self-contained HTML, Markdown, CSV or JSON",
    long_about = "Write a report a person reads from LogSentry records: events, alerts (from \
ls-detect) and incidents (from ls-correlate) in any mix and order. The HTML report is one \
self-contained file (inline styles, SVG charts and a few lines of script; it makes no network \
request and reads with scripts off or printed to PDF): an executive summary (alerts by severity, \
top attackers, sources), the correlated incidents with their timelines, the alerts of each source \
in sortable tables with ATT&CK links, an ATT&CK overview, attacker context (AbuseIPDB, GeoIP) \
where ls-enrich added it, activity over time and the run's provenance; it can be filtered in the \
page by severity, source and address. --format md writes Markdown for tickets and chat, csv one \
row per alert, json the report's data model (what a --template sees as `report`).\n\nLog content \
(URLs, user names, user agents) is attacker content: it is escaped everywhere and shows as text. \
A report never overwrites a file: -o refuses one that exists, and --out-dir makes a new file \
named by the time. Without either the report goes to standard output.",
    after_help = "Examples:\n  ls-parse auto logs/ | ls-detect | ls-correlate | ls-report -o report.html\n  \
ls-parse auto logs/ | ls-detect | ls-correlate | ls-report --out-dir reports/\n  \
ls-detect events.ndjson | ls-report --format md > ticket.md\n  \
ls-detect events.ndjson | ls-report --format csv -o alerts.csv\n\nExit status: 0 on success, 1 if \
an input could not be read, a line was not JSON (the report is written all the same) or the \
report could not be written, 2 on usage errors (an existing -o file among them)."
)]
pub struct ReportArgs {
    /// The inputs, `--rejects` and `-q`.
    #[command(flatten)]
    pub input: super::InputArgs,

    /// Where and how to write the report.
    #[command(flatten)]
    pub output: ReportOutputArgs,

    /// Add a Trends section from this state file (see logsentry-state(5)): alerts per day by
    /// severity over the 30 days up to the newest stored alert, new and returning attackers,
    /// and the top techniques of that week against the week before
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
}

/// The report flags `ls-report` and `logsentry` share.
#[derive(Debug, Args)]
pub struct ReportOutputArgs {
    /// Write the report to FILE, which must not exist; its extension (.html, .md, .csv,
    /// .json) sets the format unless --format does (another extension needs --format)
    #[arg(short = 'o', long = "output", value_name = "FILE", conflicts_with = "out_dir")]
    pub output: Option<PathBuf>,

    /// Write a new report into DIR (made if missing), named
    /// logsentry_report_YYYYMMDD_HHMMSS.EXT by the local time
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,

    /// The report's format [default: from the -o file's extension; html on standard output
    /// and with --out-dir]
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,

    /// A Tera template of your own for an HTML or Markdown report; it sees the data of
    /// --format json as `report`, and is escaped as HTML when its name ends in .html
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,

    /// The report's title
    #[arg(long, value_name = "TEXT", default_value = "LogSentry incident report")]
    pub title: String,
}

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// One self-contained HTML page
    Html,
    /// Markdown, for tickets and chat
    #[value(alias = "markdown")]
    Md,
    /// One row per alert
    Csv,
    /// The report's data model
    Json,
}
