//! The report's reading of what a record's fields mean: severity ranks and classes, ATT&CK
//! techniques with a link that can only point at MITRE, and times as a person reads them.
//! The fields themselves are read by [`crate::schema::AlertView`].

use super::model::Technique;
use crate::attack::AttackTable;
use crate::schema::Severity;

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
