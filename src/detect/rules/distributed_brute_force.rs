//! Distributed brute force: one existing account refused to [threshold] distinct sources
//! within the distributed window (MEDIUM, T1110.001). A botnet guessing one account from many
//! addresses, a few tries each, stays under every per-source threshold; counted per account,
//! it does not. Unknown names (invalid users) are not counted: the account must exist for
//! the guesses to matter, and every public server sees dictionaries of names.

use crate::detect::attempts::{fnv1a, Attempts};
use crate::detect::burst::Burst;
use crate::detect::technique::{CREDENTIAL_ACCESS, PASSWORD_GUESSING};
use crate::detect::window::{Expiring, ExpiringMap};
use crate::detect::{risk_score, DetectConfig, Detector, EventClass, Observed, Rule, SourceKey};
use crate::detect::{Setting, SettingKind};
use crate::schema::{Alert, Severity};
use crate::time::duration_text;
use smallvec::SmallVec;

/// `--only`/`--skip` id.
pub const ID: &str = "distributed-brute-force";

/// `--distributed-threshold`.
static THRESHOLD: Setting = Setting {
    name: "distributed-threshold",
    value_name: "N",
    help: "Distinct sources one existing account is refused to within the distributed window",
    kind: SettingKind::Count {
        default: 10,
        min: 2,
        max: 1024,
    },
};

/// `--distributed-window`.
static DISTRIBUTED_WINDOW: Setting = Setting {
    name: "distributed-window",
    value_name: "DURATION",
    help: "The window a distributed brute force is counted in (seconds, or 10m, 1h, 1d)",
    kind: SettingKind::Duration { default: 3600 },
};

static RULE: Rule = Rule {
    id: ID,
    name: "Distributed brute force",
    description: "Failed logins for one existing account from many different sources",
    severity: Severity::Medium,
    technique: PASSWORD_GUESSING,
    tactic: CREDENTIAL_ACCESS,
    settings: &[&THRESHOLD, &DISTRIBUTED_WINDOW],
};

static RULES: [&Rule; 1] = [&RULE];

/// Distinct sources per account, keyed by the account name's hash.
pub struct DistributedBruteForce {
    threshold: u64,
    window: i64,
    attempts: Attempts,
    accounts: ExpiringMap<u64, AccountState>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct AccountState {
    /// The sources refused lately, with when each was last refused: at most the threshold.
    sources: SmallVec<[(SourceKey, i64); 4]>,
    burst: Option<Burst>,
    alerted_at: Option<i64>,
    keep_until: i64,
}

impl Expiring for AccountState {
    fn expires_at(&self) -> i64 {
        self.keep_until
    }

    fn activity(&self) -> u64 {
        self.sources.len() as u64
    }
}

impl DistributedBruteForce {
    /// A detector with `config`'s threshold and window.
    pub fn new(config: &DetectConfig) -> Self {
        let window = config.settings.seconds(&DISTRIBUTED_WINDOW);
        DistributedBruteForce {
            threshold: config.settings.count(&THRESHOLD).max(2),
            window,
            attempts: Attempts::new(config.window_seconds()),
            accounts: ExpiringMap::new(window, config.max_tracked_keys()),
        }
    }
}

impl Detector for DistributedBruteForce {
    fn rules(&self) -> &'static [&'static Rule] {
        &RULES
    }

    fn observe(&mut self, event: &Observed<'_>, alerts: &mut Vec<Alert>) {
        let (Some(EventClass::Failed), Some(source), Some(user)) = (event.class, event.source, event.user()) else {
            return;
        };
        if self.attempts.count(event) == 0 {
            return;
        }
        let now = event.time.unix_seconds();
        let (threshold, window) = (self.threshold, self.window);
        let state = self.accounts.entry(fnv1a(user), now, || AccountState {
            sources: SmallVec::new(),
            burst: None,
            alerted_at: None,
            keep_until: now,
        });
        state.keep_until = now.saturating_add(window);
        state.sources.retain(|(_, seen)| now - *seen <= window);
        match state.sources.iter_mut().find(|(known, _)| *known == source) {
            Some((_, seen)) => *seen = now,
            None => {
                let capacity = usize::try_from(threshold).unwrap_or(usize::MAX);
                if state.sources.len() >= capacity {
                    // The oldest gives way: the count that matters is of the latest sources.
                    if let Some(oldest) = (0..state.sources.len()).min_by_key(|at| state.sources[*at].1) {
                        state.sources.remove(oldest);
                    }
                }
                state.sources.push((source, now));
            }
        }
        Burst::end_if_quiet(&mut state.burst, now, window);
        state.burst.get_or_insert_with(|| Burst::new(event)).add(event);
        let over = state.sources.len() as u64 >= threshold;
        let quiet = state.alerted_at.is_some_and(|at| now - at < window);
        if !over || quiet {
            return;
        }
        state.alerted_at = Some(now);
        let Some(burst) = state.burst.as_ref() else {
            return;
        };
        let message = format!(
            "{} failed {} logins for {user:?} from at least {} different sources in {}",
            burst.count,
            burst.module_title(),
            state.sources.len(),
            duration_text(burst.duration_seconds()),
        );
        let risk = risk_score(Severity::Medium, state.sources.len() as u64, threshold);
        let mut alert = burst.alert(&RULE, event, None, message, risk);
        alert.user = Some(crate::schema::AlertUser { name: user.to_owned() });
        alerts.push(alert);
    }

    fn expire(&mut self, now: i64) {
        self.accounts.expire(now);
    }

    fn evicted(&self) -> u64 {
        self.accounts.evicted()
    }

    fn save(&self) -> Option<serde_json::Result<String>> {
        Some(serde_json::to_string(&(&self.attempts, &self.accounts)))
    }

    fn restore(&mut self, saved: &str) -> serde_json::Result<()> {
        let (attempts, accounts) = serde_json::from_str(saved)?;
        self.attempts.restore(attempts);
        self.accounts.restore(accounts);
        Ok(())
    }

    fn thresholds(&self, _id: &str) -> String {
        format!(
            "one existing account refused to {} distinct sources in {}",
            self.threshold,
            duration_text(self.window)
        )
    }
}
