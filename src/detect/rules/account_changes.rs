//! Account events an attacker leaves behind once in: an account created (HIGH, T1136.001), an
//! account added to a privileged group (HIGH, T1098), and failed attempts to use sudo
//! (MEDIUM, T1110). One alert per event; the same rule for the same account and host stays
//! quiet within the window (sudo logs one failure several ways).

use crate::detect::burst::Burst;
use crate::detect::per_account::{on_host, OncePerAccount};
use crate::detect::technique::{
    ACCOUNT_MANIPULATION, BRUTE_FORCE, CREATE_LOCAL_ACCOUNT, CREDENTIAL_ACCESS, PERSISTENCE,
};
use crate::detect::{risk_score, DetectConfig, Detector, Observed, Rule};
use crate::schema::{Alert, Severity};

/// `--only`/`--skip` id: account created.
pub const ACCOUNT_CREATED_ID: &str = "account-created";
/// `--only`/`--skip` id: account added to a privileged group.
pub const PRIVILEGED_GROUP_ID: &str = "privileged-group-member-added";
/// `--only`/`--skip` id: sudo refused.
pub const SUDO_FAILURE_ID: &str = "sudo-failure";

static ACCOUNT_CREATED: Rule = Rule {
    id: ACCOUNT_CREATED_ID,
    name: "Account created",
    description: "A new user account was created",
    severity: Severity::High,
    technique: CREATE_LOCAL_ACCOUNT,
    tactic: PERSISTENCE,
    settings: &[],
};

static PRIVILEGED_GROUP: Rule = Rule {
    id: PRIVILEGED_GROUP_ID,
    name: "Member added to a privileged group",
    description: "An account was added to a group that grants administrator rights",
    severity: Severity::High,
    technique: ACCOUNT_MANIPULATION,
    tactic: PERSISTENCE,
    settings: &[],
};

static SUDO_FAILURE: Rule = Rule {
    id: SUDO_FAILURE_ID,
    name: "sudo failure",
    description: "A wrong password for sudo, or sudo by a user not in sudoers",
    severity: Severity::Medium,
    technique: BRUTE_FORCE,
    tactic: CREDENTIAL_ACCESS,
    settings: &[],
};

static RULES: [&Rule; 3] = [&ACCOUNT_CREATED, &PRIVILEGED_GROUP, &SUDO_FAILURE];

/// Groups that make their members administrators, on Linux and Windows (case-insensitive).
pub const DEFAULT_PRIVILEGED_GROUPS: &[&str] = &[
    "sudo",
    "wheel",
    "adm",
    "admin",
    "root",
    "administrators",
    "domain admins",
    "enterprise admins",
    "schema admins",
    "dnsadmins",
    "backup operators",
    "account operators",
    "server operators",
    "print operators",
    "group policy creator owners",
];

/// Account creation, privileged group changes and sudo failures.
pub struct AccountChanges {
    privileged_groups: Vec<String>,
    alerted: OncePerAccount,
}

impl AccountChanges {
    /// A detector with `config`'s privileged groups.
    pub fn new(config: &DetectConfig) -> Self {
        AccountChanges {
            privileged_groups: config
                .privileged_groups
                .iter()
                .map(|group| group.to_lowercase())
                .collect(),
            alerted: OncePerAccount::new(config.window_seconds(), config.max_tracked_keys()),
        }
    }

    fn rule_for(&self, event: &Observed<'_>) -> Option<&'static Rule> {
        let view = event.view;
        let succeeded = view.event.outcome.as_deref() == Some("success");
        match view.event.action.as_deref()? {
            "user-created" if succeeded => Some(&ACCOUNT_CREATED),
            "user-added-to-group" if succeeded => {
                let group = view.group.name.as_deref()?.to_lowercase();
                self.privileged_groups.contains(&group).then_some(&PRIVILEGED_GROUP)
            }
            "sudo-auth-failure" | "sudo-not-allowed" => Some(&SUDO_FAILURE),
            _ => None,
        }
    }
}

impl Detector for AccountChanges {
    fn rules(&self) -> &'static [&'static Rule] {
        &RULES
    }

    fn observe(&mut self, event: &Observed<'_>, alerts: &mut Vec<Alert>) {
        let Some(rule) = self.rule_for(event) else {
            return;
        };
        if !self.alerted.first(rule, event) {
            return;
        }
        let burst = Burst::single(event);
        let who = event.user().unwrap_or("an unknown account");
        let on = on_host(event);
        let message = match rule.id {
            ACCOUNT_CREATED_ID => format!("Account {who} created{on}"),
            PRIVILEGED_GROUP_ID => format!(
                "{who} added to the privileged group {}{on}",
                event.view.group.name.as_deref().unwrap_or("?")
            ),
            _ => format!("sudo refused for {who}{on}"),
        };
        alerts.push(burst.alert(rule, event, event.source, message, risk_score(rule.severity, 1, 1)));
    }

    fn expire(&mut self, now: i64) {
        self.alerted.expire(now);
    }

    fn evicted(&self) -> u64 {
        self.alerted.evicted()
    }

    fn save(&self) -> Option<serde_json::Result<String>> {
        Some(serde_json::to_string(self.alerted.save()))
    }

    fn restore(&mut self, saved: &str) -> serde_json::Result<()> {
        self.alerted.restore(serde_json::from_str(saved)?, &RULES);
        Ok(())
    }

    fn thresholds(&self, id: &str) -> String {
        match id {
            ACCOUNT_CREATED_ID => "every account created".to_owned(),
            PRIVILEGED_GROUP_ID => format!("an account added to one of: {}", self.privileged_groups.join(", ")),
            _ => "every sudo password failure or refusal (one per user and host in the window)".to_owned(),
        }
    }
}
