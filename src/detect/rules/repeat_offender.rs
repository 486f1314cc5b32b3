//! Repeat offender (fail2ban's `recidive`): a source whose alerts show brute force, scanning
//! or web attacks on 3 separate days (UTC) within 30 days is HIGH, once per lookback; from
//! then on every alert from it carries `logsentry.history.*` and a higher risk score.
//!
//! It reads the alerts the other rules raised for the same event, so it is the last
//! detector in the list; what it remembers (a few days per source) is saved with the windows,
//! so with `--state` the days add up across runs.

use crate::detect::burst::Burst;
use crate::detect::settings::{Setting, SettingKind};
use crate::detect::technique::{BRUTE_FORCE, CREDENTIAL_ACCESS};
use crate::detect::window::{Expiring, ExpiringMap, Saved};
use crate::detect::{risk_score, DetectConfig, Detector, Observed, Rule, SourceKey};
use crate::schema::{Alert, AlertHistory, Severity};
use crate::time::Timestamp;

/// `--only`/`--skip` id.
pub const ID: &str = "repeat-offender";

const DAY: i64 = 86_400;

/// `--repeat-offender-days`.
static DAYS: Setting = Setting {
    name: "repeat-offender-days",
    value_name: "N",
    help: "Separate days (UTC) with brute-force, scanning or web-attack alerts from one source, within the lookback, that make a repeat offender",
    kind: SettingKind::Count {
        default: 3,
        min: 2,
        max: 366,
    },
};

/// `--repeat-offender-window`.
static LOOKBACK: Setting = Setting {
    name: "repeat-offender-window",
    value_name: "DURATION",
    help: "The lookback the repeat offender's days are counted in, and how long its alert stays quiet (seconds, or 10m, 1h, 30d)",
    kind: SettingKind::Duration { default: 30 * DAY },
};

/// `30 days`: a lookback is days long, where the shared duration text would say `720 h`.
fn lookback_text(seconds: i64) -> String {
    if seconds >= DAY && seconds % DAY == 0 {
        format!("{} days", seconds / DAY)
    } else {
        crate::time::duration_text(seconds)
    }
}

/// What its alerts add to the risk score of every later alert from the source.
const RISK_RAISE: u8 = 15;

static RULE: Rule = Rule {
    id: ID,
    name: "Repeat offender",
    description: "A source that came back: brute force, scanning or web attacks on several separate days \
                  (the alert names the technique of the latest)",
    severity: Severity::High,
    technique: BRUTE_FORCE,
    tactic: CREDENTIAL_ACCESS,
    settings: &[&DAYS, &LOOKBACK],
};

static RULES: [&Rule; 1] = [&RULE];

/// Whether an alert is of the kinds that make a repeat offender: guessing logins, scanning,
/// attacking the web application.
fn counts(alert: &Alert) -> bool {
    let technique = alert.threat.technique.id;
    ["T1110", "T1595", "T1190"]
        .iter()
        .any(|family| technique.starts_with(family))
        || alert.event.module.as_deref() == Some("web")
}

/// One source's days of attack within the lookback.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Offences {
    /// UTC day numbers (unix seconds / 86,400), ascending, each once, with the time of its
    /// first counted alert that day.
    days: Vec<(i64, Timestamp)>,
    /// Until when (unix seconds) it is a known repeat offender, if it is one.
    offender_until: Option<i64>,
    /// How long the days are kept.
    lookback: i64,
}

impl Expiring for Offences {
    fn expires_at(&self) -> i64 {
        let latest_day = self
            .days
            .last()
            .map_or(i64::MIN, |(day, _)| day.saturating_add(1).saturating_mul(DAY));
        latest_day
            .saturating_add(self.lookback)
            .max(self.offender_until.unwrap_or(i64::MIN))
    }

    fn activity(&self) -> u64 {
        if self.offender_until.is_some() {
            u64::MAX
        } else {
            self.days.len() as u64
        }
    }
}

/// Repeat offenders, by source.
pub struct RepeatOffender {
    sources: ExpiringMap<SourceKey, Offences>,
    days: u64,
    lookback: i64,
    ipv6_prefix: u8,
}

