//! ls-parse mysql over the shared corpus's real MySQL and MariaDB logs: fail2ban's labelled
//! `Access denied` lines, CrowdSec's parser and scenario tests, and percona-toolkit's error,
//! general and slow logs. Expected values come from the labels or, for the percona logs,
//! from counting independently (`grep -c '^# Query_time'` per slow log).

use crate::common::*;
use serde::Deserialize;
use std::path::Path;

fn parse(args: &[&str], input: &[u8]) -> (Vec<Event>, (u64, u64, u64, u64)) {
    let output = ls_parse(args, input);
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    (events(&output), summary(&output))
}

fn parse_path(args: &[&str], path: &Path) -> (Vec<Event>, (u64, u64, u64, u64)) {
    let mut all = args.to_vec();
    all.push(path.to_str().expect("utf-8 path"));
    parse(&all, b"")
}

fn refused_login(event: &Event) -> bool {
    event.event.action == "mysql-login"
        && event.event.outcome == "failure"
        && event.logsentry.event_type.as_deref() == Some("failed")
}

#[derive(Deserialize)]
struct Fail2banLabel {
    line: String,
    label: serde_json::Value,
}

#[test]
#[cfg_attr(not(logsentry_corpus), ignore = "needs LOGSENTRY_CORPUS=../shared/corpus")]
fn fail2ban_mysqld_auth_every_labelled_line() {
    let corpus = corpus();
    let labels: Vec<Fail2banLabel> = std::fs::read_to_string(corpus.join("fail2ban/mysql/mysqld-auth.labels.jsonl"))
        .expect("labels")
        .lines()
        .map(|line| serde_json::from_str(line).expect("label"))
        .collect();
    assert_eq!(labels.len(), 14);
    let input: String = labels.iter().map(|label| format!("{}\n", label.line)).collect();
    for format in ["mysql", "auto"] {
        let (events, (lines, produced, _, rejected)) = parse(&[format, "--tz", "UTC"], input.as_bytes());
        assert_eq!((lines, produced, rejected), (14, 14, 0), "{format}");
        for (label, event) in labels.iter().zip(&events) {
            let wanted = label.label["match"].as_bool().expect("match");
            assert_eq!(refused_login(event), wanted, "{format}: {}", label.line);
            if !wanted {
                continue;
            }
            assert_eq!(event.source.any(), label.label["host"].as_str(), "{}", label.line);
            if let Some(user) = label.label["user"].as_str() {
                assert_eq!(event.user.name.as_deref(), Some(user));
            }
            // fail2ban dates the syslog-wrapped lines by the syslog header's year; the
            // server's own timestamp inside is what is read here.
            // fail2ban shows times with an offset in its own zone; only naive ones compare.
            let naive =
                !label.line.contains("mysqld:") && !label.line.split(' ').next().unwrap_or_default().ends_with('Z');
            if let (Some(time), true) = (label.label["time"].as_str(), naive) {
                assert!(event.timestamp.starts_with(time), "{} vs {time}", event.timestamp);
            }
        }
    }
}

#[derive(Deserialize)]
struct CrowdsecLabels {
    parser: Option<std::collections::BTreeMap<String, Vec<CrowdsecParsed>>>,
}

#[derive(Deserialize)]
struct CrowdsecParsed {
    index: usize,
    success: bool,
    #[serde(default)]
    meta: serde_json::Value,
}

#[test]
#[cfg_attr(not(logsentry_corpus), ignore = "needs LOGSENTRY_CORPUS=../shared/corpus")]
fn crowdsec_mysql_and_mariadb_failed_auth() {
    let corpus = corpus();
    let mut checked = 0;
    for test in ["mysql-logs", "mariadb-logs"] {
        let dir = corpus.join("crowdsec-hub/mysql").join(test);
        let labels: CrowdsecLabels =
            serde_json::from_str(&std::fs::read_to_string(dir.join("labels.json")).expect("labels")).expect("json");
        let (events, (_, _, _, rejected)) = parse_path(&["mysql", "--tz", "UTC"], &dir.join(format!("{test}.log")));
        assert_eq!(rejected, 0, "{test}");
        let stages = labels.parser.expect("parser results");
        // The parsing stage; later stages repeat its results.
        let parsing = stages
            .into_iter()
            .filter(|(stage, _)| stage.starts_with("s01-parse"))
            .flat_map(|(_, results)| results);
        for parsed in parsing {
            let failed_auth = parsed.meta["log_type"]
                .as_str()
                .is_some_and(|log_type| log_type.ends_with("_failed_auth"));
            if !parsed.success || !failed_auth {
                continue;
            }
            let event = &events[parsed.index];
            assert!(refused_login(event), "{test} #{}: {event:?}", parsed.index);
            assert_eq!(event.source.ip.as_deref(), parsed.meta["source_ip"].as_str());
            assert_eq!(event.user.name.as_deref(), parsed.meta["user"].as_str());
            checked += 1;
        }
    }
    // 4 MySQL lines (one a general-log Connect) and 6 MariaDB lines.
    assert_eq!(checked, 10);
}

