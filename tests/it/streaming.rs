//! Live behaviour: an event is written the moment its line arrives, not at end of input.

use crate::common::*;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn read_line_within(reader: &mpsc::Receiver<String>, seconds: u64) -> String {
    reader
        .recv_timeout(Duration::from_secs(seconds))
        .expect("an event line arrived in time")
}

fn spawn_reader(stdout: std::process::ChildStdout) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    receiver
}

/// `ls-parse ssh --follow [--sleep-interval SECONDS] PATH`, its stderr kept; the events as
/// they come.
fn follow_ssh(path: &std::path::Path, sleep_interval: Option<&str>) -> (std::process::Child, mpsc::Receiver<String>) {
    let mut command = Command::new(LS_PARSE);
    command.args(["ssh", "--follow"]);
    if let Some(seconds) = sleep_interval {
        command.args(["--sleep-interval", seconds]);
    }
    let mut child = command
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let lines = spawn_reader(child.stdout.take().expect("stdout"));
    (child, lines)
}

/// Sends SIGINT to `child`, as Ctrl-C would.
fn interrupt(child: &std::process::Child) {
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill -INT {}", child.id());
}

/// The next event line, read as an event.
fn next_event(lines: &mpsc::Receiver<String>) -> Event {
    serde_json::from_str(&read_line_within(lines, 10)).expect("event")
}

/// The sshd line of a failed password from `port`.
fn failed_from_port(port: u16) -> String {
    format!("2026-03-14T01:00:00+00:00 h sshd[1]: Failed password for root from 192.0.2.1 port {port} ssh2\n")
}

#[test]
fn stdin_events_arrive_before_stdin_closes() {
    let mut child = Command::new(LS_PARSE)
        .args(["ssh"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let lines = spawn_reader(child.stdout.take().expect("stdout"));
    for port in [1, 2] {
        writeln!(
            stdin,
            "2026-03-14T01:00:0{port}+00:00 h sshd[1]: Failed password for root from 192.0.2.1 port {port} ssh2"
        )
        .expect("write");
        stdin.flush().expect("flush");
        let event = next_event(&lines);
        assert_eq!(event.source.port, Some(port));
    }
    drop(stdin);
    assert!(child.wait().expect("wait").success());
}

#[test]
fn follow_reads_appended_lines_across_rotation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("auth.log");
    let line = failed_from_port;
    std::fs::write(&path, line(1)).expect("write");
    let (mut child, lines) = follow_ssh(&path, Some("0.05"));
    assert_eq!(next_event(&lines).source.port, Some(1));
    append(&path, &line(2));
    assert_eq!(next_event(&lines).source.port, Some(2));
    std::fs::rename(&path, dir.path().join("auth.log.1")).expect("rotate");
    std::fs::write(&path, line(3)).expect("recreate");
    assert_eq!(next_event(&lines).source.port, Some(3));
    // copytruncate
    std::fs::write(&path, "").expect("truncate");
    append(&path, &line(4));
    assert_eq!(next_event(&lines).source.port, Some(4));
    child.kill().expect("kill");
    let _ = child.wait();
}

#[test]
fn ctrl_c_ends_following_with_the_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("auth.log");
    std::fs::write(
        &path,
        "2026-03-14T01:00:00+00:00 h sshd[1]: Failed password for root from 192.0.2.1 port 1 ssh2\n",
    )
    .expect("write");
    let (child, lines) = follow_ssh(&path, Some("0.05"));
    // The event is out, so the signal handlers are in place and the file is being followed.
    read_line_within(&lines, 10);
    interrupt(&child);
    let output = child.wait_with_output().expect("wait");
    assert!(output.status.success(), "exit status {:?}", output.status);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("1 lines, 1 events, 0 skipped, 0 rejected"),
        "summary on stderr: {stderr}"
    );
}

