//! ls-enrich --abuseipdb against a real HTTP server on loopback that answers as AbuseIPDB
//! does: success, a refused key (401), a rate limit with Retry-After (429), a server error
//! (500), an answer past the timeout and malformed JSON. The cache saves a second request,
//! the quota stops requests, the order of records is kept, and every record comes out.

use crate::common::*;
use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const KEY: &str = "test-key-0123456789abcdef";

/// What the fake AbuseIPDB saw.
#[derive(Default)]
struct Seen {
    requests: Mutex<HashMap<String, usize>>,
    keys: Mutex<Vec<String>>,
    under_way: AtomicUsize,
    most_at_once: AtomicUsize,
    /// Where 11.0.0.3 is redirected to.
    redirect_to: Mutex<String>,
}

impl Seen {
    fn count(&self, address: &str) -> usize {
        self.requests.lock().expect("lock").get(address).copied().unwrap_or(0)
    }

    fn total(&self) -> usize {
        self.requests.lock().expect("lock").values().sum()
    }
}

/// Starts the fake AbuseIPDB; its URL and what it saw.
fn fake_abuseipdb() -> (String, Arc<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/api/v2/check", listener.local_addr().expect("address"));
    let seen = Arc::new(Seen::default());
    let server_seen = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let seen = server_seen.clone();
            std::thread::spawn(move || answer(stream, &seen));
        }
    });
    (url, seen)
}

fn answer(mut stream: std::net::TcpStream, seen: &Seen) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut key = String::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("key") {
                key = value.trim().to_owned();
            }
        }
    }
    let query = request_line.split_whitespace().nth(1).unwrap_or_default();
    let address = query
        .split(['?', '&'])
        .find_map(|pair| pair.strip_prefix("ipAddress="))
        .unwrap_or_default()
        .to_owned();
    let count = {
        let mut requests = seen.requests.lock().expect("lock");
        let count = requests.entry(address.clone()).or_default();
        *count += 1;
        *count
    };
    seen.keys.lock().expect("lock").push(key.clone());
    let now = seen.under_way.fetch_add(1, Ordering::SeqCst) + 1;
    seen.most_at_once.fetch_max(now, Ordering::SeqCst);
    let ok = |score: u32| {
        format!(
            r#"{{"data":{{"ipAddress":"{address}","isPublic":true,"abuseConfidenceScore":{score},"countryCode":"NL","usageType":"Data Center/Web Hosting/Transit","isp":"Example Hosting","domain":"example.net","totalReports":{score},"lastReportedAt":"2026-11-20T10:00:00+00:00"}}}}"#
        )
    };
    match address.as_str() {
        // Announces 10 GiB, then sends until the client hangs up.
        "11.0.0.1" => return flood(&mut stream, Some(10 << 30)),
        // Announces nothing and never ends.
        "11.0.0.2" => return flood(&mut stream, None),
        _ => {}
    }
    let redirect = format!(
        "Location: {}?ipAddress=11.0.0.3\r\n",
        seen.redirect_to.lock().expect("lock")
    );
    let http_date_wait = format!(
        "Retry-After: {}\r\n",
        (chrono::Utc::now() + chrono::Duration::seconds(1)).format("%a, %d %b %Y %H:%M:%S GMT")
    );
    let (status, extra, body) = if key != KEY {
        (
            "401 Unauthorized",
            "",
            r#"{"errors":[{"detail":"Authentication failed"}]}"#.to_owned(),
        )
    } else {
        match address.as_str() {
            "9.9.9.9" => {
                std::thread::sleep(Duration::from_secs(3));
                ("200 OK", "", ok(10))
            }
            "4.4.4.4" => ("500 Internal Server Error", "", "oops".to_owned()),
            "5.5.5.5" => ("200 OK", "", "{\"data\": [broken".to_owned()),
            "6.6.6.6" if count == 1 => ("429 Too Many Requests", "Retry-After: 1\r\n", "{}".to_owned()),
            "11.0.0.4" if count == 1 => ("429 Too Many Requests", http_date_wait.as_str(), "{}".to_owned()),
            "11.0.0.3" => ("302 Found", redirect.as_str(), String::new()),
            "7.7.7.7" => ("429 Too Many Requests", "Retry-After: 86400\r\n", "{}".to_owned()),
            "1.1.1.1" => ("200 OK", "", ok(0)),
            address if address.starts_with("2.2.2.") => {
                std::thread::sleep(Duration::from_millis(300));
                ("200 OK", "", ok(50))
            }
            _ => ("200 OK", "", ok(100)),
        }
    };
    seen.under_way.fetch_sub(1, Ordering::SeqCst);
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

