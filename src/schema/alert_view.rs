//! Reading alerts and incidents back: the fields `ls-correlate` and `ls-report` need from an
//! alert record (ours, or any producer's that follows ECS), borrowed from the line where the
//! JSON allows it. Everything else in the record is kept by passing the line on whole.
//!
//! Records from elsewhere are read leniently: a field of an unexpected type reads as absent
//! rather than costing the whole alert, and dotted keys (`"source.ip"`) read as nested ones.

use super::json::dotted;
use super::json::lenient::{self, lenient_view, Fields};
pub use super::json::lenient::{Declined, Mistyped, MistypedField, OneOrMany};
use super::Severity;
use serde::de::Error as _;
use serde::Deserialize;

lenient_view! {
    /// The fields of an alert or incident record that later stages read.
    pub struct AlertView<'a> {
        /// `@timestamp`, RFC 3339.
        timestamp: text = "@timestamp",
        /// What happened, for a person.
        message: text = "message",
        /// `event.*`.
        event: view[AlertEventView<'a>] = "event",
        /// `rule.*`.
        rule: view[RuleView<'a>] = "rule",
        /// `threat.*`.
        threat: view[ThreatView] = "threat",
        /// `source.*`.
        source: view[AlertSourceView<'a>] = "source",
        /// `user.*`.
        user: view[AlertUserView<'a>] = "user",
        /// `host.*`.
        host: view[AlertHostView<'a>] = "host",
        /// `logsentry.*`.
        logsentry: view[AlertMetaView<'a>] = "logsentry",
    }
}

lenient_view! {
    /// `event.*` of an alert.
    pub struct AlertEventView<'a> {
        /// `alert`, `incident` (or `event`, for a record that is neither).
        kind: text = "kind",
        /// The module of the event that fired the rule.
        module: text = "module",
        /// ECS's numeric severity (used when `logsentry.severity` is absent).
        severity: number = "severity",
        /// 0–100.
        risk_score: number = "risk_score",
    }
}

lenient_view! {
    /// `rule.*`.
    pub struct RuleView<'a> {
        /// The rule's stable id.
        id: text = "id",
        /// The rule's name (the id, for producers that give only a name).
        name: text = "name",
    }
}

lenient_view! {
    /// `threat.*`: ECS allows one value or several for each of these.
    pub struct ThreatView {
        /// `threat.technique.*`.
        technique: view[NamedView] = "technique",
        /// `threat.tactic.*`.
        tactic: view[NamedView] = "tactic",
    }
}

lenient_view! {
    /// An ATT&CK object's `id`, `name` and page, one or many.
    pub struct NamedView {
        /// `T1110.001`, `TA0006`.
        id: texts = "id",
        /// `Brute Force: Password Guessing`, `Credential Access`.
        name: texts = "name",
        /// The object's page.
        reference: texts = "reference",
    }
}

lenient_view! {
    /// `source.*` of an alert.
    pub struct AlertSourceView<'a> {
        /// The attacking address.
        ip: text = "ip",
        /// `source.geo.*`, from `ls-enrich --geoip`.
        geo: view[GeoView<'a>] = "geo",
        /// `source.as.*`, from `ls-enrich --geoip`.
        autonomous_system: view[AutonomousSystemView<'a>] = "as",
    }
}

lenient_view! {
    /// `source.geo.*`.
    pub struct GeoView<'a> {
        /// `Norway`.
        country_name: text = "country_name",
        /// `NO`.
        country_iso_code: text = "country_iso_code",
        /// `Oslo`.
        city_name: text = "city_name",
    }
}

lenient_view! {
    /// `source.as.*`.
    pub struct AutonomousSystemView<'a> {
        /// The AS number.
        number: number = "number",
        /// `source.as.organization.*`.
        organization: view[OrganizationView<'a>] = "organization",
    }
}

lenient_view! {
    /// `source.as.organization.*`.
    pub struct OrganizationView<'a> {
        /// The network's owner.
        name: text = "name",
    }
}

lenient_view! {
    /// `user.*` of an alert.
    pub struct AlertUserView<'a> {
        /// The account.
        name: text = "name",
    }
}

lenient_view! {
    /// `host.*` of an alert.
    pub struct AlertHostView<'a> {
        /// The machine, as its log names it (what our parsers write).
        hostname: text = "hostname",
        /// ECS's name of the machine (what most other producers write).
        name: text = "name",
    }
}

