//! `ls-parse`: raw logs in, one normalised NDJSON event per line out.

use crate::parse::{self, LINE_FORMATS};
use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::Parser;
use std::path::PathBuf;

/// Turn raw security logs into normalised NDJSON events (Elastic Common Schema field names).
#[derive(Debug, Parser)]
#[command(
    name = "ls-parse",
    version,
    about = "Turn raw security logs into normalised NDJSON events",
    long_about = "Turn raw security logs into normalised NDJSON events, one per line, with Elastic \
Common Schema field names (see logsentry-schema(7)).\n\nSeveral inputs are merged into one stream \
ordered by event time (each input is assumed to be in time order, as logs are). Gzip-compressed \
inputs are read transparently; a directory means every file below it. A line that cannot be \
parsed is counted, reported on stderr and never stops the stream. At exit a one-line summary \
goes to stderr.",
    after_help = "Examples:\n  ls-parse ssh auth.log | jq -c 'select(.event.outcome==\"failure\") | .source.ip'\n  \
tail -F /var/log/auth.log | ls-parse ssh\n  journalctl -u ssh -o json | ls-parse ssh\n  \
ls-parse apache access.log.1 access.log.2.gz > events.ndjson\n  \
ls-parse evtx Security.evtx | jq -c 'select(.winlog.event_id==4625)'\n  \
ls-parse mysql /var/log/mysql/error.log\n  ls-parse mysql --kind general general.log | jq -c 'select(.mysql.query)'\n  \
ls-parse auto sample_logs/\n\n\
Exit status: 0 on success (rejected lines included), 1 if an input could not be read, 2 on \
usage errors."
)]
pub struct ParseArgs {
    /// Log format
    #[arg(value_name = "FORMAT", value_parser = format_names())]
    pub format: String,

    /// The inputs, `--rejects` and `-q`.
    #[command(flatten)]
    pub input: super::InputArgs,

    /// Keep reading as the files grow, across rename-and-create and copytruncate rotation
    /// (like `tail -F`); a file that does not exist yet is waited for. Ctrl-C or SIGTERM
    /// stops, printing the summary; a second one stops at once
    #[arg(short = 'F', long)]
    pub follow: bool,

    /// With --follow: start at the current end of each file instead of reading it whole
    #[arg(long, requires = "follow")]
    pub from_end: bool,

    /// With --follow: remember in this SQLite state file where each file was read to, and go
    /// on from there next time, finishing a file rotated meanwhile first (created if missing;
    /// see logsentry-state(5))
    #[arg(long, value_name = "FILE", requires = "follow")]
    pub state: Option<PathBuf>,

    /// With --follow: the longest wait, in seconds, between checks for new data (a change in
    /// a followed file's folder wakes it sooner)
    #[arg(long, value_name = "SECONDS", default_value_t = 0.25, requires = "follow")]
    pub sleep_interval: f64,

    /// Year for syslog timestamps that have none (default: the latest year that does not put
    /// the event after the file's modification time, or after now for stdin)
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1970..=9999))]
    pub year: Option<i32>,

    /// Time zone for timestamps without an offset: an IANA name (Europe/Berlin), UTC,
    /// an offset (+02:00) or `local`
    #[arg(long, value_name = "ZONE", default_value = "local")]
    pub tz: String,

    /// Keep each raw line in `event.original`
    #[arg(long)]
    pub raw: bool,

    /// For a format with several kinds of log (mysql: error, general, slow): which one the
    /// inputs are (default: sniffed from each input's first record)
    #[arg(long, value_name = "KIND", value_parser = kind_names())]
    pub kind: Option<String>,

    /// Threads that decode a Windows .evtx file, and as many that map its records to events
    /// (with one, the reader maps); 0 means one per CPU. Records are written in file order
    /// whatever the number
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Lines longer than this many bytes are rejected (their start goes to --rejects)
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_line_bytes: u64,
}

/// The format operand's values: every line format in `parse::LINE_FORMATS`, then `evtx` and
/// `auto`.
fn format_names() -> PossibleValuesParser {
    let lines = LINE_FORMATS.iter().map(|format| {
        let help = match format.aliases {
            [] => format.help.to_owned(),
            aliases => format!("{} (also {})", format.help, aliases.join(", ")),
        };
        PossibleValue::new(format.name).aliases(format.aliases).help(help)
    });
    PossibleValuesParser::new(lines.chain([
        PossibleValue::new(parse::EVTX_NAME).help(parse::EVTX_HELP),
        PossibleValue::new(parse::AUTO_NAME).help(parse::AUTO_HELP),
    ]))
}

/// The `--kind` values: every kind a line format declares.
fn kind_names() -> PossibleValuesParser {
    PossibleValuesParser::new(
        LINE_FORMATS
            .iter()
            .flat_map(|format| format.kinds)
            .map(|(name, help)| PossibleValue::new(*name).help(*help)),
    )
}
