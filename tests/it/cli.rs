//! The command-line contract: formats, flags, exit codes, merge order, summaries.

use crate::common::*;
use std::io::Write;

#[test]
fn ssh_fields_from_a_syslog_line() {
    let line = b"Mar 29 02:14:33 web-1 sshd[123]: Failed password for invalid user oracle from ::ffff:203.0.113.9 port 40022 ssh2\n";
    let output = ls_parse(&["ssh", "--year", "2026", "--tz", "Europe/Berlin"], line);
    assert!(output.status.success(), "{}", stderr(&output));
    let events = events(&output);
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.timestamp, "2026-03-29T02:14:33+01:00");
    assert_eq!(event.event.kind, "event");
    assert_eq!(
        (event.event.module.as_str(), event.event.action.as_str()),
        ("ssh", "ssh-login")
    );
    assert_eq!(event.event.outcome, "failure");
    assert_eq!(event.source.ip.as_deref(), Some("203.0.113.9"));
    assert_eq!(event.source.port, Some(40022));
    assert_eq!(event.user.name.as_deref(), Some("oracle"));
    assert_eq!(event.host.hostname.as_deref(), Some("web-1"));
    assert_eq!(
        (event.process.name.as_deref(), event.process.pid),
        (Some("sshd"), Some(123))
    );
    assert_eq!(event.logsentry.event_type.as_deref(), Some("invalid_user"));
    assert_eq!(event.logsentry.line, 1);
    assert!(!event.logsentry.time.year_inferred && event.logsentry.time.zone_assumed);
    assert_eq!(event.log.file.path, None, "stdin has no path");
}

#[test]
fn web_fields_are_exactly_as_logged() {
    let line = br#"203.0.113.47 - - [14/Mar/2026:01:04:00 +0000] "GET /products?id=12+UNION+SELECT+username,password+FROM+users-- HTTP/1.1" 200 3311 "-" "Mozilla/5.0 (X11; Linux x86_64)""#;
    let output = ls_parse(&["nginx", "--raw"], line);
    assert!(output.status.success());
    let event = &events(&output)[0];
    assert_eq!(event.timestamp, "2026-03-14T01:04:00Z");
    assert_eq!(
        event.url.original.as_deref(),
        Some("/products?id=12+UNION+SELECT+username,password+FROM+users--")
    );
    assert_eq!(event.url.path.as_deref(), Some("/products"));
    assert_eq!(
        event.url.query.as_deref(),
        Some("id=12+UNION+SELECT+username,password+FROM+users--")
    );
    assert_eq!(event.http.request.method.as_deref(), Some("GET"));
    assert_eq!(event.http.version.as_deref(), Some("1.1"));
    assert_eq!(
        (event.http.response.status_code, event.http.response.body.bytes),
        (Some(200), Some(3311))
    );
    assert_eq!(event.http.request.referrer, None, "- means absent");
    assert_eq!(
        event.event.original.as_deref(),
        Some(std::str::from_utf8(line).expect("utf8"))
    );
}

#[test]
fn tls_handshake_on_port_80_is_an_event_not_a_reject() {
    let line = br#"203.0.113.99 - - [14/Mar/2026:01:10:00 +0000] "\x16\x03\x01\x00\xa5" 400 226 "-" "-""#;
    let output = ls_parse(&["apache"], line);
    let events = events(&output);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].http.request.method, None);
    assert_eq!(events[0].http.response.status_code, Some(400));
    assert_eq!(summary(&output), (1, 1, 0, 0));
}

#[test]
fn repeated_message_becomes_n_events() {
    let line = b"2026-03-14T01:22:00+00:00 h sshd[9]: message repeated 4 times: [ Failed password for root from 203.0.113.47 port 45041 ssh2]\n";
    let output = ls_parse(&["ssh"], line);
    let events = events(&output);
    assert_eq!(events.len(), 4);
    assert!(events
        .iter()
        .all(|e| e.logsentry.repeated == Some(4) && e.user.name.as_deref() == Some("root")));
    assert_eq!(summary(&output), (1, 4, 0, 0));
}

