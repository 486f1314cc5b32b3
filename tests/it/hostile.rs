//! Hostile trees, hostile text and address floods: each case once made a stage hang, grow
//! without bound, lose records or write an attacker's bytes to the terminal. The load cases
//! run here scaled down; `benches/hostile.sh` runs them full size and measures memory.

use crate::common::*;
use std::path::Path;
use std::process::{Command, Stdio};

fn run_in(program: &str, args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .output()
        .expect("run")
}

#[cfg(unix)]
#[test]
fn a_tree_with_link_loops_and_aliases_is_read_once_and_ends() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = dir.path().join("evidence");
    std::fs::create_dir_all(tree.join("sub")).expect("mkdir");
    std::fs::copy(sample("auth.log"), tree.join("auth.log")).expect("copy");
    symlink(".", tree.join("me")).expect("link");
    symlink("..", tree.join("sub/up")).expect("link");
    symlink("auth.log", tree.join("z-alias.log")).expect("link");
    std::fs::hard_link(tree.join("auth.log"), tree.join("sub/hard.log")).expect("hard link");
    let once = events(&ls_parse(&["ssh", sample("auth.log").to_str().expect("path")], b""));
    for extra in [&[][..], &["--follow-symlinks"][..]] {
        let mut args = vec!["ssh"];
        args.extend_from_slice(extra);
        args.push("evidence");
        // Before: `ln -s ..` never ended; the test harness would hang, so a child that has
        // not finished in a minute fails the test instead.
        let mut child = Command::new(LS_PARSE)
            .args(&args)
            .current_dir(dir.path())
            .env("TZ", "UTC")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let started = std::time::Instant::now();
        while child.try_wait().expect("wait").is_none() {
            if started.elapsed() > std::time::Duration::from_secs(60) {
                let _ = child.kill();
                panic!("ls-parse {args:?} did not end");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let output = child.wait_with_output().expect("output");
        assert!(output.status.success(), "{}", stderr(&output));
        let read = events(&output);
        assert_eq!(read.len(), once.len(), "{extra:?}: the one file's events, once");
        let said = stderr(&output);
        assert!(
            said.contains("evidence/z-alias.log: same file as evidence/auth.log, skipped"),
            "{said}"
        );
        assert!(
            said.contains("evidence/sub/hard.log: same file as evidence/auth.log"),
            "{said}"
        );
        if extra.is_empty() {
            assert!(
                said.contains("evidence/me: symbolic link to a directory, not followed"),
                "{said}"
            );
        } else {
            assert!(
                said.contains("evidence/me: same directory as evidence, skipped"),
                "{said}"
            );
        }
    }
}

#[test]
fn escapes_in_names_and_records_never_reach_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "a\u{1b}[2J\u{1b}]0;owned\u{7}.log";
    std::fs::write(dir.path().join(name), "not a log line\n").expect("write");
    let output = run_in(LS_PARSE, &["ssh", "."], dir.path());
    let said = stderr(&output);
    assert!(!said.contains('\u{1b}') && !said.contains('\u{7}'), "{said:?}");
    assert!(said.contains("a\\x1b[2J\\x1b]0;owned\\x07.log:1: rejected"), "{said}");

    // A user name that clears the screen, in the `logsentry` summary's incident line.
    let user = "\u{1b}[2J\u{1b}]0;x\u{7}evil";
    let log: String = (0..12)
        .map(|n| {
            format!(
                "2026-03-13T10:00:{n:02}+00:00 bastion sshd[{}]: Failed password for invalid user {user} from 203.0.113.9 port 4{n:04} ssh2\n",
                100 + n
            )
        })
        .collect::<String>()
        + "2026-03-13T10:01:00+00:00 bastion sshd[200]: Accepted password for root from 203.0.113.9 port 50000 ssh2\n";
    std::fs::write(dir.path().join("auth.log"), log).expect("write");
    let output = run_in(LOGSENTRY, &["--color", "never", "-o", "r.html", "auth.log"], dir.path());
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(shown.contains("incidents"), "{shown}");
    assert!(
        !shown.contains('\u{1b}') && !stderr(&output).contains('\u{1b}'),
        "{shown:?}"
    );
    let csv = run_in(LOGSENTRY, &["--format", "csv", "-o", "-", "auth.log"], dir.path());
    let csv = String::from_utf8_lossy(&csv.stdout);
    assert!(csv.contains("\\x1b[2J"), "{csv}");
    assert!(!csv.contains('\u{1b}'), "{csv:?}");
    let html = std::fs::read_to_string(dir.path().join("r.html")).expect("report");
    assert!(!html.contains('\u{1b}'), "the HTML shows the escape, not the byte");
}

