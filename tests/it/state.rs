//! `--state FILE` and `ls-history`: what a run stores is what it wrote, questions about it
//! answer from a real SQLite file on disk, and a file that is not ours is never touched.

use crate::common::*;
use serde_json::Value;
use std::path::Path;

fn history(args: &[&str]) -> std::process::Output {
    run_with_stdin(LS_HISTORY, args, b"")
}

fn records(bytes: &[u8]) -> Vec<Value> {
    bytes
        .split(|&byte| byte == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice(line).expect("an NDJSON record"))
        .collect()
}

fn sample_events() -> Vec<u8> {
    let events = ls_parse(&["auto", sample("").to_str().expect("path")], b"");
    assert!(events.status.success(), "{}", stderr(&events));
    events.stdout
}

/// The events with every `@timestamp` moved `days` later: the same attacks, another week.
fn shifted(events: &[u8], days: i64) -> Vec<u8> {
    let mut out = Vec::new();
    for mut event in records(events) {
        let time = event["@timestamp"].as_str().expect("a time");
        let moved = chrono::DateTime::parse_from_rfc3339(time).expect("RFC 3339") + chrono::Duration::days(days);
        event["@timestamp"] = Value::from(moved.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
        out.extend(serde_json::to_vec(&event).expect("JSON"));
        out.push(b'\n');
    }
    out
}

fn detect_into(state: &Path, events: &[u8]) -> Vec<u8> {
    let state = state.to_str().expect("path");
    let detected = ls_detect(&["--tz", "UTC", "--state", state], events);
    assert!(detected.status.success(), "{}", stderr(&detected));
    assert!(
        stderr(&detected).contains(&format!("stored in {state}")),
        "the summary says where: {}",
        stderr(&detected)
    );
    detected.stdout
}

#[test]
fn every_alert_written_is_stored_and_read_back_as_written() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let state = folder.path().join("state.db");
    let written = detect_into(&state, &sample_events());
    assert!(records(&written).len() > 20, "sample_logs/ makes alerts");
    let stored = history(&["alerts", "--state", state.to_str().expect("path")]);
    assert!(stored.status.success(), "{}", stderr(&stored));
    let seconds = |alert: &Value| {
        chrono::DateTime::parse_from_rfc3339(alert["@timestamp"].as_str().expect("a time"))
            .expect("RFC 3339")
            .timestamp()
    };
    let answered = records(&stored.stdout);
    assert!(
        answered.windows(2).all(|pair| seconds(&pair[0]) <= seconds(&pair[1])),
        "oldest first"
    );
    let canonical = |alerts: Vec<Value>| {
        let mut lines: Vec<String> = alerts.iter().map(Value::to_string).collect();
        lines.sort();
        lines
    };
    assert_eq!(canonical(answered), canonical(records(&written)), "every alert, whole");
    // What a person sees in the sqlite3 shell: readable columns.
    let connection = rusqlite::Connection::open(&state).expect("opens in SQLite");
    let (rule, severity, source): (String, String, Option<String>) = connection
        .query_row(
            "SELECT rule, severity, source_ip FROM alerts WHERE rule = 'compromise-after-brute-force' LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .expect("a compromise alert row");
    assert_eq!(
        (rule.as_str(), severity.as_str()),
        ("compromise-after-brute-force", "CRITICAL")
    );
    assert!(source.is_some());
}

#[test]
fn history_answers_the_issue_questions_on_two_weeks_of_sample_logs() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let state = folder.path().join("state.db");
    let state_arg = state.to_str().expect("path");
    let events = sample_events();
    let first = records(&detect_into(&state, &events));
    let second = records(&detect_into(&state, &shifted(&events, 7)));
    assert_eq!(first.len(), second.len(), "the same attacks a week later");
    let all: Vec<&Value> = first.iter().chain(&second).collect();

    let attacker = "203.0.113.47";
    let from_attacker = history(&[
        "alerts",
        "--state",
        state_arg,
        "--source",
        attacker,
        "--since",
        "2026-03-20",
    ]);
    let expected = second.iter().filter(|alert| alert["source"]["ip"] == attacker).count();
    assert!(expected > 0);
    assert_eq!(
        records(&from_attacker.stdout).len(),
        expected,
        "--source and --since narrow together"
    );

    let critical = history(&[
        "alerts",
        "--state",
        state_arg,
        "--severity",
        "high",
        "--rule",
        "brute-force",
    ]);
    let expected = all
        .iter()
        .filter(|alert| alert["rule"]["id"] == "brute-force")
        .filter(|alert| matches!(alert["logsentry"]["severity"].as_str(), Some("HIGH" | "CRITICAL")))
        .count();
    assert_eq!(records(&critical.stdout).len(), expected);

    let sources = records(&history(&["sources", "--state", state_arg, "--top", "3"]).stdout);
    assert_eq!(sources.len(), 3);
    let top = &sources[0]["logsentry"]["history"];
    let most = all
        .iter()
        .filter(|alert| alert["source"]["ip"] == sources[0]["source"]["ip"])
        .count();
    assert_eq!(top["alerts"], most);
    assert_eq!(top["days"], 2, "seen on two separate days: {top}");
    assert!(
        sources[0]["logsentry"]["history"]["alerts"].as_u64() >= sources[1]["logsentry"]["history"]["alerts"].as_u64()
    );

    let days = records(&history(&["stats", "--state", state_arg, "--by", "day"]).stdout);
    let total: u64 = days.iter().map(|day| day["alerts"].as_u64().expect("a count")).sum();
    assert_eq!(total, all.len() as u64);
    let per_severity: u64 = days
        .iter()
        .flat_map(|day| day["by_severity"].as_object().expect("counts").values())
        .map(|count| count.as_u64().expect("a count"))
        .sum();
    assert_eq!(per_severity, total);
    assert!(days
        .windows(2)
        .all(|pair| pair[0]["day"].as_str() < pair[1]["day"].as_str()));

    let pruned = history(&["prune", "--state", state_arg, "--older-than", "1s"]);
    assert!(pruned.status.success(), "{}", stderr(&pruned));
    assert!(
        stderr(&pruned).contains(&format!("{} alerts and ", all.len())),
        "{}",
        stderr(&pruned)
    );
    assert!(history(&["alerts", "--state", state_arg]).stdout.is_empty());
}

