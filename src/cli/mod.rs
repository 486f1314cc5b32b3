//! Clap definitions only: what each binary accepts. The app layer turns them into a
//! validated config; nothing below `app/` ever sees clap. Each stage exposes its `Command`
//! so man pages and completions are generated from the same definitions.

pub mod correlate;
pub mod detect;
pub mod enrich;
pub mod history;
pub mod logsentry;
pub mod parse;
pub mod report;

use clap::{Args, CommandFactory};
use std::path::PathBuf;

/// The arguments every stage shares, flattened into each: its inputs, where unusable lines
/// are kept, and `-q`.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Input files or directories (a directory means every file below it); none or `-` reads
    /// standard input
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Walk symbolic links to directories found below a directory operand (each directory
    /// and file is still read once); by default they are skipped and named on stderr. With
    /// ls-parse --follow, also read a followed link that now leads to another file (by
    /// default it is named on stderr and not read: a swapped link may point at /etc/shadow)
    #[arg(long)]
    pub follow_symlinks: bool,

    /// Write every line that could not be used (rejected by the parser, or not a usable
    /// record), verbatim, to FILE
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,

    /// Print no summary line (and no progress line) at exit; warnings and errors still go to
    /// stderr
    #[arg(short, long)]
    pub quiet: bool,
}

/// Every binary's clap command, by binary name (for man pages and completions).
pub fn commands() -> Vec<clap::Command> {
    vec![
        parse::ParseArgs::command(),
        detect::DetectArgs::command(),
        correlate::CorrelateArgs::command(),
        enrich::EnrichArgs::command(),
        report::ReportArgs::command(),
        logsentry::LogsentryArgs::command(),
        history::HistoryArgs::command(),
    ]
}

/// A duration flag: seconds, or a number with s, m, h or d.
fn duration(text: &str) -> Result<i64, String> {
    crate::time::parse_duration(text).ok_or_else(|| format!("not a duration: {text} (e.g. 600, 10m, 24h)"))
}
