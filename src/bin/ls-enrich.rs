//! `ls-enrich`: NDJSON records → the same records with context. See `ls-enrich --help` and
//! ls-enrich(1).

fn main() -> std::process::ExitCode {
    logsentry::app::enrich::main()
}