#[test]
fn with_dash_o_stdout_carries_the_report_alone() {
    let output = logsentry(
        &[
            "--format",
            "json",
            "-o",
            "-",
            sample("auth.log").to_str().expect("path"),
        ],
        b"",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is one JSON document");
    assert!(report["summary"]["alerts"].as_u64().is_some_and(|alerts| alerts > 0));
    assert!(stderr(&output).contains("LogSentry:"), "the summary went to stderr");
    let csv = logsentry(
        &["--format", "csv", "-o", "-", sample("auth.log").to_str().expect("path")],
        b"",
    );
    let text = String::from_utf8_lossy(&csv.stdout);
    assert!(text.lines().last().is_some_and(|row| row.starts_with("20")), "{text}");
}

#[test]
fn raw_log_lines_into_a_json_stage_get_a_hint() {
    let raw = std::fs::read(sample("auth.log")).expect("sample");
    let output = ls_detect(&[], &raw);
    let said = stderr(&output);
    assert_eq!(said.matches("<stdin> looks like a raw log").count(), 1, "{said}");
    assert!(said.contains("pipe it through ls-parse"), "{said}");
    assert!(said.contains("further unusable lines are counted, not shown"), "{said}");
    assert!(said.lines().count() < 16, "ten described, the rest counted: {said}");
}

#[test]
fn the_config_files_zone_reaches_every_stage_of_logsentry() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Friday noon UTC is Saturday midnight at +12:00: a weekend login only in that zone.
    std::fs::write(
        dir.path().join("auth.log"),
        "2026-03-13T12:00:00+00:00 bastion sshd[100]: Accepted password for bob from 192.0.2.5 port 22 ssh2\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("far.toml"), "tz = \"+12:00\"\n").expect("write");
    let alerts = |args: &[&str]| {
        let mut all = vec!["--format", "json", "-o", "-"];
        all.extend_from_slice(args);
        all.push("auth.log");
        let output = run_in(LOGSENTRY, &all, dir.path());
        assert!(output.status.success(), "{}", stderr(&output));
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON report");
        report["summary"]["alerts"].as_u64().expect("alert count")
    };
    assert_eq!(alerts(&[]), 0);
    assert_eq!(alerts(&["--config", "far.toml"]), 1, "the file's tz is honoured");
    assert_eq!(alerts(&["--config", "far.toml", "--tz", "UTC"]), 0, "the flag wins");
}

/// `sources` spoofed addresses, one failed password each within ten minutes, and one real
/// brute-forcer with 30 attempts spread among them.
fn spoofed_flood(sources: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let every = sources / 30;
    let event = |second: u32, ip: &str, user: &str, pid: u32| {
        format!(
            r#"{{"@timestamp":"2026-03-14T00:{:02}:{:02}Z","event":{{"kind":"event","module":"ssh","category":["authentication"],"action":"ssh-login","outcome":"failure"}},"source":{{"ip":"{ip}"}},"user":{{"name":"{user}"}},"host":{{"hostname":"bastion"}},"process":{{"name":"sshd","pid":{pid}}},"logsentry":{{"event_type":"failed","ssh":{{"method":"password"}}}}}}"#,
            second / 60,
            second % 60
        ) + "\n"
    };
    for n in 0..sources {
        let second = n * 600 / sources;
        let ip = format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255);
        out.extend_from_slice(event(second, &ip, &format!("spoofed{n}"), 1000 + n % 30_000).as_bytes());
        if n % every == 0 {
            out.extend_from_slice(event(second, "198.51.100.77", "root", 40_000 + n / every).as_bytes());
        }
    }
    out
}

#[test]
fn a_flood_of_spoofed_sources_is_bounded_and_the_real_attacker_still_alerts() {
    let flood = spoofed_flood(40_000);
    // The full-size case's proportions: the cap holds a minute of one-shot sources, and the
    // attacker tries every twenty seconds.
    let output = ls_detect(&["--max-tracked-keys", "4000", "--only", "brute-force"], &flood);
    assert!(output.status.success(), "{}", stderr(&output));
    let fired = alerts(&output);
    assert_eq!(fired.len(), 1, "{:?}", stderr(&output));
    assert_eq!(fired[0].source.as_ref().map(|s| s.ip.as_str()), Some("198.51.100.77"));
    let said = stderr(&output);
    assert_eq!(
        said.matches("--max-tracked-keys (4000)").count(),
        1,
        "said once: {said}"
    );
    let evicted: u64 = said
        .split([',', '\n'])
        .find_map(|part| part.strip_suffix(" keys evicted"))
        .and_then(|count| count.trim().parse().ok())
        .unwrap_or_else(|| panic!("no eviction count in the summary: {said}"));
    assert!(evicted >= 40_000 - 4000, "{evicted}");
}