#[test]
fn a_file_that_is_not_ours_is_refused_and_left_as_it_is() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let notes = folder.path().join("notes.txt");
    std::fs::write(&notes, "not a database\n").expect("written");
    let events = sample_events();
    let refused = ls_detect(&["--state", notes.to_str().expect("path")], &events);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        refused.stdout.is_empty(),
        "nothing is detected without the state asked for"
    );
    assert!(
        stderr(&refused).contains("not a LogSentry state file"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(std::fs::read(&notes).expect("read"), b"not a database\n");

    let newer = folder.path().join("newer.db");
    detect_into(&newer, b"");
    rusqlite::Connection::open(&newer)
        .and_then(|db| db.pragma_update(None, "user_version", 999))
        .expect("a newer schema");
    let refused = history(&["alerts", "--state", newer.to_str().expect("path")]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("version 999"), "{}", stderr(&refused));

    let missing = history(&[
        "alerts",
        "--state",
        folder.path().join("nowhere.db").to_str().expect("path"),
    ]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("no such state file"), "{}", stderr(&missing));
    assert!(!folder.path().join("nowhere.db").exists(), "a question creates nothing");
}

#[test]
fn the_state_page_documents_every_table_and_column() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let state = folder.path().join("state.db");
    detect_into(&state, b"");
    let page = std::fs::read_to_string(repo_root().join("man/logsentry-state.5")).expect("the page");
    let connection = rusqlite::Connection::open(&state).expect("opens");
    let version: i64 = connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .expect("a version");
    assert!(
        page.contains(&format!("state schema version {version}")),
        "the page names the version"
    );
    let mut tables = connection
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .expect("a query");
    let tables: Vec<String> = tables
        .query_map([], |row| row.get(0))
        .expect("tables")
        .map(|name| name.expect("a name"))
        .collect();
    assert!(!tables.is_empty());
    let mut undocumented = Vec::new();
    for table in tables {
        if !page.contains(&format!(".SS {table}\n")) {
            undocumented.push(table.clone());
        }
        let mut columns = connection
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .expect("a query");
        for column in columns.query_map([], |row| row.get::<_, String>(0)).expect("columns") {
            let column = column.expect("a column");
            let section = page.split(&format!(".SS {table}\n")).nth(1).unwrap_or_default();
            let section = section.split(".SS ").next().unwrap_or_default();
            if !section.contains(&format!("\\fB{column}\\fR")) {
                undocumented.push(format!("{table}.{column}"));
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "not in man/logsentry-state.5: {undocumented:?}"
    );
}

/// `events` cut after each of `cuts` events and fed to two runs: with one state file the two
/// write exactly what one run over the whole writes, cut wherever; without it (the control)
/// at least one cut loses or repeats alerts, or the cuts prove nothing.
fn assert_split_runs_equal_one(events: &[u8], cuts: usize) {
    let whole = ls_detect(&["--tz", "UTC"], events);
    assert!(whole.status.success(), "{}", stderr(&whole));
    let lines: Vec<&[u8]> = events.split_inclusive(|&byte| byte == b'\n').collect();
    let folder = tempfile::tempdir().expect("a temporary folder");
    let mut control_differs = false;
    for cut in (1..=cuts).map(|step| lines.len() * step / (cuts + 1)) {
        let (first, second) = (lines[..cut].concat(), lines[cut..].concat());
        let state = folder.path().join(format!("cut-{cut}.db"));
        let state = state.to_str().expect("path");
        let mut split = Vec::new();
        for part in [&first, &second] {
            let run = ls_detect(&["--tz", "UTC", "--state", state], part);
            assert!(run.status.success(), "{}", stderr(&run));
            assert!(!stderr(&run).contains("warning"), "{}", stderr(&run));
            split.extend(run.stdout);
        }
        assert!(
            split == whole.stdout,
            "cut after event {cut} of {}: the two runs wrote {} alerts, one run {}",
            lines.len(),
            records(&split).len(),
            records(&whole.stdout).len()
        );
        let control: Vec<u8> = [&first, &second]
            .iter()
            .flat_map(|part| ls_detect(&["--tz", "UTC"], part).stdout)
            .collect();
        control_differs |= control != whole.stdout;
    }
    assert!(control_differs, "no cut splits a window: the test shows nothing");
}

#[test]
#[cfg_attr(not(logsentry_corpus), ignore = "needs LOGSENTRY_CORPUS=../shared/corpus")]
fn two_runs_over_the_real_auth_log_cut_anywhere_write_what_one_run_writes() {
    let auth_log = corpus().join("elastic-examples/auth.log");
    let parsed = ls_parse(&["ssh", "--tz", "UTC", auth_log.to_str().expect("path")], b"");
    assert!(parsed.status.success(), "{}", stderr(&parsed));
    assert_split_runs_equal_one(&parsed.stdout, 12);
}

#[test]
fn two_runs_over_sample_logs_cut_anywhere_write_what_one_run_writes() {
    assert_split_runs_equal_one(&sample_events(), 12);
}

#[test]
fn windows_counted_with_other_settings_are_not_restored() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let state = folder.path().join("state.db");
    let state = state.to_str().expect("path");
    let events = sample_events();
    let first = ls_detect(&["--tz", "UTC", "--state", state], &events);
    assert!(first.status.success(), "{}", stderr(&first));
    let connection = rusqlite::Connection::open(state).expect("opens in SQLite");
    let saved: i64 = connection
        .query_row("SELECT count(*) FROM windows WHERE state LIKE '%entries%'", [], |row| {
            row.get(0)
        })
        .expect("the windows table");
    assert!(saved >= 5, "every detector that counts saved its windows ({saved})");
    let other = ls_detect(&["--tz", "UTC", "--state", state, "--brute-force-threshold", "7"], b"");
    assert!(other.status.success(), "{}", stderr(&other));
    assert!(
        stderr(&other).contains("counted with other settings") && stderr(&other).contains("counting starts afresh"),
        "{}",
        stderr(&other)
    );
}

/// `ls-parse ssh --follow --state STATE PATH` for `seconds`, then Ctrl-C: its output.
fn follow_for(path: &Path, state: &Path, seconds: f64) -> std::process::Output {
    use std::process::{Command, Stdio};
    let child = Command::new(LS_PARSE)
        .args(["ssh", "--follow", "--sleep-interval", "0.05", "--state"])
        .args([state, path])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ls-parse");
    std::thread::sleep(std::time::Duration::from_secs_f64(seconds));
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success());
    let output = child.wait_with_output().expect("wait");
    assert!(output.status.success(), "{}", stderr(&output));
    output
}

