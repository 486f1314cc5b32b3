//! ls-parse on real Windows event logs (LOGSENTRY_CORPUS/evtx). Record counts and event IDs
//! are checked against the corpus index (`evtx_index.jsonl`, counted with pyevtx-rs); the
//! exact field values below were read independently with python-evtx 0.8 (Willi
//! Ballenthin's pure-Python decoder), e.g. `Evtx.Evtx(path).records()` → `record.xml()`.

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn parse_evtx(path: &Path, extra: &[&str]) -> (Vec<Value>, std::process::Output) {
    let mut args = vec!["evtx"];
    args.extend_from_slice(extra);
    args.push(path.to_str().expect("utf-8 path"));
    let output = ls_parse(&args, b"");
    let events = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}")))
        .collect();
    (events, output)
}

fn field<'v>(event: &'v Value, path: &str) -> &'v Value {
    path.split('.').fold(event, |value, key| &value[key])
}

#[test]
#[cfg_attr(not(logsentry_corpus), ignore = "needs LOGSENTRY_CORPUS=../shared/corpus")]
fn every_corpus_file_gives_every_record() {
    let corpus = corpus();
    let index = std::fs::read_to_string(corpus.join("evtx/evtx_index.jsonl")).expect("evtx index");
    let mut files = 0;
    let mut records = 0;
    for line in index.lines() {
        let entry: Value = serde_json::from_str(line).expect("index line");
        let file = entry["file"].as_str().expect("file");
        let path = corpus.join("evtx").join(file);
        let (events, output) = parse_evtx(&path, &["--threads", "2"]);
        assert!(output.status.success(), "{file}: {}", stderr(&output));
        if entry["parse_error"].is_null() {
            let expected: BTreeMap<String, u64> = entry["event_ids"]
                .as_object()
                .expect("ids")
                .iter()
                .map(|(id, count)| (id.clone(), count.as_u64().expect("count")))
                .collect();
            let mut found: BTreeMap<String, u64> = BTreeMap::new();
            for event in &events {
                *found.entry(field(event, "winlog.event_id").to_string()).or_default() += 1;
            }
            assert_eq!(
                events.len() as u64,
                entry["records"].as_u64().expect("records"),
                "{file}"
            );
            assert_eq!(found, expected, "{file}");
            assert_eq!(summary(&output).3, 0, "{file}: nothing rejected");
        }
        for event in &events {
            assert_eq!(field(event, "event.module"), "windows", "{file}");
            assert!(field(event, "winlog.record_id").is_u64(), "{file}");
            assert!(event["@timestamp"].is_string(), "{file}");
        }
        files += 1;
        records += events.len();
    }
    assert_eq!(files, 67);
    assert!(records >= 7902, "{records}");
}

#[test]
#[cfg_attr(not(logsentry_corpus), ignore = "needs LOGSENTRY_CORPUS=../shared/corpus")]
fn a_damaged_chunk_is_reported_and_the_rest_is_read() {
    let corpus = corpus();
    let path = corpus.join("evtx/omerbenamram-evtx/samples/sample_with_a_bad_chunk_magic.evtx");
    for threads in ["1", "2"] {
        let (events, output) = parse_evtx(&path, &["--threads", threads]);
        assert!(output.status.success(), "{}", stderr(&output));
        let text = stderr(&output);
        assert!(text.contains("chunk number 6") && text.contains("ElfChnk"), "{text}");
        // The index's decoder gave up at chunk 6 after 14 records. python-evtx, walking the
        // chunks and skipping those without the chunk magic, reads 270 records and stops at
        // the zeroed record at offset 0x2060 of chunk 7; scanning the rest of that chunk's
        // used space for record headers whose trailing size copy matches finds 31 more.
        assert_eq!(events.len(), 301, "{threads} threads");
        let (_, count, _, rejected) = summary(&output);
        assert_eq!((count, rejected), (301, 3));
        let ids: Vec<u64> = events
            .iter()
            .filter_map(|e| field(e, "winlog.record_id").as_u64())
            .collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len(), "no record twice");
    }
}

