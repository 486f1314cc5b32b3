//! Hostile and broken input: nothing panics, nothing is lost, the counts say what happened.

use crate::common::*;
use std::io::Read;
use std::process::Command;

const FAILED: &[u8] = b"2026-03-14T01:00:00+00:00 h sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2";

#[test]
fn invalid_utf8_is_escaped_not_dropped() {
    let mut line =
        b"2026-03-14T01:00:00+00:00 h sshd[1]: Failed password for invalid user r\xffot from 192.0.2.1 port 22 ssh2"
            .to_vec();
    line.push(b'\n');
    let output = ls_parse(&["ssh"], &line);
    let events = events(&output);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].user.name.as_deref(), Some("r\\xFFot"));
    assert!(events[0].logsentry.invalid_utf8);
}

#[test]
fn nul_bytes_crlf_lone_cr_and_no_final_newline() {
    let mut input = Vec::new();
    input.extend_from_slice(FAILED);
    input.extend_from_slice(b"\r\n");
    input.extend_from_slice(FAILED);
    input.push(b'\r');
    input.extend_from_slice(FAILED);
    input.push(b'\n');
    input.extend_from_slice(
        b"2026-03-14T01:00:00+00:00 h sshd[1]: Failed password for ro\0ot from 192.0.2.1 port 22 ssh2",
    );
    let output = ls_parse(&["ssh"], &input);
    assert!(output.status.success());
    let events = events(&output);
    assert_eq!(events.len(), 4, "{}", stderr(&output));
    assert_eq!(events[3].user.name.as_deref(), Some("ro\0ot"));
    let lines: Vec<u64> = events.iter().map(|e| e.logsentry.line).collect();
    assert_eq!(lines, vec![1, 2, 3, 4]);
    assert_eq!(summary(&output), (4, 4, 0, 0));
}

#[test]
fn lines_of_several_megabytes_are_parsed_and_overlong_ones_rejected() {
    let mut big = b"2026-03-14T01:00:00+00:00 h sshd[1]: Failed password for invalid user ".to_vec();
    big.extend(std::iter::repeat_n(b'x', 5 * 1024 * 1024));
    big.extend_from_slice(b" from 192.0.2.1 port 22 ssh2\n");
    big.extend_from_slice(FAILED);
    big.push(b'\n');
    let output = ls_parse(&["ssh"], &big);
    let events = events(&output);
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].user.name.as_ref().map(String::len), Some(5 * 1024 * 1024));
    let limited = ls_parse(&["ssh", "--max-line-bytes", "1000"], &big);
    assert_eq!(summary(&limited), (2, 1, 0, 1));
    assert!(stderr(&limited).contains("line longer than 1000 bytes"));
}

#[test]
fn empty_input() {
    let output = ls_parse(&["auto"], b"");
    assert!(output.status.success());
    assert!(output.stdout.is_empty());
    assert_eq!(summary(&output), (0, 0, 0, 0));
}

#[test]
fn twenty_megabytes_of_random_bytes_are_rejected_and_counted() {
    let mut random = Vec::with_capacity(20_000_000);
    std::fs::File::open("/dev/urandom")
        .expect("urandom")
        .take(20_000_000)
        .read_to_end(&mut random)
        .expect("read urandom");
    // The same line splitting, done independently: `\n` ends a line, a trailing `\r` is part
    // of the terminator, a lone `\r` inside ends a line too; blank lines are skipped.
    let mut expected_lines = 0u64;
    let mut expected_blank = 0u64;
    for line in random.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        for segment in line.split(|&b| b == b'\r') {
            expected_lines += 1;
            if segment.iter().all(u8::is_ascii_whitespace) {
                expected_blank += 1;
            }
        }
    }
    if random.ends_with(b"\n") {
        // The empty "line" after a final newline is not a line.
        expected_lines -= 1;
        expected_blank -= 1;
    }
    let output = ls_parse(&["auto"], &random);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let (lines, events, skipped, rejected) = summary(&output);
    assert_eq!(lines, expected_lines);
    assert_eq!(events, 0);
    assert_eq!(skipped, expected_blank);
    assert_eq!(rejected, lines - expected_blank);
    assert!(!stderr(&output).contains("panicked"));
}

#[test]
fn broken_pipe_ends_quietly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big.log");
    let line = r#"192.0.2.1 - - [14/Mar/2026:01:04:00 +0000] "GET / HTTP/1.1" 200 10 "-" "x""#;
    std::fs::write(&big, format!("{line}\n").repeat(200_000)).expect("write");
    let mut command = Command::new(LS_PARSE);
    command.args(["apache", big.to_str().expect("p")]);
    assert_quiet_when_the_reader_leaves(command);
}

#[test]
fn broken_pipe_ends_ls_correlate_quietly() {
    let alert = r#"{"@timestamp":"2026-03-14T01:00:00Z","event":{"kind":"alert"},"rule":{"id":"r"},"source":{"ip":"192.0.2.1"}}"#;
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("alerts.ndjson");
    std::fs::write(&big, format!("{alert}\n").repeat(200_000)).expect("write");
    let mut command = Command::new(LS_CORRELATE);
    command.arg(&big);
    assert_quiet_when_the_reader_leaves(command);
}
