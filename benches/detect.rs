//! `cargo bench --bench detect`: throughput and peak memory of `ls-detect` with every rule on,
//! on one core, NDJSON in and out. The events are made by ls-parse from generated logs (kept in
//! target/bench-data, never committed): by default 10 million events from 1 million distinct
//! addresses, three quarters SSH logins (brute force, stuffing, successes at all hours) and a
//! quarter web requests (scans and attacks among them). A run on a tenth of the events shows
//! whether memory stays flat as the input grows.
//!
//! Set LOGSENTRY_BENCH_EVENTS to change the number of events.

mod support;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use support::{measure, report, tenth, Measurement, Rng, RUNS};

const LS_PARSE: &str = env!("CARGO_BIN_EXE_ls-parse");
const LS_DETECT: &str = env!("CARGO_BIN_EXE_ls-detect");

const USERS: &[&str] = &["root", "admin", "ubuntu", "deploy", "git", "oracle", "postgres", "test"];
const TARGETS: &[&str] = &[
    "/",
    "/index.html",
    "/products?id=12&sort=price",
    "/missing-page",
    "/products?id=12%27%20OR%201%3D1--",
    "/download?file=../../../../etc/passwd",
    "/search?q=%3Cscript%3Ealert(1)%3C/script%3E",
    "/api/v1/orders?page=3",
];

/// The address of source number `n` (of a million).
fn address(n: u64) -> String {
    format!(
        "{}.{}.{}.{}",
        11 + n / 65_536 % 200,
        n / 256 % 256,
        n % 256,
        1 + n % 250
    )
}

/// Writes `count` raw log lines: SSH to `auth`, web to `access`, event time moving forward
/// a little per line. Returns (auth lines, access lines).
fn generate(auth: &Path, access: &Path, count: u64) -> std::io::Result<(u64, u64)> {
    let mut rng = Rng(0x5EED_D37E);
    let mut auth_out = BufWriter::with_capacity(1 << 20, File::create(auth)?);
    let mut access_out = BufWriter::with_capacity(1 << 20, File::create(access)?);
    let (mut auth_lines, mut access_lines) = (0, 0);
    let start: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
    for line in 0..count {
        let seconds = start + i64::try_from(line / 20).unwrap_or(i64::MAX / 2);
        let stamp = chrono::DateTime::from_timestamp(seconds, 0)
            .map(|t| t.to_rfc3339())
            .unwrap_or_default();
        // A few sources are busy (they cross thresholds), most are seen now and then.
        let source = if rng.below(10) == 0 {
            rng.below(1_000)
        } else {
            rng.below(1_000_000)
        };
        let ip = address(source);
        let pid = 1000 + line % 60_000;
        let user = rng.pick(USERS);
        if rng.below(4) == 0 {
            let target = rng.pick(TARGETS);
            let status = if target == "/missing-page" { 404 } else { 200 };
            let when = chrono::DateTime::from_timestamp(seconds, 0)
                .map(|t| t.format("%d/%b/%Y:%H:%M:%S +0000").to_string())
                .unwrap_or_default();
            writeln!(
                access_out,
                "{ip} - - [{when}] \"GET {target} HTTP/1.1\" {status} 512 \"-\" \"Mozilla/5.0\""
            )?;
            access_lines += 1;
        } else {
            match rng.below(10) {
                0 => writeln!(
                    auth_out,
                    "{stamp} bastion sshd[{pid}]: Accepted password for {user} from {ip} port 22 ssh2"
                )?,
                1 => writeln!(
                    auth_out,
                    "{stamp} bastion sshd[{pid}]: Invalid user {user}x from {ip} port 22"
                )?,
                _ => writeln!(
                    auth_out,
                    "{stamp} bastion sshd[{pid}]: Failed password for {user} from {ip} port 22 ssh2"
                )?,
            }
            auth_lines += 1;
        }
    }
    auth_out.flush()?;
    access_out.flush()?;
    Ok((auth_lines, access_lines))
}

/// The events ls-parse makes of both logs, one file; returns how many.
fn parse_to_events(auth: &Path, access: &Path, events: &Path) -> u64 {
    let out = File::create(events).expect("create events");
    let status = Command::new(LS_PARSE)
        .args(["auto", "-q", "--tz", "UTC"])
        .arg(auth)
        .arg(access)
        .stdout(Stdio::from(out))
        .status()
        .expect("run ls-parse");
    assert!(status.success(), "ls-parse failed");
    std::fs::read(events)
        .map(|data| data.iter().filter(|&&b| b == b'\n').count() as u64)
        .unwrap_or(0)
}

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
            let made = parse_to_events(&auth, &access, &events);
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
