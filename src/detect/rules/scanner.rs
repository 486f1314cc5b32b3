//! Vulnerability scanning: [threshold] responses with status 404 to one source within the
//! window (MEDIUM, T1595) — OSSEC's default. Scanners ask for what is not there.

use crate::detect::technique::{ACTIVE_SCANNING, RECONNAISSANCE};
use crate::detect::threshold::{Crossing, ThresholdState};
use crate::detect::window::{Expiring, ExpiringMap, WINDOW};
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
    threshold: u64,
    window: i64,
    sources: ExpiringMap<SourceKey, SourceState>,
}

struct SourceState {
    misses: ThresholdState,
    keep_until: i64,
}

impl Expiring for SourceState {
    fn expires_at(&self) -> i64 {
        self.keep_until
    }
}

impl Scanner {
    /// A detector with `config`'s threshold.
    pub fn new(config: &DetectConfig) -> Self {
        Scanner {
            threshold: config.settings.count(&THRESHOLD).max(1),
            window: config.window_seconds(),
            sources: ExpiringMap::new(config.window_seconds()),
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
        let now = event.time.unix_seconds();
        let (threshold, window) = (self.threshold, self.window);
        let state = self.sources.entry(source, now, || SourceState {
            misses: ThresholdState::default(),
            keep_until: now,
        });
        state.keep_until = now.saturating_add(window);
        if state.misses.record(event, now, threshold, window) != Crossing::Alert {
            return;
        }
        let Some(burst) = state.misses.burst.as_ref() else {
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
        self.sources.expire(now);
    }

    fn thresholds(&self, _id: &str) -> String {
        format!(
            "{} responses with status 404 to one source in {}",
            self.threshold,
            duration_text(self.window)
        )
    }
}