impl AlertHostView<'_> {
    /// `host.hostname`, else `host.name`.
    pub fn name(&self) -> Option<&str> {
        self.hostname.as_deref().or(self.name.as_deref())
    }
}

lenient_view! {
    /// `logsentry.*` of an alert or incident.
    pub struct AlertMetaView<'a> {
        /// `LOW` … `CRITICAL`.
        severity: text = "severity",
        /// Every module the alert counted.
        modules: texts = "modules",
        /// The accounts it concerned.
        usernames: texts = "usernames",
        /// The addresses it concerned.
        sources: texts = "sources",
        /// The events (or alerts) it counted.
        count: number = "count",
        /// The first of them.
        first_seen: text = "first_seen",
        /// The last of them.
        last_seen: text = "last_seen",
        /// `logsentry.incident.*`, of an incident.
        incident: view[IncidentView<'a>] = "incident",
        /// `logsentry.abuseipdb.*`, from `ls-enrich --abuseipdb`.
        abuseipdb: view[AbuseView<'a>] = "abuseipdb",
        /// `logsentry.history.*`, from `ls-correlate --state`.
        history: view[HistoryView<'a>] = "history",
    }
}

lenient_view! {
    /// `logsentry.history.*` of an incident: what the state file knew of its key.
    pub struct HistoryView<'a> {
        /// When it was first seen.
        first_seen: text = "first_seen",
        /// Its incidents before.
        incidents_before: number = "incidents_before",
        /// Its alerts before.
        alerts_before: number = "alerts_before",
        /// Its latest incident before.
        previous_incident: text = "previous_incident",
    }
}

lenient_view! {
    /// `logsentry.incident.*`.
    pub struct IncidentView<'a> {
        /// `INC-…`: the same for every revision of one incident.
        id: text = "id",
        /// Grows with each revision.
        revision: number = "revision",
        /// The field the alerts were grouped by.
        group_by: text = "group_by",
        /// Its value.
        key: text = "key",
        /// `kill-chain`, `multi-stage`, ...
        stage: text = "stage",
        /// The modules of its alerts.
        modules: texts = "modules",
        /// The rules that fired.
        rules: texts = "rules",
        /// The tactics, in kill-chain order.
        tactics: texts = "tactics",
        /// The revision whose timeline this one continues (0: it starts afresh).
        timeline_since: number = "timeline_since",
        /// Its alerts, in time order.
        timeline: list[TimelineView<'a>] = "timeline",
        /// Alerts left out of the timeline.
        timeline_omitted: number = "timeline_omitted",
    }
}

lenient_view! {
    /// One entry of an incident's timeline.
    pub struct TimelineView<'a> {
        /// When.
        timestamp: text = "@timestamp",
        /// The alert's module.
        module: text = "module",
        /// The rule that fired.
        rule: text = "rule",
        /// `LOW` … `CRITICAL`.
        severity: text = "severity",
        /// 0–100.
        risk_score: number = "risk_score",
        /// ATT&CK technique id.
        technique: text = "technique",
        /// ATT&CK tactic name.
        tactic: text = "tactic",
        /// The alert's message.
        message: text = "message",
        /// The account, if any.
        user: text = "user",
    }
}

lenient_view! {
    /// `logsentry.abuseipdb.*`: AbuseIPDB's report on the source address.
    pub struct AbuseView<'a> {
        /// 0–100.
        abuse_confidence_score: number = "abuse_confidence_score",
        /// Reports in the period asked about.
        total_reports: number = "total_reports",
        /// `high`, `medium`, ...
        band: text = "band",
        /// When last reported.
        last_reported_at: text = "last_reported_at",
        /// The network's provider.
        isp: text = "isp",
        /// `Data Center/Web Hosting/Transit`, ...
        usage_type: text = "usage_type",
        /// The provider's domain.
        domain: text = "domain",
        /// ISO 3166 code.
        country_code: text = "country_code",
    }
}

