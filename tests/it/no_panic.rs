//! No byte sequence panics a parser: property tests over arbitrary bytes and over mutations
//! of real log lines, through the same text decoding the binary uses.

use logsentry::ingest::to_text;
use logsentry::parse::{Clock, ClockConfig, Format, LineCtx, LINE_FORMATS};
use logsentry::schema::EventWriter;
use proptest::prelude::*;

const SEEDS: &[&str] = &[
    "Mar 29 02:14:33 web-1 sshd[123]: Failed password for invalid user oracle from ::ffff:203.0.113.9 port 40022 ssh2",
    "2026-03-14T01:00:00.123+00:00 h sshd[1]: message repeated 3 times: [ Accepted publickey for a from 1.2.3.4 port 2 ssh2: RSA x]",
    "<38>1 2019-07-08T17:40:16.954167-04:00 host sshd 57915 - - Failed unknown for invalid user r from 192.0.2.1 port 59197 ssh2",
    r#"{"__REALTIME_TIMESTAMP":"1711678473123456","_HOSTNAME":"b","_PID":"1","SYSLOG_IDENTIFIER":"sshd","MESSAGE":"Invalid user x from 1.2.3.4"}"#,
    r#"www.example.com:443 2001:db8::1 - alice [10/Oct/2000:13:55:36 -0700] "GET /a\"b HTTP/1.0" 404 - "-" "curl \"x\"""#,
    "Mar  7 18:53:22 bar sshd[1558]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser=root rhost=192.0.2.114 user=x",
    "Jul 10 23:57:29 h dropbear[825]: [825] Jul 10 23:57:29 Exit before auth from <192.0.2.3:52289>: Max auth tries reached",
    "Mar 15 03:12:01 h sudo:   alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/sh",
    "Nov 24 23:46:39 host sshd[32686]: SSH: Server;Ltype: Version;Remote: 127.0.0.1-1780;Protocol: 2.0",
    "2019-01-03T08:50:04.634875Z 113 [Note] [MY-010926] [Server] Access denied for user 'root'@'192.0.2.1' (using password: NO)",
    "130324  0:04:00 [Warning] Access denied for user 'root'@'192.168.1.35' (using password: NO)",
    "Sep 16 21:30:26 catinthehat mysqld: 130916 21:30:26 [Warning] Access denied for user 'h'@'74.207.241.159' (using password: YES)",
    "2018-09-07T18:45:40.098124+08:00\t257426 Connect\tmysqlha_common@127.0.0.1 on db using TCP/IP",
    "051007 21:55:24\t     42 Query       SELECT foo FROM tbl WHERE col=12345",
    "# User@Host: root[root] @ localhost [127.0.0.1]  Id:     3",
    "# Query_time: 0.003464  Lock_time: 0.000324 Rows_sent: 1000  Rows_examined: 2000 Bytes_sent: 9",
    "# Time: 2016-07-20T18:13:25.698433Z",
    "[Thu Mar 13 19:04:13.123456 2014] [auth_basic:error] [pid 4205:tid 3075] [client [2001:db8::1]:51234] AH01617: user bob: authentication failure for \"/\": Password Mismatch",
    "2026/03/11 10:00:00 [error] 1234#0: *5 user \"bob\": password mismatch, client: 192.0.2.1, server: x, request: \"GET / HTTP/1.1\"",
    "Feb 15 16:23:00 srv httpd[22034]: [authz_core:error] [pid 22034] [remote 192.0.2.1:58585] AH01630: client denied by server configuration: /",
    "Mar 11 10:00:00 host kernel: [ 4.2] [sshd]: Digest: user `u' in realm `r' not found",
    "Jun 19 04:09:11 combo syslogd 1.4.1: restart.",
];

