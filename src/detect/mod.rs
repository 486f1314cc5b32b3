//! Events → alerts. Each rule is one file behind the [`Detector`] trait and [`all`] lists them
//! by hand; windows run on event time, so a replayed file gives the alerts a live stream
//! would have given, and state per key expires with its window.

mod account_changes;
mod attempts;
mod brute_force;
mod burst;
mod credential_stuffing;
mod engine;
mod network;
mod observed;
mod off_hours;
mod per_account;
mod scanner;
mod source_key;
mod sql_query;
mod technique;
mod threshold;
mod web;
mod window;
mod windows_events;

pub use engine::{Engine, Malformed, Outcome};
pub use network::Network;
pub use observed::{EventClass, Observed};
pub use off_hours::WorkTime;
pub use source_key::SourceKey;
pub use sql_query::{injection_sign, Sign as InjectionSign};
pub use web::{normalize as normalize_request, AttackClass, Patterns as WebPatterns};

use crate::schema::{Alert, Severity, Tactic, Technique};

/// Thresholds and windows, from flags (defaults: DESIGN.md and ORIGIN.md).
#[derive(Clone, Debug)]
pub struct DetectConfig {
    /// Failed or invalid-user logins from one source within `window_seconds` that make a
    /// brute force.
    pub brute_force_threshold: u64,
    /// Distinct usernames from one source within `window_seconds` that make credential
    /// stuffing.
    pub stuffing_threshold: u64,
    /// Responses with status 404 to one source within `window_seconds` that make a scan.
    pub scan_threshold: u64,
    /// The counting window, and the quiet period before the same alert is repeated.
    pub window_seconds: i64,
    /// How long after a brute force a success from the same source is a compromise.
    pub compromise_window_seconds: i64,
    /// IPv6 sources are counted per network of this prefix length (128: per address).
    pub ipv6_prefix: u8,
    /// Work hours and weekend, for the off-hours rules.
    pub work: WorkTime,
    /// Users whose logins at any time are expected.
    pub allow_users: Vec<String>,
    /// Sources whose logins at any time are expected.
    pub allow_sources: Vec<Network>,
    /// Groups whose new members are reported (case-insensitive).
    pub privileged_groups: Vec<String>,
}

impl Default for DetectConfig {
    fn default() -> Self {
        DetectConfig {
            brute_force_threshold: 5,
            stuffing_threshold: 3,
            scan_threshold: 10,
            window_seconds: 600,
            compromise_window_seconds: 24 * 3600,
            ipv6_prefix: 64,
            work: WorkTime::default(),
            allow_users: Vec::new(),
            allow_sources: Vec::new(),
            privileged_groups: account_changes::DEFAULT_PRIVILEGED_GROUPS
                .iter()
                .map(|group| (*group).to_owned())
                .collect(),
        }
    }
}

/// A rule's fixed description: what `--list-rules` prints and every alert carries.
#[derive(Debug)]
pub struct Rule {
    /// Stable id, used by `--only` and `--skip`.
    pub id: &'static str,
    /// Short name.
    pub name: &'static str,
    /// What fires it.
    pub description: &'static str,
    /// Severity of its alerts.
    pub severity: Severity,
    /// The ATT&CK technique it detects.
    pub technique: Technique,
    /// The technique's tactic.
    pub tactic: Tactic,
}

/// One detection rule (or a pair that share their state, as brute force and the compromise
/// that escalates it).
pub trait Detector {
    /// The rules whose alerts this detector writes.
    fn rules(&self) -> &'static [&'static Rule];

    /// Looks at one event; an alert whose condition became true is pushed at once.
    fn observe(&mut self, event: &Observed<'_>, alerts: &mut Vec<Alert>);

    /// Forgets state that no longer matters at event time `now` (unix seconds).
    fn expire(&mut self, now: i64);

    /// What fires rule `id` with this detector's settings, for `--list-rules`.
    fn thresholds(&self, id: &str) -> String;
}

/// Every detector, in a fixed order.
pub fn all(config: &DetectConfig) -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(brute_force::BruteForce::new(config)),
        Box::new(credential_stuffing::CredentialStuffing::new(config)),
        Box::new(off_hours::OffHours::new(config)),
        Box::new(scanner::Scanner::new(config)),
        Box::new(account_changes::AccountChanges::new(config)),
        Box::new(web::WebAttacks::new()),
        Box::new(sql_query::QueryInjection),
        Box::new(windows_events::WindowsEvents::new(config)),
    ]
}

/// Every rule, in the order of [`all`].
pub fn rules() -> Vec<&'static Rule> {
    all(&DetectConfig::default())
        .iter()
        .flat_map(|detector| detector.rules().iter().copied())
        .collect()
}

/// Every rule with how its thresholds read as configured, for `--list-rules`: the detectors
/// are built once and each describes its own rules.
pub fn rules_with_thresholds(config: &DetectConfig) -> Vec<(&'static Rule, String)> {
    all(config)
        .iter()
        .flat_map(|detector| {
            detector
                .rules()
                .iter()
                .map(|rule| (*rule, detector.thresholds(rule.id)))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// 0–100: the severity's base, raised with how far the activity went past its threshold
/// (log-scaled: 10× the threshold adds about 15).
pub fn risk_score(severity: Severity, count: u64, threshold: u64) -> u8 {
    let base: f64 = match severity {
        Severity::Low => 20.0,
        Severity::Medium => 45.0,
        Severity::High => 65.0,
        Severity::Critical => 85.0,
    };
    let excess = (count.max(1) as f64 / threshold.max(1) as f64).max(1.0);
    let score = base + (excess.log2() * 4.5).min(15.0);
    score.round().clamp(0.0, 100.0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_and_each_has_a_technique() {
        let rules = rules();
        let mut ids: Vec<_> = rules.iter().map(|rule| rule.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), rules.len(), "duplicate rule id");
        for (rule, thresholds) in rules_with_thresholds(&DetectConfig::default()) {
            assert!(rule.technique.id.starts_with('T'), "{}", rule.id);
            assert!(rule
                .technique
                .reference
                .starts_with("https://attack.mitre.org/techniques/T"));
            assert!(!thresholds.is_empty(), "{}", rule.id);
        }
    }

    #[test]
    fn risk_grows_with_the_count_and_stays_in_range() {
        assert_eq!(risk_score(Severity::High, 5, 5), 65);
        assert!(risk_score(Severity::High, 50, 5) > risk_score(Severity::High, 10, 5));
        assert_eq!(risk_score(Severity::Critical, u64::MAX, 1), 100);
        assert!(risk_score(Severity::Low, 0, 0) <= 100);
    }
}