/// A 200 answer whose body does not end: megabytes of JSON-looking filler until the client
/// hangs up.
fn flood(stream: &mut std::net::TcpStream, announced: Option<u64>) {
    let length = announced
        .map(|bytes| format!("Content-Length: {bytes}\r\n"))
        .unwrap_or_default();
    let head =
        format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{length}Connection: close\r\n\r\n{{\"data\":\"");
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    let chunk = vec![b'A'; 1 << 20];
    while stream.write_all(&chunk).is_ok() {}
}

/// A host nobody should send the key to: counts connections and keeps every `Key` header.
fn elsewhere() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/stolen", listener.local_addr().expect("address"));
    let keys = Arc::new(Mutex::new(Vec::new()));
    let server_keys = keys.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            let mut headers = vec![];
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && !line.trim().is_empty() {
                headers.push(std::mem::take(&mut line));
            }
            server_keys.lock().expect("lock").push(headers.join(""));
        }
    });
    (url, keys)
}

fn record(address: &str, n: usize) -> String {
    format!(
        r#"{{"@timestamp":"2026-03-14T01:00:{:02}Z","event":{{"kind":"event","module":"ssh"}},"source":{{"ip":"{address}"}},"n":{n}}}"#,
        n % 60
    )
}

/// Runs ls-enrich --abuseipdb with the key and a cache in `dir`.
fn enrich(url: &str, dir: &std::path::Path, key: &str, extra: &[&str], input: &str) -> Output {
    let cache = dir.join("cache.json");
    let mut child = Command::new(LS_ENRICH)
        .args(["--abuseipdb", "--abuseipdb-url", url, "--abuseipdb-timeout", "1"])
        .args(["--abuseipdb-cache", cache.to_str().expect("path")])
        .args(extra)
        .env("ABUSEIPDB_API_KEY", key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ls-enrich");
    let mut stdin = child.stdin.take().expect("stdin");
    let data = input.to_owned();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(data.as_bytes());
    });
    let output = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    output
}

fn records(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or(Value::String(line.to_owned())))
        .collect()
}

#[test]
fn reputation_is_added_in_order_and_cached_across_runs() {
    let (url, seen) = fake_abuseipdb();
    let dir = tempfile::tempdir().expect("tempdir");
    let input = [
        record("8.8.8.8", 0),
        record("10.0.0.1", 1),
        record("1.1.1.1", 2),
        record("8.8.8.8", 3),
        r#"{"event":{"kind":"event"},"n":4}"#.to_owned(),
        "not json at all".to_owned(),
        record("203.0.113.47", 6),
    ]
    .join("\n")
        + "\n";
    let output = enrich(&url, dir.path(), KEY, &[], &input);
    assert_eq!(
        output.status.code(),
        Some(1),
        "the line that is not JSON is reported: {}",
        stderr(&output)
    );
    let out = records(&output);
    assert_eq!(out.len(), 7, "every record comes out");
    let lines: Vec<&str> = input.lines().collect();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let out_lines: Vec<&str> = text.lines().collect();
    for (index, record) in out.iter().enumerate().filter(|(_, r)| r.get("n").is_some()) {
        assert_eq!(record["n"], index, "in input order");
    }
    assert_eq!(out[0]["logsentry"]["abuseipdb"]["abuse_confidence_score"], 100);
    assert_eq!(out[0]["logsentry"]["abuseipdb"]["band"], "high");
    assert_eq!(out[0]["logsentry"]["abuseipdb"]["isp"], "Example Hosting");
    assert_eq!(out[2]["logsentry"]["abuseipdb"]["band"], "low");
    assert_eq!(out[3]["logsentry"]["abuseipdb"], out[0]["logsentry"]["abuseipdb"]);
    let page = std::fs::read_to_string(repo_root().join("man/logsentry-schema.7")).expect("schema page");
    for field in out[0]["logsentry"]["abuseipdb"]
        .as_object()
        .expect("fields")
        .keys()
        .chain(["note".to_owned()].iter())
    {
        let documented = format!("\\fBlogsentry.abuseipdb.{}\\fR", field);
        assert!(
            page.contains(&documented),
            "the schema page documents logsentry.abuseipdb.{field}"
        );
    }
    for untouched in [1, 4, 5, 6] {
        assert_eq!(
            out_lines[untouched], lines[untouched],
            "private, documentation and non-JSON lines pass unchanged"
        );
    }
    assert_eq!(seen.count("8.8.8.8"), 1, "each address is asked about once");
    assert_eq!(
        seen.count("10.0.0.1") + seen.count("203.0.113.47"),
        0,
        "non-public addresses are never sent"
    );
    assert!(
        seen.keys.lock().expect("lock").iter().all(|key| key == KEY),
        "the key goes in the Key header"
    );
    assert!(!stderr(&output).contains(KEY));

    let again = enrich(&url, dir.path(), KEY, &[], &input);
    assert_eq!(
        records(&again)[0]["logsentry"]["abuseipdb"]["abuse_confidence_score"],
        100
    );
    assert_eq!(seen.total(), 2, "the second run is answered from the cache");
    assert!(
        stderr(&again).contains("0 requests, 2 cached answers"),
        "{}",
        stderr(&again)
    );

    let offline = enrich(
        &url,
        dir.path(),
        "",
        &["--offline"],
        &(record("8.8.8.8", 0) + "\n" + &record("8.8.4.4", 1) + "\n"),
    );
    assert!(offline.status.success(), "{}", stderr(&offline));
    let out = records(&offline);
    assert_eq!(
        out[0]["logsentry"]["abuseipdb"]["band"], "high",
        "the cache answers offline"
    );
    assert!(out[1]["logsentry"]["abuseipdb"]["note"]
        .as_str()
        .is_some_and(|n| n.contains("--offline")));
    assert_eq!(seen.total(), 2, "offline asks nothing");
}