fn parse_all_formats(bytes: &[u8]) {
    let mut scratch = String::new();
    let (text, invalid_utf8) = to_text(bytes, &mut scratch);
    let reference = chrono::Utc::now();
    // Every line format, sniffing and of each of its kinds, and auto.
    let formats = LINE_FORMATS
        .iter()
        .flat_map(|format| {
            std::iter::once(Format::Lines(format, None))
                .chain(format.kinds.iter().map(|(kind, _)| Format::Lines(format, Some(*kind))))
        })
        .chain([Format::Auto]);
    for format in formats {
        let mut parser = format
            .line_parser(Clock::new(&ClockConfig::default(), reference))
            .expect("a line format");
        let ctx = LineCtx {
            path: Some("fuzz.log"),
            line_no: 1,
            keep_original: true,
            invalid_utf8,
        };
        let mut count = 0u32;
        let mut writer = EventWriter::default();
        let mut check = |event: &logsentry::schema::Event<'_>| {
            count += 1;
            let mut out = Vec::new();
            writer.write(event, &mut out);
            serde_json::from_slice::<serde_json::Value>(&out).expect("every event is valid JSON");
        };
        // `auto` passes a line by a format that does not sniff it: that must never lose one
        // the format reads.
        let sniffed = parser.sniff(text);
        let first = parser.parse(text, &ctx, &mut check);
        assert!(
            sniffed || first.is_err(),
            "{format:?} reads a line it does not sniff: {text:?}"
        );
        // Twice, as a record and as its continuation, then the held record is flushed.
        let _ = parser.parse(text, &ctx, &mut check);
        parser.flush(&ctx, &mut check);
        assert!(count <= 100_000);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        parse_all_formats(&bytes);
    }

    #[test]
    fn mutated_real_lines_never_panic(seed in 0..SEEDS.len(), cut in 0usize..300, splice in proptest::collection::vec(any::<u8>(), 0..12), at in 0usize..300) {
        let mut bytes = SEEDS[seed].as_bytes().to_vec();
        let at = at.min(bytes.len());
        bytes.splice(at..at, splice);
        bytes.truncate(cut.max(1).min(bytes.len()));
        parse_all_formats(&bytes);
    }

    #[test]
    fn arbitrary_text_after_a_valid_header_never_panics(message in "\\PC{0,200}") {
        parse_all_formats(format!("Mar 29 02:14:33 web-1 sshd[123]: {message}").as_bytes());
        parse_all_formats(format!("1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"{message}").as_bytes());
    }
}

/// Feeds records to one detection engine, checking every output line is valid JSON.
fn detect_all(records: &[String]) {
    use logsentry::detect::{DetectConfig, Engine};
    let mut engine = Engine::new(&DetectConfig::default(), Box::new(|_: &str| true));
    for record in records {
        let mut out = Vec::new();
        let _ = engine.process(record, &mut out);
        for line in out.split(|&b| b == b'\n').filter(|line| !line.is_empty()) {
            serde_json::from_slice::<serde_json::Value>(line).expect("every output line is valid JSON");
        }
    }
}

/// An ls-parse-shaped event with fuzzed values.
fn event_record(seconds: i64, ip: &str, user: &str, class: &str, pid: Option<u32>) -> String {
    let stamp = chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.to_rfc3339())
        .unwrap_or_default();
    let mut value = serde_json::json!({
        "@timestamp": stamp,
        "event": {"kind": "event", "module": "ssh", "action": "ssh-login"},
        "source": {"ip": ip},
        "user": {"name": user},
        "logsentry": {"line": 1, "event_type": class},
    });
    if let Some(pid) = pid {
        value["process"] = serde_json::json!({"pid": pid});
    }
    value.to_string()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_records_never_panic_the_detector(lines in proptest::collection::vec("\\PC{0,120}", 0..20)) {
        detect_all(&lines);
    }

    #[test]
    fn arbitrary_event_streams_never_panic_the_detector(
        events in proptest::collection::vec(
            (-100_000i64..4_000_000_000, 0usize..4, "[a-z\\\\\"\u{7f}-\u{10ffff}]{0,6}", 0usize..4, proptest::option::of(0u32..5)),
            0..200,
        )
    ) {
        const IPS: [&str; 4] = ["192.0.2.1", "2001:db8::1", "::ffff:10.0.0.1", "not-an-ip"];
        const CLASSES: [&str; 4] = ["failed", "invalid_user", "success", "other"];
        let records: Vec<String> = events
            .iter()
            .map(|(seconds, ip, user, class, pid)| event_record(*seconds, IPS[*ip], user, CLASSES[*class], *pid))
            .collect();
        detect_all(&records);
    }
}

const EVTX_SEED: &str = r##"{"Event":{"#attributes":{"xmlns":"x"},"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Security-Auditing"}},"EventID":{"#attributes":{"Qualifiers":0},"#text":4625},"TimeCreated":{"#attributes":{"SystemTime":"2021-05-21T20:43:22.5628712Z"}},"Channel":"Security","Computer":"fs01"},"EventData":{"TargetUserName":"a\\b","Status":"0xc000006d","SubStatus":"0xc0000064","LogonType":3,"IpAddress":"::ffff:10.0.0.1","IpPort":"99999","MemberName":"CN=x,DC=y"}}}"##;

