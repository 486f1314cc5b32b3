//! Brute force with no source: [threshold] failed or invalid-user logins for one account on
//! one host within the window, when the log names no source address (HIGH, T1110.001): a
//! console, RDP or OpenSSH on Windows logging `-`, a local `login`. The brute-force rule
//! counts per source and cannot see these. A domain controller's NTLM check (4776) is not
//! counted: the logon it serves is logged where it happened, and one guess would count twice.

use crate::detect::attempts::{fnv1a, Attempts};
use crate::detect::technique::{CREDENTIAL_ACCESS, PASSWORD_GUESSING};
use crate::detect::threshold::{Crossing, ThresholdPerKey};
use crate::detect::window::WINDOW;
use crate::detect::{risk_score, DetectConfig, Detector, Observed, Rule};
use crate::detect::{Setting, SettingKind};
use crate::schema::windows::CREDENTIALS_VALIDATED;
use crate::schema::{Alert, Severity};
use crate::time::duration_text;

/// `--only`/`--skip` id.
pub const ID: &str = "account-brute-force";

/// `--account-brute-force-threshold`.
static THRESHOLD: Setting = Setting {
    name: "account-brute-force-threshold",
    value_name: "N",
    help: "Failed or invalid-user logins for one account on one host, with no source address, within the window",
    kind: SettingKind::Count {
        default: 5,
        min: 1,
        max: u64::MAX,
    },
};

static RULE: Rule = Rule {
    id: ID,
    name: "Brute force on an account",
    description: "Many failed logins for one account on one host, where the log names no source address",
    severity: Severity::High,
    technique: PASSWORD_GUESSING,
    tactic: CREDENTIAL_ACCESS,
    settings: &[&THRESHOLD, &WINDOW],
};

static RULES: [&Rule; 1] = [&RULE];

/// Failures per (host, account), keyed by their hashes: the key costs no allocation.
pub struct AccountBruteForce {
    attempts: Attempts,
    failures: ThresholdPerKey<(u64, u64)>,
}

impl AccountBruteForce {
    /// A detector with `config`'s threshold.
    pub fn new(config: &DetectConfig) -> Self {
        AccountBruteForce {
            attempts: Attempts::new(config.window_seconds()),
            failures: ThresholdPerKey::new(
                config.settings.count(&THRESHOLD),
                config.window_seconds(),
                config.max_tracked_keys(),
            ),
        }
    }
}

impl Detector for AccountBruteForce {
    fn rules(&self) -> &'static [&'static Rule] {
        &RULES
    }

    fn observe(&mut self, event: &Observed<'_>, alerts: &mut Vec<Alert>) {
        if event.source.is_some() || !event.class.is_some_and(|class| class.is_failure()) {
            return;
        }
        // A source written that we could not read is a source, not its absence.
        if event
            .view
            .source
            .ip
            .as_deref()
            .is_some_and(|ip| !ip.is_empty() && ip != "-")
        {
            return;
        }
        if event.view.event.action.as_deref() == Some(CREDENTIALS_VALIDATED.action) {
            return;
        }
        let (Some(user), Some(host)) = (event.user(), event.view.host.hostname.as_deref()) else {
            return;
        };
        if self.attempts.count(event) == 0 {
            return;
        }
        let threshold = self.failures.threshold();
        let key = (fnv1a(host), fnv1a(user));
        let (crossing, failures) = self.failures.record(key, event, event.time.unix_seconds());
        let Some(burst) = failures.counted.burst.as_ref().filter(|_| crossing == Crossing::Alert) else {
            return;
        };
        let message = format!(
            "{} failed {} logins for {user:?} on {host:?} with no source address, in {}",
            burst.count,
            burst.module_title(),
            duration_text(burst.duration_seconds()),
        );
        let risk = risk_score(Severity::High, burst.count, threshold);
        let mut alert = burst.alert(&RULE, event, None, message, risk);
        alert.user = Some(crate::schema::AlertUser { name: user.to_owned() });
        alerts.push(alert);
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
            "{} failed or invalid-user logins for one account on one host, no source address, in {}",
            self.failures.threshold(),
            duration_text(self.failures.window())
        )
    }
}
