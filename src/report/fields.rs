//! Reading a record's fields for the report: dotted ECS paths in a parsed record, the
//! severity an alert claims, ATT&CK techniques with a link that can only point at MITRE, and
//! times as a person reads them.

use super::model::Technique;
use crate::attack::AttackTable;
use crate::schema::Severity;
use serde_json::Value;

/// The value at an ECS path: nested objects (`{"source":{"ip":…}}`) or a dotted key
/// (`{"source.ip":…}`), as ECS allows both.
pub fn at<'a>(record: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut value = record;
    for (index, key) in path.iter().enumerate() {
        match value.get(key) {
            Some(next) => value = next,
            None => return record_dotted(value, &path[index..]),
        }
    }
    Some(value)
}

fn record_dotted<'a>(value: &'a Value, rest: &[&str]) -> Option<&'a Value> {
    // One key left is the key just missed: only a longer rest can be a dotted key.
    if rest.len() < 2 {
        return None;
    }
    value.get(rest.join(".").as_str())
}

/// The text at `path`; of an array, its first text.
pub fn text<'a>(record: &'a Value, path: &[&str]) -> Option<&'a str> {
    match at(record, path)? {
        Value::String(text) => Some(text.as_str()),
        Value::Array(items) => items.iter().find_map(Value::as_str),
        _ => None,
    }
}

/// The text at `path`, or empty.
pub fn text_or_empty(record: &Value, path: &[&str]) -> String {
    text(record, path).unwrap_or_default().to_owned()
}

/// Every text at `path`: one value or an array of them.
pub fn texts(record: &Value, path: &[&str]) -> Vec<String> {
    match at(record, path) {
        Some(Value::String(text)) => vec![text.clone()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// The number at `path` (a number or numeric text).
pub fn number(record: &Value, path: &[&str]) -> Option<f64> {
    match at(record, path)? {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
    .filter(|number| number.is_finite())
}

/// A score field clamped to 0–100.
pub fn score(record: &Value, path: &[&str]) -> u32 {
    number(record, path).map_or(0, |score| score.clamp(0.0, 100.0) as u32)
}

/// The alert's severity: `logsentry.severity` by name, else ECS's number in Elastic's bands,
/// else LOW (as `ls-correlate` reads it).
pub fn severity(record: &Value) -> Severity {
    if let Some(severity) = text(record, &["logsentry", "severity"]).and_then(Severity::from_name) {
        return severity;
    }
    severity_from_number(number(record, &["event", "severity"]))
}

/// Elastic's bands of `event.severity`.
pub fn severity_from_number(number: Option<f64>) -> Severity {
    match number {
        Some(number) if number >= 74.0 => Severity::Critical,
        Some(number) if number >= 48.0 => Severity::High,
        Some(number) if number >= 22.0 => Severity::Medium,
        _ => Severity::Low,
    }
}

/// 1 (LOW) to 4 (CRITICAL).
pub fn rank(severity: Severity) -> u8 {
    match severity {
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

/// `critical`: the CSS class and filter value of a severity.
pub fn class(severity: Severity) -> &'static str {
    match severity {
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
        Severity::Critical => "critical",
    }
}

/// A technique named by `id`, with the record's name or the table's, and a link to its page
/// on attack.mitre.org. A record's own `reference` is used only when it points there: a
/// hostile record must not put a `javascript:` or phishing link in a report.
pub fn technique(id: &str, name: Option<&str>, reference: Option<&str>, table: &AttackTable) -> Technique {
    let id = id.trim();
    let known = table.technique(id);
    let name = name
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .or_else(|| known.map(|known| table.full_name(known)))
        .unwrap_or_default();
    let url = reference
        .filter(|url| is_mitre_url(url))
        .map(str::to_owned)
        .or_else(|| known.map(|known| known.url.clone()).filter(|url| is_mitre_url(url)))
        .or_else(|| technique_url(id));
    Technique {
        id: id.to_owned(),
        name,
        url,
    }
}

/// Whether a link points at MITRE's ATT&CK site over HTTPS.
pub fn is_mitre_url(url: &str) -> bool {
    url.strip_prefix("https://attack.mitre.org/").is_some_and(|rest| {
        rest.bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"/._-".contains(&byte))
    })
}

/// `T1110.001` → its page; `None` for anything that is not a technique id.
pub fn technique_url(id: &str) -> Option<String> {
    let digits = |text: &str, len: usize| text.len() == len && text.bytes().all(|byte| byte.is_ascii_digit());
    let number = id.strip_prefix('T')?;
    match number.split_once('.') {
        None if digits(number, 4) => Some(format!("https://attack.mitre.org/techniques/T{number}/")),
        Some((base, sub)) if digits(base, 4) && digits(sub, 3) => {
            Some(format!("https://attack.mitre.org/techniques/T{base}/{sub}/"))
        }
        _ => None,
    }
}

/// Seconds since the epoch of an RFC 3339 time.
pub fn epoch_seconds(time: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(time.trim())
        .ok()
        .map(|time| time.timestamp())
}

/// `2026-03-14T00:35:27Z` → `2026-03-14 00:35:27 UTC`; text that is not a time is kept.
pub fn display_time(time: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(time.trim()) {
        Ok(parsed) => parsed
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%d %H:%M:%S UTC")
            .to_string(),
        Err(_) => time.to_owned(),
    }
}

/// An epoch second as UTC text.
pub fn epoch_text(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|time| time.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_read_nested_and_dotted_keys() {
        let record =
            json!({"source": {"ip": "203.0.113.47"}, "user.name": "root", "threat": {"tactic": {"name": ["A", "B"]}}});
        assert_eq!(text(&record, &["source", "ip"]), Some("203.0.113.47"));
        assert_eq!(text(&record, &["user", "name"]), Some("root"));
        assert_eq!(texts(&record, &["threat", "tactic", "name"]), vec!["A", "B"]);
        assert_eq!(text(&record, &["host", "name"]), None);
    }

    #[test]
    fn severity_reads_our_name_then_the_ecs_number() {
        assert_eq!(
            severity(&json!({"logsentry": {"severity": "critical"}})),
            Severity::Critical
        );
        assert_eq!(severity(&json!({"event": {"severity": 73}})), Severity::High);
        assert_eq!(severity(&json!({})), Severity::Low);
    }

    #[test]
    fn links_only_ever_point_at_mitre() {
        let table = AttackTable::embedded();
        let linked = technique("T1110.001", None, Some("javascript:alert(1)"), &table);
        assert_eq!(
            linked.url.as_deref(),
            Some("https://attack.mitre.org/techniques/T1110/001"),
            "the page MITRE's data names"
        );
        let unlisted = technique("T9999.001", None, None, &table);
        assert_eq!(
            unlisted.url.as_deref(),
            Some("https://attack.mitre.org/techniques/T9999/001/")
        );
        assert_eq!(linked.name, "Brute Force: Password Guessing");
        let unknown = technique("\"><script>", None, Some("https://evil.example/"), &table);
        assert_eq!(unknown.url, None);
        assert!(!is_mitre_url("https://attack.mitre.org/x\"onmouseover=1"));
        assert!(!is_mitre_url("https://attack.mitre.org.evil.example/"));
    }

    #[test]
    fn times_read_as_utc() {
        assert_eq!(display_time("2026-03-14T02:17:00+02:00"), "2026-03-14 00:17:00 UTC");
        assert_eq!(display_time("yesterday"), "yesterday");
        assert_eq!(epoch_seconds("1970-01-01T00:01:00Z"), Some(60));
    }
}
