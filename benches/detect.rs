//! `cargo bench --bench detect`: throughput and peak memory of `ls-detect` with every rule on,
//! on one core, NDJSON in and out. The events are made by ls-parse from generated logs (kept in
//! target/bench-data, never committed): by default 10 million events from 1 million distinct
//! addresses, three quarters SSH logins (brute force, stuffing, successes at all hours) and a
//! quarter web requests (scans and attacks among them). A run on a tenth of the events shows
//! whether memory stays flat as the input grows.
//!
//! Set LOGSENTRY_BENCH_EVENTS to change the number of events.

mod support;

use std::path::Path;
use support::traffic::{generate, parse_to_events};
use support::{measure, report, tenth, Measurement, RUNS};

const LS_PARSE: &str = env!("CARGO_BIN_EXE_ls-parse");
const LS_DETECT: &str = env!("CARGO_BIN_EXE_ls-detect");

fn main() {
    let count: u64 = std::env::var("LOGSENTRY_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let events = dir.join(format!("detect-events-{count}.ndjson"));
    let events_count_path = events.with_extension("count");
    let events_count = match std::fs::read_to_string(&events_count_path)
        .ok()
        .and_then(|t| t.trim().parse().ok())
    {
        Some(known) if events.exists() => known,
        _ => {
            println!(
                "generating {count} log lines and parsing them into events in {} (kept)",
                dir.display()
            );
            let (auth, access) = (dir.join("detect-auth.log"), dir.join("detect-access.log"));
            generate(&auth, &access, count).expect("generate logs");
            let made = parse_to_events(LS_PARSE, &auth, &access, &events);
            let _ = std::fs::remove_file(&auth);
            let _ = std::fs::remove_file(&access);
            std::fs::write(&events_count_path, made.to_string()).expect("write count");
            made
        }
    };
    let (small, small_count) = tenth(&events);
    println!("ls-detect on one core, every rule on, alerts to /dev/null, best and median of {RUNS} runs:");
    for (name, path, events) in [
        ("ls-detect", &events, events_count),
        ("ls-detect (1/10 input)", &small, small_count),
    ] {
        let path_text = path.to_str().expect("utf-8 path");
        let mut runs: Vec<Measurement> = (0..RUNS)
            .map(|_| measure(LS_DETECT, &["-q", "--tz", "UTC", path_text]))
            .collect();
        report(name, "events", path, events, &mut runs);
    }
}
