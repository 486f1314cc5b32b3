//! The alert `ls-detect` writes: ECS `event.kind: "alert"` with `rule.*` and `threat.*`, and
//! our own `logsentry.*` summary of what fired. [`Alert::write_json`] writes the record by
//! hand: an attack can fire an alert for one event in five, and serde_json's escaping, a byte
//! at a time, was then most of the cost of writing them. A proptest holds it to serde's output.

use super::json::write::{number, string};
use crate::time::Timestamp;
use serde::Serialize;
use std::rc::Rc;

/// How bad an alert is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    /// Worth a look.
    Low,
    /// Suspicious.
    Medium,
    /// An attack in progress.
    High,
    /// An attack that succeeded, or one that needs a person now.
    Critical,
}

impl Severity {
    /// ECS `event.severity`: the numbers Elastic's detection rules use for the four levels.
    pub fn number(self) -> u8 {
        match self {
            Severity::Low => 21,
            Severity::Medium => 47,
            Severity::High => 73,
            Severity::Critical => 99,
        }
    }

    /// The level of an ECS `event.severity` number, read by Elastic's bands (the inverse of
    /// [`Severity::number`]); LOW without one, as an alert is at least worth a look.
    pub fn from_ecs_number(number: Option<f64>) -> Self {
        match number {
            Some(number) if number >= 74.0 => Severity::Critical,
            Some(number) if number >= 48.0 => Severity::High,
            Some(number) if number >= 22.0 => Severity::Medium,
            _ => Severity::Low,
        }
    }

    /// The level named `name` (any case), as `logsentry.severity` writes it.
    pub fn from_name(name: &str) -> Option<Self> {
        [Severity::Low, Severity::Medium, Severity::High, Severity::Critical]
            .into_iter()
            .find(|severity| severity.name().eq_ignore_ascii_case(name))
    }

    /// The level's name, as written in `logsentry.severity`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }
}

/// One alert record.
#[derive(Debug, Serialize)]
pub struct Alert {
    /// The time of the event that fired the rule.
    #[serde(rename = "@timestamp")]
    pub timestamp: Timestamp,
    /// What happened, for a person.
    pub message: String,
    /// ECS `event.*`.
    pub event: AlertInfo,
    /// ECS `rule.*`.
    pub rule: RuleInfo,
    /// ECS `threat.*`.
    pub threat: Threat,
    /// ECS `source.*`: the attacker.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<AlertSource>,
    /// ECS `user.*`: the account, when one account is concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<AlertUser>,
    /// ECS `host.*`: the machine whose log had the event that fired the rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<AlertHost>,
    /// Our own fields.
    pub logsentry: AlertMeta,
}

/// ECS `event.*` of an alert.
#[derive(Debug, Serialize)]
pub struct AlertInfo {
    /// Always `alert`.
    pub kind: &'static str,
    /// The module of the event that fired the rule (`ssh`, `web`, ...); every module the
    /// alert counted is in `logsentry.modules`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<Rc<str>>,
    /// [`Severity::number`].
    pub severity: u8,
    /// 0–100: severity, how much activity, escalation and how strong the evidence is.
    pub risk_score: u8,
}

/// ECS `rule.*`.
#[derive(Debug, Serialize)]
pub struct RuleInfo {
    /// Stable rule id (`brute-force`).
    pub id: &'static str,
    /// Rule name.
    pub name: &'static str,
    /// What the rule looks for.
    pub description: &'static str,
}

/// ECS `threat.*`.
#[derive(Debug, Serialize)]
pub struct Threat {
    /// Always `MITRE ATT&CK`.
    pub framework: &'static str,
    /// `threat.technique.*`.
    pub technique: Technique,
    /// `threat.tactic.*`.
    pub tactic: Tactic,
}

/// An ATT&CK technique.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Technique {
    /// `T1110.001`.
    pub id: &'static str,
    /// `Brute Force: Password Guessing`.
    pub name: &'static str,
    /// The technique's page on attack.mitre.org.
    pub reference: &'static str,
}

/// An ATT&CK tactic.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Tactic {
    /// `Credential Access`.
    pub name: &'static str,
}

/// ECS `source.*` of an alert.
#[derive(Debug, Serialize)]
pub struct AlertSource {
    /// The address (for IPv6 counted per network, the network, e.g. `2001:db8::/64`).
    pub ip: String,
}

/// ECS `user.*` of an alert.
#[derive(Debug, Serialize)]
pub struct AlertUser {
    /// The account.
    pub name: String,
}

/// ECS `host.*` of an alert.
#[derive(Debug, Serialize)]
pub struct AlertHost {
    /// The machine's name as its log gave it.
    pub hostname: String,
}

