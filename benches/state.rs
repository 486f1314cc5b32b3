//! `cargo bench --bench state`: what `--state` costs the stream. The pipe `ls-parse auto |
//! ls-detect` runs over generated SSH and web logs (the detect bench's traffic: 1 million lines
//! by default, `LOGSENTRY_BENCH_EVENTS` to change it; about one event in seven alerts, a
//! stream under attack) without and with `ls-detect --state FILE` (a fresh file each run, on
//! the same disk as the inputs), in turn, run after run; each pair's wall-time ratio is taken,
//! and the median of those is the figure, twice: until the output has all reached downstream
//! (the stream: the bound, at most 1.10), and until the process exits (the stream and
//! the windows stored at the end, a cost bounded by `--max-tracked-keys`). With
//! `LOGSENTRY_CORPUS` set, `ls-detect` alone is measured the same way on the events of the
//! real elastic auth.log, replayed 400 times a month apart (about one event in 14 alerts).

mod support;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;
use support::traffic::generate;

const LS_PARSE: &str = env!("CARGO_BIN_EXE_ls-parse");
const LS_DETECT: &str = env!("CARGO_BIN_EXE_ls-detect");
const LS_HISTORY: &str = env!("CARGO_BIN_EXE_ls-history");
const PAIRS: usize = 7;

/// How long one run took: until its output had all reached downstream (the stream), and
/// until it exited (the stream and what `--state` stores at the end: the windows of every
/// source still tracked, a cost bounded by `--max-tracked-keys`, not by the stream's length).
#[derive(Clone, Copy)]
struct Run {
    stream: f64,
    exit: f64,
}

/// Reads `child`'s output to its end; returns when its last byte arrived and how many lines.
fn drain(child: &mut std::process::Child, started: Instant) -> (f64, u64) {
    let mut stdout = child.stdout.take().expect("a pipe");
    let mut buffer = vec![0u8; 1 << 16];
    let (mut last, mut lines) = (0.0, 0u64);
    loop {
        let read = stdout.read(&mut buffer).expect("read the output");
        if read == 0 {
            break;
        }
        last = started.elapsed().as_secs_f64();
        lines += buffer[..read].iter().filter(|&&byte| byte == b'\n').count() as u64;
    }
    (last, lines)
}

