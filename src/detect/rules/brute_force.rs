//! Brute force: [threshold] failed or invalid-user logins from one source within the window
//! (HIGH, T1110.001), from any source that logs logins. Its escalation shares its state: a
//! success from a source that crossed the threshold within the compromise window is an
//! account compromise (CRITICAL, T1078), the alert that matters most.

use crate::detect::attempts::Attempts;
use crate::detect::technique::{CREDENTIAL_ACCESS, INITIAL_ACCESS, PASSWORD_GUESSING, VALID_ACCOUNTS};
use crate::detect::threshold::{Crossing, ThresholdState};
use crate::detect::window::{Expiring, ExpiringMap, WINDOW};
use crate::detect::{risk_score, DetectConfig, Detector, EventClass, Observed, Rule, SourceKey};
use crate::detect::{Setting, SettingKind};
use crate::schema::{Alert, Severity};
use crate::time::duration_text;

/// `--only`/`--skip` id of the brute-force rule.
pub const BRUTE_FORCE_ID: &str = "brute-force";
/// `--only`/`--skip` id of the compromise rule.
pub const COMPROMISE_ID: &str = "compromise-after-brute-force";

/// `--brute-force-threshold`.
static THRESHOLD: Setting = Setting {
    name: "brute-force-threshold",
    value_name: "N",
    help: "Failed or invalid-user logins from one source within the window that make a brute force",
    kind: SettingKind::Count {
        default: 5,
        min: 1,
        max: u64::MAX,
    },
};

/// `--compromise-window`.
static COMPROMISE_WINDOW: Setting = Setting {
    name: "compromise-window",
    value_name: "DURATION",
    help: "How long after a brute force a success from the same source is a compromise",
    kind: SettingKind::Duration { default: 24 * 3600 },
};

static BRUTE_FORCE: Rule = Rule {
    id: BRUTE_FORCE_ID,
    name: "Brute force",
    description: "Many failed or invalid-user logins from one source in a short time",
    severity: Severity::High,
    technique: PASSWORD_GUESSING,
    tactic: CREDENTIAL_ACCESS,
    settings: &[&THRESHOLD, &WINDOW],
};

static COMPROMISE: Rule = Rule {
    id: COMPROMISE_ID,
    name: "Compromise after brute force",
    description: "A successful login from a source that was brute-forcing logins",
    severity: Severity::Critical,
    technique: VALID_ACCOUNTS,
    tactic: INITIAL_ACCESS,
    settings: &[&COMPROMISE_WINDOW],
};

static RULES: [&Rule; 2] = [&BRUTE_FORCE, &COMPROMISE];

/// Brute force and the compromise that escalates it.
pub struct BruteForce {
    threshold: u64,
    window: i64,
    compromise_window: i64,
    attempts: Attempts,
    sources: ExpiringMap<SourceKey, SourceState>,
}

#[derive(Debug)]
struct SourceState {
    failures: ThresholdState,
    /// The burst that last crossed the threshold: when, and how many attempts it had.
    crossed: Option<(i64, u64)>,
    compromise_alerted: Option<i64>,
    keep_until: i64,
}

impl Expiring for SourceState {
    fn expires_at(&self) -> i64 {
        self.keep_until
    }
}

impl BruteForce {
    /// A detector with `config`'s thresholds.
    pub fn new(config: &DetectConfig) -> Self {
        BruteForce {
            threshold: config.settings.count(&THRESHOLD).max(1),
            window: config.window_seconds(),
            compromise_window: config.settings.seconds(&COMPROMISE_WINDOW),
            attempts: Attempts::new(config.window_seconds()),
            sources: ExpiringMap::new(config.window_seconds()),
        }
    }

    fn failure(&mut self, event: &Observed<'_>, source: SourceKey, alerts: &mut Vec<Alert>) {
        if self.attempts.count(event) == 0 {
            return;
        }
        let now = event.time.unix_seconds();
        let (threshold, window) = (self.threshold, self.window);
        let state = self.sources.entry(source, now, || SourceState {
            failures: ThresholdState::default(),
            crossed: None,
            compromise_alerted: None,
            keep_until: now,
        });
        state.keep_until = state.keep_until.max(now.saturating_add(window));
        let crossing = state.failures.record(event, now, threshold, window);
        let Some(burst) = state.failures.burst.as_ref() else {
            return;
        };
        if crossing == Crossing::Below {
            return;
        }
        state.crossed = Some((now, burst.count));
        state.keep_until = state.keep_until.max(now.saturating_add(self.compromise_window));
        if crossing == Crossing::Alert {
            let message = format!(
                "{} failed {} logins for {} from {source} in {}",
                burst.count,
                burst.module_title(),
                burst.who(),
                duration_text(burst.duration_seconds()),
            );
            let risk = risk_score(Severity::High, burst.count, threshold);
            alerts.push(burst.alert(&BRUTE_FORCE, event, Some(source), message, risk));
        }
    }

    fn success(&mut self, event: &Observed<'_>, source: SourceKey, alerts: &mut Vec<Alert>) {
        let now = event.time.unix_seconds();
        let Some(state) = self.sources.get_mut(&source) else {
            return;
        };
        let Some((crossed_at, failures)) = state.crossed else {
            return;
        };
        if now - crossed_at > self.compromise_window || now < crossed_at.saturating_sub(self.window) {
            return;
        }
        if state.compromise_alerted.is_some_and(|at| now - at < self.window) {
            return;
        }
        state.compromise_alerted = Some(now);
        let Some(burst) = state.failures.burst.as_ref() else {
            return;
        };
        let user = event.user().unwrap_or("an unknown user");
        // The success may come through another door than the guessing did (Windows
        // guesses, then SSH): each is named by its own source.
        let login_source = crate::schema::module_title(&event.module);
        let guessed_on = burst.module_title();
        let failed = if guessed_on == login_source {
            "failed logins".to_owned()
        } else {
            format!("failed {guessed_on} logins")
        };
        let message = format!("{login_source} login as {user} from {source} succeeded after {failures} {failed}");
        let risk = risk_score(Severity::Critical, failures, self.threshold);
        let mut alert = burst.alert(&COMPROMISE, event, Some(source), message, risk);
        alert.user = event
            .user()
            .map(|name| crate::schema::AlertUser { name: name.to_owned() });
        alert.logsentry.count = failures;
        alert.logsentry.evidence.push(event.evidence());
        alert.logsentry.last_seen = event.time;
        alerts.push(alert);
    }
}

impl Detector for BruteForce {
    fn rules(&self) -> &'static [&'static Rule] {
        &RULES
    }

    fn observe(&mut self, event: &Observed<'_>, alerts: &mut Vec<Alert>) {
        let (Some(class), Some(source)) = (event.class, event.source) else {
            return;
        };
        if class.is_failure() {
            self.failure(event, source, alerts);
        } else if class == EventClass::Success {
            self.success(event, source, alerts);
        }
    }

    fn expire(&mut self, now: i64) {
        self.sources.expire(now);
    }

    fn thresholds(&self, id: &str) -> String {
        if id == COMPROMISE_ID {
            format!(
                "a success within {} of a brute force from the same source",
                duration_text(self.compromise_window)
            )
        } else {
            format!(
                "{} failed or invalid-user logins from one source in {}",
                self.threshold,
                duration_text(self.window)
            )
        }
    }
}
