//! `ls-history`: questions to the state file, answered as NDJSON. See `ls-history --help` and
//! ls-history(1).

fn main() -> std::process::ExitCode {
    logsentry::app::history::main()
}