#[test]
fn a_followed_multi_line_query_is_written_once_the_file_is_quiet() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("general.log");
    std::fs::write(
        &path,
        "2026-03-14T01:00:00.000001Z\t   7 Connect\tshop@10.0.0.5 on shop using TCP/IP\n",
    )
    .expect("write");
    let mut child = Command::new(LS_PARSE)
        .args([
            "mysql",
            "--follow",
            "--sleep-interval",
            "0.05",
            path.to_str().expect("p"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let lines = spawn_reader(child.stdout.take().expect("stdout"));
    // Nothing follows the Connect row: it is written once the file has been quiet.
    let connect: serde_json::Value = serde_json::from_str(&read_line_within(&lines, 10)).expect("event");
    assert_eq!(connect["event"]["action"], "mysql-login");
    // A statement arrives in two writes; the record waits for its second line.
    append(
        &path,
        "2026-03-14T01:00:01.000001Z\t   7 Query\tSELECT name FROM users\n",
    );
    std::thread::sleep(Duration::from_millis(100));
    append(&path, "  WHERE id = '1' OR '1'='1'\n");
    let query: serde_json::Value = serde_json::from_str(&read_line_within(&lines, 10)).expect("event");
    assert_eq!(
        query["mysql"]["query"],
        "SELECT name FROM users\n  WHERE id = '1' OR '1'='1'"
    );
    assert_eq!(query["user"]["name"], "shop");
    assert_eq!(query["source"]["ip"], "10.0.0.5");
    child.kill().expect("kill");
    let _ = child.wait();
}

/// copytruncate under load: a writer at 20,000 lines/s is copied to `FILE.1` and emptied
/// every half second (in its own thread, between two writes, so that only the follower can
/// lose a line, as with logrotate's `copytruncate` and a writer that logs whole lines).
/// What was written after the follower's last read is in the copy only: every line must
/// come out once, whole. (The bench runs the same at full length.)
#[test]
fn copytruncate_under_load_loses_no_line() {
    use std::os::unix::fs::OpenOptionsExt as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("auth.log");
    std::fs::write(&path, "").expect("create");
    let (child, lines) = follow_ssh(&path, None);
    const LINES: u32 = 30_000;
    let writer = {
        let path = path.clone();
        std::thread::spawn(move || {
            let mut log = std::fs::OpenOptions::new()
                .append(true)
                .custom_flags(0)
                .open(&path)
                .expect("open for append");
            let started = std::time::Instant::now();
            let mut next_rotation = Duration::from_millis(500);
            for batch in 0..LINES / 200 {
                let mut text = String::new();
                for n in batch * 200 + 1..=batch * 200 + 200 {
                    text.push_str(&format!(
                        "2026-03-14T01:00:00+00:00 h sshd[1]: Failed password for root from 192.0.2.1 port {n} ssh2\n"
                    ));
                }
                log.write_all(text.as_bytes()).expect("write");
                if started.elapsed() >= next_rotation {
                    std::fs::copy(&path, path.with_extension("log.1")).expect("copy");
                    std::fs::OpenOptions::new()
                        .write(true)
                        .open(&path)
                        .and_then(|f| f.set_len(0))
                        .expect("truncate");
                    next_rotation += Duration::from_millis(500);
                }
                let due = Duration::from_micros(u64::from(batch + 1) * 10_000);
                if let Some(wait) = due.checked_sub(started.elapsed()) {
                    std::thread::sleep(wait);
                }
            }
        })
    };
    let mut seen = vec![0u32; LINES as usize + 1];
    let mut received = 0;
    while received < LINES {
        let Ok(line) = lines.recv_timeout(Duration::from_secs(10)) else {
            break;
        };
        let event: Event = serde_json::from_str(&line).expect("event");
        let port = event.source.port.expect("port") as usize;
        seen[port] += 1;
        received += 1;
    }
    writer.join().expect("writer");
    interrupt(&child);
    let output = child.wait_with_output().expect("wait");
    let said = String::from_utf8_lossy(&output.stderr);
    let lost = seen[1..].iter().filter(|&&count| count == 0).count();
    let repeated = seen[1..].iter().filter(|&&count| count > 1).count();
    assert_eq!((lost, repeated), (0, 0), "lines lost, lines read twice; stderr: {said}");
    assert!(
        said.contains(&format!("{LINES} lines, {LINES} events, 0 skipped, 0 rejected")),
        "{said}"
    );
}

/// A line half written when the file is emptied (no copy to finish it from) is rejected,
/// not glued to the first new line, which would lose that event and invent a user name.
#[test]
fn a_line_cut_by_a_truncation_is_rejected_not_glued() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("auth.log");
    let line = failed_from_port;
    std::fs::write(
        &path,
        format!("{}2026-03-14T01:00:00+00:00 h sshd[1]: Failed password for ro", line(1)),
    )
    .expect("write");
    let (child, lines) = follow_ssh(&path, Some("0.05"));
    assert_eq!(next_event(&lines).source.port, Some(1));
    std::thread::sleep(Duration::from_millis(200));
    std::fs::write(&path, line(2)).expect("truncate and write");
    let second = next_event(&lines);
    assert_eq!(second.source.port, Some(2));
    assert_eq!(second.user.name.as_deref(), Some("root"));
    interrupt(&child);
    let output = child.wait_with_output().expect("wait");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("partial line cut off by rotation or truncation"),
        "{said}"
    );
    assert!(said.contains("3 lines, 2 events, 0 skipped, 1 rejected"), "{said}");
}

/// A followed file wakes the reader when it changes (inotify), not at the next check: with
/// checks half a minute apart, an appended line still arrives within seconds.
#[test]
fn a_followed_file_wakes_the_reader_when_it_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("auth.log");
    let line = failed_from_port;
    std::fs::write(&path, line(1)).expect("write");
    let (mut child, lines) = follow_ssh(&path, Some("30"));
    assert_eq!(next_event(&lines).source.port, Some(1));
    std::thread::sleep(Duration::from_millis(300));
    append(&path, &line(2));
    assert_eq!(next_event(&lines).source.port, Some(2));
    child.kill().expect("kill");
    let _ = child.wait();
}

/// Ctrl-C in a pipe reaches every stage: a stage reading a pipe reads on to the end its
/// upstream makes on stopping, writes what it holds and prints its summary.
#[test]
fn a_stage_in_a_pipe_prints_its_summary_on_ctrl_c() {
    let event = String::from_utf8(ls_parse(&["ssh"], failed_from_port(1).as_bytes()).stdout).expect("utf-8");
    let stages: [(&str, &[&str]); 4] = [
        (LS_DETECT, &[]),
        (LS_CORRELATE, &[]),
        (LS_ENRICH, &["--offline"]),
        (LS_REPORT, &["--format", "json", "-o", "-"]),
    ];
    for (program, args) in stages {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(event.as_bytes()).expect("write");
        stdin.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(300));
        interrupt(&child);
        std::thread::sleep(Duration::from_millis(100));
        drop(stdin);
        let output = child.wait_with_output().expect("wait");
        let said = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{program}: {said}");
        assert!(said.contains("1 records"), "{program}: {said}");
    }
}
