//! The incident `ls-correlate` writes: one attacker's alerts across sources, with the story
//! they tell (`event.kind: "incident"`; ECS has no kind for it, so this one is ours). The
//! fields an alert also has (`logsentry.severity`, `logsentry.count`, `first_seen`...) mean
//! the same here, so a filter written for alerts reads incidents too.

use super::{AlertHost, AlertSource, AlertUser, Severity};
use serde::Serialize;

/// One incident record: a revision of an incident. The newest tells all of it but the
/// timeline, which each revision continues (see [`IncidentDetail::timeline_since`]).
#[derive(Debug, Serialize)]
pub struct Incident {
    /// The time of the newest alert in it: when this revision became true.
    #[serde(rename = "@timestamp")]
    pub timestamp: String,
    /// The story in one sentence.
    pub message: String,
    /// ECS `event.*`.
    pub event: IncidentInfo,
    /// ECS `threat.*`: every tactic and technique of its alerts.
    pub threat: IncidentThreat,
    /// The attacker, when grouped by source address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<AlertSource>,
    /// The account, when grouped by user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<AlertUser>,
    /// The machine, when grouped by host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<AlertHost>,
    /// Our own fields.
    pub logsentry: IncidentMeta,
}

/// ECS `event.*` of an incident.
#[derive(Debug, Serialize)]
pub struct IncidentInfo {
    /// Always `incident`.
    pub kind: &'static str,
    /// [`Severity::number`] of its worst alert.
    pub severity: u8,
    /// Its alerts' risk scores summed, at most 100 (risk-based alerting: many medium alerts
    /// about one attacker add up to one that needs a person).
    pub risk_score: u8,
}

/// ECS `threat.*` of an incident, as keyword arrays.
#[derive(Debug, Serialize)]
pub struct IncidentThreat {
    /// Always `MITRE ATT&CK`.
    pub framework: &'static str,
    /// `threat.tactic.name`: in kill-chain order.
    pub tactic: TacticNames,
    /// `threat.technique.id`: first seen first.
    pub technique: TechniqueIds,
}

/// `threat.tactic.*` of an incident.
#[derive(Debug, Serialize)]
pub struct TacticNames {
    /// Tactic names in kill-chain order.
    pub name: Vec<String>,
}

/// `threat.technique.*` of an incident.
#[derive(Debug, Serialize)]
pub struct TechniqueIds {
    /// Technique ids, first seen first.
    pub id: Vec<String>,
}

/// `logsentry.*` of an incident.
#[derive(Debug, Serialize)]
pub struct IncidentMeta {
    /// Of its worst alert.
    pub severity: Severity,
    /// How many alerts it holds.
    pub count: u64,
    /// The time of its first alert's first event.
    pub first_seen: String,
    /// The time of its newest alert.
    pub last_seen: String,
    /// The accounts its alerts concerned (at most [`super::MAX_LISTED`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub usernames: Vec<String>,
    /// The source addresses of its alerts (at most [`super::MAX_LISTED`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// The machines of its alerts (at most [`super::MAX_LISTED`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    /// The incident itself.
    pub incident: IncidentDetail,
    /// What the state file knew of the attacker when the incident began (with
    /// `ls-correlate --state`, when it knew anything).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<IncidentHistory>,
}

/// `logsentry.history.*`: what earlier runs saw of an incident's address, account or machine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct IncidentHistory {
    /// When it was first seen: its first stored alert or incident.
    pub first_seen: String,
    /// Incidents of it that began before this one.
    pub incidents_before: u64,
    /// Alerts of it before this incident began (at least: those stored, or those the
    /// incidents before held, whichever is more).
    pub alerts_before: u64,
    /// The latest incident before this one, which this one follows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_incident: Option<String>,
}

/// `logsentry.incident.*`.
#[derive(Debug, Serialize)]
pub struct IncidentDetail {
    /// Stable: the same input gives the same id, and every revision keeps it.
    pub id: String,
    /// 1 when it first qualified, one more with each alert that joined it since.
    pub revision: u64,
    /// What the alerts were grouped by: `source.ip`, `user.name` or `host.hostname`.
    pub group_by: &'static str,
    /// The value they share (the attacker's address, the account, the machine).
    pub key: String,
    /// `multi-stage` (two kinds of alert) or `kill-chain` (three or more).
    pub stage: &'static str,
    /// The log sources involved (`web`, `ssh`, `windows`, `mysql`...), first seen first.
    pub modules: Vec<String>,
    /// The distinct rules that fired, first seen first.
    pub rules: Vec<String>,
    /// ATT&CK tactics in kill-chain order (as `threat.tactic.name`).
    pub tactics: Vec<String>,
    /// The revision whose timeline this one continues: 0 when `timeline` holds every alert
    /// kept since the first, else the alerts that joined after that revision (fold the
    /// revisions of one id in order to rebuild the whole).
    pub timeline_since: u64,
    /// The alerts in time order (the first and the latest ones when there are very many).
    pub timeline: Vec<TimelineEntry>,
    /// How many alerts the timeline leaves out (between its first and latest ones).
    #[serde(skip_serializing_if = "is_zero")]
    pub timeline_omitted: u64,
}

impl super::HeapSize for TimelineEntry {
    fn heap_size(&self) -> usize {
        let text = |value: &Option<String>| value.as_ref().map_or(0, String::capacity);
        self.timestamp.capacity()
            + self.rule.capacity()
            + self.message.capacity()
            + text(&self.module)
            + text(&self.technique)
            + text(&self.tactic)
            + text(&self.source_ip)
            + text(&self.user)
    }
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

/// One alert in an incident's timeline.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct TimelineEntry {
    /// The alert's `@timestamp`.
    #[serde(rename = "@timestamp")]
    pub timestamp: String,
    /// Its module (`event.module`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// Its rule id.
    pub rule: String,
    /// Its severity.
    pub severity: Severity,
    /// Its risk score.
    pub risk_score: u8,
    /// Its ATT&CK technique.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub technique: Option<String>,
    /// Its ATT&CK tactic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tactic: Option<String>,
    /// Its message.
    pub message: String,
    /// Its source address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    /// Its account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}