#[test]
#[cfg_attr(not(logsentry_corpus), ignore = "needs LOGSENTRY_CORPUS=../shared/corpus")]
fn a_brute_force_with_valid_users_field_by_field() {
    let corpus = corpus();
    let path = corpus.join(
        "evtx/evtx-to-mitre-attack/TA0006-Credential Access/T1110.xxx-Brut force/ID4625-OpenSSH brutforce with valid users.evtx",
    );
    let (events, output) = parse_evtx(&path, &[]);
    assert!(output.status.success());
    let ids: Vec<u64> = events
        .iter()
        .filter_map(|e| field(e, "winlog.event_id").as_u64())
        .collect();
    assert_eq!(ids, [4688, 4648, 4624, 4688, 4648, 4624, 4625, 4625, 4625, 4625, 4625]);
    let failures: Vec<&Value> = events.iter().filter(|e| field(e, "winlog.event_id") == 4625).collect();
    let times: Vec<&str> = failures.iter().filter_map(|e| e["@timestamp"].as_str()).collect();
    assert_eq!(
        times,
        [
            "2021-05-21T20:43:22.562871200Z",
            "2021-05-21T20:43:49.345732Z",
            "2021-05-21T20:43:50.131977800Z",
            "2021-05-21T20:43:50.607015700Z",
            "2021-05-21T20:43:50.866108Z"
        ]
    );
    for event in &failures {
        assert_eq!(field(event, "user.name"), "admmig@offsec.lan");
        assert_eq!(field(event, "event.outcome"), "failure");
        assert_eq!(field(event, "event.action"), "logon-failed");
        assert_eq!(field(event, "logsentry.event_type"), "failed");
        assert_eq!(field(event, "winlog.logon.type"), "NetworkCleartext");
        assert_eq!(field(event, "winlog.logon.failure.status"), "0xc000006d");
        assert_eq!(field(event, "winlog.logon.failure.sub_status"), "0xc000006a");
        assert_eq!(field(event, "host.hostname"), "fs01.offsec.lan");
        assert!(field(event, "source.ip").is_null(), "IpAddress is `-`: {event}");
        assert_eq!(field(event, "source.domain"), "FS01", "WorkstationName");
        assert!(field(event, "user.id").is_null(), "the NULL SID is nobody: {event}");
    }
    let network_logon = &events[5];
    assert_eq!(field(network_logon, "logsentry.event_type"), "success");
    assert_eq!(field(network_logon, "user.name"), "admmig");
    assert_eq!(field(network_logon, "winlog.logon.type"), "Network");
    assert_eq!(field(network_logon, "winlog.record_id"), 1865224);
    assert_eq!(field(network_logon, "logsentry.line"), 6);
}

#[test]
#[cfg_attr(not(logsentry_corpus), ignore = "needs LOGSENTRY_CORPUS=../shared/corpus")]
fn unknown_users_are_invalid_user_events() {
    let corpus = corpus();
    let path = corpus.join(
        "evtx/evtx-to-mitre-attack/TA0006-Credential Access/T1110.xxx-Brut force/ID4625-OpenSSH brutforce with non existing users.evtx",
    );
    let (events, _) = parse_evtx(&path, &[]);
    let failures: Vec<&Value> = events.iter().filter(|e| field(e, "winlog.event_id") == 4625).collect();
    assert_eq!(failures.len(), 5);
    for event in failures {
        assert_eq!(field(event, "logsentry.event_type"), "invalid_user");
        assert_eq!(field(event, "user.name"), "NOUSER");
        assert_eq!(field(event, "winlog.logon.failure.reason"), "User name does not exist");
    }
    let cleared = &events[0];
    assert_eq!(field(cleared, "winlog.event_id"), 1102);
    assert_eq!(field(cleared, "event.action"), "audit-log-cleared");
    let credential_checks = events.iter().filter(|e| field(e, "winlog.event_id") == 4776);
    assert!(credential_checks.clone().count() == 5);
    assert!(credential_checks
        .into_iter()
        .all(|e| field(e, "event.outcome") == "failure"));
}

