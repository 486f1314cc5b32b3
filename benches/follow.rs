//! `cargo bench --bench follow`: following a log through copytruncate under load, at full
//! size. A writer logs 20,000 whole lines a second for ten seconds and, every second, copies
//! the file to `FILE.1` and empties it between two writes (logrotate's `copytruncate` with a
//! writer that logs whole lines: only the follower can lose a line). `ls-parse ssh --follow`
//! and `tail -F` (the baseline, in the same run) follow it; each line carries its number, so
//! what came out tells what was lost, read twice or corrupted. `LOGSENTRY_FOLLOWER=PATH`
//! measures another ls-parse (an earlier build) beside this one.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LINES_PER_SECOND: u32 = 20_000;
const SECONDS: u32 = 10;
const BATCH: u32 = 200;

fn log_line(n: u32) -> String {
    format!("2026-03-14T01:00:00+00:00 h sshd[1]: Failed password for u{n} from 192.0.2.1 port 22 ssh2\n")
}

/// Writes the lines at the rate, rotating every second.
fn write_and_rotate(path: &Path) {
    let mut log = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open for append");
    let started = Instant::now();
    let mut next_rotation = Duration::from_secs(1);
    let batches = LINES_PER_SECOND * SECONDS / BATCH;
    for batch in 0..batches {
        let text: String = (batch * BATCH + 1..=batch * BATCH + BATCH).map(log_line).collect();
        log.write_all(text.as_bytes()).expect("write");
        if started.elapsed() >= next_rotation {
            std::fs::copy(path, path.with_extension("log.1")).expect("copy");
            std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .and_then(|file| file.set_len(0))
                .expect("truncate");
            next_rotation += Duration::from_secs(1);
        }
        let due = Duration::from_secs(1) * (batch + 1) * BATCH / LINES_PER_SECOND;
        if let Some(wait) = due.checked_sub(started.elapsed()) {
            std::thread::sleep(wait);
        }
    }
}

/// The line number a follower's output line carries (user `uN`), if it is whole.
fn number_in(line: &str) -> Option<u32> {
    let rest = line.split("password for u").nth(1)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let whole = rest[digits.len()..].starts_with(" from 192.0.2.1 port 22 ssh2");
    whole.then(|| digits.parse().ok()).flatten()
}

fn follow_once(name: &str, program: &str, args: &[&str], dir: &Path) {
    let path = dir.join("auth.log");
    let _ = std::fs::remove_file(path.with_extension("log.1"));
    std::fs::write(&path, "").expect("create");
    let mut follower = Command::new(program)
        .args(args)
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("follower.stderr")).expect("stderr file"))
        .spawn()
        .unwrap_or_else(|error| panic!("spawn {program}: {error}"));
    let stdout = follower.stdout.take().expect("stdout");
    let (sender, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    std::thread::sleep(Duration::from_millis(300));
    write_and_rotate(&path);
    let total = LINES_PER_SECOND * SECONDS;
    let mut seen = vec![0u32; total as usize + 1];
    let mut corrupted = 0u64;
    while let Ok(line) = received.recv_timeout(Duration::from_secs(3)) {
        match number_in(&line).filter(|&n| n >= 1 && n <= total) {
            Some(n) => seen[n as usize] += 1,
            None => corrupted += 1,
        }
    }
    let _ = follower.kill();
    let _ = follower.wait();
    let lost = seen[1..].iter().filter(|&&count| count == 0).count();
    let twice = seen[1..].iter().filter(|&&count| count > 1).count();
    println!(
        "{name:<36} {lost:>7} lost ({:.2}%), {twice:>6} read twice, {corrupted:>6} corrupted of {total}",
        100.0 * lost as f64 / f64::from(total)
    );
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/follow");
    std::fs::create_dir_all(&dir).expect("bench dir");
    println!("{LINES_PER_SECOND} lines/s for {SECONDS} s, copytruncate every second (whole-process, same run):");
    follow_once("tail -F (baseline)", "tail", &["-n", "+1", "-F"], &dir);
    follow_once(
        "ls-parse ssh --follow",
        env!("CARGO_BIN_EXE_ls-parse"),
        &["ssh", "--follow"],
        &dir,
    );
    if let Some(other) = std::env::var_os("LOGSENTRY_FOLLOWER") {
        let other = other.to_string_lossy().into_owned();
        follow_once(
            &format!("{other} ssh --follow"),
            &other,
            &["ssh", "--follow", "-q"],
            &dir,
        );
    }
}
