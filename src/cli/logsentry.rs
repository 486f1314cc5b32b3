//! `logsentry`: log files in, a report out, every stage in one process.

use super::report::ReportOutputArgs;
use clap::{Parser, ValueEnum};
use std::path::PathBuf;

/// The whole pipeline in one command.
#[derive(Debug, Parser)]
#[command(
    name = "logsentry",
    version,
    about = "Analyse security logs in one command: parse, detect, enrich, correlate and write a report",
    long_about = "Analyse security logs in one command: the whole LogSentry pipeline, \
ls-parse auto | ls-detect | ls-enrich | ls-correlate | ls-report, run in one process with the \
same code and the same results. Each input is recognised by its content (SSH auth.log, secure \
and journald, Apache/nginx access logs, Windows .evtx, MySQL error, general and slow logs); a \
directory means every file in it. Enrichment is offline: the built-in ATT&CK data, and \
location and network from the --geoip and --geoip-asn databases when given.\n\nThe report \
(HTML unless --format or the -o file's extension says otherwise) is written to a new file in \
--out-dir, named logsentry_report_YYYYMMDD_HHMMSS.html, or to -o FILE; nothing is ever \
overwritten. A short summary (incidents, alerts by severity, where the report is) goes to \
standard output, in colour on a terminal; progress goes to standard error while a long run \
works.",
    after_help = "Examples:\n  logsentry sample_logs/\n  \
logsentry /var/log/auth.log /var/log/apache2/access.log --open --out-dir reports/\n  \
logsentry --tz Europe/Berlin -o incident-42.md logs/\n  \
logsentry --state /var/lib/logsentry/state.db /var/log/auth.log\n  \
journalctl -o json -u ssh | logsentry --format json -o - | jq .summary\n\nExit status: 0 on \
success, 1 if an input could not be read, a line could not be used or the report could not be \
written (the report shows what was read), 2 on usage errors."
)]
pub struct LogsentryArgs {
    /// The inputs, `--rejects` and `-q` (which also hides the progress line).
    #[command(flatten)]
    pub input: super::InputArgs,

    /// Where and how to write the report.
    #[command(flatten)]
    pub output: ReportOutputArgs,

    /// Time zone of log timestamps that carry none (syslog) and of work hours for the
    /// off-hours rules: an IANA name (Europe/Berlin), UTC, an offset (+02:00) or `local`
    /// [default: the --config file's `tz`, else local]
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,

    /// Detection settings (thresholds, work hours, allow lists), as for ls-detect --config
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Add source.geo.* from this city or country database (MaxMind DB format), as for
    /// ls-enrich --geoip
    #[arg(long, value_name = "FILE.mmdb")]
    pub geoip: Option<PathBuf>,

    /// Add source.as.* from this ASN database (MaxMind DB format), as for ls-enrich --geoip-asn
    #[arg(long, value_name = "FILE.mmdb")]
    pub geoip_asn: Option<PathBuf>,

    /// Keep state in this SQLite file (created if missing), as ls-detect, ls-correlate and
    /// ls-report --state do: alerts and incidents are stored, the rules' windows and the open
    /// groups go on in the next run (which skips the events this one counted: a daily run
    /// over the same growing logs reports what is new), incidents carry their attacker's
    /// history, and the report has Trends. See logsentry-state(5)
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Open the report when it is written (xdg-open, or open on macOS)
    #[arg(long)]
    pub open: bool,

    /// Colour in the summary
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// When standard output is a terminal and NO_COLOR is unset
    Auto,
    /// Always
    Always,
    /// Never
    Never,
}