#[test]
#[cfg_attr(not(logsentry_corpus), ignore = "needs LOGSENTRY_CORPUS=../shared/corpus")]
fn account_creation_group_change_and_log_clearing() {
    let corpus = corpus();
    let base = corpus.join("evtx/evtx-to-mitre-attack");
    let (events, _) = parse_evtx(
        &base.join("TA0003-Persistence/T1136-Create account/ID4720-Admin like user created.evtx"),
        &[],
    );
    let created = events
        .iter()
        .find(|e| field(e, "winlog.event_id") == 4720)
        .expect("4720");
    assert_eq!(field(created, "event.action"), "user-created");
    assert_eq!(field(created, "user.name"), "admin-kriss");
    assert_eq!(field(created, "user.domain"), "OFFSEC");
    assert_eq!(
        field(created, "user.id"),
        "S-1-5-21-4230534742-2542757381-3142984815-1166"
    );
    assert_eq!(field(created, "winlog.event_data.SubjectUserName"), "lambda-user");
    assert_eq!(
        field(created, "winlog.record_id"),
        16075276,
        "EventRecordID, not the header's"
    );
    assert_eq!(field(created, "logsentry.line"), 1, "the record's number in this file");
    assert_eq!(field(created, "@timestamp"), "2020-07-12T05:10:08.442192900Z");
    assert_eq!(field(created, "host.hostname"), "rootdc1.offsec.lan");

    let (events, _) = parse_evtx(
        &base.join("TA0003-Persistence/T1098.xxx-Account manipulation/ID4732-User added to local admin groups.evtx"),
        &[],
    );
    let groups: Vec<&str> = events
        .iter()
        .filter(|e| field(e, "event.action") == "user-added-to-group")
        .filter_map(|e| field(e, "group.name").as_str())
        .collect();
    assert_eq!(groups, ["Users", "Administrators", "Backup Operators"]);
    assert!(events
        .iter()
        .filter(|e| field(e, "winlog.event_id") == 4732)
        .all(|e| field(e, "user.name") == "S-1-5-21-1470532092-3758209836-3742276719-1001"));

    let (events, _) = parse_evtx(
        &base.join("TA0005-Defense Evasion/T1070.001-Clear Windows event logs/ID104-1102-Event log cleared.evtx"),
        &[],
    );
    let cleared = events
        .iter()
        .find(|e| field(e, "winlog.event_id") == 1102)
        .expect("1102");
    assert_eq!(field(cleared, "user.name"), "admmig");
    assert_eq!(
        field(cleared, "winlog.user_data.LogFileCleared.SubjectDomainName"),
        "OFFSEC"
    );
    assert_eq!(field(cleared, "winlog.record_id"), 109054);
}

#[test]
#[cfg_attr(not(logsentry_corpus), ignore = "needs LOGSENTRY_CORPUS=../shared/corpus")]
fn stdin_and_auto_read_the_same_records_as_the_file() {
    let corpus = corpus();
    let path = corpus.join("evtx/omerbenamram-evtx/samples/security.evtx");
    let (from_file, _) = parse_evtx(&path, &[]);
    assert_eq!(from_file.len(), 2261);
    let bytes = std::fs::read(&path).expect("read sample");
    let from_stdin = ls_parse(&["evtx"], &bytes);
    assert!(from_stdin.status.success(), "{}", stderr(&from_stdin));
    let auto = ls_parse(&["auto", path.to_str().expect("path")], b"");
    assert!(auto.status.success(), "{}", stderr(&auto));
    let strip_path = |text: &[u8]| -> Vec<Value> {
        String::from_utf8_lossy(text)
            .lines()
            .map(|line| {
                let mut value: Value = serde_json::from_str(line).expect("json");
                value.as_object_mut().expect("object").remove("log");
                value
            })
            .collect()
    };
    let file_events = strip_path(&ls_parse(&["evtx", path.to_str().expect("path")], b"").stdout);
    assert_eq!(strip_path(&from_stdin.stdout), file_events);
    assert_eq!(strip_path(&auto.stdout), file_events);
    let ssh = ls_parse(&["ssh", path.to_str().expect("path")], b"");
    assert_eq!(ssh.status.code(), Some(1));
    assert!(stderr(&ssh).contains("ls-parse evtx"), "{}", stderr(&ssh));
}