#[test]
fn a_wrong_format_is_named_and_an_all_rejected_run_is_no_success() {
    let junk = b"garbage one\ngarbage two\n";
    let parsed = ls_parse(&["apache"], junk);
    assert!(
        stderr(&parsed).contains("no line was read as `apache`: `ls-parse auto` reads every format"),
        "{}",
        stderr(&parsed)
    );
    let auth = std::fs::read(sample("auth.log")).expect("sample");
    let sniffed = ls_parse(&["apache"], &auth);
    assert!(
        stderr(&sniffed).contains("`ls-parse auto`"),
        "an SSH log read as apache"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("junk.log"), junk).expect("write");
    let run = run_in(LOGSENTRY, &["-o", "r.html", "junk.log"], dir.path());
    assert_eq!(run.status.code(), Some(1), "every line rejected: {}", stderr(&run));
    assert!(
        stderr(&run).contains("no line was in a format LogSentry reads"),
        "{}",
        stderr(&run)
    );
}

/// One patient attacker: `alerts` alerts of two kinds, one every 30 s, from one address.
fn patient_attacker(alerts: u32) -> Vec<u8> {
    let mut out = Vec::new();
    for n in 0..alerts {
        let (rule, module, technique, tactic, severity) = if n % 2 == 0 {
            ("brute-force", "ssh", "T1110.001", "Credential Access", "HIGH")
        } else {
            ("scanner", "web", "T1595.002", "Reconnaissance", "MEDIUM")
        };
        let second = i64::from(n) * 30;
        let time = format!(
            "2026-03-{:02}T{:02}:{:02}:{:02}Z",
            14 + second / 86_400,
            second % 86_400 / 3600,
            second % 3600 / 60,
            second % 60
        );
        out.extend_from_slice(
            format!(
                r#"{{"@timestamp":"{time}","message":"{rule} number {n} from 203.0.113.47","event":{{"kind":"alert","module":"{module}","risk_score":50}},"rule":{{"id":"{rule}"}},"threat":{{"framework":"MITRE ATT&CK","tactic":{{"name":"{tactic}"}},"technique":{{"id":"{technique}"}}}},"source":{{"ip":"203.0.113.47"}},"logsentry":{{"severity":"{severity}"}}}}"#
            )
            .as_bytes(),
        );
        out.push(b'\n');
    }
    out
}

#[test]
fn a_patient_attackers_incident_grows_with_its_alerts_and_the_report_still_tells_all() {
    let alerts = patient_attacker(4000);
    let correlated = ls_correlate(&[], &alerts);
    assert!(correlated.status.success(), "{}", stderr(&correlated));
    let ratio = correlated.stdout.len() as f64 / alerts.len() as f64;
    // Every revision once rewrote the whole timeline: 60x here, and growing with the square.
    assert!(ratio <= 5.0, "output is {ratio:.1}x its input");
    let report = ls_report(&["--format", "json"], &correlated.stdout);
    assert!(report.status.success(), "{}", stderr(&report));
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).expect("json report");
    let incident = &report["incidents"][0];
    assert_eq!(incident["count"], 4000);
    let timeline = incident["timeline"].as_array().expect("timeline");
    assert_eq!(timeline.len(), 250, "the first 200 and the latest 50 alerts");
    assert_eq!(incident["timeline_omitted"], 3750);
    let messages: Vec<&str> = timeline.iter().filter_map(|entry| entry["message"].as_str()).collect();
    assert_eq!(messages[0], "brute-force number 0 from 203.0.113.47");
    assert_eq!(messages[199], "scanner number 199 from 203.0.113.47");
    assert_eq!(messages[249], "scanner number 3999 from 203.0.113.47");
    // The same incident, written once at its end, tells the same.
    let final_only = ls_correlate(&["--final"], &alerts);
    let folded_once = ls_report(&["--format", "json"], &final_only.stdout);
    let folded_once: serde_json::Value = serde_json::from_slice(&folded_once.stdout).expect("json report");
    assert_eq!(folded_once["incidents"][0]["timeline"], incident["timeline"]);
}

#[test]
fn a_line_that_claims_millions_of_repeats_is_capped_and_flagged_not_lost() {
    let line = b"Mar 14 01:00:00 bastion sshd[4242]: message repeated 5000000 times: [ Failed password for root from 203.0.113.5 port 22 ssh2]\n";
    let parsed = ls_parse(&["ssh"], line);
    assert!(parsed.status.success(), "{}", stderr(&parsed));
    let events = events(&parsed);
    assert_eq!(events.len(), 100_000);
    let first: serde_json::Value = serde_json::from_str(
        String::from_utf8_lossy(&parsed.stdout)
            .lines()
            .next()
            .expect("an event"),
    )
    .expect("json");
    assert_eq!(first["logsentry"]["repeated"], 5_000_000);
    assert_eq!(first["logsentry"]["repeated_capped"], true);
    assert_eq!(first["source"]["ip"], "203.0.113.5");
}