#[test]
#[cfg_attr(not(logsentry_corpus), ignore = "needs LOGSENTRY_CORPUS=../shared/corpus")]
fn crowdsec_mysql_bf_scenario_alerts_on_the_guesser() {
    let corpus = corpus();
    let parsed = ls_parse(
        &[
            "mysql",
            corpus
                .join("crowdsec-hub/mysql/mysql-bf/mysql-bf.log")
                .to_str()
                .expect("path"),
        ],
        b"",
    );
    assert!(parsed.status.success());
    let events = events(&parsed);
    assert_eq!(events.len(), 7);
    assert!(events
        .iter()
        .all(|event| event.host.hostname.as_deref() == Some("ip-172-31-36-243.ap-northeast-2.compute.internal")));
    let detected = ls_detect(&[], &parsed.stdout);
    let alerts: Vec<serde_json::Value> = String::from_utf8_lossy(&detected.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("alert"))
        .collect();
    let brute_force: Vec<_> = alerts
        .iter()
        .filter(|alert| alert["rule"]["id"] == "brute-force")
        .collect();
    assert_eq!(brute_force.len(), 1, "{alerts:?}");
    assert_eq!(brute_force[0]["source"]["ip"], "27.155.87.54");
    assert!(brute_force[0]["message"].as_str().is_some_and(|m| m.contains("MySQL")));
}

#[test]
#[cfg_attr(not(logsentry_corpus), ignore = "needs LOGSENTRY_CORPUS=../shared/corpus")]
fn percona_slow_logs_one_event_per_block() {
    let corpus = corpus();
    let dir = corpus.join("percona-toolkit/slowlogs");
    let mut blocks_total = 0;
    for path in sorted_entries(&dir) {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        // pt-query-digest session dumps and a file that holds only a header are not slow logs.
        if name.starts_with("slow006-session") || name == "slow015.txt" {
            continue;
        }
        let text = if name.ends_with(".gz") {
            let mut decoded = String::new();
            use std::io::Read;
            flate2::read::GzDecoder::new(std::fs::File::open(&path).expect("open"))
                .read_to_string(&mut decoded)
                .expect("gunzip");
            decoded
        } else {
            String::from_utf8_lossy(&std::fs::read(&path).expect("read")).into_owned()
        };
        let blocks = text.lines().filter(|line| line.starts_with("# Query_time")).count();
        // slow041.txt begins with the last line of a block cut off before the file starts.
        let fragments = u64::from(name == "slow041.txt");
        let (events, (_, _, _, rejected)) = parse_path(&["mysql", "--kind", "slow", "--tz", "UTC"], &path);
        assert_eq!((events.len(), rejected), (blocks, fragments), "{name}");
        assert!(
            events.iter().all(|event| event.event.action == "mysql-slow-query"),
            "{name}"
        );
        blocks_total += blocks;
    }
    assert!(blocks_total > 2500, "{blocks_total}");
    // slow002.txt, checked by hand: the second block.
    let (events, _) = parse_path(&["mysql", "--tz", "UTC"], &dir.join("slow002.txt"));
    let second = &events[1];
    assert_eq!(second.user.name.as_deref(), Some("SQL_SLAVE"));
    assert_eq!(second.mysql.database.as_deref(), Some("db1"));
    assert!(second
        .mysql
        .query
        .as_deref()
        .is_some_and(|q| q.starts_with("update db2.tuningdetail_21_265507 n\n")));
    let slow = second.mysql.slowlog.as_ref().expect("slowlog");
    assert_eq!(slow.query_time.as_ref().map(|t| t.sec), Some(0.726052));
    assert_eq!(slow.rows_examined, Some(62951));
    assert_eq!(second.event.duration, Some(726_052_000));
    // `SET timestamp=1197996507;` (2007-12-18T16:48:27Z) is when the statement ran.
    assert_eq!(second.timestamp, "2007-12-18T16:48:27Z");
}

