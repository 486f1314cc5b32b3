//! One attacker's alerts so far (one address, account or machine): what they add up to, and
//! the incident record they make once they qualify. Every list is bounded, so a group that
//! lives for days costs the same as one that lives for minutes.

use super::GroupBy;
use crate::attack;
use crate::schema::{
    and_list, module_title, AlertHost, AlertSource, AlertUser, AlertView, Incident, IncidentDetail, IncidentHistory,
    IncidentInfo, IncidentMeta, IncidentThreat, Severity, TacticNames, TechniqueIds, Timeline, TimelineEntry,
    MAX_LISTED,
};
use crate::time::{duration_text, Timestamp};

/// Distinct rules, techniques and tactics kept per group: far more than any attack shows.
const MAX_KINDS: usize = 64;

/// Longest alert message kept in a timeline (a message quotes logged input).
const MAX_MESSAGE_BYTES: usize = 1024;

/// The alerts of one attacker. It is saved whole in the state file, so a restarted run goes
/// on with it.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Group {
    /// The stable incident id.
    pub id: String,
    /// Revisions written so far.
    pub revision: u64,
    /// The shared value as the first alert gave it.
    key: String,
    first_seen: Timestamp,
    last_seen: Timestamp,
    count: u64,
    severity: Severity,
    /// The message of the first alert of the worst severity.
    worst: String,
    worst_risk: u8,
    risk: u32,
    rules: Vec<String>,
    /// What the rules saw: each ATT&CK technique once, a sub-technique as its parent (the
    /// rule, for an alert that names none). Two rules that see one scan are one kind.
    kinds: Vec<String>,
    modules: Vec<String>,
    tactics: Vec<String>,
    techniques: Vec<String>,
    usernames: Vec<String>,
    sources: Vec<String>,
    hosts: Vec<String>,
    /// The alerts not yet written in a revision.
    timeline: Timeline<TimelineEntry>,
    /// The revision that last carried the timeline (0: none yet).
    timeline_written: u64,
    /// Heap bytes of the lists above.
    listed_bytes: usize,
    /// What the state file knew of the key when the group began.
    pub history: Option<IncidentHistory>,
}

impl Group {
    /// An empty group for `key`, whose first alert is at `time`.
    pub fn new(by: GroupBy, key: &str, time: Timestamp) -> Self {
        Group {
            id: incident_id(by, key, &time.to_string()),
            revision: 0,
            key: key.to_owned(),
            first_seen: time,
            last_seen: time,
            count: 0,
            severity: Severity::Low,
            worst: String::new(),
            worst_risk: 0,
            risk: 0,
            rules: Vec::new(),
            kinds: Vec::new(),
            modules: Vec::new(),
            tactics: Vec::new(),
            techniques: Vec::new(),
            usernames: Vec::new(),
            sources: Vec::new(),
            hosts: Vec::new(),
            timeline: Timeline::default(),
            timeline_written: 0,
            listed_bytes: 0,
            history: None,
        }
    }

    /// Adds an alert at `time` for `rule`.
    pub fn add(&mut self, alert: &AlertView<'_>, rule: &str, time: Timestamp) {
        self.count += 1;
        self.first_seen = self.first_seen.min(time);
        self.last_seen = self.last_seen.max(time);
        let severity = alert.severity();
        let message = alert.message.as_deref().map(bounded).unwrap_or_default();
        let risk = alert.risk_score();
        // The alert that tells the worst: highest severity, then highest risk, then first.
        if self.count == 1 || (severity, risk) > (self.severity, self.worst_risk) {
            self.severity = severity;
            self.worst_risk = risk;
            self.worst = message.clone();
        }
        self.risk = self.risk.saturating_add(u32::from(risk));
        self.listed_bytes += remember(&mut self.rules, rule, MAX_KINDS);
        let technique = alert
            .threat
            .technique
            .id
            .first()
            .map(|id| id.split('.').next().unwrap_or(id));
        self.listed_bytes += remember(
            &mut self.kinds,
            technique.filter(|id| !id.trim().is_empty()).unwrap_or(rule),
            MAX_KINDS,
        );
        let module = alert.event.module.as_deref();
        for module in module
            .into_iter()
            .chain(alert.logsentry.modules.values().iter().map(String::as_str))
        {
            self.listed_bytes += remember(&mut self.modules, module, MAX_LISTED);
        }
        for tactic in alert.threat.tactic.name.values() {
            self.listed_bytes += remember(&mut self.tactics, tactic, MAX_KINDS);
        }
        for technique in alert.threat.technique.id.values() {
            self.listed_bytes += remember(&mut self.techniques, technique, MAX_KINDS);
        }
        let user = alert.user.name.as_deref();
        for user in user
            .into_iter()
            .chain(alert.logsentry.usernames.values().iter().map(String::as_str))
        {
            self.listed_bytes += remember(&mut self.usernames, user, MAX_LISTED);
        }
        let source_ip = alert.source.ip.as_deref();
        if let Some(ip) = source_ip {
            self.listed_bytes += remember(&mut self.sources, ip, MAX_LISTED);
        }
        if let Some(host) = alert.host.name() {
            self.listed_bytes += remember(&mut self.hosts, host, MAX_LISTED);
        }
        self.timeline.add(
            time,
            TimelineEntry {
                timestamp: time.to_string(),
                module: module.map(str::to_owned),
                rule: rule.to_owned(),
                severity,
                risk_score: risk,
                technique: alert.threat.technique.id.first().map(str::to_owned),
                tactic: alert.threat.tactic.name.first().map(str::to_owned),
                message,
                source_ip: source_ip.map(str::to_owned),
                user: user.map(str::to_owned),
            },
        );
    }