/// logrotate's numbering: FILE.N becomes FILE.N+1, then FILE becomes FILE.1, by a rename
/// (`create`) or a copy and a truncation (`copytruncate`).
fn rotate(path: &Path, by_copy: bool, rotated: &mut u32) {
    let numbered = |n: u32| path.with_file_name(format!("auth.log.{n}"));
    for n in (1..=*rotated).rev() {
        std::fs::rename(numbered(n), numbered(n + 1)).expect("shift a rotated file");
    }
    *rotated += 1;
    if by_copy {
        std::fs::copy(path, numbered(1)).expect("copy");
        std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|file| file.set_len(0))
            .expect("truncate");
    } else {
        std::fs::rename(path, numbered(1)).expect("rename");
        std::fs::write(path, "").expect("create");
    }
}

#[test]
fn a_followed_log_read_by_runs_stopped_and_restarted_gives_every_line_once() {
    use std::io::Write as _;
    const LINES: u32 = 6_000;
    let folder = tempfile::tempdir().expect("a temporary folder");
    let path = folder.path().join("auth.log");
    let state = folder.path().join("state.db");
    std::fs::write(&path, "").expect("create");
    let writer = {
        let path = path.clone();
        std::thread::spawn(move || {
            let open = || std::fs::OpenOptions::new().append(true).open(&path).expect("open");
            let mut log = open();
            let mut rotated = 0;
            for batch in 0..LINES / 50 {
                let text: String = (batch * 50 + 1..=batch * 50 + 50)
                    .map(|port| {
                        format!("2026-03-14T01:00:00+00:00 h sshd[1]: Failed password for root from 192.0.2.1 port {port} ssh2\n")
                    })
                    .collect();
                log.write_all(text.as_bytes()).expect("write");
                if batch % 15 == 14 {
                    rotate(&path, batch % 30 == 29, &mut rotated);
                    log = open();
                }
                std::thread::sleep(std::time::Duration::from_millis(12));
            }
            rotated
        })
    };
    let mut seen = vec![0u32; LINES as usize + 1];
    let mut said = String::new();
    let mut count = |seen: &mut Vec<u32>, output: &std::process::Output| {
        said.push_str(&stderr(output));
        for event in events(output) {
            seen[event.source.port.expect("a port") as usize] += 1;
        }
    };
    // Runs of different lengths with pauses between, so rotations fall while one reads and
    // while none does.
    let mut runs: u32 = 0;
    while !writer.is_finished() {
        count(&mut seen, &follow_for(&path, &state, 0.15 + f64::from(runs % 4) * 0.1));
        std::thread::sleep(std::time::Duration::from_millis(60 + 70 * u64::from(runs % 3)));
        runs += 1;
    }
    let rotated = writer.join().expect("the writer");
    for _ in 0..10 {
        count(&mut seen, &follow_for(&path, &state, 0.5));
        if seen[1..].iter().all(|&times| times > 0) {
            break;
        }
    }
    let lost: Vec<usize> = (1..seen.len()).filter(|&port| seen[port] == 0).collect();
    let repeated: Vec<usize> = (1..seen.len()).filter(|&port| seen[port] > 1).collect();
    assert!(runs >= 3 && rotated >= 7, "{runs} runs, {rotated} rotations");
    assert!(
        lost.is_empty() && repeated.is_empty(),
        "over {runs} runs and {rotated} rotations: {} lines lost (first {:?}), {} read twice (first {:?}); \
         the runs said: {said}",
        lost.len(),
        lost.first(),
        repeated.len(),
        repeated.first()
    );
}

/// sample_logs/ `copies` times over, each copy a day later and under its own file name, so
/// every file's lines run in order: an input long enough to be killed in the middle of.
fn long_sample(copies: i64) -> Vec<u8> {
    let events = sample_events();
    let mut out = Vec::new();
    for copy in 0..copies {
        for mut event in records(&shifted(&events, copy)) {
            let path = event["log"]["file"]["path"].as_str().unwrap_or("stdin").to_owned();
            event["log"]["file"]["path"] = Value::from(format!("copy-{copy}/{path}"));
            out.extend(serde_json::to_vec(&event).expect("JSON"));
            out.push(b'\n');
        }
    }
    out
}

