//! The columns the state file keeps of each alert (`alerts` table), read from the record as
//! ls-detect wrote it. The state writer reads every alert a second time, so the dozen fields
//! are picked out by one walk with the fast reader [`record_view!`] derives; a record the walk
//! is not sure of (several techniques, a dotted key, a number that is not a whole one) is read
//! by [`AlertView`], which understands every alert, so both give the same columns.

use super::alert_view;
use super::json::{dotted, record_view, Cursor, ReadFast};
use super::{AlertView, Severity, SourceView, UserView};

record_view! {
    /// The fields of an alert the `alerts` table has columns for.
    pub struct StoredAlertView<'a> {
        /// `@timestamp`, RFC 3339.
        timestamp: text = "@timestamp",
        /// What happened, for a person.
        message: text = "message",
        /// `event.*`.
        event: view[StoredEventView<'a>] = "event",
        /// `rule.*`.
        rule: view[StoredRuleView<'a>] = "rule",
        /// `threat.*`.
        threat: view[StoredThreatView<'a>] = "threat",
        /// `source.*`.
        source: view[SourceView<'a>] = "source",
        /// `user.*`.
        user: view[UserView<'a>] = "user",
        /// `host.*`.
        host: view[StoredHostView<'a>] = "host",
        /// `logsentry.*`.
        logsentry: view[StoredMetaView<'a>] = "logsentry",
    }
}

record_view! {
    /// `event.*` of a stored alert.
    pub struct StoredEventView<'a> {
        /// The module of the event that fired the rule.
        module: text = "module",
        /// ECS's numeric severity.
        severity: unsigned[u16] = "severity",
        /// 0–100.
        risk_score: unsigned[u16] = "risk_score",
    }
}

record_view! {
    /// `rule.*` of a stored alert.
    pub struct StoredRuleView<'a> {
        /// The rule's stable id.
        id: text = "id",
        /// Its name.
        name: text = "name",
    }
}

record_view! {
    /// `threat.*` of a stored alert.
    pub struct StoredThreatView<'a> {
        /// `threat.technique.*`.
        technique: view[StoredTechniqueView<'a>] = "technique",
    }
}

record_view! {
    /// `threat.technique.*`: one technique (several are AlertView's to read).
    pub struct StoredTechniqueView<'a> {
        /// `T1110.001`.
        id: text = "id",
    }
}

record_view! {
    /// `host.*` of a stored alert.
    pub struct StoredHostView<'a> {
        /// The machine, as its log names it.
        hostname: text = "hostname",
        /// ECS's name of the machine.
        name: text = "name",
    }
}

record_view! {
    /// `logsentry.*` of a stored alert.
    pub struct StoredMetaView<'a> {
        /// `LOW` … `CRITICAL`.
        severity: text = "severity",
    }
}

/// One alert's columns in the `alerts` table.
#[derive(Debug, PartialEq)]
pub struct AlertColumns<'c> {
    /// `@timestamp`, as the record has it.
    pub time: &'c str,
    /// `rule.id`, else `rule.name`.
    pub rule: &'c str,
    /// `logsentry.severity`, else from `event.severity`.
    pub severity: Severity,
    /// `event.risk_score`, 0–100.
    pub risk_score: u8,
    /// `event.module`.
    pub module: Option<&'c str>,
    /// `source.ip`.
    pub source_ip: Option<&'c str>,
    /// `user.name`.
    pub user_name: Option<&'c str>,
    /// `host.hostname`, else `host.name`.
    pub host_name: Option<&'c str>,
    /// The (first) `threat.technique.id`.
    pub technique: Option<&'c str>,
    /// `message`.
    pub message: Option<&'c str>,
}

