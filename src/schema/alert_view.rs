//! Reading alerts back: the fields `ls-correlate` needs from an alert record (ours, or any
//! producer's that follows ECS), borrowed from the line where the JSON allows it. Everything
//! else in the record is kept by passing the line on whole.

use super::Severity;
use serde::Deserialize;
use std::borrow::Cow;

/// The fields of an alert record that correlation reads.
#[derive(Debug, Default, Deserialize)]
pub struct AlertView<'a> {
    /// `@timestamp`, RFC 3339.
    #[serde(
        rename = "@timestamp",
        borrow,
        default,
        deserialize_with = "crate::schema::optional_str"
    )]
    pub timestamp: Option<Cow<'a, str>>,
    /// What happened, for a person.
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    pub message: Option<Cow<'a, str>>,
    /// `event.*`.
    #[serde(borrow, default)]
    pub event: AlertEventView<'a>,
    /// `rule.*`.
    #[serde(borrow, default)]
    pub rule: RuleView<'a>,
    /// `threat.*`.
    #[serde(default)]
    pub threat: ThreatView,
    /// `source.*`.
    #[serde(borrow, default)]
    pub source: super::SourceView<'a>,
    /// `user.*`.
    #[serde(borrow, default)]
    pub user: super::UserView<'a>,
    /// `host.*`.
    #[serde(borrow, default)]
    pub host: super::HostView<'a>,
    /// `logsentry.*`.
    #[serde(borrow, default)]
    pub logsentry: AlertMetaView<'a>,
}

/// `event.*` of an alert.
#[derive(Debug, Default, Deserialize)]
pub struct AlertEventView<'a> {
    /// `alert` for an alert.
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    pub kind: Option<Cow<'a, str>>,
    /// The module of the event that fired the rule.
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    pub module: Option<Cow<'a, str>>,
    /// ECS's numeric severity (used when `logsentry.severity` is absent).
    #[serde(default)]
    pub severity: Option<f64>,
    /// 0–100.
    #[serde(default)]
    pub risk_score: Option<f64>,
}

/// `rule.*`.
#[derive(Debug, Default, Deserialize)]
pub struct RuleView<'a> {
    /// The rule's stable id.
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    pub id: Option<Cow<'a, str>>,
    /// The rule's name (the id, for producers that give only a name).
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    pub name: Option<Cow<'a, str>>,
}

/// `threat.*`: ECS allows one value or several for each of these.
#[derive(Debug, Default, Deserialize)]
pub struct ThreatView {
    /// `threat.technique.*`.
    #[serde(default)]
    pub technique: NamedView,
    /// `threat.tactic.*`.
    #[serde(default)]
    pub tactic: NamedView,
}

/// An ATT&CK object's `id` and `name`, one or many.
#[derive(Debug, Default, Deserialize)]
pub struct NamedView {
    /// `T1110.001`, `TA0006`.
    #[serde(default)]
    pub id: OneOrMany,
    /// `Brute Force: Password Guessing`, `Credential Access`.
    #[serde(default)]
    pub name: OneOrMany,
}

/// A keyword field that may hold one string or an array of them.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// Absent.
    #[default]
    None,
    /// One value.
    One(String),
    /// Several.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The values, in order.
    pub fn values(&self) -> &[String] {
        match self {
            OneOrMany::None => &[],
            OneOrMany::One(one) => std::slice::from_ref(one),
            OneOrMany::Many(many) => many,
        }
    }
}

/// `logsentry.*` of an alert.
#[derive(Debug, Default, Deserialize)]
pub struct AlertMetaView<'a> {
    /// `LOW` … `CRITICAL`.
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    pub severity: Option<Cow<'a, str>>,
    /// Every module the alert counted.
    #[serde(default)]
    pub modules: Vec<String>,
    /// The accounts it concerned.
    #[serde(default)]
    pub usernames: Vec<String>,
}

impl AlertView<'_> {
    /// The alert's severity: ours by name, else ECS's number read by Elastic's bands, else
    /// LOW (an alert is at least worth a look).
    pub fn severity(&self) -> Severity {
        if let Some(severity) = self.logsentry.severity.as_deref().and_then(Severity::from_name) {
            return severity;
        }
        match self.event.severity {
            Some(number) if number >= 74.0 => Severity::Critical,
            Some(number) if number >= 48.0 => Severity::High,
            Some(number) if number >= 22.0 => Severity::Medium,
            _ => Severity::Low,
        }
    }

    /// `event.risk_score`, clamped to 0–100.
    pub fn risk_score(&self) -> u8 {
        self.event.risk_score.map_or(0, |score| score.clamp(0.0, 100.0) as u8)
    }

    /// `rule.id`, else `rule.name`.
    pub fn rule(&self) -> Option<&str> {
        self.rule
            .id
            .as_deref()
            .or(self.rule.name.as_deref())
            .filter(|rule| !rule.is_empty())
    }
}