#[test]
fn runs_killed_at_random_moments_and_restarted_store_each_alert_once_and_lose_none() {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let input = long_sample(40);
    let whole = ls_detect(&["--tz", "UTC"], &input);
    assert!(whole.status.success(), "{}", stderr(&whole));
    let folder = tempfile::tempdir().expect("a temporary folder");
    let state = folder.path().join("state.db");
    let mut downstream = Vec::new();
    let mut killed = 0;
    let mut cut_short = 0;
    let mut finished = false;
    for round in 0..40u64 {
        let mut child = Command::new(LS_DETECT)
            .args(["--tz", "UTC", "-q", "--save-every", "0.005", "--state"])
            .arg(&state)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn ls-detect");
        let mut stdin = child.stdin.take().expect("stdin");
        let feed = {
            let input = input.clone();
            std::thread::spawn(move || {
                let _ = stdin.write_all(&input);
            })
        };
        // Killed a little later each round, the last rounds run to the end.
        if round < 12 {
            std::thread::sleep(std::time::Duration::from_millis(10 + 9 * round));
            let _ = child.kill();
            killed += 1;
        }
        let output = child.wait_with_output().expect("wait");
        let _ = feed.join();
        if round < 12 && output.stdout.len() < whole.stdout.len() {
            cut_short += 1;
        }
        // A kill can fall inside a write: the record it cut short never reached downstream.
        let whole_lines = output
            .stdout
            .iter()
            .rposition(|&byte| byte == b'\n')
            .map_or(0, |end| end + 1);
        downstream.extend_from_slice(&output.stdout[..whole_lines]);
        let connection = rusqlite::Connection::open(&state).expect("the file opens after every kill");
        let check: String = connection
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .expect("an integrity check");
        assert_eq!(check, "ok");
        if round >= 12 {
            assert!(output.status.success(), "{}", stderr(&output));
            finished = true;
            break;
        }
    }
    assert!(finished && killed == 12);
    assert!(
        cut_short >= 6,
        "only {cut_short} of the kills fell before the end: the test shows little"
    );
    let sorted = |bytes: &[u8]| {
        let mut lines: Vec<String> = records(bytes).iter().map(Value::to_string).collect();
        lines.sort();
        lines
    };
    let expected = sorted(&whole.stdout);
    let stored = history(&["alerts", "--state", state.to_str().expect("path")]);
    assert!(stored.status.success(), "{}", stderr(&stored));
    assert_eq!(
        sorted(&stored.stdout),
        expected,
        "the store holds one run's alerts, each once"
    );
    let got = sorted(&downstream);
    let mut missing = expected.clone();
    missing.retain(|alert| got.binary_search(alert).is_err());
    assert!(missing.is_empty(), "{} alerts never reached downstream", missing.len());
    // A repeat is possible only for alerts flushed downstream whose transaction the kill
    // cut short: milliseconds of a run.
    let repeated = got.len() - expected.len();
    assert!(
        repeated <= expected.len() / 100,
        "{repeated} of {} alerts written downstream twice over {killed} kills",
        expected.len()
    );
}

#[test]
fn files_past_the_noted_ones_are_counted_and_said() {
    let event = records(&sample_events())
        .into_iter()
        .find(|event| event["logsentry"]["line"].is_u64())
        .expect("a sample event with a line");
    let files = 10_003;
    let mut input = Vec::new();
    for file in 0..files {
        let mut event = event.clone();
        event["log"]["file"]["path"] = Value::from(format!("/logs/host-{file}.log"));
        input.extend_from_slice(event.to_string().as_bytes());
        input.push(b'\n');
    }
    let folder = tempfile::tempdir().expect("a temporary folder");
    let state = folder.path().join("state.db");
    let state = state.to_str().expect("path");
    let detected = ls_detect(&["--tz", "UTC", "--state", state], &input);
    assert!(detected.status.success(), "{}", stderr(&detected));
    assert!(
        stderr(&detected).contains("3 events of files past the first 10000 not noted as counted"),
        "the summary counts what the cap left out: {}",
        stderr(&detected)
    );
    let without = ls_detect(&["--tz", "UTC"], &input);
    assert!(!stderr(&without).contains("not noted"), "{}", stderr(&without));
}

fn correlate_into(state: &Path, alerts: &[u8]) -> Vec<u8> {
    let state = state.to_str().expect("path");
    let correlated = run_with_stdin(LS_CORRELATE, &["--state", state, "--incidents-only"], alerts);
    assert!(correlated.status.success(), "{}", stderr(&correlated));
    assert!(
        stderr(&correlated).contains(&format!("stored in {state}")),
        "{}",
        stderr(&correlated)
    );
    correlated.stdout
}

/// Each incident's last revision: id → (revision, alerts, first seen, last seen).
fn last_revisions(incidents: &[Value]) -> std::collections::BTreeMap<String, (u64, u64, String, String)> {
    incidents
        .iter()
        .map(|incident| {
            let meta = &incident["logsentry"];
            (
                meta["incident"]["id"].as_str().expect("an id").to_owned(),
                (
                    meta["incident"]["revision"].as_u64().expect("a revision"),
                    meta["count"].as_u64().expect("a count"),
                    meta["first_seen"].as_str().expect("a time").to_owned(),
                    meta["last_seen"].as_str().expect("a time").to_owned(),
                ),
            )
        })
        .collect()
}

