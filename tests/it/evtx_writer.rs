//! Our EVTX writer (tests/support/evtx_writer.rs) against the evtx crate and ls-parse: every
//! record written comes back with exactly the values written, checksums and all, and the
//! sample Security.evtx is what the writer makes of the Windows stories.

use crate::common::*;
use crate::evtx_writer_support::{windows_story, windows_system_story, EvtxWriter, WinEvent};
use serde_json::Value;

fn field<'v>(event: &'v Value, path: &str) -> &'v Value {
    path.split('.').fold(event, |value, key| &value[key])
}

/// Many events over several chunks, with values that need escaping and non-ASCII names.
fn generated(count: usize) -> Vec<WinEvent> {
    (0..count)
        .map(|index| {
            let user = format!("user{index}\u{e9}\"\\{}", if index % 7 == 0 { "\u{1F600}" } else { "" });
            let ip = format!("10.{}.{}.{}", index / 65536 % 256, index / 256 % 256, index % 256);
            let port = (1024 + index % 60000).to_string();
            let mut event = WinEvent::security(
                if index % 3 == 0 { 4624 } else { 4625 },
                1_773_452_400 + index as i64,
                &format!("HOST-{}", index % 5),
                &[
                    ("TargetUserName", user.as_str()),
                    ("TargetDomainName", "CORP"),
                    ("Status", "0xc000006d"),
                    ("SubStatus", "0xc000006a"),
                    ("LogonType", "3"),
                    ("IpAddress", ip.as_str()),
                    ("IpPort", port.as_str()),
                    ("Empty", ""),
                ],
            );
            event.nanos = (index as u32 % 10_000_000) * 100;
            event
        })
        .collect()
}

fn write(events: &[WinEvent]) -> Vec<u8> {
    write_with(EvtxWriter::default(), events)
}

fn write_with(mut writer: EvtxWriter, events: &[WinEvent]) -> Vec<u8> {
    for event in events {
        writer.push(event);
    }
    writer.finish()
}

#[test]
fn every_written_record_reads_back_exactly() {
    let bytes = reads_back_exactly(EvtxWriter::default());
    assert_eq!(template_instances(bytes), 0);
}

#[test]
fn every_record_written_as_a_template_instance_reads_back_exactly() {
    let bytes = reads_back_exactly(EvtxWriter::templated());
    assert_eq!(template_instances(bytes), 3000);
}

/// How many records are template instances, as the crate sees them.
fn template_instances(bytes: Vec<u8>) -> usize {
    let mut parser = evtx::EvtxParser::from_buffer(bytes).expect("a valid file header");
    let settings = std::sync::Arc::new(evtx::ParserSettings::new());
    let mut instances = 0;
    for chunk in parser.chunks() {
        let mut chunk = chunk.expect("a chunk");
        let mut chunk = chunk.parse(settings.clone()).expect("a valid chunk");
        for record in chunk.iter() {
            let record = record.expect("a record");
            instances += record.template_instances().expect("its values").len();
        }
    }
    instances
}

/// Writes 3,000 generated events and checks every one through the crate and ls-parse;
/// returns the file.
fn reads_back_exactly(writer: EvtxWriter) -> Vec<u8> {
    let events = generated(3000);
    let bytes = write_with(writer, &events);
    assert!(bytes.len() > 4096 + 3 * 65536, "several chunks: {}", bytes.len());

    // The crate, checking every chunk's CRC32s.
    let settings = evtx::ParserSettings::new().validate_checksums(true).num_threads(1);
    let parser = evtx::EvtxParser::from_buffer(bytes.clone()).expect("a valid file header");
    assert!(parser.header().validate_checksum(), "file header CRC32");
    let mut parser = parser.with_configuration(settings);
    let decoded: Vec<_> = parser.records_json().collect();
    assert_eq!(decoded.len(), events.len());
    assert!(
        decoded.iter().all(Result::is_ok),
        "{:?}",
        decoded.iter().find(|r| r.is_err())
    );

    // ls-parse, from a file.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("generated.evtx");
    std::fs::write(&path, &bytes).expect("write");
    let output = ls_parse(&["evtx", path.to_str().expect("path")], b"");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(summary(&output).3, 0, "nothing rejected");
    let parsed: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("json"))
        .collect();
    assert_eq!(parsed.len(), events.len());
    for (index, (event, written)) in parsed.iter().zip(&events).enumerate() {
        let stamp = chrono::DateTime::from_timestamp(written.unix_seconds, written.nanos).expect("time");
        let expected_time =
            chrono::DateTime::parse_from_rfc3339(field(event, "@timestamp").as_str().expect("time")).expect("rfc3339");
        assert_eq!(expected_time, stamp, "record {index}");
        assert_eq!(field(event, "winlog.event_id"), written.event_id, "record {index}");
        assert_eq!(field(event, "winlog.record_id"), index as u64 + 1);
        assert_eq!(field(event, "host.hostname"), written.computer.as_str());
        for (name, value) in &written.data {
            assert_eq!(
                field(event, &format!("winlog.event_data.{name}")),
                value.as_str(),
                "record {index}"
            );
        }
        assert_eq!(field(event, "user.name"), written.data[0].1.as_str());
        assert_eq!(field(event, "source.ip"), written.data[5].1.as_str());
        assert_eq!(field(event, "source.port").to_string(), written.data[6].1);
    }
    bytes
}