/// Each of the brute-force samples gets its alert: guessing over OpenSSH for Windows, which
/// logs no source address (`-`), per account and host; Kerberos pre-authentication failures
/// (4771) per source, and Kerbrute's enumeration of names as credential stuffing.
#[test]
#[cfg_attr(not(logsentry_corpus), ignore = "needs LOGSENTRY_CORPUS=../shared/corpus")]
fn windows_brute_force_samples_alert_with_and_without_a_source() {
    let base = corpus().join("evtx/evtx-to-mitre-attack/TA0006-Credential Access/T1110.xxx-Brut force");
    let rules_for = |name: &str| -> Vec<String> {
        let path = base.join(name);
        let events = ls_parse(&["evtx", path.to_str().expect("path")], b"");
        assert!(events.status.success(), "{name}: {}", stderr(&events));
        let detected = ls_detect(
            &["--skip", "off-hours-login,weekend-login,audit-log-cleared"],
            &events.stdout,
        );
        assert!(detected.status.success(), "{name}: {}", stderr(&detected));
        String::from_utf8_lossy(&detected.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|record| record["event"]["kind"] == "alert")
            .map(|alert| alert["rule"]["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        rules_for("ID4625-OpenSSH brutforce with valid users.evtx"),
        ["account-brute-force"]
    );
    assert_eq!(
        rules_for("ID4625-OpenSSH brutforce with non existing users.evtx"),
        ["account-brute-force"],
        "five guesses, each logged as 4625 and 4776, are one alert"
    );
    assert_eq!(
        rules_for("ID4771-Kerberos brutforce with valid user.evtx"),
        ["brute-force"]
    );
    let enumeration = rules_for("ID4768-4771-Kerberos user enumeration (Kerbrute).evtx");
    assert!(
        enumeration.contains(&"credential-stuffing".to_owned()),
        "{enumeration:?}"
    );
}

/// A file cut off inside a chunk (copied while Windows was writing it) says so, exits 1, and
/// still gives the records before the cut: both as a file and on standard input.
#[test]
fn a_file_cut_inside_a_chunk_is_damaged_and_its_records_before_the_cut_are_read() {
    let whole = std::fs::read(sample("Security.evtx")).expect("sample");
    let (all, _) = parse_evtx(&sample("Security.evtx"), &[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let cut = dir.path().join("copied-while-writing.evtx");
    std::fs::write(&cut, &whole[..20_000]).expect("write");
    let (events, output) = parse_evtx(&cut, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("ends inside chunk 1"), "{}", stderr(&output));
    assert!(
        events.len() >= all.len() / 2 && events.len() < all.len(),
        "{} of {}",
        events.len(),
        all.len()
    );
    let record_ids = |events: &[Value]| -> Vec<Value> {
        events
            .iter()
            .map(|event| field(event, "winlog.record_id").clone())
            .collect()
    };
    assert_eq!(
        record_ids(&events),
        record_ids(&all[..events.len()]),
        "the records before the cut"
    );
    let piped = ls_parse(&["evtx"], &whole[..20_000]);
    assert_eq!(piped.status.code(), Some(1), "{}", stderr(&piped));
    assert_eq!(String::from_utf8_lossy(&piped.stdout).lines().count(), events.len());
}