    /// How many different kinds of attack its alerts show (techniques, sub-techniques
    /// counted as their parent).
    pub fn kinds(&self) -> usize {
        self.kinds.len()
    }

    /// The time of the newest alert.
    pub fn last_seen(&self) -> Timestamp {
        self.last_seen
    }

    /// The time of the first alert.
    pub fn first_seen(&self) -> Timestamp {
        self.first_seen
    }

    /// The shared value as the first alert gave it.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Memory it holds, in bytes (an estimate: its lists, its unwritten timeline, itself).
    pub fn footprint(&self) -> usize {
        std::mem::size_of::<Self>() + self.listed_bytes + self.worst.capacity() + self.timeline.bytes()
    }

    /// The incident record of the current revision. Its timeline holds the alerts that joined
    /// since the last record taken (every alert kept, for the first): they are handed over,
    /// so a group that lives for days holds only what it has not yet written.
    pub fn take_incident(&mut self, by: GroupBy) -> Incident {
        let timeline_since = self.timeline_written;
        self.timeline_written = self.revision;
        let (timeline, timeline_omitted) = self.timeline.take();
        let mut tactics = self.tactics.clone();
        attack::order(&mut tactics);
        // A chain of at least three phases; two rules of one tactic are not a chain.
        let stage = if tactics.len() >= 3 {
            "kill-chain"
        } else {
            "multi-stage"
        };
        let message = self.story(by, stage, &tactics);
        Incident {
            timestamp: self.last_seen.to_string(),
            message,
            event: IncidentInfo {
                kind: "incident",
                severity: self.severity.number(),
                risk_score: self.risk.min(100) as u8,
            },
            threat: IncidentThreat {
                framework: "MITRE ATT&CK",
                tactic: TacticNames { name: tactics.clone() },
                technique: TechniqueIds {
                    id: self.techniques.clone(),
                },
            },
            source: (by == GroupBy::SourceIp).then(|| AlertSource { ip: self.key.clone() }),
            user: (by == GroupBy::User).then(|| AlertUser { name: self.key.clone() }),
            host: (by == GroupBy::Host).then(|| AlertHost {
                hostname: self.key.clone(),
            }),
            logsentry: IncidentMeta {
                severity: self.severity,
                count: self.count,
                first_seen: self.first_seen.to_string(),
                last_seen: self.last_seen.to_string(),
                usernames: self.usernames.clone(),
                sources: self.sources.clone(),
                hosts: self.hosts.clone(),
                incident: IncidentDetail {
                    id: self.id.clone(),
                    revision: self.revision,
                    group_by: by.field(),
                    key: self.key.clone(),
                    stage,
                    modules: self.modules.clone(),
                    rules: self.rules.clone(),
                    tactics,
                    timeline_since,
                    timeline,
                    timeline_omitted,
                },
                history: self.history.clone(),
            },
        }
    }

    /// `Kill chain from 203.0.113.47 across web and SSH: Reconnaissance → Initial Access →
    /// Credential Access, 6 alerts of 4 rules in 75 min; worst (CRITICAL): ...`
    fn story(&self, by: GroupBy, stage: &str, tactics: &[String]) -> String {
        let attack = if stage == "kill-chain" {
            "Kill chain"
        } else {
            "Multi-stage attack"
        };
        let whom = match by {
            GroupBy::SourceIp => format!("from {}", self.key),
            GroupBy::User => format!("against account {}", self.key),
            GroupBy::Host => format!("on host {}", self.key),
        };
        let titles: Vec<String> = self.modules.iter().map(|module| module_title(module)).collect();
        let place = match titles.len() {
            0 => String::new(),
            1 => format!(" in {}", titles[0]),
            _ => format!(" across {}", and_list(&titles)),
        };
        let phases = if tactics.is_empty() {
            String::new()
        } else {
            format!(": {},", tactics.join(" → "))
        };
        let span = self.last_seen.unix_seconds() - self.first_seen.unix_seconds();
        format!(
            "{attack} {whom}{place}{phases} {} alerts of {} rules in {}; worst ({}): {}",
            self.count,
            self.rules.len(),
            duration_text(span),
            self.severity.name(),
            self.worst
        )
    }
}