#[test]
fn failures_become_notes_and_one_warning_each() {
    let (url, seen) = fake_abuseipdb();
    let dir = tempfile::tempdir().expect("tempdir");
    let addresses = ["9.9.9.9", "4.4.4.4", "5.5.5.5", "6.6.6.6", "4.4.4.4", "8.8.8.8"];
    let input: String = addresses.iter().enumerate().map(|(n, a)| record(a, n) + "\n").collect();
    let output = enrich(&url, dir.path(), KEY, &[], &input);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = records(&output);
    assert_eq!(out.len(), addresses.len());
    let note = |index: usize| {
        out[index]["logsentry"]["abuseipdb"]["note"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert!(note(0).contains("no answer in time"), "{}", note(0));
    assert!(note(1).contains("HTTP 500"), "{}", note(1));
    assert!(note(2).contains("unreadable"), "{}", note(2));
    assert_eq!(
        out[3]["logsentry"]["abuseipdb"]["abuse_confidence_score"], 100,
        "a short Retry-After is waited out"
    );
    assert_eq!(seen.count("6.6.6.6"), 2);
    assert_eq!(
        note(4),
        note(1),
        "the failure is remembered for the run, not asked again"
    );
    assert_eq!(seen.count("4.4.4.4"), 1);
    assert_eq!(out[5]["logsentry"]["abuseipdb"]["band"], "high");
    let warnings = stderr(&output);
    assert_eq!(warnings.matches("warning:").count(), 3, "one per kind: {warnings}");

    let limited = enrich(
        &url,
        dir.path(),
        KEY,
        &["--abuseipdb-workers", "1"],
        &(record("7.7.7.7", 0) + "\n" + &record("3.3.3.3", 1) + "\n"),
    );
    let out = records(&limited);
    assert!(out[0]["logsentry"]["abuseipdb"]["note"]
        .as_str()
        .is_some_and(|n| n.contains("retry after 86400 s")));
    assert!(
        stderr(&limited).contains("no more lookups this run"),
        "{}",
        stderr(&limited)
    );
    assert!(
        out[1]["logsentry"]["abuseipdb"]["note"]
            .as_str()
            .is_some_and(|n| n.starts_with("not looked up")),
        "{:?}",
        out[1]
    );
    assert_eq!(seen.count("3.3.3.3"), 0, "nothing is sent after a long rate limit");
}

#[test]
fn a_refused_key_stops_lookups_and_is_never_shown() {
    let (url, seen) = fake_abuseipdb();
    let dir = tempfile::tempdir().expect("tempdir");
    let wrong = "wrong-key-that-must-not-leak";
    let input: String = (0..20).map(|n| record(&format!("8.8.{n}.1"), n) + "\n").collect();
    let output = enrich(&url, dir.path(), wrong, &["--abuseipdb-workers", "2"], &input);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = records(&output);
    assert_eq!(out.len(), 20);
    for record in &out {
        let note = record["logsentry"]["abuseipdb"]["note"].as_str().unwrap_or_default();
        assert!(note.contains("refused the API key (HTTP 401)"), "{note}");
    }
    assert!(
        seen.total() <= 2,
        "no lookup after the refusal but those under way: {}",
        seen.total()
    );
    let everything = format!("{}{}", String::from_utf8_lossy(&output.stdout), stderr(&output));
    assert!(!everything.contains(wrong), "the key never appears");
    assert_eq!(stderr(&output).matches("warning:").count(), 1, "{}", stderr(&output));

    let missing = Command::new(LS_ENRICH)
        .arg("--abuseipdb")
        .env_remove("ABUSEIPDB_API_KEY")
        .output()
        .expect("run");
    assert_eq!(missing.status.code(), Some(2), "no key is a usage error");
}

#[test]
fn the_daily_quota_holds_across_runs_and_lookups_run_concurrently() {
    let (url, seen) = fake_abuseipdb();
    let dir = tempfile::tempdir().expect("tempdir");
    let input: String = (0..6).map(|n| record(&format!("2.2.2.{}", n + 1), n) + "\n").collect();
    let output = enrich(&url, dir.path(), KEY, &["--abuseipdb-quota", "4"], &input);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = records(&output);
    let found = out
        .iter()
        .filter(|r| r["logsentry"]["abuseipdb"]["band"] == "moderate")
        .count();
    assert_eq!(found, 4);
    assert!(out[5]["logsentry"]["abuseipdb"]["note"]
        .as_str()
        .is_some_and(|n| n.contains("quota of 4")));
    assert_eq!(seen.total(), 4, "the quota stops requests");
    assert!(
        seen.most_at_once.load(Ordering::SeqCst) >= 2,
        "lookups run concurrently"
    );
    for (n, record) in out.iter().enumerate() {
        assert_eq!(record["n"], n, "order kept while lookups overlap");
    }
    let next = enrich(
        &url,
        dir.path(),
        KEY,
        &["--abuseipdb-quota", "4"],
        &(record("8.8.8.8", 0) + "\n"),
    );
    assert!(records(&next)[0]["logsentry"]["abuseipdb"]["note"]
        .as_str()
        .is_some_and(|n| n.contains("quota")));
    assert_eq!(seen.total(), 4, "the day's count is kept in the cache");
}

#[test]
fn hostile_answers_are_capped_and_redirects_keep_the_key_home() {
    let (url, seen) = fake_abuseipdb();
    let (stolen_url, stolen) = elsewhere();
    *seen.redirect_to.lock().expect("lock") = stolen_url;
    let dir = tempfile::tempdir().expect("tempdir");
    let addresses = ["11.0.0.1", "11.0.0.2", "11.0.0.3", "11.0.0.4", "8.8.8.8"];
    let input: String = addresses.iter().enumerate().map(|(n, a)| record(a, n) + "\n").collect();
    let output = enrich(&url, dir.path(), KEY, &["--abuseipdb-max-wait", "5"], &input);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = records(&output);
    assert_eq!(out.len(), addresses.len(), "every record comes out");
    let note = |index: usize| {
        out[index]["logsentry"]["abuseipdb"]["note"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert!(note(0).contains("larger than 64 KB"), "announced 10 GiB: {}", note(0));
    assert!(note(1).contains("larger than 64 KB"), "endless body: {}", note(1));
    assert!(note(2).contains("redirect (HTTP 302), not followed"), "{}", note(2));
    assert!(
        stolen.lock().expect("lock").is_empty(),
        "the other host was never asked"
    );
    assert_eq!(
        out[3]["logsentry"]["abuseipdb"]["abuse_confidence_score"], 100,
        "an HTTP-date Retry-After a second away is waited out: {:?}",
        out[3]
    );
    assert_eq!(seen.count("11.0.0.4"), 2);
    assert_eq!(out[4]["logsentry"]["abuseipdb"]["band"], "high");
    assert!(!stderr(&output).contains(KEY));
}