impl AlertView<'_> {
    /// Reads the record on `line` and shows it to `read`; also says whether a field was read
    /// as absent because of its type ([`AlertView::mistyped_fields`] names them). The view
    /// borrows from the line, or, for a record with dotted keys, from that record brought to
    /// the nested shape; hence the callback. Fails only for what is not a JSON object (or
    /// repeats a member, which serde_json rejects everywhere).
    pub fn read<R>(line: &str, read: impl FnOnce(&AlertView<'_>) -> R) -> Result<(R, Declined), serde_json::Error> {
        if !line.trim_start().starts_with('{') {
            return Err(serde_json::Error::custom("not a JSON object"));
        }
        lenient::take_declined();
        let shown = if dotted::may_have_dotted_key(line) {
            let mut record: serde_json::Value = serde_json::from_str(line)?;
            dotted::expand(&mut record);
            read(&AlertView::deserialize(&record)?)
        } else {
            read(&serde_json::from_str(line)?)
        };
        Ok((shown, Declined(lenient::take_declined())))
    }

    /// Names the fields of the record on `line` that [`AlertView::read`] read as absent
    /// because of their type. It reads the record again, whole: for the few records a person
    /// is shown, not for every one.
    pub fn mistyped_fields(line: &str) -> Mistyped {
        let Ok(mut record) = serde_json::from_str::<serde_json::Value>(line) else {
            return Mistyped::default();
        };
        if dotted::may_have_dotted_key(line) {
            dotted::expand(&mut record);
        }
        Mistyped::find(&record, <AlertView<'static> as Fields>::FIELDS)
    }

    /// The alert's severity: ours by name, else ECS's number read by Elastic's bands, else
    /// LOW (an alert is at least worth a look).
    pub fn severity(&self) -> Severity {
        severity(self.logsentry.severity.as_deref(), self.event.severity)
    }

    /// `event.risk_score`, clamped to 0–100.
    pub fn risk_score(&self) -> u8 {
        score(self.event.risk_score)
    }

    /// `rule.id`, else `rule.name`.
    pub fn rule(&self) -> Option<&str> {
        rule(self.rule.id.as_deref(), self.rule.name.as_deref())
    }
}

/// An alert's severity from `logsentry.severity` and `event.severity`: ours by name, else
/// ECS's number read by Elastic's bands, else LOW.
pub(super) fn severity(name: Option<&str>, ecs_number: Option<f64>) -> Severity {
    name.and_then(Severity::from_name)
        .unwrap_or_else(|| Severity::from_ecs_number(ecs_number))
}

/// An alert's rule from `rule.id` and `rule.name`: the id, else the name; never empty.
pub(super) fn rule<'r>(id: Option<&'r str>, name: Option<&'r str>) -> Option<&'r str> {
    id.or(name).filter(|rule| !rule.is_empty())
}

impl TimelineView<'_> {
    /// The entry's severity by name, else LOW.
    pub fn severity(&self) -> Severity {
        self.severity
            .as_deref()
            .and_then(Severity::from_name)
            .unwrap_or(Severity::Low)
    }

    /// `risk_score`, clamped to 0–100.
    pub fn risk_score(&self) -> u8 {
        score(self.risk_score)
    }
}

