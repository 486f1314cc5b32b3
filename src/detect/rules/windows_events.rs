//! What a Windows Security or System log shows of an intruder at work, one alert per event:
//! an account locked out by wrong passwords (4740, MEDIUM, T1110), administrator privileges
//! given to a logon outside work hours (4672, MEDIUM, T1078.002), the audit log cleared
//! (1102, HIGH, T1070.001) and a service installed (7045, MEDIUM, T1543.003). The same rule
//! for the same account and host stays quiet within the window.

use super::off_hours::WorkTime;
use crate::detect::burst::Burst;
use crate::detect::per_account::{on_host, OncePerAccount};
use crate::detect::technique::{
    BRUTE_FORCE, CLEAR_WINDOWS_EVENT_LOGS, CREDENTIAL_ACCESS, DEFENSE_EVASION, DOMAIN_ACCOUNTS, PERSISTENCE,
    PRIVILEGE_ESCALATION, WINDOWS_SERVICE,
};
use crate::detect::{risk_score, DetectConfig, Detector, Observed, Rule};
use crate::schema::windows;
use crate::schema::{Alert, Severity};

/// `--only`/`--skip` id: account locked out.
pub const LOCKOUT_ID: &str = "account-locked-out";
/// `--only`/`--skip` id: special privileges outside work hours.
pub const SPECIAL_LOGON_ID: &str = "special-logon-off-hours";
/// `--only`/`--skip` id: audit log cleared.
pub const LOG_CLEARED_ID: &str = "audit-log-cleared";
/// `--only`/`--skip` id: service installed.
pub const SERVICE_ID: &str = "service-installed";

static LOCKOUT: Rule = Rule {
    id: LOCKOUT_ID,
    name: "Account locked out",
    description: "An account was locked out after too many wrong passwords (Windows 4740)",
    severity: Severity::Medium,
    technique: BRUTE_FORCE,
    tactic: CREDENTIAL_ACCESS,
    settings: &[],
};

static SPECIAL_LOGON: Rule = Rule {
    id: SPECIAL_LOGON_ID,
    name: "Administrator logon outside work hours",
    description: "Special (administrator) privileges assigned to a new logon outside work hours (Windows 4672)",
    severity: Severity::Medium,
    technique: DOMAIN_ACCOUNTS,
    tactic: PRIVILEGE_ESCALATION,
    settings: &[],
};

static LOG_CLEARED: Rule = Rule {
    id: LOG_CLEARED_ID,
    name: "Audit log cleared",
    description: "The Security audit log was cleared (Windows 1102)",
    severity: Severity::High,
    technique: CLEAR_WINDOWS_EVENT_LOGS,
    tactic: DEFENSE_EVASION,
    settings: &[],
};

static SERVICE: Rule = Rule {
    id: SERVICE_ID,
    name: "Service installed",
    description: "A new Windows service was installed (Windows 7045)",
    severity: Severity::Medium,
    technique: WINDOWS_SERVICE,
    tactic: PERSISTENCE,
    settings: &[],
};

static RULES: [&Rule; 4] = [&LOCKOUT, &SPECIAL_LOGON, &LOG_CLEARED, &SERVICE];

/// Whether a Windows account is the system's own rather than a person's: the built-in
/// service identities, null sessions, IIS's anonymous user, the window manager and font
/// driver sessions (`DWM-1`, `UMFD-0`) and computer accounts (`DC01$`). Windows logs their
/// logons and special privileges at every hour.
pub(super) fn is_system_identity(user: &str) -> bool {
    const BUILT_IN: &[&str] = &["SYSTEM", "LOCAL SERVICE", "NETWORK SERVICE", "ANONYMOUS LOGON", "IUSR"];
    let upper = user.to_ascii_uppercase();
    user.ends_with('$') || BUILT_IN.contains(&upper.as_str()) || upper.starts_with("DWM-") || upper.starts_with("UMFD-")
}

/// What a rule's message says beyond the account and the host.
enum Detail {
    None,
    /// When a special logon was: `on Saturday at 01:41, a weekend day`.
    When(String),
    /// The service installed and what it runs.
    Service {
        name: String,
        image: Option<String>,
    },
}

/// Windows account and system events.
pub struct WindowsEvents {
    work: WorkTime,
    allow_users: Vec<String>,
    alerted: OncePerAccount,
}

impl WindowsEvents {
    /// A detector with `config`'s work time and user allowlist.
    pub fn new(config: &DetectConfig) -> Self {
        WindowsEvents {
            work: config.work.clone(),
            allow_users: config.allow_users.clone(),
            alerted: OncePerAccount::new(config.window_seconds(), config.max_tracked_keys()),
        }
    }

    /// The rule the event fires, and the message's detail: when, for a special logon; the
    /// service and what it runs, for a new service.
    fn rule_for(&self, event: &Observed<'_>) -> Option<(&'static Rule, Detail)> {
        let view = event.view;
        let action = view.event.action.as_deref()?;
        if action == windows::LOCKED_OUT.action {
            Some((&LOCKOUT, Detail::None))
        } else if action == windows::SPECIAL_LOGON.action {
            let user = event.user()?;
            if is_system_identity(user) || self.allow_users.iter().any(|allowed| allowed == user) {
                return None;
            }
            let outside = self.work.outside_work(event.time.unix_seconds())?;
            Some((&SPECIAL_LOGON, Detail::When(outside.text())))
        } else if action == windows::AUDIT_LOG_CLEARED.action {
            Some((&LOG_CLEARED, Detail::None))
        } else if action == windows::SERVICE_INSTALLED.action {
            let data = &view.winlog.event_data;
            let text = |value: &Option<serde_json::Value>| {
                value.as_ref().and_then(serde_json::Value::as_str).map(str::to_owned)
            };
            Some((
                &SERVICE,
                Detail::Service {
                    name: text(&data.service_name).unwrap_or_else(|| "(unnamed)".to_owned()),
                    image: text(&data.image_path),
                },
            ))
        } else {
            None
        }
    }
}

impl Detector for WindowsEvents {
    fn rules(&self) -> &'static [&'static Rule] {
        &RULES
    }

    fn observe(&mut self, event: &Observed<'_>, alerts: &mut Vec<Alert>) {
        let Some((rule, what)) = self.rule_for(event) else {
            return;
        };
        if !self.alerted.first(rule, event) {
            return;
        }
        let burst = Burst::single(event);
        let who = event.user().unwrap_or("an unknown account");
        let on = on_host(event);
        let message = match (rule.id, what) {
            (LOCKOUT_ID, _) => format!("Account {who} locked out{on}"),
            (_, Detail::When(when)) => format!("{who} given administrator privileges{on} {when}"),
            (_, Detail::Service { name, image }) => {
                let image = image.map(|path| format!(": {path}")).unwrap_or_default();
                let account = event
                    .user()
                    .map(|account| format!(", running as {account}"))
                    .unwrap_or_default();
                format!("Service {name} installed{on}{image}{account}")
            }
            _ => format!("{who} cleared the audit log{on}"),
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
            LOCKOUT_ID => "every lockout (4740)".to_owned(),
            SPECIAL_LOGON_ID => format!(
                "a 4672 for a person's account outside {} on a working day or on {} (not SYSTEM, service, anonymous or machine accounts, nor --allow-user)",
                self.work.hours_text(),
                self.work.weekend_text()
            ),
            LOG_CLEARED_ID => "every clearing of the audit log (1102)".to_owned(),
            _ => "every service installed (7045)".to_owned(),
        }
    }
}