impl AlertColumns<'_> {
    /// Calls `with` with the columns of the alert on `line`; `None` when the line is not an
    /// alert with a time and a rule.
    pub fn read<R>(line: &str, with: impl FnOnce(&AlertColumns<'_>) -> R) -> Option<R> {
        if !dotted::may_have_dotted_key(line) {
            let mut view = StoredAlertView::default();
            let mut cursor = Cursor::new(line);
            if view.read_object(&mut cursor).and_then(|()| cursor.finish()).is_ok() {
                return AlertColumns::of_stored(&view).map(|columns| with(&columns));
            }
        }
        AlertView::read(line, |alert| {
            AlertColumns::of_alert(alert).map(|columns| with(&columns))
        })
        .ok()
        .and_then(|(read, _)| read)
    }

    fn of_stored<'v>(view: &'v StoredAlertView<'_>) -> Option<AlertColumns<'v>> {
        Some(AlertColumns {
            time: view.timestamp.as_deref()?,
            rule: alert_view::rule(view.rule.id.as_deref(), view.rule.name.as_deref())?,
            severity: alert_view::severity(view.logsentry.severity.as_deref(), view.event.severity.map(f64::from)),
            risk_score: alert_view::score(view.event.risk_score.map(f64::from)),
            module: view.event.module.as_deref(),
            source_ip: view.source.ip.as_deref(),
            user_name: view.user.name.as_deref(),
            host_name: view.host.hostname.as_deref().or(view.host.name.as_deref()),
            technique: view.threat.technique.id.as_deref(),
            message: view.message.as_deref(),
        })
    }

    fn of_alert<'v>(alert: &'v AlertView<'_>) -> Option<AlertColumns<'v>> {
        Some(AlertColumns {
            time: alert.timestamp.as_deref()?,
            rule: alert.rule()?,
            severity: alert.severity(),
            risk_score: alert.risk_score(),
            module: alert.event.module.as_deref(),
            source_ip: alert.source.ip.as_deref(),
            user_name: alert.user.name.as_deref(),
            host_name: alert.host.name(),
            technique: alert.threat.technique.id.first(),
            message: alert.message.as_deref(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The columns AlertView alone reads.
    fn lenient(line: &str) -> Option<String> {
        AlertView::read(line, |alert| {
            AlertColumns::of_alert(alert).map(|columns| format!("{columns:?}"))
        })
        .ok()
        .and_then(|(read, _)| read)
    }

    fn read(line: &str) -> Option<String> {
        AlertColumns::read(line, |columns| format!("{columns:?}"))
    }

    fn fast_path_takes(line: &str) -> bool {
        let mut view = StoredAlertView::default();
        let mut cursor = Cursor::new(line);
        view.read_object(&mut cursor).and_then(|()| cursor.finish()).is_ok()
    }

    #[test]
    fn both_readers_give_the_same_columns() {
        let ours = r#"{"@timestamp":"2026-03-14T01:02:36Z","message":"Brute force from 203.0.113.47: 12 \"failures\"","event":{"kind":"alert","module":"ssh","severity":73,"risk_score":65},"rule":{"id":"brute-force","name":"SSH brute force"},"threat":{"framework":"MITRE ATT&CK","technique":{"id":"T1110.001","name":"Password Guessing"},"tactic":{"name":"Credential Access"}},"source":{"ip":"203.0.113.47"},"user":{"name":"root"},"host":{"hostname":"bastion"},"logsentry":{"severity":"HIGH","count":12,"evidence":[{"path":"auth.log","line":3}]}}"#;
        assert!(fast_path_takes(ours));
        let others = [
            // Several techniques, a fractional score, a dotted key, ECS's host.name, no
            // logsentry.severity: each is AlertView's to read.
            r#"{"@timestamp":"2026-03-14T01:02:36Z","event":{"severity":80,"risk_score":65},"rule":{"name":"x"},"threat":{"technique":{"id":["T1110","T1078"]}}}"#,
            r#"{"@timestamp":"2026-03-14T01:02:36Z","event":{"severity":50,"risk_score":65.5},"rule":{"id":"x"}}"#,
            r#"{"@timestamp":"2026-03-14T01:02:36Z","source.ip":"198.51.100.7","rule":{"id":"x"},"host":{"name":"web1"}}"#,
            r#"{"@timestamp":"2026-03-14T01:02:36Z","event":{"risk_score":250},"rule":{"id":"x"}}"#,
            // Not alerts the table keeps: no time, an empty rule, not JSON.
            r#"{"rule":{"id":"x"}}"#,
            r#"{"@timestamp":"2026-03-14T01:02:36Z","rule":{"id":""}}"#,
            "not json",
        ];
        for line in std::iter::once(ours).chain(others) {
            assert_eq!(read(line), lenient(line), "{line}");
        }
        assert!(read(ours).is_some() && read(others[0]).is_some_and(|columns| columns.contains("T1110")));
        assert!(read(others[2]).is_some_and(|columns| columns.contains("198.51.100.7")));
    }
}
