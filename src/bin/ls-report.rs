//! `ls-report`: NDJSON events, alerts and incidents → a report. See `ls-report --help` and
//! ls-report(1).

fn main() -> std::process::ExitCode {
    logsentry::app::report::main()
}