/// Adds `value` to `list` unless it is there or the list is full; returns the bytes it took.
fn remember(list: &mut Vec<String>, value: &str, capacity: usize) -> usize {
    if value.is_empty() || list.len() >= capacity || list.iter().any(|known| known == value) {
        return 0;
    }
    list.push(value.to_owned());
    value.len() + std::mem::size_of::<String>()
}

/// `message` cut to [`MAX_MESSAGE_BYTES`] at a character boundary.
fn bounded(message: &str) -> String {
    if message.len() <= MAX_MESSAGE_BYTES {
        return message.to_owned();
    }
    format!("{}…", crate::text::cut_at_char(message, MAX_MESSAGE_BYTES))
}

/// `INC-` and 16 hex digits of an FNV-1a hash of what identifies the incident: how it was
/// grouped, the shared value and when it began. Stable across runs and machines, so the pipe
/// and `logsentry` name the same incident alike, and a ticket can quote it.
fn incident_id(by: GroupBy, key: &str, first_seen: &str) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut hash = OFFSET;
    for part in [by.field(), key, first_seen] {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    format!("INC-{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(json: &str) -> AlertView<'_> {
        serde_json::from_str(json).expect("alert json")
    }

    #[test]
    fn a_group_sums_risk_keeps_the_worst_and_orders_tactics_by_kill_chain() {
        let start = Timestamp::from_unix(1_773_450_000, 0);
        let mut group = Group::new(GroupBy::SourceIp, "203.0.113.47", start);
        let scan = alert(
            r#"{"message":"scan","event":{"kind":"alert","module":"web","risk_score":45},"threat":{"tactic":{"name":"Reconnaissance"},"technique":{"id":"T1595.002"}},"logsentry":{"severity":"MEDIUM"}}"#,
        );
        let compromise = alert(
            r#"{"message":"root in","event":{"kind":"alert","module":"ssh","risk_score":100},"threat":{"tactic":{"name":"Initial Access"},"technique":{"id":"T1078"}},"user":{"name":"root"},"logsentry":{"severity":"CRITICAL","modules":["mysql","ssh"]}}"#,
        );
        let guessing = alert(
            r#"{"message":"guessing","event":{"kind":"alert","module":"ssh","risk_score":65},"threat":{"tactic":{"name":"Credential Access"},"technique":{"id":"T1110.001"}},"logsentry":{"severity":"HIGH"}}"#,
        );
        group.add(&scan, "scanner", start);
        group.add(
            &compromise,
            "compromise-after-brute-force",
            Timestamp::from_unix(1_773_453_600, 0),
        );
        // A late alert takes its place in the timeline by time.
        group.add(&guessing, "brute-force", Timestamp::from_unix(1_773_451_800, 0));
        group.revision = 1;
        let incident = group.take_incident(GroupBy::SourceIp);
        assert_eq!(incident.event.risk_score, 100, "45 + 100 + 65 capped");
        assert_eq!(incident.logsentry.severity, Severity::Critical);
        assert_eq!(
            incident.threat.tactic.name,
            ["Reconnaissance", "Initial Access", "Credential Access"]
        );
        assert_eq!(incident.logsentry.incident.modules, ["web", "ssh", "mysql"]);
        assert_eq!(incident.logsentry.incident.stage, "kill-chain");
        let rules: Vec<&str> = incident
            .logsentry
            .incident
            .timeline
            .iter()
            .map(|entry| entry.rule.as_str())
            .collect();
        assert_eq!(rules, ["scanner", "brute-force", "compromise-after-brute-force"]);
        assert_eq!(
            incident.message,
            "Kill chain from 203.0.113.47 across web, SSH and MySQL: Reconnaissance → Initial Access → \
             Credential Access, 3 alerts of 3 rules in 60 min; worst (CRITICAL): root in"
        );
    }

    #[test]
    fn incident_ids_depend_on_grouping_key_and_start_only() {
        let id = incident_id(GroupBy::SourceIp, "203.0.113.47", "2026-03-14T01:02:36Z");
        assert_eq!(
            id,
            incident_id(GroupBy::SourceIp, "203.0.113.47", "2026-03-14T01:02:36Z")
        );
        assert_ne!(id, incident_id(GroupBy::User, "203.0.113.47", "2026-03-14T01:02:36Z"));
        assert_ne!(
            id,
            incident_id(GroupBy::SourceIp, "203.0.113.48", "2026-03-14T01:02:36Z")
        );
        assert_ne!(
            id,
            incident_id(GroupBy::SourceIp, "203.0.113.47", "2026-03-15T01:02:36Z")
        );
        assert!(id.starts_with("INC-") && id.len() == 20, "{id}");
    }

    #[test]
    fn long_messages_are_cut_at_a_character_boundary() {
        let message = "é".repeat(1000);
        let cut = bounded(&message);
        assert!(cut.len() <= MAX_MESSAGE_BYTES + "…".len(), "{}", cut.len());
        assert!(cut.ends_with('…'));
    }
}
