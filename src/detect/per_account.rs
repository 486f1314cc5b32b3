//! What the rules that alert on single events (an account created, a lockout, a cleared log)
//! share: they alert once per rule, account and host within the window, as one change is
//! often logged several ways, and their messages name the host.

use super::window::{QuietKeys, Saved, Until};
use super::{Observed, Rule};

/// Rule, account and host that alerted recently.
pub struct OncePerAccount {
    alerted: QuietKeys<(&'static str, String, String)>,
}

impl OncePerAccount {
    /// Quiet for `window` seconds of event time after an alert, for at most `max_keys`.
    pub fn new(window: i64, max_keys: u64) -> Self {
        OncePerAccount {
            alerted: QuietKeys::new(window, max_keys),
        }
    }

    /// Keys forgotten because the map was full.
    pub fn evicted(&self) -> u64 {
        self.alerted.evicted()
    }

    /// Whether `rule` may alert for the event's account and host; if so it stays quiet for
    /// them for the window.
    pub fn first(&mut self, rule: &Rule, event: &Observed<'_>) -> bool {
        let user = event.user().unwrap_or("").to_owned();
        let host = event.view.host.hostname.as_deref().unwrap_or("").to_owned();
        self.alerted.first((rule.id, user, host), event.time.unix_seconds())
    }

    /// Forgets what is older than the window at `now`.
    pub fn expire(&mut self, now: i64) {
        self.alerted.expire(now);
    }

    /// Who is quiet now and until when, for a later run.
    pub fn save(&self) -> &impl serde::Serialize {
        self.alerted.save()
    }

    /// What [`OncePerAccount::save`] wrote, taken back: the quiet periods of `rules` (a rule
    /// id no longer among them is left out).
    pub fn restore(&mut self, saved: Saved<(String, String, String), Until>, rules: &[&'static Rule]) {
        self.alerted.restore(saved.rekeyed(|(id, user, host)| {
            let rule = rules.iter().find(|rule| rule.id == id)?;
            Some((rule.id, user, host))
        }));
    }
}

/// ` on DC01.corp.example`, or nothing when the event names no host.
pub fn on_host(event: &Observed<'_>) -> String {
    event
        .view
        .host
        .hostname
        .as_deref()
        .map(|host| format!(" on {host}"))
        .unwrap_or_default()
}