#[test]
#[cfg_attr(not(logsentry_corpus), ignore = "needs LOGSENTRY_CORPUS=../shared/corpus")]
fn percona_general_logs_join_statements_and_know_who_sent_them() {
    let corpus = corpus();
    let dir = corpus.join("percona-toolkit/genlogs");
    let (events, (lines, produced, skipped, rejected)) =
        parse_path(&["mysql", "--tz", "UTC"], &dir.join("genlog001.txt"));
    assert_eq!((lines, produced, skipped, rejected), (10, 7, 0, 0));
    let query = &events[1];
    assert_eq!(query.event.action, "mysql-query");
    assert_eq!(
        query.mysql.query.as_deref(),
        Some("SELECT foo \n                         FROM tbl\n                         WHERE col=12345\n                         ORDER BY col")
    );
    assert_eq!(
        (query.user.name.as_deref(), query.source.domain.as_deref()),
        (Some("root"), Some("localhost"))
    );
    assert_eq!(query.mysql.database.as_deref(), Some("db1"));
    // Rows without a time of their own have the previous row's.
    assert_eq!(query.timestamp, "2005-10-07T21:55:24Z");
    assert_eq!(query.logsentry.line, 2);
    // A refused Connect in the general log is a refused login too.
    let (events, _) = parse_path(&["mysql", "--tz", "UTC"], &dir.join("genlog004.txt"));
    assert!(refused_login(&events[0]));
    assert_eq!(events[0].user.name.as_deref(), Some("nobody"));
    assert_eq!(events[3].source.ip.as_deref(), Some("1.2.3.4"));
    assert_eq!(events[3].mysql.database.as_deref(), Some("sar"));
    // 5.7: tab-separated rows with offsets; the banner is skipped.
    let (events, (_, _, skipped, _)) =
        parse_path(&["mysql", "--tz", "UTC"], &dir.join("pt-1573-general-log-system.log"));
    assert_eq!(skipped, 3);
    assert_eq!(events[1].timestamp, "2018-09-07T18:45:40.098511+08:00");
    assert_eq!(events[1].mysql.query.as_deref(), Some("set autocommit=0"));
    assert_eq!(events[1].user.name.as_deref(), Some("mysqlha_common"));
    for path in sorted_entries(&dir) {
        let (_, (_, _, _, rejected)) = parse_path(&["mysql"], &path);
        assert_eq!(rejected, 0, "{}", path.display());
    }
}

#[test]
#[cfg_attr(not(logsentry_corpus), ignore = "needs LOGSENTRY_CORPUS=../shared/corpus")]
fn percona_error_logs_start_stop_and_crash() {
    let corpus = corpus();
    let dir = corpus.join("percona-toolkit/errlogs");
    for path in sorted_entries(&dir) {
        let (_, (_, _, _, rejected)) = parse_path(&["mysql", "--kind", "error"], &path);
        assert_eq!(rejected, 0, "{}", path.display());
    }
    // grep -c 'mysqld started' errlog001.txt → 5; grep -cE 'Shutdown complete|mysqld ended|
    // Normal shutdown' → 5; grep -c 'ready for connections' → 3.
    let (events, _) = parse_path(&["mysql", "--tz", "UTC"], &dir.join("errlog001.txt"));
    let count = |action: &str| events.iter().filter(|event| event.event.action == action).count();
    assert_eq!(count("mysql-server-starting"), 5);
    assert_eq!(count("mysql-server-stopped"), 5);
    assert_eq!(count("mysql-server-ready"), 3);
    let errors: Vec<_> = events
        .iter()
        .filter(|event| event.log.level.as_deref() == Some("ERROR"))
        .collect();
    assert!(!errors.is_empty());
    // errlog008.txt: an InnoDB assertion failure and its report, one record.
    let (events, _) = parse_path(&["mysql", "--tz", "UTC"], &dir.join("errlog008.txt"));
    let crash = events
        .iter()
        .find(|event| event.event.action == "mysql-server-crashed")
        .expect("the crash");
    let message = crash.message.as_deref().unwrap_or_default();
    assert!(
        message.starts_with("InnoDB: Assertion failure in thread 1525901664"),
        "{message}"
    );
    assert!(message.contains("\nInnoDB: We intentionally generate a memory trap."));
}