/// Runs the pipe once; returns its times and the alerts written.
fn pipe(auth: &Path, access: &Path, state: Option<&Path>) -> (Run, u64) {
    let started = Instant::now();
    let mut parse = Command::new(LS_PARSE)
        .args(["auto", "-q", "--tz", "UTC"])
        .arg(auth)
        .arg(access)
        .stdout(Stdio::piped())
        .spawn()
        .expect("run ls-parse");
    let mut detect = Command::new(LS_DETECT);
    detect.args(["-q", "--tz", "UTC"]);
    if let Some(state) = state {
        detect.arg("--state").arg(state);
    }
    let mut detect = detect
        .stdin(parse.stdout.take().expect("a pipe"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("run ls-detect");
    let (stream, alerts) = drain(&mut detect, started);
    assert!(parse.wait().expect("ls-parse ends").success() && detect.wait().expect("ls-detect ends").success());
    let exit = started.elapsed().as_secs_f64();
    (Run { stream, exit }, alerts)
}

/// Runs ls-detect once on `events`; returns its times.
fn detect_only(events: &Path, state: Option<&Path>) -> Run {
    let started = Instant::now();
    let mut detect = Command::new(LS_DETECT);
    detect.args(["-q", "--tz", "UTC"]).arg(events);
    if let Some(state) = state {
        detect.arg("--state").arg(state);
    }
    let mut detect = detect.stdout(Stdio::piped()).spawn().expect("run ls-detect");
    let (stream, _) = drain(&mut detect, started);
    assert!(detect.wait().expect("ls-detect ends").success());
    Run {
        stream,
        exit: started.elapsed().as_secs_f64(),
    }
}

/// The median ratios of paired runs, stream and exit.
fn ratios(pairs: &[(Run, Run)]) -> (f64, f64) {
    let mut stream: Vec<f64> = pairs
        .iter()
        .map(|(plain, stored)| stored.stream / plain.stream)
        .collect();
    let mut exit: Vec<f64> = pairs.iter().map(|(plain, stored)| stored.exit / plain.exit).collect();
    (median(&mut stream), median(&mut exit))
}

fn print_ratios(pairs: &[(Run, Run)]) {
    let (stream, exit) = ratios(pairs);
    println!("  with / without, until the output is all downstream   median ratio {stream:.3} (bound: 1.10)");
    println!("  with / without, until the process exits              median ratio {exit:.3}");
}

/// The events of the corpus's real auth.log, `times` over, each replay a month later.
fn replayed_corpus_events(corpus: &Path, out: &Path, times: i64) -> Option<u64> {
    let parsed = Command::new(LS_PARSE)
        .args(["ssh", "-q", "--tz", "UTC"])
        .arg(corpus.join("elastic-examples/auth.log"))
        .output()
        .ok()?;
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&parsed.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    let mut text = String::new();
    for replay in 0..times {
        for event in &events {
            let mut event = event.clone();
            let time = chrono::DateTime::parse_from_rfc3339(event["@timestamp"].as_str()?).ok()?;
            let moved = time + chrono::Duration::days(30 * replay);
            event["@timestamp"] = serde_json::Value::from(moved.to_rfc3339());
            text.push_str(&event.to_string());
            text.push('\n');
        }
    }
    std::fs::write(out, text).ok()?;
    Some(events.len() as u64 * times as u64)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let count: u64 = std::env::var("LOGSENTRY_BENCH_EVENTS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(1_000_000);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/state");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let (auth, access) = (dir.join("auth.log"), dir.join("access.log"));
    generate(&auth, &access, count).expect("generate logs");
    let state = dir.join("state.db");
    let fresh = || {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", state.display()));
        }
    };
    fresh();
    pipe(&auth, &access, Some(&state));
    let mut pairs = Vec::new();
    let mut alerts = 0;
    for _ in 0..PAIRS {
        let (plain, _) = pipe(&auth, &access, None);
        fresh();
        let (stored, written) = pipe(&auth, &access, Some(&state));
        alerts = written;
        pairs.push((plain, stored));
    }
    let in_store = Command::new(LS_HISTORY)
        .args(["stats", "--state"])
        .arg(&state)
        .output()
        .expect("ls-history");
    let stored: u64 = String::from_utf8_lossy(&in_store.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|day| day["alerts"].as_u64())
        .sum();
    assert_eq!(stored, alerts, "every alert written is stored");
    println!("ls-parse auto | ls-detect over {count} generated lines ({alerts} alerts, all stored), {PAIRS} pairs:");
    let mut without: Vec<f64> = pairs.iter().map(|(plain, _)| plain.exit).collect();
    let mut with: Vec<f64> = pairs.iter().map(|(_, stored)| stored.exit).collect();
    println!("  without --state  median {:.2} s", median(&mut without));
    println!("  with --state     median {:.2} s", median(&mut with));
    print_ratios(&pairs);
    if let Some(corpus) = std::env::var_os("LOGSENTRY_CORPUS") {
        let events = dir.join("corpus-events.ndjson");
        let Some(count) = replayed_corpus_events(Path::new(&corpus), &events, 400) else {
            println!("  (the corpus's elastic-examples/auth.log could not be read)");
            return;
        };
        let mut pairs = Vec::new();
        for _ in 0..PAIRS {
            let plain = detect_only(&events, None);
            fresh();
            pairs.push((plain, detect_only(&events, Some(&state))));
        }
        let alerts = Command::new(LS_HISTORY)
            .args(["alerts", "--state"])
            .arg(&state)
            .output()
            .map(|output| output.stdout.iter().filter(|&&byte| byte == b'\n').count())
            .unwrap_or(0);
        println!(
            "ls-detect over the real auth.log's events replayed 400 times ({count} events, {alerts} alerts stored), {PAIRS} pairs:"
        );
        print_ratios(&pairs);
    }
    fresh();
}