#[test]
fn incidents_go_on_across_runs_cut_anywhere_as_in_one_run() {
    let alerts = ls_detect(&["--tz", "UTC"], &sample_events());
    assert!(alerts.status.success(), "{}", stderr(&alerts));
    let lines: Vec<&[u8]> = alerts.stdout.split_inclusive(|&byte| byte == b'\n').collect();
    assert!(lines.len() > 40, "sample_logs/ makes alerts");
    let folder = tempfile::tempdir().expect("a temporary folder");
    let whole = correlate_into(&folder.path().join("whole.db"), &alerts.stdout);
    assert!(!whole.is_empty(), "sample_logs/ makes incidents");
    let mut differs_without_state = false;
    for cut in (1..lines.len()).step_by(4) {
        let state = folder.path().join(format!("cut-{cut}.db"));
        let mut split = correlate_into(&state, &lines[..cut].concat());
        split.extend(correlate_into(&state, &lines[cut..].concat()));
        assert_eq!(
            String::from_utf8_lossy(&split),
            String::from_utf8_lossy(&whole),
            "cut after alert {cut}: two runs with one state file write what one run writes"
        );
        let forgetful = |part: &[&[u8]]| run_with_stdin(LS_CORRELATE, &["--incidents-only"], &part.concat()).stdout;
        let mut control = forgetful(&lines[..cut]);
        control.extend(forgetful(&lines[cut..]));
        differs_without_state |= control != whole;
    }
    assert!(
        differs_without_state,
        "without --state some cut splits an incident, or the cuts prove nothing"
    );
}

#[test]
fn a_returning_attacker_opens_an_incident_that_knows_its_history() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let state = folder.path().join("state.db");
    let state_arg = state.to_str().expect("path");
    let events = sample_events();
    let first = records(&correlate_into(&state, &detect_into(&state, &events)));
    let first_alerts = records(&history(&["alerts", "--state", state_arg]).stdout);
    let second = records(&correlate_into(&state, &detect_into(&state, &shifted(&events, 7))));
    assert!(!first.is_empty() && !second.is_empty());
    assert!(
        first
            .iter()
            .all(|incident| incident["logsentry"].get("history").is_none()),
        "the first week knows nothing of anyone"
    );
    let first_ids = last_revisions(&first);
    let second_ids = last_revisions(&second);
    assert!(
        first_ids.keys().all(|id| !second_ids.contains_key(id)),
        "a week later: new incidents"
    );
    for incident in &second {
        let key = incident["logsentry"]["incident"]["key"].as_str().expect("a key");
        let earlier: Vec<&Value> = first
            .iter()
            .filter(|old| old["logsentry"]["incident"]["key"] == key)
            .collect();
        let Some(before) = earlier.last() else {
            continue;
        };
        let history = &incident["logsentry"]["history"];
        assert_eq!(
            history["previous_incident"], before["logsentry"]["incident"]["id"],
            "{key}: links to the week before: {history}"
        );
        assert_eq!(history["incidents_before"], 1, "{key}: {history}");
        let alerts_before = first_alerts.iter().filter(|alert| alert["source"]["ip"] == key).count();
        assert_eq!(history["alerts_before"], alerts_before as u64, "{key}: {history}");
        let first_alert = first_alerts
            .iter()
            .filter(|alert| alert["source"]["ip"] == key)
            .filter_map(|alert| alert["@timestamp"].as_str())
            .filter_map(|time| chrono::DateTime::parse_from_rfc3339(time).ok())
            .min()
            .expect("a first alert");
        let first_seen =
            chrono::DateTime::parse_from_rfc3339(history["first_seen"].as_str().expect("a time")).expect("RFC 3339");
        assert_eq!(first_seen.timestamp(), first_alert.timestamp(), "{key}: {history}");
    }
    assert!(
        second
            .iter()
            .any(|incident| incident["logsentry"]["history"]["incidents_before"] == 1),
        "some attacker of the first week comes back"
    );

    let stored = records(&history(&["incidents", "--state", state_arg]).stdout);
    assert_eq!(stored.len(), first_ids.len() + second_ids.len(), "each incident once");
    let by_id = last_revisions(&stored);
    for (id, last) in first_ids.iter().chain(&second_ids) {
        assert_eq!(by_id.get(id), Some(last), "{id}: the row is its last revision");
    }
    // Each stored incident says what the file knew of its key, as its record did.
    let written_history: std::collections::BTreeMap<&str, &Value> = first
        .iter()
        .chain(&second)
        .filter_map(|incident| {
            Some((
                incident["logsentry"]["incident"]["id"].as_str()?,
                &incident["logsentry"]["history"],
            ))
        })
        .collect();
    for incident in &stored {
        let id = incident["logsentry"]["incident"]["id"].as_str().expect("an id");
        let history = incident["logsentry"].get("history").unwrap_or(&Value::Null);
        assert_eq!(Some(&history), written_history.get(id), "{id}");
    }
    assert!(stored
        .iter()
        .any(|incident| incident["logsentry"]["history"]["incidents_before"] == 1));
    let open = records(&history(&["incidents", "--state", state_arg, "--open"]).stdout);
    assert!(
        open.iter()
            .all(|incident| second_ids.contains_key(incident["logsentry"]["incident"]["id"].as_str().expect("an id"))),
        "the first week's incidents closed when the second week's alerts came"
    );
    let attacker = "203.0.113.47";
    let theirs = records(&history(&["incidents", "--state", state_arg, "--source", attacker]).stdout);
    let expected = stored
        .iter()
        .filter(|incident| {
            incident["logsentry"]["sources"]
                .as_array()
                .is_some_and(|sources| sources.iter().any(|source| source == attacker))
        })
        .count();
    assert!(expected >= 2, "the attacker of both weeks");
    assert_eq!(theirs.len(), expected);
}

