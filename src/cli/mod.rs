//! Clap definitions only: what each binary accepts. The app layer turns them into a
//! validated config; nothing below `app/` ever sees clap. Each stage exposes its `Command`
//! so man pages and completions are generated from the same definitions.

pub mod correlate;
pub mod detect;
pub mod enrich;
pub mod logsentry;
pub mod parse;
pub mod report;

use clap::CommandFactory;

/// Every binary's clap command, by binary name (for man pages and completions).
pub fn commands() -> Vec<clap::Command> {
    vec![
        parse::ParseArgs::command(),
        detect::DetectArgs::command(),
        correlate::CorrelateArgs::command(),
        enrich::EnrichArgs::command(),
        report::ReportArgs::command(),
        logsentry::LogsentryArgs::command(),
    ]
}

/// A duration flag: seconds, or a number with s, m, h or d.
fn duration(text: &str) -> Result<i64, String> {
    crate::time::parse_duration(text).ok_or_else(|| format!("not a duration: {text} (e.g. 600, 10m, 24h)"))
}