/// `logsentry.*` of an alert.
#[derive(Debug, Serialize)]
pub struct AlertMeta {
    /// [`Severity::name`].
    pub severity: Severity,
    /// How many events the alert stands for.
    pub count: u64,
    /// The first of them.
    pub first_seen: Timestamp,
    /// The last of them.
    pub last_seen: Timestamp,
    /// The accounts they concerned (at most [`MAX_LISTED`], see `usernames_omitted`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub usernames: Vec<Rc<str>>,
    /// How many more accounts there were than are listed.
    #[serde(skip_serializing_if = "is_zero")]
    pub usernames_omitted: u64,
    /// The sources involved.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// The modules of the events counted (`mysql`, `ssh`), first seen first: one address
    /// guessing at SSH and MySQL is one alert.
    pub modules: Vec<Rc<str>>,
    /// Where the events that fired the rule are: file and line (at most [`MAX_LISTED`]).
    pub evidence: Vec<Evidence>,
    /// What is known of the source from before: set on the alerts of a repeat offender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<AlertHistory>,
}

/// `logsentry.history.*` of an alert from a repeat offender: a source that attacked on
/// several separate days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertHistory {
    /// Always `true`.
    pub repeat_offender: bool,
    /// The separate days (UTC) it attacked on within the lookback.
    pub days: u64,
    /// Its first attack within the lookback.
    pub first_seen: Timestamp,
}

impl Alert {
    /// The alert as one line of JSON (without the newline), byte for byte what serde_json
    /// writes for it.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"@timestamp\":");
        timestamp(self.timestamp, out);
        out.extend_from_slice(b",\"message\":");
        string(&self.message, out);
        out.extend_from_slice(b",\"event\":{\"kind\":");
        string(self.event.kind, out);
        if let Some(module) = &self.event.module {
            out.extend_from_slice(b",\"module\":");
            string(module, out);
        }
        out.extend_from_slice(b",\"severity\":");
        number(u64::from(self.event.severity), out);
        out.extend_from_slice(b",\"risk_score\":");
        number(u64::from(self.event.risk_score), out);
        out.extend_from_slice(b"},\"rule\":{\"id\":");
        string(self.rule.id, out);
        out.extend_from_slice(b",\"name\":");
        string(self.rule.name, out);
        out.extend_from_slice(b",\"description\":");
        string(self.rule.description, out);
        out.extend_from_slice(b"},\"threat\":{\"framework\":");
        string(self.threat.framework, out);
        out.extend_from_slice(b",\"technique\":{\"id\":");
        string(self.threat.technique.id, out);
        out.extend_from_slice(b",\"name\":");
        string(self.threat.technique.name, out);
        out.extend_from_slice(b",\"reference\":");
        string(self.threat.technique.reference, out);
        out.extend_from_slice(b"},\"tactic\":{\"name\":");
        string(self.threat.tactic.name, out);
        out.extend_from_slice(b"}}");
        if let Some(source) = &self.source {
            out.extend_from_slice(b",\"source\":{\"ip\":");
            string(&source.ip, out);
            out.push(b'}');
        }
        if let Some(user) = &self.user {
            out.extend_from_slice(b",\"user\":{\"name\":");
            string(&user.name, out);
            out.push(b'}');
        }
        if let Some(host) = &self.host {
            out.extend_from_slice(b",\"host\":{\"hostname\":");
            string(&host.hostname, out);
            out.push(b'}');
        }
        self.logsentry.write_json(out);
        out.push(b'}');
    }
}

impl AlertMeta {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b",\"logsentry\":{\"severity\":");
        string(self.severity.name(), out);
        out.extend_from_slice(b",\"count\":");
        number(self.count, out);
        out.extend_from_slice(b",\"first_seen\":");
        timestamp(self.first_seen, out);
        out.extend_from_slice(b",\"last_seen\":");
        timestamp(self.last_seen, out);
        if !self.usernames.is_empty() {
            out.extend_from_slice(b",\"usernames\":");
            strings(&self.usernames, out);
        }
        if self.usernames_omitted != 0 {
            out.extend_from_slice(b",\"usernames_omitted\":");
            number(self.usernames_omitted, out);
        }
        if !self.sources.is_empty() {
            out.extend_from_slice(b",\"sources\":");
            strings(&self.sources, out);
        }
        out.extend_from_slice(b",\"modules\":");
        strings(&self.modules, out);
        out.extend_from_slice(b",\"evidence\":[");
        for (index, evidence) in self.evidence.iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            evidence.write_json(out);
        }
        out.push(b']');
        if let Some(history) = &self.history {
            out.extend_from_slice(b",\"history\":{\"repeat_offender\":");
            out.extend_from_slice(if history.repeat_offender { b"true" } else { b"false" });
            out.extend_from_slice(b",\"days\":");
            number(history.days, out);
            out.extend_from_slice(b",\"first_seen\":");
            timestamp(history.first_seen, out);
            out.push(b'}');
        }
        out.push(b'}');
    }
}

