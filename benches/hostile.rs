//! `cargo bench --bench hostile`: the hostile cases of tests/it/hostile.rs at full size, with
//! peak memory. One million spoofed IPv4 sources, one failed password each within ten
//! minutes, and one real brute-forcer with 30 attempts among them: ls-detect with its default
//! `--max-tracked-keys`, against the same run with the cap out of reach (what it cost before
//! there was one), measured in the same run. Then one 63 MB SQL statement through
//! `sql-injection-in-query`. Then one patient attacker's 100,000 alerts through ls-correlate:
//! its output against its input, and ls-report reading every revision against reading the one
//! `--final` record. Inputs are generated into target/bench-data, never committed.

mod support;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use support::{measure, Measurement};

const LS_DETECT: &str = env!("CARGO_BIN_EXE_ls-detect");
const LS_CORRELATE: &str = env!("CARGO_BIN_EXE_ls-correlate");
const LS_REPORT: &str = env!("CARGO_BIN_EXE_ls-report");

/// `alerts` alerts of two kinds from one address, one every 30 s.
fn patient_attacker(path: &Path, alerts: u32) -> std::io::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    for n in 0..alerts {
        let (rule, module, technique, tactic) = if n % 2 == 0 {
            ("brute-force", "ssh", "T1110.001", "Credential Access")
        } else {
            ("scanner", "web", "T1595.002", "Reconnaissance")
        };
        let seconds = 1_773_450_000 + i64::from(n) * 30;
        let time = chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default();
        writeln!(
            out,
            r#"{{"@timestamp":"{}","message":"{rule} number {n} from 203.0.113.47","event":{{"kind":"alert","module":"{module}","risk_score":50}},"rule":{{"id":"{rule}"}},"threat":{{"framework":"MITRE ATT&CK","tactic":{{"name":"{tactic}"}},"technique":{{"id":"{technique}"}}}},"source":{{"ip":"203.0.113.47"}},"logsentry":{{"severity":"HIGH"}}}}"#,
            time.format("%Y-%m-%dT%H:%M:%SZ")
        )?;
    }
    out.flush()
}

/// Runs `program` with its output to `path`.
fn write_output(program: &str, args: &[&str], path: &Path) {
    let out = File::create(path).expect("create output");
    let status = std::process::Command::new(program)
        .args(args)
        .stdout(out)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run");
    assert!(status.success(), "{program} {args:?}");
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |meta| meta.len())
}

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
    line("one 63 MB statement, sql-injection-in-query", &statement_run, None);
    println!(
        "  peak memory {:.1}x the statement",
        statement_run.peak_rss_kb as f64 * 1024.0 / size(&statement).max(1) as f64
    );

    let patient = dir.join("hostile-patient-100k.ndjson");
    if !patient.exists() {
        patient_attacker(&patient, 100_000).expect("generate the alerts");
    }
    let patient_text = patient.to_str().expect("utf-8 path");
    let revisions = dir.join("hostile-patient-revisions.ndjson");
    let final_only = dir.join("hostile-patient-final.ndjson");
    write_output(LS_CORRELATE, &["-q", patient_text], &revisions);
    write_output(LS_CORRELATE, &["-q", "--final", patient_text], &final_only);
    let correlated = measure(LS_CORRELATE, &["-q", patient_text]);
    println!("one attacker's 100,000 alerts ({:.1} MB):", size(&patient) as f64 / 1e6);
    line("ls-correlate, every revision", &correlated, None);
    println!(
        "  output {:.1} MB, {:.2}x its input",
        size(&revisions) as f64 / 1e6,
        size(&revisions) as f64 / size(&patient).max(1) as f64
    );
    let report_final = measure(
        LS_REPORT,
        &["-q", "--format", "json", final_only.to_str().expect("utf-8 path")],
    );
    let report_all = measure(
        LS_REPORT,
        &["-q", "--format", "json", revisions.to_str().expect("utf-8 path")],
    );
    line("ls-report, the alerts and the --final record", &report_final, None);
    println!(
        "{:<44} {:>8.2} s {:>8.1} MB  ({:.2}x the time with the --final record)",
        "ls-report, the alerts and every revision",
        report_all.seconds,
        report_all.peak_rss_kb as f64 / 1024.0,
        report_all.seconds / report_final.seconds.max(1e-9)
    );
}
