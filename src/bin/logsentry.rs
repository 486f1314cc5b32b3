//! `logsentry`: log files → a report, the whole pipeline in one process. See
//! `logsentry --help` and logsentry(1).

fn main() -> std::process::ExitCode {
    logsentry::app::logsentry::main()
}