#[test]
fn a_prune_to_a_size_deletes_the_oldest_first_and_gives_the_space_back() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let state = folder.path().join("state.db");
    let state_arg = state.to_str().expect("path");
    correlate_into(&state, &detect_into(&state, &long_sample(60)));
    let size = || std::fs::metadata(&state).expect("the file").len();
    let times = || -> Vec<i64> {
        let connection = rusqlite::Connection::open(&state).expect("opens");
        let mut query = connection
            .prepare("SELECT unix_time FROM alerts ORDER BY unix_time")
            .expect("a query");
        let times = query.query_map([], |row| row.get(0)).expect("rows");
        times.map(|time| time.expect("a time")).collect()
    };
    let before = times();
    let full = size();
    assert!(full > 1 << 20, "a store worth pruning: {full} bytes");
    let bound = full / 2;
    let pruned = history(&["prune", "--state", state_arg, "--max-size", &bound.to_string()]);
    assert!(pruned.status.success(), "{}", stderr(&pruned));
    assert!(
        size() <= bound,
        "{} bytes left, bound {bound}: {}",
        size(),
        stderr(&pruned)
    );
    let after = times();
    assert!(
        !after.is_empty() && after.len() < before.len(),
        "{} of {}",
        after.len(),
        before.len()
    );
    assert_eq!(after[..], before[before.len() - after.len()..], "the newest are kept");
    assert!(
        stderr(&pruned).contains(&format!("{} alerts and ", before.len() - after.len())),
        "{}",
        stderr(&pruned)
    );
    let usage = history(&["prune", "--state", state_arg]);
    assert_eq!(usage.status.code(), Some(2), "a prune needs a bound");
}

/// sample_logs/ once at each of `days` (days after its own date).
fn sample_on(days: &[i64]) -> Vec<Vec<u8>> {
    let events = sample_events();
    days.iter().map(|&day| shifted(&events, day)).collect()
}

/// Whether an alert is of the kinds that make a repeat offender.
fn counts_towards_repeat(alert: &Value) -> bool {
    let technique = alert["threat"]["technique"]["id"].as_str().unwrap_or_default();
    ["T1110", "T1595", "T1190"]
        .iter()
        .any(|family| technique.starts_with(family))
        || alert["event"]["module"] == "web"
}

#[test]
fn a_source_back_on_a_third_day_within_30_is_a_repeat_offender_and_its_alerts_say_so() {
    let weeks = sample_on(&[0, 7, 14, 21]);
    let input = weeks.concat();
    let alerts = records(&ls_detect(&["--tz", "UTC"], &input).stdout);
    let without = records(&ls_detect(&["--tz", "UTC", "--skip", "repeat-offender"], &input).stdout);
    let per_week: Vec<Vec<Value>> = weeks
        .iter()
        .map(|week| records(&ls_detect(&["--tz", "UTC", "--skip", "repeat-offender"], week).stdout))
        .collect();
    let attackers = |week: &[Value]| -> std::collections::BTreeSet<String> {
        week.iter()
            .filter(|alert| counts_towards_repeat(alert))
            .filter_map(|alert| alert["source"]["ip"].as_str().map(str::to_owned))
            .collect()
    };
    let expected: std::collections::BTreeSet<String> = attackers(&per_week[0])
        .intersection(&attackers(&per_week[1]))
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        .intersection(&attackers(&per_week[2]))
        .cloned()
        .collect();
    assert!(expected.len() >= 2, "sample_logs/ has attackers: {expected:?}");
    let repeats: Vec<&Value> = alerts
        .iter()
        .filter(|alert| alert["rule"]["id"] == "repeat-offender")
        .collect();
    let raised: std::collections::BTreeSet<String> = repeats
        .iter()
        .map(|alert| alert["source"]["ip"].as_str().expect("a source").to_owned())
        .collect();
    assert_eq!(
        raised, expected,
        "each source of all three weeks, once (not again in the fourth)"
    );
    assert_eq!(repeats.len(), expected.len());
    for alert in &repeats {
        assert_eq!(alert["logsentry"]["severity"], "HIGH");
        assert_eq!(alert["logsentry"]["history"]["days"], 3, "{alert}");
        let time = alert["@timestamp"].as_str().expect("a time");
        assert!(time.starts_with("2026-03-28"), "on the third week's day: {time}");
    }
    // Every other alert is the same as without the rule, but that a repeat offender's later
    // alerts carry its history and 15 more risk.
    let others: Vec<&Value> = alerts
        .iter()
        .filter(|alert| alert["rule"]["id"] != "repeat-offender")
        .collect();
    assert_eq!(others.len(), without.len());
    let mut marked = 0;
    for (with, plain) in others.iter().zip(&without) {
        let mut stripped = (*with).clone();
        if let Some(history) = stripped["logsentry"]
            .as_object_mut()
            .and_then(|meta| meta.remove("history"))
        {
            marked += 1;
            assert_eq!(history["repeat_offender"], true);
            let raised_risk = plain["event"]["risk_score"].as_u64().expect("a risk") + 15;
            assert_eq!(stripped["event"]["risk_score"], raised_risk.min(100), "{with}");
            stripped["event"]["risk_score"] = plain["event"]["risk_score"].clone();
            let ip = with["source"]["ip"]
                .as_str()
                .expect("a repeat offender's alert has a source");
            assert!(expected.contains(ip), "{ip}");
        }
        assert_eq!(&stripped, plain);
    }
    let fourth_week_alerts = per_week[3]
        .iter()
        .filter(|alert| alert["source"]["ip"].as_str().is_some_and(|ip| expected.contains(ip)))
        .count();
    assert!(
        marked >= fourth_week_alerts,
        "the fourth week's alerts from them all say so"
    );

    // The days add up across runs with one state file, a run per week.
    let folder = tempfile::tempdir().expect("a temporary folder");
    let state = folder.path().join("state.db");
    let split: Vec<Value> = weeks
        .iter()
        .flat_map(|week| records(&detect_into(&state, week)))
        .collect();
    assert_eq!(split, alerts, "four runs with --state write what one run writes");

    // Forty days apart, no third day falls within 30.
    let sparse = records(&ls_detect(&["--tz", "UTC"], &sample_on(&[0, 40, 80]).concat()).stdout);
    assert!(sparse.iter().all(|alert| alert["rule"]["id"] != "repeat-offender"));
}

