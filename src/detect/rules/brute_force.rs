//! Brute force: [threshold] failed or invalid-user logins from one source within the window
//! (HIGH, T1110.001), from any source that logs logins; and its slow form, a lower rate over
//! hours (MEDIUM: [slow threshold] within the slow window, for a source that never crossed
//! the fast threshold), which keeps under every per-minute limit. Its escalation shares
//! their state: a success from a source that crossed either within the compromise window is
//! an account compromise (CRITICAL, T1078), the alert that matters most.

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

/// `--only`/`--skip` id of the slow brute-force rule.
pub const SLOW_BRUTE_FORCE_ID: &str = "slow-brute-force";

/// `--slow-brute-force-threshold`.
static SLOW_THRESHOLD: Setting = Setting {
    name: "slow-brute-force-threshold",
    value_name: "N",
    help: "Failed or invalid-user logins from one source within the slow window that make a slow brute force",
    kind: SettingKind::Count {
        default: 10,
        min: 1,
        max: u64::MAX,
    },
};

/// `--slow-brute-force-window`.
static SLOW_WINDOW: Setting = Setting {
    name: "slow-brute-force-window",
    value_name: "DURATION",
    help: "The window a slow brute force is counted in (seconds, or 10m, 1h, 1d)",
    kind: SettingKind::Duration { default: 24 * 3600 },
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

static SLOW_BRUTE_FORCE: Rule = Rule {
    id: SLOW_BRUTE_FORCE_ID,
    name: "Slow brute force",
    description:
        "Failed or invalid-user logins from one source at a low rate for hours, under the brute-force threshold",
    severity: Severity::Medium,
    technique: PASSWORD_GUESSING,
    tactic: CREDENTIAL_ACCESS,
    settings: &[&SLOW_THRESHOLD, &SLOW_WINDOW],
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

static RULES: [&Rule; 3] = [&BRUTE_FORCE, &SLOW_BRUTE_FORCE, &COMPROMISE];

/// Brute force and the compromise that escalates it.
pub struct BruteForce {
    threshold: u64,
    window: i64,
    slow_threshold: u64,
    slow_window: i64,
    compromise_window: i64,
    attempts: Attempts,
    sources: ExpiringMap<SourceKey, SourceState>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct SourceState {
    failures: ThresholdState,
    /// The same failures against the slow threshold and window.
    slow_failures: ThresholdState,
    /// When the fast threshold was last crossed.
    fast_crossed_at: Option<i64>,
    /// The burst that last crossed a threshold.
    crossed: Option<Crossed>,
    compromise_alerted: Option<i64>,
    keep_until: i64,
}

/// A burst that crossed a threshold: when, how many attempts it had, and which threshold.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
struct Crossed {
    at: i64,
    failures: u64,
    slowly: bool,
}

impl Expiring for SourceState {
    fn expires_at(&self) -> i64 {
        self.keep_until
    }

    /// A source that crossed a threshold is kept before any other: forgetting it would
    /// miss the compromise that follows.
    fn activity(&self) -> u64 {
        if self.crossed.is_some() {
            u64::MAX
        } else {
            self.failures.count().max(self.slow_failures.count())
        }
    }
}

impl BruteForce {
    /// A detector with `config`'s thresholds.
    pub fn new(config: &DetectConfig) -> Self {
        BruteForce {
            threshold: config.settings.count(&THRESHOLD).max(1),
            window: config.window_seconds(),
            slow_threshold: config.settings.count(&SLOW_THRESHOLD).max(1),
            slow_window: config.settings.seconds(&SLOW_WINDOW),
            compromise_window: config.settings.seconds(&COMPROMISE_WINDOW),
            attempts: Attempts::new(config.window_seconds()),
            sources: ExpiringMap::new(config.window_seconds(), config.max_tracked_keys()),
        }
    }

    fn failure(&mut self, event: &Observed<'_>, source: SourceKey, alerts: &mut Vec<Alert>) {
        if self.attempts.count(event) == 0 {
            return;
        }
        let now = event.time.unix_seconds();
        let (threshold, window) = (self.threshold, self.window);
        let (slow_threshold, slow_window) = (self.slow_threshold, self.slow_window);
        let state = self.sources.entry(source, now, || SourceState {
            failures: ThresholdState::default(),
            slow_failures: ThresholdState::default(),
            fast_crossed_at: None,
            crossed: None,
            compromise_alerted: None,
            keep_until: now,
        });
        state.keep_until = state.keep_until.max(now.saturating_add(window.max(slow_window)));
        let crossing = state.failures.record(event, now, threshold, window);
        let slow_crossing = state.slow_failures.record(event, now, slow_threshold, slow_window);
        if crossing == Crossing::Below {
            // A source that went over the fast threshold within the slow window has had its
            // alert; the slow one would only repeat it.
            let fast_lately = state.fast_crossed_at.is_some_and(|at| now - at <= slow_window);
            if slow_crossing != Crossing::Below && !fast_lately {
                let alert_due = slow_crossing == Crossing::Alert;
                Self::slow_brute_force(
                    state,
                    event,
                    source,
                    (slow_threshold, alert_due),
                    self.compromise_window,
                    alerts,
                );
            }
            return;
        }
        let Some(burst) = state.failures.burst.as_ref() else {
            return;
        };
        state.fast_crossed_at = Some(now);
        state.crossed = Some(Crossed {
            at: now,
            failures: burst.count,
            slowly: false,
        });
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

    /// The slow threshold was crossed (`state.slow_failures` holds the burst): a success
    /// from the source is now a compromise, and the first crossing in its window alerts.
    fn slow_brute_force(
        state: &mut SourceState,
        event: &Observed<'_>,
        source: SourceKey,
        (slow_threshold, alert_due): (u64, bool),
        compromise_window: i64,
        alerts: &mut Vec<Alert>,
    ) {
        let now = event.time.unix_seconds();
        let Some(burst) = state.slow_failures.burst.as_ref() else {
            return;
        };
        state.crossed = Some(Crossed {
            at: now,
            failures: burst.count,
            slowly: true,
        });
        state.keep_until = state.keep_until.max(now.saturating_add(compromise_window));
        if !alert_due {
            return;
        }
        let message = format!(
            "{} failed {} logins for {} from {source} in {}, a few at a time",
            burst.count,
            burst.module_title(),
            burst.who(),
            duration_text(burst.duration_seconds()),
        );
        let risk = risk_score(Severity::Medium, burst.count, slow_threshold);
        alerts.push(burst.alert(&SLOW_BRUTE_FORCE, event, Some(source), message, risk));
    }

    /// A success is a compromise if the source crossed a threshold lately; either way it
    /// starts the slow count afresh: a user who mistypes now and then logs in in between,
    /// a slow guesser does not.
    fn success(&mut self, event: &Observed<'_>, source: SourceKey, alerts: &mut Vec<Alert>) {
        self.compromise(event, source, alerts);
        if let Some(state) = self.sources.get_mut(&source) {
            if state.crossed.is_none_or(|crossed| !crossed.slowly) {
                state.slow_failures = ThresholdState::default();
            }
        }
    }

    fn compromise(&mut self, event: &Observed<'_>, source: SourceKey, alerts: &mut Vec<Alert>) {
        let now = event.time.unix_seconds();
        let Some(state) = self.sources.get_mut(&source) else {
            return;
        };
        let Some(Crossed {
            at: crossed_at,
            failures,
            slowly,
        }) = state.crossed
        else {
            return;
        };
        if now - crossed_at > self.compromise_window || now < crossed_at.saturating_sub(self.window) {
            return;
        }
        if state.compromise_alerted.is_some_and(|at| now - at < self.window) {
            return;
        }
        state.compromise_alerted = Some(now);
        let crossing_burst = if slowly { &state.slow_failures } else { &state.failures };
        let Some(burst) = crossing_burst.burst.as_ref() else {
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

    fn evicted(&self) -> u64 {
        self.sources.evicted()
    }

    fn save(&self) -> Option<serde_json::Result<String>> {
        Some(serde_json::to_string(&(&self.attempts, &self.sources)))
    }

    fn restore(&mut self, saved: &str) -> serde_json::Result<()> {
        let (attempts, sources) = serde_json::from_str(saved)?;
        self.attempts.restore(attempts);
        self.sources.restore(sources);
        Ok(())
    }

    fn thresholds(&self, id: &str) -> String {
        if id == COMPROMISE_ID {
            format!(
                "a success within {} of a brute force from the same source",
                duration_text(self.compromise_window)
            )
        } else if id == SLOW_BRUTE_FORCE_ID {
            format!(
                "{} failed or invalid-user logins from one source in {}, below the brute-force threshold",
                self.slow_threshold,
                duration_text(self.slow_window)
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