#[test]
fn template_instances_and_plain_trees_of_the_same_events_are_the_same_events() {
    let mut events = generated(500);
    events.extend(windows_story());
    events.extend(windows_system_story());
    let dir = tempfile::tempdir().expect("tempdir");
    let parse = |name: &str, bytes: Vec<u8>| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        let output = ls_parse(&["evtx", path.to_str().expect("path")], b"");
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(summary(&output).3, 0, "nothing rejected");
        String::from_utf8(output.stdout).expect("utf-8")
    };
    let plain = parse("plain.evtx", write(&events));
    let templated_bytes = write_with(EvtxWriter::templated(), &events);
    // The templates make the file smaller: each chunk holds each shape of event once.
    assert!(templated_bytes.len() < write(&events).len());
    let templated = parse("templated.evtx", templated_bytes);
    assert_eq!(plain.lines().count(), events.len());
    for (index, (plain, templated)) in plain.lines().zip(templated.lines()).enumerate() {
        let plain = plain.replace("plain.evtx", "templated.evtx");
        assert_eq!(plain, templated, "record {index}");
    }
}

#[test]
fn records_without_a_time_get_the_one_before_whatever_the_threads() {
    // Half the records come without TimeCreated, in runs of 200: with a few hundred records
    // a batch, batches start inside a run, where a mapping thread cannot know the time
    // before it.
    let mut events = generated(6000);
    for (index, event) in events.iter_mut().enumerate() {
        event.time_created = index % 400 >= 200;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("untimed.evtx");
    std::fs::write(&path, write_with(EvtxWriter::templated(), &events)).expect("write");
    let path = path.to_str().expect("path");
    let one = ls_parse(&["evtx", "--threads", "1", path], b"");
    assert!(one.status.success(), "{}", stderr(&one));
    let lines: Vec<Value> = String::from_utf8_lossy(&one.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("json"))
        .collect();
    assert_eq!(lines.len(), events.len());
    let mut before = None;
    for (index, (event, written)) in lines.iter().zip(&events).enumerate() {
        let time = field(event, "@timestamp").as_str().expect("a time").to_owned();
        if written.time_created {
            assert_eq!(field(event, "logsentry.time.missing"), &Value::Null, "record {index}");
            before = Some(time);
        } else {
            assert_eq!(field(event, "logsentry.time.missing"), true, "record {index}");
            if let Some(before) = &before {
                assert_eq!(&time, before, "record {index}");
            }
        }
    }
    for threads in ["2", "3"] {
        let many = ls_parse(&["evtx", "--threads", threads, path], b"");
        assert!(many.status.success(), "{}", stderr(&many));
        assert!(
            one.stdout == many.stdout,
            "--threads {threads} gives other events than --threads 1"
        );
    }
}

#[test]
fn the_sample_security_log_is_the_windows_story() {
    let bytes = write_with(EvtxWriter::templated(), &windows_story());
    let sample = sample("Security.evtx");
    if std::env::var_os("LOGSENTRY_BLESS").is_some() {
        std::fs::write(&sample, &bytes).expect("write sample");
    }
    let committed = std::fs::read(&sample).expect("sample_logs/Security.evtx");
    assert!(
        committed == bytes,
        "sample_logs/Security.evtx is not what the writer makes of windows_story(): \
         rerun with LOGSENTRY_BLESS=1"
    );
    let output = ls_parse(&["auto", sample.to_str().expect("path")], b"");
    assert!(output.status.success(), "{}", stderr(&output));
    let events: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("json"))
        .collect();
    let from = |ip: &str, id: u32| {
        events
            .iter()
            .filter(|e| field(e, "source.ip") == ip && field(e, "winlog.event_id") == id)
            .count()
    };
    assert_eq!(from("203.0.113.47", 4625), 8);
    assert_eq!(from("203.0.113.47", 4624), 1);
    assert_eq!(from("198.51.100.22", 4625), 6);
    let by_action = |action: &str| {
        events
            .iter()
            .filter(|e| field(e, "event.action") == action)
            .collect::<Vec<_>>()
    };
    let lockout = by_action("user-locked-out");
    assert_eq!(lockout.len(), 1);
    assert_eq!(field(lockout[0], "user.name"), "jsmith");
    let created = by_action("user-created");
    assert_eq!(field(created[0], "user.name"), "svc-backup2");
    let added = by_action("user-added-to-group");
    assert_eq!(field(added[0], "group.name"), "Administrators");
    assert_eq!(field(added[0], "@timestamp"), "2026-03-14T02:21:00Z");
    let special = by_action("logged-in-special");
    assert_eq!(field(special[0], "user.name"), "Administrator");
    let cleared = by_action("audit-log-cleared");
    assert_eq!(field(cleared[0], "user.name"), "Administrator");
    assert_eq!(
        field(cleared[0], "winlog.user_data.LogFileCleared.SubjectLogonId"),
        "0x3e7a1f"
    );
    let invalid = events
        .iter()
        .filter(|e| field(e, "logsentry.event_type") == "invalid_user")
        .count();
    assert_eq!(invalid, 1);

    // The detectors read Windows events unchanged.
    let detected = ls_detect(&["-q"], &output.stdout);
    assert!(detected.status.success(), "{}", stderr(&detected));
    let alerts: Vec<Value> = String::from_utf8_lossy(&detected.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("json"))
        .filter(|record: &Value| field(record, "event.kind") == "alert")
        .collect();
    let rules: Vec<(&str, &str)> = alerts
        .iter()
        .filter_map(|a| {
            Some((
                field(a, "rule.id").as_str()?,
                field(a, "source.ip").as_str().unwrap_or("-"),
            ))
        })
        .collect();
    for expected in [
        ("brute-force", "203.0.113.47"),
        ("compromise-after-brute-force", "203.0.113.47"),
        ("brute-force", "198.51.100.22"),
        ("account-created", "-"),
        ("privileged-group-member-added", "-"),
        ("account-locked-out", "-"),
        ("special-logon-off-hours", "-"),
        ("audit-log-cleared", "-"),
    ] {
        assert!(rules.contains(&expected), "{expected:?} in {rules:?}");
    }
    let compromise = alerts
        .iter()
        .find(|a| field(a, "rule.id") == "compromise-after-brute-force")
        .expect("compromise");
    assert_eq!(
        field(compromise, "message"),
        "Windows login as Administrator from 203.0.113.47 succeeded after 8 failed logins"
    );
}

