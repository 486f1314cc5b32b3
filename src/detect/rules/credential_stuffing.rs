//! Credential stuffing and account enumeration: [threshold] distinct usernames tried from one
//! source within the window (HIGH, T1110.004), counting failed and invalid-user logins, each
//! username once.

use crate::detect::attempts::Attempts;
use crate::detect::burst::Burst;
use crate::detect::technique::{CREDENTIAL_ACCESS, CREDENTIAL_STUFFING};
use crate::detect::window::{Expiring, ExpiringMap, WINDOW};
use crate::detect::{risk_score, DetectConfig, Detector, Observed, Rule, SourceKey};
use crate::detect::{Setting, SettingKind};
use crate::schema::{Alert, Severity};
use crate::time::duration_text;
use smallvec::SmallVec;
use std::rc::Rc;

/// `--only`/`--skip` id.
pub const ID: &str = "credential-stuffing";

/// `--stuffing-threshold`.
static THRESHOLD: Setting = Setting {
    name: "stuffing-threshold",
    value_name: "N",
    help: "Distinct usernames tried from one source within the window that make credential stuffing",
    kind: SettingKind::Count {
        default: 3,
        min: 2,
        max: u64::MAX,
    },
};

static RULE: Rule = Rule {
    id: ID,
    name: "Credential stuffing",
    description: "Logins tried for many different usernames from one source in a short time",
    severity: Severity::High,
    technique: CREDENTIAL_STUFFING,
    tactic: CREDENTIAL_ACCESS,
    settings: &[&THRESHOLD, &WINDOW],
};

static RULES: [&Rule; 1] = [&RULE];

/// How many recent usernames a source remembers: the threshold is small, and the alert's
/// list is bounded anyway.
const MAX_RECENT_USERS: usize = 64;

/// Distinct usernames per source.
pub struct CredentialStuffing {
    threshold: u64,
    window: i64,
    attempts: Attempts,
    sources: ExpiringMap<SourceKey, SourceState>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct SourceState {
    /// Usernames tried recently, with when each was last tried; the first few inline.
    recent: SmallVec<[(Rc<str>, i64); 2]>,
    burst: Option<Burst>,
    alerted: Option<(i64, u64)>,
    keep_until: i64,
}

impl Expiring for SourceState {
    fn expires_at(&self) -> i64 {
        self.keep_until
    }

    fn activity(&self) -> u64 {
        self.burst.as_ref().map_or(0, |burst| burst.count)
    }
}

impl CredentialStuffing {
    /// A detector with `config`'s thresholds.
    pub fn new(config: &DetectConfig) -> Self {
        CredentialStuffing {
            threshold: config.settings.count(&THRESHOLD).max(2),
            window: config.window_seconds(),
            attempts: Attempts::new(config.window_seconds()),
            sources: ExpiringMap::new(config.window_seconds(), config.max_tracked_keys()),
        }
    }
}

impl Detector for CredentialStuffing {
    fn rules(&self) -> &'static [&'static Rule] {
        &RULES
    }

    fn observe(&mut self, event: &Observed<'_>, alerts: &mut Vec<Alert>) {
        let (Some(class), Some(source), Some(user)) = (event.class, event.source, event.user()) else {
            return;
        };
        if !class.is_failure() || self.attempts.count(event) == 0 {
            return;
        }
        let now = event.time.unix_seconds();
        let (threshold, window) = (self.threshold, self.window);
        let state = self.sources.entry(source, now, || SourceState {
            recent: SmallVec::new(),
            burst: None,
            alerted: None,
            keep_until: now,
        });
        state.keep_until = now.saturating_add(window);
        state.recent.retain(|(_, at)| now - *at <= window);
        if Burst::end_if_quiet(&mut state.burst, now, window) {
            state.alerted = None;
        }
        let new_user = match state.recent.iter_mut().find(|(known, _)| &**known == user) {
            Some((_, at)) => {
                *at = now;
                false
            }
            None => {
                if state.recent.len() >= MAX_RECENT_USERS {
                    state.recent.remove(0);
                }
                state.recent.extend(event.shared_user().map(|user| (user, now)));
                true
            }
        };
        let burst = state.burst.get_or_insert_with(|| Burst::new(event));
        burst.add(event);
        if !new_user || (state.recent.len() as u64) < threshold {
            return;
        }
        let distinct = burst.distinct_users();
        let due = match state.alerted {
            None => true,
            Some((at, users)) => now - at >= window && distinct > users,
        };
        if due {
            state.alerted = Some((now, distinct));
            let message = format!(
                "{distinct} usernames tried in {} failed {} logins from {source} in {}",
                burst.count,
                burst.module_title(),
                duration_text(burst.duration_seconds()),
            );
            let risk = risk_score(Severity::High, distinct, threshold);
            let mut alert = burst.alert(&RULE, event, Some(source), message, risk);
            if distinct > 1 {
                alert.user = None;
            }
            alerts.push(alert);
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

    fn thresholds(&self, _id: &str) -> String {
        format!(
            "{} distinct usernames from one source in {}",
            self.threshold,
            duration_text(self.window)
        )
    }
}
