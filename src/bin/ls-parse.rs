//! `ls-parse`: raw logs → NDJSON events. See `ls-parse --help` and ls-parse(1).

fn main() -> std::process::ExitCode {
    logsentry::app::parse::main()
}