#[test]
fn a_login_through_another_door_names_both() {
    // Windows guesses from 203.0.113.47, then an SSH login from the same address.
    let mut events = ls_parse(&["evtx", sample("Security.evtx").to_str().expect("path")], b"").stdout;
    events.extend_from_slice(
        br#"{"@timestamp":"2026-03-14T02:17:00Z","event":{"kind":"event","module":"ssh","dataset":"ssh.auth","action":"ssh-login","outcome":"success"},"source":{"ip":"203.0.113.47"},"user":{"name":"dbadmin"},"logsentry":{"line":1,"event_type":"success"}}
"#,
    );
    let detected = ls_detect(&["-q", "--only", "compromise-after-brute-force"], &events);
    let text = String::from_utf8_lossy(&detected.stdout);
    assert!(
        text.contains("SSH login as dbadmin from 203.0.113.47 succeeded after 8 failed Windows logins"),
        "{text}"
    );
}

#[test]
fn the_sample_system_log_has_the_service_the_intruder_installed() {
    let bytes = write_with(EvtxWriter::templated(), &windows_system_story());
    let sample = sample("System.evtx");
    if std::env::var_os("LOGSENTRY_BLESS").is_some() {
        std::fs::write(&sample, &bytes).expect("write sample");
    }
    let committed = std::fs::read(&sample).expect("sample_logs/System.evtx");
    assert!(
        committed == bytes,
        "sample_logs/System.evtx is not what the writer makes of windows_system_story(): \
         rerun with LOGSENTRY_BLESS=1"
    );
    let output = ls_parse(&["evtx", sample.to_str().expect("path")], b"");
    assert!(output.status.success(), "{}", stderr(&output));
    let event: Value = serde_json::from_slice(&output.stdout).expect("one event");
    assert_eq!(field(&event, "event.action"), "service-installed");
    assert_eq!(field(&event, "event.dataset"), "windows.system");
    assert_eq!(field(&event, "user.name"), "LocalSystem");
    let detected = ls_detect(&["-q"], &output.stdout);
    let alert: Value = serde_json::from_slice(&detected.stdout).expect("one alert");
    assert_eq!(field(&alert, "rule.id"), "service-installed");
    assert_eq!(field(&alert, "threat.technique.id"), "T1543.003");
    assert_eq!(
        field(&alert, "message"),
        "Service WinDefendUpdate installed on DC01.corp.example: C:\\Windows\\Temp\\wdupd.exe, running as LocalSystem"
    );
}

