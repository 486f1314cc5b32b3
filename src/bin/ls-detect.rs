//! `ls-detect`: NDJSON events → alerts. See `ls-detect --help` and ls-detect(1).

fn main() -> std::process::ExitCode {
    logsentry::app::detect::main()
}
