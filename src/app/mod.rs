//! One runner per stage: arguments → validated config, drive the loop, map the outcome to an
//! exit code. Errors become exit codes here and nowhere else.

pub mod correlate;
pub mod detect;
pub mod detect_config;
pub mod enrich;
pub mod history;
pub mod logsentry;
pub mod parse;
mod pipeline;
pub mod records;
pub mod report;

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// Exit codes shared by every binary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Everything read (rejected lines included).
    Success,
    /// An input could not be read, or output failed.
    DataError,
    /// The command line was wrong.
    Usage,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(match exit {
            Exit::Success => 0,
            Exit::DataError => 1,
            Exit::Usage => 2,
        })
    }
}

/// Why a stage cannot start. Its kind decides the exit status, here and nowhere else: a
/// command line (or a file of settings standing in for it: `--config`, `--template`) that asks
/// for what cannot be is a usage error; a file or service it names that cannot be read or
/// used is a data error.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Exit 2, with a pointer to `--help`.
    #[error("{0}")]
    Usage(String),
    /// Exit 1.
    #[error("{0}")]
    Data(String),
    /// Exit 2: a file of settings asks for what cannot be. The message names the file and
    /// the place in it, and may go on over more lines (the line quoted, a caret under the
    /// mistake); it needs no pointer to `--help`.
    #[error("{0}")]
    Config(String),
}

impl StartError {
    /// A usage error: `context: error`.
    pub fn usage(context: impl std::fmt::Display, error: impl std::fmt::Display) -> Self {
        StartError::Usage(format!("{context}: {error}"))
    }

    /// A data error: `context: error`.
    pub fn data(context: impl std::fmt::Display, error: impl std::fmt::Display) -> Self {
        StartError::Data(format!("{context}: {error}"))
    }

    /// The exit status this error calls for.
    pub fn exit(&self) -> Exit {
        match self {
            StartError::Usage(_) | StartError::Config(_) => Exit::Usage,
            StartError::Data(_) => Exit::DataError,
        }
    }

    /// Says what went wrong on stderr, in the shape its kind calls for, and gives the exit
    /// status.
    pub fn report(&self, program: &str) -> Exit {
        match self {
            StartError::Usage(message) => usage_error(program, &format!("error: {message}")),
            StartError::Data(message) => {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "{program}: error: {}",
                    crate::text::printable(message)
                );
            }
            StartError::Config(message) => {
                use std::io::Write;
                let mut stderr = std::io::stderr().lock();
                let mut lines = message.lines();
                let first = lines.next().unwrap_or_default();
                let _ = writeln!(stderr, "{program}: error: {}", crate::text::printable(first));
                for line in lines {
                    let _ = writeln!(stderr, "    {}", crate::text::printable(line));
                }
            }
        }
        self.exit()
    }
}

/// A stage's main: the command line parsed, then checked by `validate` (its error's kind
/// gives the exit status), then `run`.
pub fn stage_main<A: clap::Parser, R>(
    program: &str,
    validate: impl FnOnce(A) -> Result<R, StartError>,
    run: impl FnOnce(R) -> Exit,
) -> ExitCode {
    let args = match parse_args::<A>(program) {
        Ok(args) => args,
        Err(exit) => return exit.into(),
    };
    match validate(args) {
        Ok(validated) => run(validated).into(),
        Err(error) => error.report(program).into(),
    }
}

/// Parses the command line; help and version print and exit 0, any other error is reduced
/// to one clear line on stderr and exit 2.
pub fn parse_args<T: clap::Parser>(program: &str) -> Result<T, Exit> {
    T::try_parse().map_err(|error| {
        use clap::error::ErrorKind;
        match error.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                let _ = error.print();
                Exit::Success
            }
            _ => {
                usage_error(program, &one_line(&error.render().to_string()));
                Exit::Usage
            }
        }
    })
}

/// Ctrl-C or SIGTERM ends following the way the end of input does: what was read is
/// written and the summary printed. A stage reading a pipe keeps reading until the pipe
/// ends, which it does at once, as the stage before it got the same signal and stopped. A
/// second signal ends the process at once, should anything hang on the way out.
pub(crate) fn stop_on_signals() -> Arc<AtomicBool> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let stop = Arc::new(AtomicBool::new(false));
    for (signal, status) in [(SIGINT, 130), (SIGTERM, 143)] {
        // The shutdown goes first: it is armed only once the flag is set by a first signal.
        // Registering fails only for signals that may not be caught; if it did, the signal
        // would keep its default action, ending the process as before.
        let _ = signal_hook::flag::register_conditional_shutdown(signal, status, Arc::clone(&stop));
        let _ = signal_hook::flag::register(signal, Arc::clone(&stop));
    }
    stop
}

/// Standard input at a terminal looks like a hang to whoever forgot to name a file: say
/// what is being waited for and how to end it (hidden by `-q`, like the summary).
pub(crate) fn hint_if_reading_a_terminal(
    inputs: &crate::ingest::Inputs,
    diagnostics: &crate::diagnostics::Diagnostics,
    what: &str,
) {
    use std::io::IsTerminal;
    if inputs.specs.contains(&crate::ingest::InputSpec::Stdin) && std::io::stdin().is_terminal() {
        diagnostics.summary_line(&format!(
            "reading {what} from standard input (the terminal); end with Ctrl-D, or name files or folders to read"
        ));
    }
}

/// `--save-every SECONDS` as a duration: a positive number of seconds.
pub(crate) fn save_every(seconds: f64) -> Result<std::time::Duration, StartError> {
    std::time::Duration::try_from_secs_f64(seconds)
        .ok()
        .filter(|every| !every.is_zero())
        .ok_or_else(|| StartError::Usage("--save-every must be a positive number of seconds".to_owned()))
}

/// Prints a usage error line.
pub fn usage_error(program: &str, message: &str) {
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr().lock(),
        "{program}: {} (see {program} --help)",
        crate::text::printable(message)
    );
}

/// Clap's multi-line error (message, possible values, usage, tip) folded to its essentials.
fn one_line(rendered: &str) -> String {
    rendered
        .lines()
        .map(str::trim)
        .take_while(|line| !line.starts_with("Usage:"))
        .filter(|line| !line.is_empty() && !line.starts_with("tip:"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_errors_fold_to_one_line() {
        let rendered = "error: invalid value 'xml' for '<FORMAT>'\n  [possible values: ssh, apache, auto]\n\n  tip: a similar value exists: 'auto'\n\nUsage: ls-parse <FORMAT> [FILE]...\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line(rendered),
            "error: invalid value 'xml' for '<FORMAT>' [possible values: ssh, apache, auto]"
        );
    }
}