#[test]
fn special_logons_outside_work_hours_are_people_not_the_system() {
    const SATURDAY_2AM: i64 = 1_773_453_600; // 2026-03-14T02:00:00Z
    const TUESDAY_10AM: i64 = 1_773_741_600; // 2026-03-17T10:00:00Z
    let special = |at: i64, user: &str| {
        WinEvent::security(
            4672,
            at,
            "DC01.corp.example",
            &[
                ("SubjectUserSid", "S-1-5-21-1-2-3-1104"),
                ("SubjectUserName", user),
                ("SubjectDomainName", "CORP"),
                ("SubjectLogonId", "0x1"),
                ("PrivilegeList", "SeDebugPrivilege"),
            ],
        )
    };
    let events = [
        special(SATURDAY_2AM, "SYSTEM"),
        special(SATURDAY_2AM + 1, "DC01$"),
        special(TUESDAY_10AM, "alice"),
        special(TUESDAY_10AM + 13 * 3600, "bob"),
        special(TUESDAY_10AM + 13 * 3600 + 60, "svc-ops"),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("Security.evtx");
    std::fs::write(&path, write(&events)).expect("write");
    let parsed = ls_parse(&["evtx", path.to_str().expect("path")], b"");
    assert!(parsed.status.success(), "{}", stderr(&parsed));
    let detected = ls_detect(&["-q", "--tz", "UTC", "--allow-user", "svc-ops"], &parsed.stdout);
    let alerts: Vec<Value> = String::from_utf8_lossy(&detected.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("json"))
        .collect();
    let fired: Vec<(&str, &str)> = alerts
        .iter()
        .filter_map(|a| Some((field(a, "rule.id").as_str()?, field(a, "user.name").as_str()?)))
        .collect();
    assert_eq!(fired, [("special-logon-off-hours", "bob")]);
    assert_eq!(
        field(&alerts[0], "message"),
        "bob given administrator privileges on DC01.corp.example on Tuesday at 23:00 UTC, outside work hours (08:00–18:00)"
    );
    assert_eq!(field(&alerts[0], "threat.technique.id"), "T1078.002");
}

#[test]
fn off_hours_logins_on_windows_are_people_not_services_or_machines() {
    const TUESDAY_11PM: i64 = 1_773_788_400; // 2026-03-17T23:00:00Z
    let logon = |at: i64, user: &str, logon_type: &str| {
        WinEvent::security(
            4624,
            at,
            "DC01.corp.example",
            &[
                ("TargetUserName", user),
                ("TargetDomainName", "CORP"),
                ("LogonType", logon_type),
                ("IpAddress", "10.0.0.9"),
                ("IpPort", "50000"),
            ],
        )
    };
    let events = [
        logon(TUESDAY_11PM, "SYSTEM", "5"),
        logon(TUESDAY_11PM + 1, "svc-sql", "5"),
        logon(TUESDAY_11PM + 2, "backup-job", "4"),
        logon(TUESDAY_11PM + 3, "DC01$", "3"),
        logon(TUESDAY_11PM + 4, "ANONYMOUS LOGON", "3"),
        logon(TUESDAY_11PM + 5, "carol", "10"),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("Security.evtx");
    std::fs::write(&path, write(&events)).expect("write");
    let parsed = ls_parse(&["evtx", path.to_str().expect("path")], b"");
    assert!(parsed.status.success(), "{}", stderr(&parsed));
    let detected = ls_detect(&["-q", "--tz", "UTC"], &parsed.stdout);
    let fired: Vec<(String, String)> = String::from_utf8_lossy(&detected.stdout)
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("json"))
        .map(|alert| {
            (
                field(&alert, "rule.id").as_str().unwrap_or_default().to_owned(),
                field(&alert, "user.name").as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(fired, [("off-hours-login".to_owned(), "carol".to_owned())]);
}