#[test]
fn a_report_with_the_state_file_shows_the_trends_and_what_history_knows_of_each_incident() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let state = folder.path().join("state.db");
    let state_arg = state.to_str().expect("path");
    let weeks = sample_on(&[0, 7]);
    let first_week = detect_into(&state, &weeks[0]);
    let first_sources: std::collections::BTreeSet<String> = records(&first_week)
        .iter()
        .filter_map(|alert| alert["source"]["ip"].as_str().map(str::to_owned))
        .collect();
    correlate_into(&state, &first_week);
    let second_week = detect_into(&state, &weeks[1]);
    let incidents = correlate_into(&state, &second_week);
    let report = |format: &str, input: &[u8]| {
        let made = run_with_stdin(LS_REPORT, &["--state", state_arg, "--format", format], input);
        assert!(made.status.success(), "{}", stderr(&made));
        made.stdout
    };
    let mut input = second_week.clone();
    input.extend(&incidents);
    let data: Value = serde_json::from_slice(&report("json", &input)).expect("JSON");
    let trends = &data["trends"];
    let days = trends["days"].as_array().expect("days");
    assert_eq!(days.len(), 30, "every day of the 30");
    let stored = records(&history(&["alerts", "--state", state_arg]).stdout);
    let total: u64 = days.iter().map(|day| day["total"].as_u64().expect("a count")).sum();
    assert_eq!(total, stored.len() as u64, "both weeks lie within the 30 days");
    let second_sources: std::collections::BTreeSet<String> = records(&second_week)
        .iter()
        .filter_map(|alert| alert["source"]["ip"].as_str().map(str::to_owned))
        .collect();
    let returning = second_sources.intersection(&first_sources).count() as u64;
    assert!(returning > 0);
    assert_eq!(trends["returning_attackers"], returning);
    assert_eq!(trends["new_attackers"], second_sources.len() as u64 - returning);
    let techniques = trends["techniques"].as_array().expect("techniques");
    assert!(!techniques.is_empty() && techniques.len() <= 10);
    for entry in techniques {
        let id = entry["technique"]["id"].as_str().expect("an id");
        let in_week = |alerts: &[u8]| {
            records(alerts)
                .iter()
                .filter(|alert| alert["threat"]["technique"]["id"] == id)
                .count() as u64
        };
        assert_eq!(entry["this_week"], in_week(&second_week), "{id}");
        assert_eq!(entry["last_week"], in_week(&first_week), "{id}");
    }
    let with_history = data["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .filter(|incident| incident["history"]["incidents_before"].as_u64() >= Some(1))
        .count();
    assert!(with_history > 0, "a returning attacker's incident says so");
    let html = String::from_utf8(report("html", &input)).expect("UTF-8");
    assert!(html.contains("<section id=\"trends\">") && html.contains("Seen before"));
    let markdown = String::from_utf8(report("md", &input)).expect("UTF-8");
    assert!(markdown.contains("## Trends") && markdown.contains("Seen before"));
    let without = String::from_utf8(run_with_stdin(LS_REPORT, &["--format", "md"], &input).stdout).expect("UTF-8");
    assert!(!without.contains("## Trends"), "no state file, no trends");
    let missing = run_with_stdin(LS_REPORT, &["--state", "/nonexistent/state.db"], b"");
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("no such state file"), "{}", stderr(&missing));
}

/// sample_logs/'s text logs with every time `days` later, in a new folder under `into` (the
/// .evtx files, journald's and the `secure` file's times are not rewritten, so they stay out).
fn sample_text_logs_moved(into: &Path, days: u32) -> std::path::PathBuf {
    let folder = into.join(format!("plus-{days}-days"));
    std::fs::create_dir(&folder).expect("a folder");
    for name in [
        "auth.log",
        "access.log",
        "mysql-error.log",
        "mysql-general.log",
        "mysql-slow.log",
    ] {
        let text = std::fs::read_to_string(sample(name)).expect("a sample log");
        let day = 14 + days;
        let moved = text
            .replace("2026-03-14", &format!("2026-03-{day:02}"))
            .replace("14/Mar/2026", &format!("{day:02}/Mar/2026"));
        std::fs::write(folder.join(name), moved).expect("write");
    }
    folder
}

