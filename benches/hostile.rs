//! `cargo bench --bench hostile`: the hostile cases of tests/it/hostile.rs at full size, with
//! peak memory. One million spoofed IPv4 sources, one failed password each within ten
//! minutes, and one real brute-forcer with 30 attempts among them: ls-detect with its default
//! `--max-tracked-keys`, against the same run with the cap out of reach (what it cost before
//! there was one), measured in the same run. Then one 63 MB SQL statement through
//! `sql-injection-in-query`. Inputs are generated into target/bench-data, never committed.

mod support;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use support::{measure, Measurement};

const LS_DETECT: &str = env!("CARGO_BIN_EXE_ls-detect");

fn flood(path: &Path, sources: u32) -> std::io::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    let every = sources / 30;
    let mut event = |second: u32, ip: &str, user: &str, pid: u32| {
        writeln!(
            out,
            r#"{{"@timestamp":"2026-03-14T00:{:02}:{:02}Z","event":{{"kind":"event","module":"ssh","category":["authentication"],"action":"ssh-login","outcome":"failure"}},"source":{{"ip":"{ip}"}},"user":{{"name":"{user}"}},"host":{{"hostname":"bastion"}},"process":{{"name":"sshd","pid":{pid}}},"logsentry":{{"event_type":"failed","ssh":{{"method":"password"}}}}}}"#,
            second / 60,
            second % 60
        )
    };
    for n in 0..sources {
        let second = n / (sources / 600).max(1);
        let ip = format!("{}.{}.{}.{}", 10 + (n >> 24), (n >> 16) & 255, (n >> 8) & 255, n & 255);
        event(second.min(599), &ip, &format!("u{}", n % 1000), 1000 + n % 30_000)?;
        if n % every == 0 {
            event(second.min(599), "198.51.100.77", "root", 40_000 + n / every)?;
        }
    }
    out.flush()
}

fn big_statement(path: &Path) -> std::io::Result<()> {
    let numbers: Vec<String> = (0..8_000_000).map(|n| n.to_string()).collect();
    let query = format!("SELECT * FROM t WHERE a IN ({})", numbers.join(","));
    let mut out = BufWriter::new(File::create(path)?);
    writeln!(
        out,
        r#"{{"@timestamp":"2026-03-14T00:00:00Z","event":{{"kind":"event","module":"mysql"}},"mysql":{{"query":"{query}"}}}}"#
    )?;
    out.flush()
}

fn line(name: &str, run: &Measurement, baseline: Option<&Measurement>) {
    let ratio = baseline.map_or(String::new(), |base| {
        format!(
            "  ({:.2}x the memory, {:.2}x the time of the uncapped run)",
            run.peak_rss_kb as f64 / base.peak_rss_kb.max(1) as f64,
            run.seconds / base.seconds.max(1e-9)
        )
    });
    println!(
        "{name:<44} {:>8.2} s {:>8.1} MB{ratio}",
        run.seconds,
        run.peak_rss_kb as f64 / 1024.0
    );
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let spoofed = dir.join("hostile-spoofed-1m.ndjson");
    if !spoofed.exists() {
        flood(&spoofed, 1_000_000).expect("generate the flood");
    }
    let statement = dir.join("hostile-statement.ndjson");
    if !statement.exists() {
        big_statement(&statement).expect("generate the statement");
    }
    let spoofed_text = spoofed.to_str().expect("utf-8 path");
    let uncapped = measure(LS_DETECT, &["-q", "--max-tracked-keys", "100000000", spoofed_text]);
    let capped = measure(LS_DETECT, &["-q", spoofed_text]);
    println!("ls-detect on one core, alerts to /dev/null:");
    line("1 M spoofed sources, uncapped", &uncapped, None);
    line(
        "1 M spoofed sources, --max-tracked-keys 100000",
        &capped,
        Some(&uncapped),
    );
    let alerts = std::process::Command::new(LS_DETECT)
        .args(["-q", "--only", "brute-force", spoofed_text])
        .output()
        .expect("run ls-detect");
    let found = String::from_utf8_lossy(&alerts.stdout).contains("198.51.100.77");
    println!("the brute-forcer among them is alerted: {found}");
    let statement_run = measure(
        LS_DETECT,
        &[
            "-q",
            "--only",
            "sql-injection-in-query",
            statement.to_str().expect("utf-8 path"),
        ],
    );
    let size = std::fs::metadata(&statement).map_or(0, |meta| meta.len());
    line("one 63 MB statement, sql-injection-in-query", &statement_run, None);
    println!(
        "  peak memory {:.1}x the statement",
        statement_run.peak_rss_kb as f64 * 1024.0 / size.max(1) as f64
    );
}
