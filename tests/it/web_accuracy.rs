//! How well the web attack matchers do on real labelled data: recall per class on the
//! labelled attack sets, false positives on benign traffic. The figures are printed (run
//! with `--nocapture`) and each is held to the floor it has reached, so a change that makes
//! detection worse fails; the README has the table.

use crate::common::*;
use logsentry::detect::{normalize_request, AttackClass, WebPatterns};

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

fn classify(patterns: &WebPatterns, raw: &str, scratch: &mut String) -> Option<AttackClass> {
    normalize_request(raw, scratch);
    patterns.classify(scratch).map(|(class, _)| class)
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
    let mut score = |name: &str, inputs: &[String], wanted: &dyn Fn(Option<AttackClass>) -> bool, floor: f64| {
        let mut result = Score::default();
        for input in inputs {
            result.total += 1;
            if wanted(classify(&patterns, input, &mut scratch)) {
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
        &is(AttackClass::SqlInjection),
        99.3,
    );
    score(
        "httpparams path-traversal: recall",
        &by_type("path-traversal"),
        &is(AttackClass::Traversal),
        95.0,
    );
    score(
        "httpparams cmdi: recall",
        &by_type("cmdi"),
        &is(AttackClass::CommandInjection),
        81.0,
    );
    score(
        "httpparams xss: recall",
        &by_type("xss"),
        &is(AttackClass::CrossSiteScripting),
        91.5,
    );
    score("httpparams norm: not flagged", &by_type("norm"), &none, 99.8);

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
    score("libinjection sqli: recall", &sqli, &is(AttackClass::SqlInjection), 98.0);
    score(
        "libinjection xss: recall",
        &xss,
        &is(AttackClass::CrossSiteScripting),
        95.5,
    );
    score(
        "libinjection false positives: not flagged",
        &lines_of(&corpus.join("libinjection/false_positives.txt")),
        &none,
        100.0,
    );

    // fwaf: malicious URLs of every kind.
    score(
        "fwaf bad queries: flagged",
        &lines_of(&corpus.join("fwaf/badqueries.txt")),
        &any,
        72.2,
    );

    // Benign real traffic: the elastic apache_logs request targets.
    let benign: Vec<String> = lines_of(&corpus.join("elastic-examples/apache_logs"))
        .iter()
        .filter_map(|line| line.split('"').nth(1)?.split(' ').nth(1).map(str::to_owned))
        .collect();
    score("elastic apache_logs: not flagged", &benign, &none, 99.8);

    println!("{:<45} {:>8} {:>8} {:>8}", "set", "hits", "total", "%");
    for (name, result, floor) in &rows {
        println!(
            "{name:<45} {:>8} {:>8} {:>7.2}%",
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