#[test]
fn skipped_and_rejected_are_counted_and_rejects_kept_verbatim() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rejects = dir.path().join("rejects.txt");
    let input = b"Mar 29 02:14:33 h CRON[1]: (root) CMD (true)\nthis is not a log line \xff\nMar 29 02:14:34 h sshd[2]: Accepted password for a from 192.0.2.1 port 22 ssh2\n";
    let output = ls_parse(&["ssh", "--rejects", rejects.to_str().expect("path")], input);
    assert!(output.status.success());
    assert_eq!(summary(&output), (3, 1, 1, 1));
    assert!(
        stderr(&output).contains("<stdin>:2: rejected: not a syslog line"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read(&rejects).expect("rejects"),
        b"this is not a log line \xff\n"
    );
}

/// sshd's lines as relays and journal exports write them (a bracketed tag, a `]` inside a
/// quoted structured-data value, behind `kernel:`) are sshd's events; a header with no tag
/// at all is a line we cannot attribute, so it is a reject the user can see, not "skipped".
#[test]
fn relayed_sshd_lines_are_read_and_untagged_lines_are_rejects() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rejects = dir.path().join("rejects.txt");
    let input = "Mar 11 10:00:00 host [sshd]: Failed password for root from 192.0.2.1 port 22 ssh2\n\
                 <34>1 2026-03-11T10:00:01Z host sshd 12 - [meta x=\"a]b\"] Failed password for root from 192.0.2.1 port 22 ssh2\n\
                 Mar 11 10:00:02 host kernel: [ 4.2] sshd[12]: Failed password for root from 192.0.2.1 port 22 ssh2\n\
                 Mar 11 10:00:03 host some words without a tag\n";
    let output = ls_parse(
        &["ssh", "--year", "2026", "--rejects", rejects.to_str().expect("path")],
        input.as_bytes(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(summary(&output), (4, 3, 0, 1), "{}", stderr(&output));
    assert!(events(&output)
        .iter()
        .all(|e| e.event.action == "ssh-login" && e.user.name.as_deref() == Some("root")));
    assert!(stderr(&output).contains("<stdin>:4: rejected: syslog line without a program tag"));
    assert_eq!(
        std::fs::read_to_string(&rejects).expect("rejects"),
        "Mar 11 10:00:03 host some words without a tag\n"
    );
}

#[test]
fn quiet_hides_the_summary() {
    let output = ls_parse(&["ssh", "-q"], b"");
    assert!(output.status.success());
    assert_eq!(stderr(&output), "");
}

/// The README's promise: an input that cannot be read is one message, the others are still
/// processed, and the exit status is 1. Every stage keeps it.
#[test]
fn a_missing_input_among_several_is_one_message_and_exit_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("gone.log");
    let missing = missing.to_str().expect("path");
    let auth = sample("auth.log");
    let auth = auth.to_str().expect("path");
    let parsed = ls_parse(&["ssh", missing, auth], b"");
    assert_eq!(parsed.status.code(), Some(1), "{}", stderr(&parsed));
    let text = stderr(&parsed);
    let complaints: Vec<&str> = text.lines().filter(|line| line.contains("gone.log")).collect();
    assert_eq!(complaints.len(), 1, "{text}");
    assert!(complaints[0].contains("no such file"), "{text}");
    let whole = ls_parse(&["ssh", auth], b"");
    assert_eq!(parsed.stdout, whole.stdout, "the readable input is parsed whole");
    let events_file = dir.path().join("events.ndjson");
    std::fs::write(&events_file, &whole.stdout).expect("write");
    let events_file = events_file.to_str().expect("path");
    for (program, stage) in [
        ("ls-detect", LS_DETECT),
        ("ls-correlate", LS_CORRELATE),
        ("ls-enrich", LS_ENRICH),
    ] {
        let output = std::process::Command::new(stage)
            .args([missing, events_file])
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run");
        assert_eq!(output.status.code(), Some(1), "{program}: {}", stderr(&output));
        assert!(!output.stdout.is_empty(), "{program}: the readable input is processed");
        let text = stderr(&output);
        assert_eq!(
            text.lines().filter(|line| line.contains("gone.log")).count(),
            1,
            "{text}"
        );
    }
}