/// Maps one decoded-record text: no panic, and nothing written for a rejected record. The
/// mapping trusts the decoder to write JSON and copies `EventData` as it is, so arbitrary
/// text may come out as arbitrary text; the corpus tests check that every record of real
/// files comes out as valid JSON.
fn map_evtx(json: &str) {
    use logsentry::parse::evtx::{map_record, RecordCtx, RecordText};
    let record = RecordText {
        json,
        record_id: 7,
        fallback_time: logsentry::time::Timestamp::from_unix(0, 0),
    };
    let ctx = RecordCtx {
        path: None,
        keep_original: true,
    };
    let mut out = Vec::new();
    if map_record(record, ctx, &mut EventWriter::default(), &mut out).is_err() {
        assert!(out.is_empty(), "a rejected record writes nothing");
    } else if serde_json::from_str::<serde_json::Value>(json).is_ok() {
        serde_json::from_slice::<serde_json::Value>(&out).expect("valid JSON in, valid JSON out");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn mutated_evtx_records_never_panic(cut in 0usize..700, splice in "\\PC{0,8}", at in 0usize..700) {
        let mut text = EVTX_SEED.to_owned();
        let at = (0..=at.min(text.len())).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        text.insert_str(at, &splice);
        let cut = (0..=cut.min(text.len())).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        text.truncate(cut);
        map_evtx(&text);
    }

    #[test]
    fn arbitrary_evtx_record_text_never_panics(text in "[{}\\[\\]\":,a-zA-Z0-9#\\\\ ]{0,200}") {
        map_evtx(&text);
        map_evtx(&format!("{{\"Event\":{{\"System\":{{\"EventID\":4624}},\"EventData\":{text}}}}}"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn any_statement_is_read_without_panic(text in "\\PC{0,120}", sql in "[ '\"`\\\\#/*!;()=<>a-zA-Z0-9\\n-]{0,120}") {
        let _ = logsentry::detect::injection_sign(&text);
        let _ = logsentry::detect::injection_sign(&sql);
        let _ = logsentry::detect::injection_sign(&format!("SELECT * FROM t WHERE id = '{sql}' LIMIT 1"));
    }
}

/// Feeds records to one correlator in each grouping, checking every output line is JSON.
fn correlate_all(records: &[String], final_only: bool) {
    use logsentry::correlate::{CorrelateConfig, Correlator, GroupBy};
    for by in [GroupBy::SourceIp, GroupBy::User, GroupBy::Host] {
        let mut correlator = Correlator::new(CorrelateConfig {
            by,
            window_seconds: 3600,
            final_only,
            ..CorrelateConfig::default()
        });
        let mut out = Vec::new();
        for record in records {
            let _ = correlator.process(record, &mut out);
        }
        correlator.finish(&mut out);
        for line in out.split(|&b| b == b'\n').filter(|line| !line.is_empty()) {
            serde_json::from_slice::<serde_json::Value>(line).expect("every output line is valid JSON");
        }
    }
}

/// An alert with fuzzed values, some of ECS's other shapes among them (arrays, numbers).
fn alert_record(seconds: i64, who: &str, rule: usize, severity: usize, risk: f64, many: bool) -> String {
    const SEVERITIES: [&str; 5] = ["LOW", "MEDIUM", "HIGH", "CRITICAL", "bogus"];
    let stamp = chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.to_rfc3339())
        .unwrap_or_default();
    let tactic = if many {
        serde_json::json!(["Impact", who])
    } else {
        serde_json::json!(who)
    };
    serde_json::json!({
        "@timestamp": stamp,
        "message": who,
        "event": {"kind": "alert", "module": who, "risk_score": risk, "severity": risk},
        "rule": {"id": format!("r{rule}")},
        "threat": {"tactic": {"name": tactic}, "technique": {"id": who}},
        "source": {"ip": who},
        "user": {"name": who},
        "host": {"hostname": who},
        "logsentry": {"severity": SEVERITIES[severity], "modules": [who], "usernames": [who]},
    })
    .to_string()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_records_never_panic_the_correlator(lines in proptest::collection::vec("\\PC{0,160}", 0..20)) {
        correlate_all(&lines, false);
        correlate_all(&lines, true);
    }

    #[test]
    fn arbitrary_alert_streams_never_panic_the_correlator(
        alerts in proptest::collection::vec(
            (-100_000i64..4_000_000_000, "[a-zA-Z0-9.:\\\\\"\u{7f}-\u{10ffff}]{0,6}", 0usize..6, 0usize..5, -1e9f64..1e9, any::<bool>()),
            0..200,
        )
    ) {
        let records: Vec<String> = alerts
            .iter()
            .map(|(seconds, who, rule, severity, risk, many)| alert_record(*seconds, who, *rule, *severity, *risk, *many))
            .collect();
        correlate_all(&records, false);
        correlate_all(&records, true);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_records_never_panic_enrichment_and_every_line_comes_out(
        lines in proptest::collection::vec("\\PC{0,40}(technique)?\\PC{0,40}", 0..10),
        ids in proptest::collection::vec("(T[0-9]{4}(\\.[0-9]{3})?|\\PC{0,6})", 0..4),
        as_array in any::<bool>(),
    ) {
        use logsentry::attack::AttackTable;
        use logsentry::enrich::Enricher;
        let mut enricher = Enricher::new(AttackTable::embedded());
        let id = if as_array { serde_json::json!(ids) } else { serde_json::json!(ids.first()) };
        let mut records = lines.clone();
        records.push(serde_json::json!({"threat": {"technique": {"id": id}, "tactic": {"name": ids.clone()}}}).to_string());
        records.push(serde_json::json!({"threat": {"technique": {"id": id}, "tactic": 7}, "logsentry": []}).to_string());
        let mut out = Vec::new();
        for record in &records {
            enricher.process(record, &mut out);
        }
        prop_assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), records.len());
    }
}

/// Builds a report of `records` in every format with a renderer.
fn report_all(records: &[String]) {
    use logsentry::attack::AttackTable;
    use logsentry::report::{Collector, Format, Renderer};
    let mut collector = Collector::new(AttackTable::embedded());
    for record in records {
        let _ = collector.add(record);
    }
    let data = collector.finish("t", "now".to_owned());
    for format in [Format::Html, Format::Markdown] {
        let page = Renderer::builtin(format).expect("template").render(&data);
        assert!(page.is_ok(), "{format:?}: {page:?}");
    }
    assert!(serde_json::to_string(&data).is_ok());
}

/// Odd values where the report reads strings, numbers and arrays.
fn odd_value(choice: usize, text: &str) -> serde_json::Value {
    match choice % 6 {
        0 => serde_json::json!(text),
        1 => serde_json::json!([text, 3]),
        2 => serde_json::json!(-1e300),
        3 => serde_json::json!({"x": text}),
        4 => serde_json::Value::Null,
        _ => serde_json::json!(u64::MAX),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_records_never_panic_the_report(
        lines in proptest::collection::vec("\\PC{0,80}", 0..6),
        texts in proptest::collection::vec("\\PC{0,12}", 8),
        choices in proptest::collection::vec(0usize..6, 8),
        seconds in proptest::collection::vec(-100_000_000_000i64..100_000_000_000, 3),
    ) {
        let odd = |index: usize| odd_value(choices[index], &texts[index]);
        let time = |index: usize| chrono::DateTime::from_timestamp(seconds[index] / 1000, 0)
            .map(|time| time.to_rfc3339())
            .unwrap_or_default();
        let mut records = lines.clone();
        records.push(serde_json::json!({
            "@timestamp": time(0), "message": odd(0), "event": {"kind": "alert", "module": odd(1), "severity": odd(2), "risk_score": odd(3)},
            "rule": {"id": odd(4)}, "threat": {"technique": {"id": odd(5), "reference": odd(6)}, "tactic": {"name": odd(7)}},
            "source": {"ip": texts[0], "geo": {"country_name": odd(1)}, "as": {"number": odd(2)}},
            "logsentry": {"severity": odd(3), "abuseipdb": {"abuse_confidence_score": odd(4), "total_reports": odd(5)}}
        }).to_string());
        records.push(serde_json::json!({
            "@timestamp": time(1), "event": {"kind": "incident", "risk_score": odd(0)}, "message": odd(1),
            "logsentry": {"count": odd(2), "first_seen": time(2), "incident": {"id": texts[1], "revision": odd(3), "modules": odd(4),
                "timeline": [{"@timestamp": odd(5), "severity": odd(6), "technique": odd(7), "risk_score": odd(0)}], "timeline_omitted": odd(1)}}
        }).to_string());
        records.push(serde_json::json!({"event": {"kind": odd(0), "module": odd(1)}}).to_string());
        report_all(&records);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn damaged_geoip_databases_never_panic(at in 0usize..400, splice in proptest::collection::vec(any::<u8>(), 1..6), address in any::<u32>()) {
        use crate::mmdb_writer_support::{ipv4_database, Data};
        let mut bytes = ipv4_database(
            "GeoLite2-City",
            &[(std::net::Ipv4Addr::new(8, 8, 8, 0), 24, Data::Map(vec![("country", Data::Map(vec![("iso_code", Data::Text("US"))]))]))],
        );
        let at = at % bytes.len();
        let end = (at + splice.len()).min(bytes.len());
        bytes.splice(at..end, splice);
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("damaged.mmdb");
        std::fs::write(&path, &bytes).expect("write");
        if let Ok(mut geoip) = logsentry::enrich::geoip::GeoIp::open(Some(&path), Some(&path)) {
            for ip in [std::net::Ipv4Addr::from(address), std::net::Ipv4Addr::new(8, 8, 8, 8)] {
                let mut record = serde_json::json!({"source": {"ip": ip.to_string()}});
                if let Some(record) = record.as_object_mut() {
                    geoip.add(record);
                }
            }
        }
    }
}
