//! HTTP login brute force: [threshold] login attempts from one source within the window
//! (HIGH, T1110.001). An attempt is a request the server refused with 401, or a POST to a
//! login page (`wp-login.php`, `xmlrpc.php`, `/login`, `/user/login`, `/users/sign_in`, ...)
//! that it did not answer with a redirect: a web application shows the form again on a
//! wrong password and redirects on a right one, so a redirect is not counted.

use crate::detect::technique::{CREDENTIAL_ACCESS, PASSWORD_GUESSING};
use crate::detect::threshold::{Crossing, ThresholdPerKey};
use crate::detect::window::WINDOW;
use crate::detect::{risk_score, DetectConfig, Detector, Observed, Rule, SourceKey};
use crate::detect::{Setting, SettingKind};
use crate::schema::{Alert, Severity};
use crate::time::duration_text;

/// `--only`/`--skip` id.
pub const ID: &str = "http-brute-force";

/// `--http-brute-force-threshold`.
static THRESHOLD: Setting = Setting {
    name: "http-brute-force-threshold",
    value_name: "N",
    help: "HTTP login attempts (401s, POSTs to a login page) from one source within the window that make a brute force",
    kind: SettingKind::Count {
        default: 5,
        min: 1,
        max: u64::MAX,
    },
};

static RULE: Rule = Rule {
    id: ID,
    name: "HTTP login brute force",
    description: "Many refused (401) requests or POSTs to a login page from one source in a short time",
    severity: Severity::High,
    technique: PASSWORD_GUESSING,
    tactic: CREDENTIAL_ACCESS,
    settings: &[&THRESHOLD, &WINDOW],
};

static RULES: [&Rule; 1] = [&RULE];

/// The last path segments, without an extension and in lower case, that name a login page.
const LOGIN_PAGES: &[&str] = &[
    "login",
    "log-in",
    "log_in",
    "logon",
    "signin",
    "sign-in",
    "sign_in",
    "authenticate",
    "wp-login",
    "xmlrpc",
    "j_security_check",
    "j_spring_security_check",
];

/// Whether `target`, a request target as logged, is a login page.
pub fn is_login_page(target: &str) -> bool {
    let path = target.split(['?', '#', ';']).next().unwrap_or(target);
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let name = last.split_once('.').map_or(last, |(name, _)| name);
    LOGIN_PAGES.iter().any(|page| page.eq_ignore_ascii_case(name))
}

/// Whether `event` is one HTTP login attempt that did not visibly succeed.
fn is_login_attempt(event: &Observed<'_>) -> bool {
    let Some(status) = event.view.http.response.status_code else {
        return false;
    };
    if status == 401 {
        return true;
    }
    let posted = event
        .view
        .http
        .request
        .method
        .as_deref()
        .is_some_and(|method| method.eq_ignore_ascii_case("POST"));
    let redirected = (300..400).contains(&status);
    posted && !redirected && event.view.url.original.as_deref().is_some_and(is_login_page)
}

/// Login attempts per source.
pub struct HttpBruteForce {
    attempts: ThresholdPerKey<SourceKey>,
}

impl HttpBruteForce {
    /// A detector with `config`'s threshold.
    pub fn new(config: &DetectConfig) -> Self {
        HttpBruteForce {
            attempts: ThresholdPerKey::new(
                config.settings.count(&THRESHOLD),
                config.window_seconds(),
                config.max_tracked_keys(),
            ),
        }
    }
}

impl Detector for HttpBruteForce {
    fn rules(&self) -> &'static [&'static Rule] {
        &RULES
    }

    fn observe(&mut self, event: &Observed<'_>, alerts: &mut Vec<Alert>) {
        let Some(source) = event.source else {
            return;
        };
        if !is_login_attempt(event) {
            return;
        }
        let threshold = self.attempts.threshold();
        let (crossing, attempts) = self.attempts.record(source, event, event.time.unix_seconds());
        let Some(burst) = attempts.counted.burst.as_ref().filter(|_| crossing == Crossing::Alert) else {
            return;
        };
        let target = event.view.url.original.as_deref().unwrap_or("");
        let path = target.split('?').next().unwrap_or(target);
        // Quoted and escaped: the path is the attacker's text.
        let page = path.char_indices().nth(120).map_or(path, |(cut, _)| &path[..cut]);
        let message = format!(
            "{} HTTP login attempts from {source} in {}, the last on {page:?}",
            burst.count,
            duration_text(burst.duration_seconds()),
        );
        let risk = risk_score(Severity::High, burst.count, threshold);
        alerts.push(burst.alert(&RULE, event, Some(source), message, risk));
    }

    fn expire(&mut self, now: i64) {
        self.attempts.expire(now);
    }

    fn evicted(&self) -> u64 {
        self.attempts.evicted()
    }

    fn save(&self) -> Option<serde_json::Result<String>> {
        Some(serde_json::to_string(self.attempts.save()))
    }

    fn restore(&mut self, saved: &str) -> serde_json::Result<()> {
        self.attempts.restore(serde_json::from_str(saved)?);
        Ok(())
    }

    fn thresholds(&self, _id: &str) -> String {
        format!(
            "{} HTTP login attempts (401s, POSTs to a login page) from one source in {}",
            self.attempts.threshold(),
            duration_text(self.attempts.window())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_pages_are_known_by_their_last_segment() {
        for page in [
            "/wp-login.php",
            "/xmlrpc.php",
            "/login",
            "/user/login/",
            "/users/sign_in",
            "/apps/login?next=/",
            "/Account/LogOn.aspx",
            "/j_security_check",
        ] {
            assert!(is_login_page(page), "{page}");
        }
        for page in [
            "/",
            "/blog/login-tips.html",
            "/logout",
            "/loginfo",
            "/api/orders",
            "/static/login.css/x",
        ] {
            assert!(!is_login_page(page), "{page}");
        }
    }
}