impl Evidence {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        if let Some(path) = &self.path {
            out.extend_from_slice(b"\"path\":");
            string(path, out);
        }
        if let Some(line) = self.line {
            if self.path.is_some() {
                out.push(b',');
            }
            out.extend_from_slice(b"\"line\":");
            number(line, out);
        }
        out.push(b'}');
    }
}

/// RFC 3339 text needs no escaping.
fn timestamp(time: Timestamp, out: &mut Vec<u8>) {
    out.push(b'"');
    time.write(out);
    out.push(b'"');
}

fn strings<S: AsRef<str>>(values: &[S], out: &mut Vec<u8>) {
    out.push(b'[');
    for (index, value) in values.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        string(value.as_ref(), out);
    }
    out.push(b']');
}

/// How many usernames or evidence entries an alert lists: enough to act on, never unbounded.
pub const MAX_LISTED: usize = 20;

fn is_zero(value: &u64) -> bool {
    *value == 0
}

/// One event behind an alert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// `log.file.path` of the event, absent for stdin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<Rc<str>>,
    /// `logsentry.line` of the event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn technique() -> Technique {
        Technique {
            id: "T1110.001",
            name: "Brute Force: Password Guessing",
            reference: "https://attack.mitre.org/techniques/T1110/001/",
        }
    }

    prop_compose! {
        fn any_alert()(
            text in proptest::collection::vec("(?s).{0,24}", 2),
            optional in proptest::collection::vec(proptest::option::of("(?s).{0,12}"), 4),
            lists in proptest::collection::vec(proptest::collection::vec("(?s).{0,8}", 0..3), 3),
            evidence in proptest::collection::vec((proptest::option::of("(?s).{0,8}"), proptest::option::of(any::<u64>())), 0..3),
            numbers in (any::<u8>(), any::<u8>(), any::<u64>(), prop_oneof![Just(0u64), Just(1u64), any::<u64>()]),
            severity in 0..4usize,
            times in proptest::collection::vec((-70_000_000_000i64..300_000_000_000, 0u32..1_000_000_000, -840i32..=840), 4),
            history in proptest::option::of((any::<bool>(), any::<u64>())),
        ) -> Alert {
            let time = |at: usize| {
                let (seconds, nanos, offset_minutes) = times[at];
                Timestamp::from_unix_with_offset(seconds, nanos, offset_minutes * 60)
            };
            Alert {
                timestamp: time(0),
                message: text[1].clone(),
                event: AlertInfo { kind: "alert", module: optional[0].as_deref().map(Rc::from), severity: numbers.0, risk_score: numbers.1 },
                rule: RuleInfo { id: "brute-force", name: "SSH \"brute\" force", description: "tab\there" },
                threat: Threat { framework: "MITRE ATT&CK", technique: technique(), tactic: Tactic { name: "Credential Access" } },
                source: optional[1].clone().map(|ip| AlertSource { ip }),
                user: optional[2].clone().map(|name| AlertUser { name }),
                host: optional[3].clone().map(|hostname| AlertHost { hostname }),
                logsentry: AlertMeta {
                    severity: [Severity::Low, Severity::Medium, Severity::High, Severity::Critical][severity],
                    count: numbers.2,
                    first_seen: time(1),
                    last_seen: time(2),
                    usernames: lists[0].iter().map(|user| Rc::from(user.as_str())).collect(),
                    usernames_omitted: numbers.3,
                    sources: lists[1].clone(),
                    modules: lists[2].iter().map(|module| Rc::from(module.as_str())).collect(),
                    evidence: evidence.into_iter().map(|(path, line)| Evidence { path: path.as_deref().map(Rc::from), line }).collect(),
                    history: history.map(|(repeat_offender, days)| AlertHistory { repeat_offender, days, first_seen: time(3) }),
                },
            }
        }
    }

    proptest! {
        /// Whatever the alert holds, the hand-written line is serde_json's, byte for byte.
        #[test]
        fn writes_what_serde_json_writes(alert in any_alert()) {
            let mut ours = Vec::new();
            alert.write_json(&mut ours);
            let serde = serde_json::to_vec(&alert).map_err(|error| TestCaseError::fail(error.to_string()))?;
            prop_assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&serde));
        }
    }
}