impl RepeatOffender {
    /// A detector with `config`'s days and lookback.
    pub fn new(config: &DetectConfig) -> Self {
        RepeatOffender {
            sources: ExpiringMap::new(DAY, config.max_tracked_keys()),
            days: config.settings.count(&DAYS),
            lookback: config.settings.seconds(&LOOKBACK),
            ipv6_prefix: config.ipv6_prefix(),
        }
    }

    /// Notes the day of `alert` (one that counts) for `source`; the alert to raise when that
    /// made it a repeat offender.
    fn note(&mut self, source: SourceKey, alert: &Alert, event: &Observed<'_>) -> Option<Alert> {
        let now = event.time.unix_seconds();
        let lookback = self.lookback;
        let offences = self.sources.entry(source, now, || Offences {
            days: Vec::new(),
            offender_until: None,
            lookback,
        });
        let today = now.div_euclid(DAY);
        let oldest = now.saturating_sub(lookback).div_euclid(DAY);
        offences.days.retain(|&(day, _)| day >= oldest);
        if let Err(at) = offences.days.binary_search_by_key(&today, |&(day, _)| day) {
            offences.days.insert(at, (today, event.time));
        }
        if offences.offender_until.is_some_and(|until| now > until) {
            offences.offender_until = None;
        }
        let days = offences.days.len() as u64;
        if days < self.days || offences.offender_until.is_some() {
            return None;
        }
        offences.offender_until = Some(now.saturating_add(lookback));
        let listed: Vec<String> = offences
            .days
            .iter()
            .map(|&(day, _)| crate::time::utc_date(day))
            .collect();
        let message = format!(
            "{source} came back: attacks on {days} separate days within {} ({}), the latest {} ({})",
            lookback_text(lookback),
            listed.join(", "),
            alert.rule.id,
            alert.threat.technique.id
        );
        let mut raised = Burst::single(event).alert(
            &RULE,
            event,
            Some(source),
            message,
            risk_score(Severity::High, days, self.days),
        );
        raised.threat.technique = alert.threat.technique;
        raised.threat.tactic = alert.threat.tactic;
        Some(raised)
    }

    /// The source an alert names, keyed as the rules key it.
    fn source_of(&self, alert: &Alert) -> Option<SourceKey> {
        SourceKey::new(&alert.source.as_ref()?.ip, self.ipv6_prefix)
    }

    /// What is known of `source`, when it is a repeat offender at `now`.
    fn history(&mut self, source: SourceKey, now: i64) -> Option<AlertHistory> {
        let offences = self.sources.get_mut(&source)?;
        offences.offender_until.filter(|&until| now <= until)?;
        Some(AlertHistory {
            repeat_offender: true,
            days: offences.days.len() as u64,
            first_seen: offences
                .days
                .first()
                .map_or(Timestamp::from_unix(now, 0), |&(_, first)| first),
        })
    }
}

impl Detector for RepeatOffender {
    fn rules(&self) -> &'static [&'static Rule] {
        &RULES
    }

    fn observe(&mut self, event: &Observed<'_>, alerts: &mut Vec<Alert>) {
        if alerts.is_empty() {
            return;
        }
        let now = event.time.unix_seconds();
        let mut raised = Vec::new();
        for alert in alerts.iter() {
            if let (Some(source), true) = (self.source_of(alert), counts(alert)) {
                raised.extend(self.note(source, alert, event));
            }
        }
        alerts.append(&mut raised);
        for alert in alerts.iter_mut() {
            let Some(source) = self.source_of(alert) else {
                continue;
            };
            if let Some(history) = self.history(source, now) {
                alert.event.risk_score = alert.event.risk_score.saturating_add(RISK_RAISE).min(100);
                alert.logsentry.history = Some(history);
            }
        }
    }

    fn expire(&mut self, now: i64) {
        self.sources.expire(now);
    }

    fn evicted(&self) -> u64 {
        self.sources.evicted()
    }

    fn save(&self) -> Option<serde_json::Result<String>> {
        Some(serde_json::to_string(&self.sources))
    }

    fn restore(&mut self, saved: &str) -> serde_json::Result<()> {
        let saved: Saved<SourceKey, Offences> = serde_json::from_str(saved)?;
        self.sources.restore(saved);
        Ok(())
    }

    fn thresholds(&self, _id: &str) -> String {
        format!(
            "brute-force, scanning or web-attack alerts from one source on {} separate days within {}, once per {}",
            self.days,
            lookback_text(self.lookback),
            lookback_text(self.lookback)
        )
    }
}