/// What `ls-history TABLE` prints, sorted: two stores that hold the same rows compare equal.
fn stored_rows(state: &Path, table: &str) -> Vec<String> {
    let listed = history(&[table, "--state", state.to_str().expect("path")]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    let mut rows: Vec<String> = String::from_utf8(listed.stdout)
        .expect("UTF-8")
        .lines()
        .map(str::to_owned)
        .collect();
    rows.sort();
    rows
}

#[test]
fn logsentry_with_a_state_file_stores_and_remembers_what_the_piped_stages_do() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let weeks = [
        sample_text_logs_moved(folder.path(), 0),
        sample_text_logs_moved(folder.path(), 7),
    ];
    let (one, piped) = (folder.path().join("one.db"), folder.path().join("piped.db"));
    let (one_arg, piped_arg) = (one.to_str().expect("path"), piped.to_str().expect("path"));
    let succeeded = |output: std::process::Output| {
        assert!(output.status.success(), "{}", stderr(&output));
        output
    };
    let json = |output: std::process::Output| -> Value { serde_json::from_slice(&output.stdout).expect("JSON") };
    let in_one_command = |week: &Path| {
        let week = week.to_str().expect("path");
        succeeded(logsentry(
            &["--tz", "UTC", "--state", one_arg, "--format", "json", "-o", "-", week],
            b"",
        ))
    };
    let (mut reports, mut piped_reports) = (Vec::new(), Vec::new());
    for week in &weeks {
        reports.push(json(in_one_command(week)));
        let events = succeeded(ls_parse(
            &["auto", "-q", "--tz", "UTC", week.to_str().expect("path")],
            b"",
        ));
        let alerts = succeeded(ls_detect(&["-q", "--tz", "UTC", "--state", piped_arg], &events.stdout));
        let enriched = succeeded(ls_enrich(&["-q"], &alerts.stdout));
        let correlated = succeeded(ls_correlate(&["-q", "--state", piped_arg], &enriched.stdout));
        let report = ls_report(&["-q", "--format", "json", "--state", piped_arg], &correlated.stdout);
        piped_reports.push(json(succeeded(report)));
    }
    let alerts = stored_rows(&one, "alerts");
    assert!(alerts.len() > 40, "both weeks' alerts: {}", alerts.len());
    assert_eq!(alerts, stored_rows(&piped, "alerts"));
    let incidents = stored_rows(&one, "incidents");
    assert!(!incidents.is_empty());
    assert_eq!(incidents, stored_rows(&piped, "incidents"));
    let second = &reports[1];
    assert_eq!(second["trends"], piped_reports[1]["trends"]);
    assert!(
        second["trends"]["returning_attackers"].as_u64() > Some(0),
        "{}",
        second["trends"]
    );
    assert_eq!(second["incidents"], piped_reports[1]["incidents"]);
    let returning = second["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .filter(|incident| incident["history"]["incidents_before"].as_u64() >= Some(1))
        .count();
    assert!(returning > 0, "a returning attacker's incident says what history knows");
    // The same logs again: every event was counted, nothing is new, nothing is stored twice.
    let again = in_one_command(&weeks[1]);
    let said = stderr(&again);
    assert!(said.contains("events already counted by the runs before"), "{said}");
    assert_eq!(json(again)["summary"]["alerts"], 0);
    assert_eq!(stored_rows(&one, "alerts"), alerts);
}

/// Runs `program args... --state FILE` on `input` with FILE on a file system of `size` (a
/// tmpfs of its own, in a mount namespace of its own: `unshare`, as root or not).
fn with_state_on_a_disk_of(size: &str, program: &str, args: &[&str], input: &[u8]) -> std::process::Output {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let folder = tempfile::tempdir().expect("a temporary folder");
    let disk = folder.path().join("disk");
    std::fs::create_dir(&disk).expect("a mount point");
    let disk = disk.to_str().expect("path");
    let script = format!(r#"mount -t tmpfs -o size={size} tmpfs "{disk}" && exec "$0" "$@" --state "{disk}/state.db""#);
    let mut child = Command::new("unshare")
        .args(["-rm", "sh", "-c", &script, program])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("unshare (util-linux) runs");
    let mut stdin = child.stdin.take().expect("a pipe");
    let input = input.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().expect("it ends");
    feeder.join().expect("fed");
    assert!(
        !stderr(&output).contains("mount:") && !stderr(&output).contains("unshare:"),
        "the small disk could not be made: {}",
        stderr(&output)
    );
    output
}

#[test]
fn a_full_disk_is_said_once_and_the_stream_goes_on_without_the_state_file() {
    let events = long_sample(60);
    let without = ls_detect(&["-q", "--tz", "UTC"], &events);
    assert!(without.status.success());
    let detected = with_state_on_a_disk_of("1m", LS_DETECT, &["--tz", "UTC"], &events);
    let said = stderr(&detected);
    assert_eq!(detected.status.code(), Some(1), "{said}");
    assert_eq!(said.matches("going on without it").count(), 1, "{said}");
    assert!(said.contains("disk is full"), "{said}");
    assert!(detected.stdout == without.stdout, "every alert still written");

    let incidents_without = ls_correlate(&["-q"], &without.stdout);
    let correlated = with_state_on_a_disk_of("600k", LS_CORRELATE, &[], &without.stdout);
    let said = stderr(&correlated);
    assert_eq!(correlated.status.code(), Some(1), "{said}");
    assert_eq!(said.matches("going on without it").count(), 1, "{said}");
    // What the file knew before it filled (logsentry.history.*) is all that may differ.
    let without_history = |output: &[u8]| {
        let mut records = records(output);
        for record in &mut records {
            if let Some(meta) = record["logsentry"].as_object_mut() {
                meta.remove("history");
            }
        }
        records
    };
    let (with, without) = (
        without_history(&correlated.stdout),
        without_history(&incidents_without.stdout),
    );
    assert_eq!(with.len(), without.len());
    assert!(with == without, "every incident still written");

    // logsentry has two writers: one says it, and both let go.
    let report = |output: &std::process::Output| -> Value { serde_json::from_slice(&output.stdout).expect("a report") };
    // Four weeks of the sample's text logs: far more than the disk holds, once the file is made.
    let folder = tempfile::tempdir().expect("a temporary folder");
    let weeks: Vec<String> = [0, 7, 14, 21]
        .into_iter()
        .map(|days| sample_text_logs_moved(folder.path(), days).display().to_string())
        .collect();
    let mut args = vec!["--tz", "UTC", "-q", "--format", "json", "-o", "-"];
    args.extend(weeks.iter().map(String::as_str));
    let analysed = with_state_on_a_disk_of("450k", LOGSENTRY, &args, b"");
    let said = stderr(&analysed);
    assert_eq!(analysed.status.code(), Some(1), "{said}");
    assert_eq!(said.matches("going on without it").count(), 1, "{said}");
    let whole = logsentry(&args, b"");
    assert_eq!(report(&analysed)["summary"], report(&whole)["summary"]);
}