#[test]
fn usage_errors_are_one_line_and_exit_2() {
    for args in [
        vec!["xml"],
        vec![],
        vec!["ssh", "--tz", "Mars/Olympus"],
        vec!["ssh", "--year", "12"],
        vec!["ssh", "--from-end"],
    ] {
        let output = ls_parse(&args, b"");
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        let text = stderr(&output);
        assert_eq!(text.lines().count(), 1, "{args:?}: {text}");
        assert!(text.starts_with("ls-parse: "), "{text}");
    }
    let help = ls_parse(&["--help"], b"");
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("--follow"));
}

#[cfg(target_os = "linux")]
#[test]
fn unreadable_input_is_reported_and_the_others_still_processed() {
    // /proc/self/mem exists and opens, but reading offset 0 fails with EIO: a read error
    // that even root gets (chmod 000 does not stop root).
    let good = sample("access.log");
    let output = ls_parse(&["apache", "/proc/self/mem", good.to_str().expect("path")], b"");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("/proc/self/mem"), "{}", stderr(&output));
    assert!(stderr(&output).contains("1 unreadable"), "{}", stderr(&output));
    assert_eq!(events(&output).len(), 40, "the readable file is still parsed");
}

#[test]
fn several_inputs_merge_in_time_order_and_gzip_is_transparent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = dir.path().join("a.log");
    std::fs::write(
        &first,
        "2026-03-14T01:00:00+00:00 h sshd[1]: Failed password for root from 192.0.2.1 port 1 ssh2\n\
         2026-03-14T01:00:10+00:00 h sshd[1]: Failed password for root from 192.0.2.1 port 3 ssh2\n",
    )
    .expect("write");
    let second = dir.path().join("b.log.gz");
    let mut gz = flate2_writer(&second);
    gz.write_all(
        b"2026-03-14T02:00:05+01:00 h sshd[2]: Failed password for root from 192.0.2.2 port 2 ssh2\n\
          2026-03-14T01:00:20+00:00 h sshd[2]: Failed password for root from 192.0.2.2 port 4 ssh2\n",
    )
    .expect("gz");
    drop(gz);
    let output = ls_parse(&["ssh", first.to_str().expect("p"), second.to_str().expect("p")], b"");
    assert!(output.status.success(), "{}", stderr(&output));
    let ports: Vec<u16> = events(&output).iter().filter_map(|e| e.source.port).collect();
    assert_eq!(ports, vec![1, 2, 3, 4]);
    assert_eq!(summary(&output), (4, 4, 0, 0));
}

fn flate2_writer(path: &std::path::Path) -> impl Write {
    let file = std::fs::File::create(path).expect("create gz");
    flate2::write::GzEncoder::new(file, flate2::Compression::default())
}

#[test]
fn year_is_inferred_from_the_file_time_across_new_year() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("auth.log");
    std::fs::write(
        &path,
        "Dec 31 23:59:58 h sshd[1]: Failed password for root from 192.0.2.1 port 1 ssh2\n\
         Jan  1 00:00:03 h sshd[1]: Failed password for root from 192.0.2.1 port 2 ssh2\n",
    )
    .expect("write");
    let mtime = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_767_312_000); // 2026-01-02
    std::fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|f| f.set_modified(mtime))
        .expect("mtime");
    let output = ls_parse(&["ssh", "--tz", "UTC", path.to_str().expect("p")], b"");
    let stamps: Vec<String> = events(&output).into_iter().map(|e| e.timestamp).collect();
    assert_eq!(stamps, vec!["2025-12-31T23:59:58Z", "2026-01-01T00:00:03Z"]);
    assert!(events(&output).iter().all(|e| e.logsentry.time.year_inferred));
}

#[test]
fn directories_are_read_whole_and_auto_detects_each_line() {
    let output = ls_parse(&["auto", sample("").to_str().expect("p")], b"");
    assert!(output.status.success(), "{}", stderr(&output));
    let events = events(&output);
    let web = events.iter().filter(|e| e.event.module == "web").count();
    let ssh = events.iter().filter(|e| e.event.module == "ssh").count();
    assert_eq!(web, 40);
    assert!(ssh > 90, "{ssh}");
    let instants: Vec<chrono::DateTime<chrono::FixedOffset>> = events
        .iter()
        .map(|e| chrono::DateTime::parse_from_rfc3339(&e.timestamp).expect("RFC 3339"))
        .collect();
    assert!(
        instants.windows(2).all(|pair| pair[0] <= pair[1]),
        "merged in time order"
    );
    let mysql = events.iter().filter(|e| e.event.module == "mysql").count();
    assert_eq!(mysql, 22);
}