/// A risk score clamped to 0–100 (absent is 0).
pub(super) fn score(number: Option<f64>) -> u8 {
    number.map_or(0, |score| score.clamp(0.0, 100.0) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with<R>(line: &str, read: impl FnOnce(&AlertView<'_>) -> R) -> R {
        AlertView::read(line, read).expect("an alert view reads any object").0
    }

    #[test]
    fn severity_reads_our_name_then_the_ecs_number_then_low() {
        let severity = |line| with(line, |alert| alert.severity());
        assert_eq!(severity(r#"{"logsentry":{"severity":"critical"}}"#), Severity::Critical);
        assert_eq!(severity(r#"{"event":{"severity":73}}"#), Severity::High);
        assert_eq!(severity(r#"{"event":{"severity":"74"}}"#), Severity::Critical);
        assert_eq!(
            severity(r#"{"logsentry":{"severity":"urgent"},"event":{"severity":47}}"#),
            Severity::Medium
        );
        assert_eq!(severity("{}"), Severity::Low);
        for level in [Severity::Low, Severity::Medium, Severity::High, Severity::Critical] {
            assert_eq!(Severity::from_ecs_number(Some(f64::from(level.number()))), level);
        }
    }

    #[test]
    fn nested_dotted_and_mixed_keys_read_alike() {
        let lines = [
            r#"{"source":{"ip":"203.0.113.47","geo":{"city_name":"Oslo"}},"user":{"name":"root"},"host":{"name":"web-1"},"threat":{"tactic":{"name":["A","B"]}}}"#,
            r#"{"source.ip":"203.0.113.47","source.geo.city_name":"Oslo","user.name":"root","host.name":"web-1","threat.tactic.name":["A","B"]}"#,
            r#"{"source":{"ip":"203.0.113.47","geo.city_name":"Oslo"},"user.name":"root","host":{"name":"web-1"},"threat.tactic":{"name":["A","B"]}}"#,
        ];
        for line in lines {
            let read = with(line, |alert| {
                (
                    alert.source.ip.as_deref().map(str::to_owned),
                    alert.source.geo.city_name.as_deref().map(str::to_owned),
                    alert.user.name.as_deref().map(str::to_owned),
                    alert.host.name().map(str::to_owned),
                    alert.threat.tactic.name.values().to_vec(),
                )
            });
            assert_eq!(
                read,
                (
                    Some("203.0.113.47".to_owned()),
                    Some("Oslo".to_owned()),
                    Some("root".to_owned()),
                    Some("web-1".to_owned()),
                    vec!["A".to_owned(), "B".to_owned()]
                ),
                "{line}"
            );
        }
    }

    #[test]
    fn fields_of_unexpected_types_do_not_cost_the_alert() {
        let line = r#"{"@timestamp":"2026-03-14T00:00:00Z","message":5,"event":{"kind":"alert","risk_score":"80","severity":[1]},"rule":{"id":"brute-force"},"source":{"ip":["203.0.113.47"]},"logsentry":{"severity":{"x":1},"modules":"ssh","incident":[]}}"#;
        with(line, |alert| {
            assert_eq!(alert.event.kind.as_deref(), Some("alert"));
            assert_eq!(alert.message, None);
            assert_eq!(alert.risk_score(), 80);
            assert_eq!(alert.severity(), Severity::Low);
            assert_eq!(alert.rule(), Some("brute-force"));
            assert_eq!(alert.source.ip.as_deref(), Some("203.0.113.47"));
            assert_eq!(alert.logsentry.modules.values(), ["ssh"]);
        });
    }

    #[test]
    fn only_json_objects_are_read() {
        for line in [
            "[1,2]",
            "\"text\"",
            "42",
            "{",
            "not json",
            r#"{"rule":{"id":"a","id":"b"}}"#,
        ] {
            assert!(AlertView::read(line, |_| ()).is_err(), "{line}");
        }
    }

    #[test]
    fn an_incident_reads_its_timeline() {
        let line = r#"{"event":{"kind":"incident"},"logsentry":{"incident":{"id":"INC-1","revision":3,"timeline":[{"rule":"scan","severity":"high","risk_score":150},7,{"rule":"brute-force"}],"timeline_omitted":"2"}}}"#;
        with(line, |incident| {
            let detail = &incident.logsentry.incident;
            assert_eq!((detail.id.as_deref(), detail.revision), (Some("INC-1"), Some(3.0)));
            let rules: Vec<_> = detail
                .timeline
                .iter()
                .filter_map(|entry| entry.rule.as_deref())
                .collect();
            assert_eq!(rules, ["scan", "brute-force"]);
            assert_eq!(detail.timeline[0].severity(), Severity::High);
            assert_eq!(detail.timeline[0].risk_score(), 100);
            assert_eq!(detail.timeline[1].severity(), Severity::Low);
            assert_eq!(detail.timeline_omitted, Some(2.0));
        });
    }
}
