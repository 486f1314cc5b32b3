//! Vulnerability scanning: [threshold] responses with status 404 to one source within the
//! window (MEDIUM, T1595) — OSSEC's default. Scanners ask for what is not there.

use crate::detect::technique::{ACTIVE_SCANNING, RECONNAISSANCE};
use crate::detect::threshold::{Crossing, ThresholdPerKey};
use crate::detect::window::WINDOW;
use crate::detect::{risk_score, DetectConfig, Detector, Observed, Rule, SourceKey};
use crate::detect::{Setting, SettingKind};
use crate::schema::{Alert, Severity};
use crate::time::duration_text;

/// `--only`/`--skip` id.
pub const ID: &str = "scanner";

/// `--scan-threshold`.
static THRESHOLD: Setting = Setting {
    name: "scan-threshold",
    value_name: "N",
    help: "Responses with status 404 to one source within the window that make a vulnerability scan",
    kind: SettingKind::Count {
        default: 10,
        min: 1,
        max: u64::MAX,
    },
};

static RULE: Rule = Rule {
    id: ID,
    name: "Vulnerability scan",
    description: "Many requests for pages that do not exist from one source in a short time",
    severity: Severity::Medium,
    technique: ACTIVE_SCANNING,
    tactic: RECONNAISSANCE,
    settings: &[&THRESHOLD, &WINDOW],
};

static RULES: [&Rule; 1] = [&RULE];

/// 404s per source.
pub struct Scanner {
    misses: ThresholdPerKey<SourceKey>,
}

impl Scanner {
    /// A detector with `config`'s threshold.
    pub fn new(config: &DetectConfig) -> Self {
        Scanner {
            misses: ThresholdPerKey::new(
                config.settings.count(&THRESHOLD),
                config.window_seconds(),
                config.max_tracked_keys(),
            ),
        }
    }
}

impl Detector for Scanner {
    fn rules(&self) -> &'static [&'static Rule] {
        &RULES
    }

    fn observe(&mut self, event: &Observed<'_>, alerts: &mut Vec<Alert>) {
        let Some(source) = event.source else {
            return;
        };
        if event.view.http.response.status_code != Some(404) {
            return;
        }
        let threshold = self.misses.threshold();
        let (crossing, misses) = self.misses.record(source, event, event.time.unix_seconds());
        let Some(burst) = misses.counted.burst.as_ref().filter(|_| crossing == Crossing::Alert) else {
            return;
        };
        let message = format!(
            "{} requests for missing pages (404) from {source} in {}",
            burst.count,
            duration_text(burst.duration_seconds())
        );
        let risk = risk_score(Severity::Medium, burst.count, threshold);
        alerts.push(burst.alert(&RULE, event, Some(source), message, risk));
    }

    fn expire(&mut self, now: i64) {
        self.misses.expire(now);
    }

    fn evicted(&self) -> u64 {
        self.misses.evicted()
    }

    fn save(&self) -> Option<serde_json::Result<String>> {
        Some(serde_json::to_string(self.misses.save()))
    }

    fn restore(&mut self, saved: &str) -> serde_json::Result<()> {
        self.misses.restore(serde_json::from_str(saved)?);
        Ok(())
    }

    fn thresholds(&self, _id: &str) -> String {
        format!(
            "{} responses with status 404 to one source in {}",
            self.misses.threshold(),
            duration_text(self.misses.window())
        )
    }
}
