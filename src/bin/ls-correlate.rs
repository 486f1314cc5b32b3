//! `ls-correlate`: NDJSON alerts → incidents. See `ls-correlate --help` and ls-correlate(1).

fn main() -> std::process::ExitCode {
    logsentry::app::correlate::main()
}
