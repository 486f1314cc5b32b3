//! Events → alerts. Each rule is one file in `rules/` behind the [`Detector`] trait, declaring
//! its [`Rule`]s and their [`Setting`]s, and [`all`] lists them; the machinery they share
//! (windows, thresholds, attempts, source keys) lives beside `rules/`. Windows run on event
//! time, so a replayed file gives the alerts a live stream
//! would have given, and state per key expires with its window.

mod attempts;
mod burst;
mod engine;
mod network;
mod observed;
mod per_account;
mod rules;
mod settings;
mod source_key;
mod technique;
mod threshold;
mod window;

pub use engine::{Engine, Malformed, Outcome, UnreadableWindows, MAX_SEEN_FILES};
pub use network::Network;
pub use observed::{EventClass, Observed};
pub use rules::account_changes::DEFAULT_PRIVILEGED_GROUPS;
pub use rules::off_hours::WorkTime;
pub use rules::sql_query::{injection_sign, Sign as InjectionSign};
pub use rules::web::{normalize as normalize_request, AttackClass, Part as RequestPart, Patterns as WebPatterns};
pub use rules::{all, rules, rules_with_thresholds};
pub use settings::{Setting, SettingError, SettingKind, Settings};
pub use source_key::SourceKey;

use crate::schema::{Alert, Severity, Tactic, Technique};

/// The settings every rule shares: the counting window, how IPv6 sources are counted and how
/// many keys a rule tracks.
pub static SHARED_SETTINGS: [&Setting; 3] = [&window::WINDOW, &source_key::IPV6_PREFIX, &window::MAX_TRACKED_KEYS];

/// Every setting: the shared ones, then each rule's, in rule order, each once.
pub fn settings() -> Vec<&'static Setting> {
    let mut all: Vec<&'static Setting> = SHARED_SETTINGS.to_vec();
    for rule in rules() {
        for setting in rule.settings {
            if !all.iter().any(|known| known.name == setting.name) {
                all.push(setting);
            }
        }
    }
    all
}

/// Thresholds and windows, from flags and the config file (defaults: DESIGN.md and
/// ORIGIN.md, declared with each setting).
#[derive(Clone, Debug)]
pub struct DetectConfig {
    /// Every declared [`Setting`]'s value.
    pub settings: Settings,
    /// Work hours and weekend, for the off-hours rules.
    pub work: WorkTime,
    /// Users whose logins at any time are expected.
    pub allow_users: Vec<String>,
    /// Sources whose logins at any time are expected.
    pub allow_sources: Vec<Network>,
    /// Groups whose new members are reported (case-insensitive).
    pub privileged_groups: Vec<String>,
}

impl DetectConfig {
    /// The counting window, and the quiet period before the same alert is repeated.
    pub fn window_seconds(&self) -> i64 {
        self.settings.seconds(&window::WINDOW)
    }

    /// Keys each rule's maps hold at most.
    pub fn max_tracked_keys(&self) -> u64 {
        self.settings.count(&window::MAX_TRACKED_KEYS)
    }

    /// Every value detection counts with, as one line of text: windows counted under other
    /// values are not restored into a run with these.
    pub fn fingerprint(&self) -> String {
        let mut text = String::new();
        for setting in settings() {
            text.push_str(&format!("{}={} ", setting.name, self.settings.count(setting)));
        }
        text.push_str(&format!(
            "work={:?} allow-user={:?} allow-source={:?} privileged-group={:?}",
            self.work, self.allow_users, self.allow_sources, self.privileged_groups
        ));
        text
    }

    /// IPv6 sources are counted per network of this prefix length (128: per address).
    pub fn ipv6_prefix(&self) -> u8 {
        u8::try_from(self.settings.count(&source_key::IPV6_PREFIX)).unwrap_or(128)
    }
}

impl Default for DetectConfig {
    fn default() -> Self {
        DetectConfig {
            settings: Settings::default(),
            work: WorkTime::default(),
            allow_users: Vec::new(),
            allow_sources: Vec::new(),
            privileged_groups: rules::account_changes::DEFAULT_PRIVILEGED_GROUPS
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
    /// What tunes it: its flags and config keys.
    pub settings: &'static [&'static Setting],
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

    /// Keys forgotten because a map reached `--max-tracked-keys` (0 for a detector that
    /// keeps no keyed state).
    fn evicted(&self) -> u64;

    /// What it remembers between events (windows, counts, quiet periods) as JSON, for a
    /// later run's [`Detector::restore`]; `None` for a detector that judges each event alone.
    fn save(&self) -> Option<serde_json::Result<String>> {
        None
    }

    /// Takes back what [`Detector::save`] wrote, in place of what it holds.
    fn restore(&mut self, saved: &str) -> serde_json::Result<()> {
        let _ = saved;
        Ok(())
    }
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