#[test]
fn journal_json_from_journalctl() {
    let input = std::fs::read(sample("journal.json")).expect("sample");
    let output = ls_parse(&["ssh"], &input);
    let events = events(&output);
    assert_eq!(events.len(), 4);
    assert_eq!(events[0].host.hostname.as_deref(), Some("db1"));
    assert_eq!(events[0].timestamp, "2026-03-14T03:00:00Z");
    assert_eq!(events[3].logsentry.event_type.as_deref(), Some("success"));
}

#[test]
fn a_reused_sshd_pid_takes_the_peer_its_new_connection_names() {
    let log = "\
2026-03-27T17:08:34+00:00 h sshd[15010]: Failed password for root from 85.245.107.41 port 1 ssh2
2026-04-05T07:45:25+00:00 h sshd[15010]: Invalid user webconfig from 61.166.73.66
2026-04-05T07:45:25+00:00 h sshd[15010]: pam_unix(sshd:auth): check pass; user unknown
";
    let output = ls_parse(&["ssh"], log.as_bytes());
    let sources: Vec<_> = events(&output).iter().map(|event| event.source.ip.clone()).collect();
    assert_eq!(
        sources,
        [
            Some("85.245.107.41".to_owned()),
            Some("61.166.73.66".to_owned()),
            Some("61.166.73.66".to_owned())
        ]
    );
}

/// Every stage speaks through one channel: the first ten lines it cannot use are described,
/// the rest counted, and `--rejects` keeps each of them verbatim.
#[test]
fn every_stage_shows_ten_unusable_lines_then_counts_and_keeps_them() {
    let noise: String = (0..25).map(|n| format!("not json {n}\n")).collect();
    for (program, stage) in [
        ("ls-detect", LS_DETECT),
        ("ls-correlate", LS_CORRELATE),
        ("ls-enrich", LS_ENRICH),
        ("ls-report", LS_REPORT),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let rejects = dir.path().join("rejects.txt");
        let mut command = std::process::Command::new(stage);
        command.args(["--rejects", rejects.to_str().expect("path")]);
        if program == "ls-report" {
            command.args(["--format", "json", "-o", "-"]);
        }
        let mut child = command
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(noise.as_bytes())
            .expect("write");
        let output = child.wait_with_output().expect("run");
        assert_eq!(output.status.code(), Some(1), "{program}: {}", stderr(&output));
        let text = stderr(&output);
        let described = text.lines().filter(|line| line.contains("<stdin>:")).count();
        assert_eq!(described, 10, "{program}: {text}");
        assert!(
            text.contains("further unusable lines are counted, not shown"),
            "{program}: {text}"
        );
        assert!(text.contains("25 "), "{program}: the summary counts all 25: {text}");
        assert_eq!(std::fs::read_to_string(&rejects).expect("rejects"), noise, "{program}");
    }
}

/// Standard input at a terminal is said, so a forgotten file name does not look like a
/// hang, and Ctrl-D ends the run as the hint says. Run under a pseudo-terminal (`script`).
#[test]
fn reading_a_terminal_says_so_and_ctrl_d_ends_it() {
    use std::io::Write;
    use std::time::Duration;
    for program in [
        env!("CARGO_BIN_EXE_logsentry").to_owned(),
        format!("{} auto", env!("CARGO_BIN_EXE_ls-parse")),
        env!("CARGO_BIN_EXE_ls-detect").to_owned(),
    ] {
        let mut terminal = live_with("script", &["-qec", &program, "/dev/null"]);
        let said = (0..50)
            .map_while(|_| terminal.lines.recv_timeout(Duration::from_secs(20)).ok())
            .find(|line| line.contains("from standard input (the terminal); end with Ctrl-D"));
        assert!(said.is_some(), "{program}: no hint");
        terminal.stdin.write_all(b"\x04").expect("Ctrl-D");
        terminal.stdin.flush().expect("flush");
        let status = terminal.child.wait().expect("wait");
        assert!(status.success(), "{program}: {status}");
    }
    let output = logsentry(&["-q", "--format", "json", "-o", "-"], b"");
    assert!(
        !stderr(&output).contains("standard input"),
        "a pipe needs no hint: {}",
        stderr(&output)
    );
}
