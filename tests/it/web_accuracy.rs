//! How well the web attack matchers do on real labelled data: recall per class on the
//! labelled attack sets, false positives on benign traffic. The figures are printed (run
//! with `--nocapture`) and each is held to the floor it has reached, so a change that makes
//! detection worse fails; the README has the table.

use crate::common::*;
use logsentry::detect::{normalize_request, AttackClass, RequestPart, WebPatterns};

/// Detected / total for one labelled set.
#[derive(Default)]
struct Score {
    hits: usize,
    total: usize,
}

impl Score {
    fn percent(&self) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        100.0 * self.hits as f64 / self.total as f64
    }
}

fn classify(patterns: &WebPatterns, raw: &str, part: RequestPart, scratch: &mut String) -> Option<AttackClass> {
    normalize_request(raw, scratch);
    patterns.classify_part(scratch, part).map(|(class, _)| class)
}

/// The headers a CRS test may send and still have its payload in the URI (or the body) only.
const PLAIN_HEADERS: &[&str] = &[
    "user-agent",
    "host",
    "accept",
    "content-type",
    "content-length",
    "accept-encoding",
    "accept-language",
    "accept-charset",
    "connection",
    "cache-control",
    "pragma",
    "keep-alive",
    "te",
    "upgrade-insecure-requests",
    "proxy-connection",
    "cookie2",
];

/// The CRS regression tests that expect a rule of `category` (`"932"`) to fire and carry
/// their payload in the URI, or with `body` in the body (as `key=value` or a document,
/// scored as if it were a query): no extra header, the test agent's User-Agent.
fn crs_payloads(path: &std::path::Path, category: &str, body: bool) -> Vec<String> {
    let prefix = format!("REQUEST-{category}-");
    lines_of(path)
        .iter()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|test| test["category"].as_str().is_some_and(|name| name.starts_with(&prefix)))
        .filter(|test| test["expect_ids"].as_array().is_some_and(|ids| !ids.is_empty()))
        .filter(|test| test.get("encoded_request").is_none())
        .filter(|test| {
            let headers = test["headers"].as_object();
            headers.is_none_or(|headers| {
                headers.iter().all(|(name, value)| {
                    let name = name.to_ascii_lowercase();
                    PLAIN_HEADERS.contains(&name.as_str())
                        && (name != "user-agent" || value.as_str().is_some_and(|agent| agent.contains("OWASP")))
                })
            })
        })
        .filter_map(|test| match (&test["data"], body) {
            (serde_json::Value::Null, false) => test["uri"].as_str().map(str::to_owned),
            (serde_json::Value::String(data), true) => Some(data.clone()),
            _ => None,
        })
        .collect()
}

/// The fields of one CSV row (quotes with `""` escapes).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(ch) = chars.next() {
        match (ch, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (ch, _) => field.push(ch),
        }
    }
    fields.push(field);
    fields
}

