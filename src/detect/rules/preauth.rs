//! Pre-authentication failures: [threshold] SSH connections from one source within the window
//! that failed before any login was tried (MEDIUM, T1110) — a key exchange or host key nobody
//! offers, a malformed banner, a timeout before authentication (the CVE-2024-6387 exploit's
//! signature), a protocol error, a disconnect or close before authenticating. Scanners and
//! key-only bots never reach a password prompt, so the brute-force rule never counts them.
//! A source that is guessing passwords in the same window is left to the brute-force rule:
//! each of its connections also ends `[preauth]`, and one attack is one alert.

use crate::detect::attempts::Attempts;
use crate::detect::technique::{BRUTE_FORCE, CREDENTIAL_ACCESS};
use crate::detect::threshold::{Crossing, ThresholdPerKey};
use crate::detect::window::WINDOW;
use crate::detect::{risk_score, DetectConfig, Detector, Observed, Rule, SourceKey};
use crate::detect::{Setting, SettingKind};
use crate::schema::{Alert, Severity};
use crate::time::duration_text;

/// `--only`/`--skip` id.
pub const ID: &str = "preauth-failures";

/// The module whose connection failures this rule counts.
const SSH: &str = "ssh";

/// `--preauth-threshold`.
static THRESHOLD: Setting = Setting {
    name: "preauth-threshold",
    value_name: "N",
    help: "SSH connections from one source within the window that fail before a login is tried",
    kind: SettingKind::Count {
        default: 4,
        min: 1,
        max: u64::MAX,
    },
};

static RULE: Rule = Rule {
    id: ID,
    name: "Pre-authentication failures",
    description: "Many SSH connections from one source that fail before a login is tried: key exchange, \
                  banner, timeout and protocol failures, disconnects before authenticating",
    severity: Severity::Medium,
    technique: BRUTE_FORCE,
    tactic: CREDENTIAL_ACCESS,
    settings: &[&THRESHOLD, &WINDOW],
};

static RULES: [&Rule; 1] = [&RULE];

/// Connection failures per source.
pub struct PreauthFailures {
    attempts: Attempts,
    /// Per source, beside the count: until when it counts as guessing passwords (a login
    /// failure was seen).
    failures: ThresholdPerKey<SourceKey, Option<i64>>,
}

impl PreauthFailures {
    /// A detector with `config`'s threshold.
    pub fn new(config: &DetectConfig) -> Self {
        PreauthFailures {
            attempts: Attempts::new(config.window_seconds()),
            failures: ThresholdPerKey::new(
                config.settings.count(&THRESHOLD),
                config.window_seconds(),
                config.max_tracked_keys(),
            ),
        }
    }
}

impl Detector for PreauthFailures {
    fn rules(&self) -> &'static [&'static Rule] {
        &RULES
    }

    fn observe(&mut self, event: &Observed<'_>, alerts: &mut Vec<Alert>) {
        let Some(source) = event.source else {
            return;
        };
        if &*event.module != SSH || event.view.event.outcome.as_deref() != Some("failure") {
            return;
        }
        let now = event.time.unix_seconds();
        let window = self.failures.window();
        let guess = event.class.is_some_and(|class| class.is_failure());
        if guess {
            // Only a source already failing connections is marked: a plain brute force costs
            // this rule nothing.
            if let Some(state) = self.failures.get_mut(&source) {
                state.extra = Some(now.saturating_add(window));
            }
            return;
        }
        // A login event (a refused key among them: the handshake an agent makes) is no
        // connection failure.
        let login = event.view.logsentry.event_type.is_some();
        if login || self.attempts.count(event) == 0 {
            return;
        }
        let threshold = self.failures.threshold();
        let (crossing, state) = self.failures.record(source, event, now);
        let guessing = state.extra.is_some_and(|until| now <= until);
        let Some(burst) = state
            .counted
            .burst
            .as_ref()
            .filter(|_| crossing == Crossing::Alert && !guessing)
        else {
            return;
        };
        let message = format!(
            "{} SSH connections from {source} failed before authentication, in {}",
            burst.count,
            duration_text(burst.duration_seconds())
        );
        let risk = risk_score(Severity::Medium, burst.count, threshold);
        alerts.push(burst.alert(&RULE, event, Some(source), message, risk));
    }

    fn expire(&mut self, now: i64) {
        self.failures.expire(now);
    }

    fn evicted(&self) -> u64 {
        self.failures.evicted()
    }

    fn save(&self) -> Option<serde_json::Result<String>> {
        Some(serde_json::to_string(&(&self.attempts, self.failures.save())))
    }

    fn restore(&mut self, saved: &str) -> serde_json::Result<()> {
        let (attempts, failures) = serde_json::from_str(saved)?;
        self.attempts.restore(attempts);
        self.failures.restore(failures);
        Ok(())
    }

    fn thresholds(&self, _id: &str) -> String {
        format!(
            "{} SSH connections from one source failing before a login in {}",
            self.failures.threshold(),
            duration_text(self.failures.window())
        )
    }
}
