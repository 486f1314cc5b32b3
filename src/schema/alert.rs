//! The alert `ls-detect` writes: ECS `event.kind: "alert"` with `rule.*` and `threat.*`, and
//! our own `logsentry.*` summary of what fired. Alerts are few next to events, so they are
//! serialised with serde rather than by hand.

use serde::Serialize;

/// How bad an alert is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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
    pub timestamp: String,
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
    pub module: Option<String>,
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
    pub first_seen: String,
    /// The last of them.
    pub last_seen: String,
    /// The accounts they concerned (at most [`MAX_LISTED`], see `usernames_omitted`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub usernames: Vec<String>,
    /// How many more accounts there were than are listed.
    #[serde(skip_serializing_if = "is_zero")]
    pub usernames_omitted: u64,
    /// The sources involved.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// The modules of the events counted (`mysql`, `ssh`), first seen first: one address
    /// guessing at SSH and MySQL is one alert.
    pub modules: Vec<String>,
    /// Where the events that fired the rule are: file and line (at most [`MAX_LISTED`]).
    pub evidence: Vec<Evidence>,
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
    pub path: Option<String>,
    /// `logsentry.line` of the event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}