#[test]
#[cfg_attr(not(logsentry_corpus), ignore = "needs LOGSENTRY_CORPUS=../shared/corpus")]
fn web_attack_accuracy_on_labelled_data() {
    let corpus = corpus();
    let patterns = WebPatterns::new();
    let mut scratch = String::new();
    let mut rows: Vec<(String, Score, f64)> = Vec::new();
    let mut score =
        |name: &str, inputs: &[String], part: RequestPart, wanted: &dyn Fn(Option<AttackClass>) -> bool, floor: f64| {
            let mut result = Score::default();
            for input in inputs {
                result.total += 1;
                if wanted(classify(&patterns, input, part, &mut scratch)) {
                    result.hits += 1;
                }
            }
            rows.push((name.to_owned(), result, floor));
        };

    // httpparams: parameter values, labelled by class.
    let csv = lines_of(&corpus.join("httpparams/payload_train.csv"));
    let by_type = |kind: &str| -> Vec<String> {
        csv.iter()
            .skip(1)
            .map(|line| csv_fields(line))
            .filter(|fields| fields.get(2).map(String::as_str) == Some(kind))
            .filter_map(|fields| fields.into_iter().next())
            .collect()
    };
    let is = |class: AttackClass| move |found: Option<AttackClass>| found == Some(class);
    let any = |found: Option<AttackClass>| found.is_some();
    let none = |found: Option<AttackClass>| found.is_none();
    score(
        "httpparams sqli: recall",
        &by_type("sqli"),
        RequestPart::Target,
        &is(AttackClass::SqlInjection),
        99.3,
    );
    score(
        "httpparams path-traversal: recall",
        &by_type("path-traversal"),
        RequestPart::Target,
        &is(AttackClass::Traversal),
        95.0,
    );
    score(
        "httpparams cmdi: recall",
        &by_type("cmdi"),
        RequestPart::Target,
        &is(AttackClass::CommandInjection),
        81.0,
    );
    score(
        "httpparams xss: recall",
        &by_type("xss"),
        RequestPart::Target,
        &is(AttackClass::CrossSiteScripting),
        91.5,
    );
    score(
        "httpparams norm: not flagged",
        &by_type("norm"),
        RequestPart::Target,
        &none,
        100.0,
    );

    // libinjection: SQLi and XSS payload lists, and its own false-positive list.
    let mut sqli = Vec::new();
    let mut xss = Vec::new();
    for entry in std::fs::read_dir(corpus.join("libinjection")).expect("libinjection") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_owned();
        if name.starts_with("sqli-") {
            sqli.extend(lines_of(&path));
        } else if name.starts_with("xss-") {
            xss.extend(lines_of(&path));
        }
    }
    score(
        "libinjection sqli: recall",
        &sqli,
        RequestPart::Target,
        &is(AttackClass::SqlInjection),
        98.0,
    );
    score(
        "libinjection xss: recall",
        &xss,
        RequestPart::Target,
        &is(AttackClass::CrossSiteScripting),
        95.8,
    );
    score(
        "libinjection false positives: not flagged",
        &lines_of(&corpus.join("libinjection/false_positives.txt")),
        RequestPart::Target,
        &none,
        100.0,
    );

    // fwaf: malicious URLs of every kind.
    score(
        "fwaf bad queries: flagged",
        &lines_of(&corpus.join("fwaf/badqueries.txt")),
        RequestPart::Target,
        &any,
        89.8,
    );

    // Benign real traffic: the elastic apache_logs request targets.
    let benign: Vec<String> = lines_of(&corpus.join("elastic-examples/apache_logs"))
        .iter()
        .filter_map(|line| line.split('"').nth(1)?.split(' ').nth(1).map(str::to_owned))
        .collect();
    score(
        "elastic apache_logs: not flagged",
        &benign,
        RequestPart::Target,
        &none,
        99.98,
    );
    let header = |field: usize| -> Vec<String> {
        lines_of(&corpus.join("elastic-examples/apache_logs"))
            .iter()
            .filter_map(|line| line.split('"').nth(field).map(str::to_owned))
            .filter(|value| value != "-")
            .collect()
    };
    score(
        "elastic apache_logs User-Agent: not flagged",
        &header(5),
        RequestPart::Header,
        &none,
        100.0,
    );
    score(
        "elastic apache_logs Referer: not flagged",
        &header(3),
        RequestPart::Header,
        &none,
        100.0,
    );

    // The CRS regression tests, by category, for the payloads in the URI; Java's are all in
    // bodies, scored as a query would be.
    let crs = corpus.join("coreruleset/crs_request_tests.jsonl");
    for (category, name, floor) in [
        ("930", "CRS 930 local file inclusion (URI): flagged", 86.6),
        ("931", "CRS 931 remote file inclusion (URI): flagged", 63.6),
        ("932", "CRS 932 remote command execution (URI): flagged", 65.1),
        ("933", "CRS 933 PHP injection (URI): flagged", 88.6),
        ("941", "CRS 941 cross-site scripting (URI): flagged", 66.6),
        ("942", "CRS 942 SQL injection (URI): flagged", 84.8),
    ] {
        score(
            name,
            &crs_payloads(&crs, category, false),
            RequestPart::Target,
            &any,
            floor,
        );
    }
    score(
        "CRS 944 Java injection (body as a query): flagged",
        &crs_payloads(&crs, "944", true),
        RequestPart::Target,
        &any,
        85.2,
    );

    println!("{:<52} {:>8} {:>8} {:>8}", "set", "hits", "total", "%");
    for (name, result, floor) in &rows {
        println!(
            "{name:<52} {:>8} {:>8} {:>7.2}%",
            result.hits,
            result.total,
            result.percent()
        );
        assert!(result.total > 0, "{name}: empty set");
        assert!(
            result.percent() >= *floor,
            "{name}: {:.2}% is below its floor {floor}%",
            result.percent()
        );
    }
}
