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
        let event: Event = serde_json::from_str(&read_line_within(&lines, 10)).expect("event");
        assert_eq!(event.source.port, Some(port));
    }
    drop(stdin);
    assert!(child.wait().expect("wait").success());
}

#[test]
fn follow_reads_appended_lines_across_rotation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("auth.log");
    let line = |port: u16| {
        format!("2026-03-14T01:00:00+00:00 h sshd[1]: Failed password for root from 192.0.2.1 port {port} ssh2\n")
    };
    std::fs::write(&path, line(1)).expect("write");
    let mut child = Command::new(LS_PARSE)
        .args(["ssh", "--follow", "--sleep-interval", "0.05", path.to_str().expect("p")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let lines = spawn_reader(child.stdout.take().expect("stdout"));
    let port_of = |text: String| serde_json::from_str::<Event>(&text).expect("event").source.port;
    assert_eq!(port_of(read_line_within(&lines, 10)), Some(1));
    append(&path, &line(2));
    assert_eq!(port_of(read_line_within(&lines, 10)), Some(2));
    std::fs::rename(&path, dir.path().join("auth.log.1")).expect("rotate");
    std::fs::write(&path, line(3)).expect("recreate");
    assert_eq!(port_of(read_line_within(&lines, 10)), Some(3));
    // copytruncate
    std::fs::write(&path, "").expect("truncate");
    append(&path, &line(4));
    assert_eq!(port_of(read_line_within(&lines, 10)), Some(4));
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
    let mut child = Command::new(LS_PARSE)
        .args(["ssh", "--follow", "--sleep-interval", "0.05", path.to_str().expect("p")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let lines = spawn_reader(child.stdout.take().expect("stdout"));
    // The event is out, so the signal handlers are in place and the file is being followed.
    read_line_within(&lines, 10);
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success());
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
