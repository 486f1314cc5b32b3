//! Web attacks, one alert per request, the first matching class wins: command injection
//! (CRITICAL, T1059), SQL injection (HIGH, T1190), directory traversal (HIGH, T1083; CRITICAL
//! when the response was 200: the file was served), cross-site scripting (MEDIUM, T1059.007).
//! Requests are matched on their normalised target (see [`normalize`]).

mod normalize;
mod patterns;

pub use normalize::normalize;
pub use patterns::{AttackClass, Patterns};

use crate::detect::burst::Burst;
use crate::detect::technique::{
    COMMAND_INTERPRETER, DISCOVERY, EXECUTION, EXPLOIT_PUBLIC_FACING, FILE_DISCOVERY, INITIAL_ACCESS, JAVASCRIPT,
};
use crate::detect::{risk_score, Detector, Observed, Rule};
use crate::schema::{Alert, Severity};
use std::fmt::Write;
use std::sync::LazyLock;

static COMMAND_INJECTION: Rule = Rule {
    id: "command-injection",
    name: "Command injection",
    description: "A request that smuggles shell commands into a parameter",
    severity: Severity::Critical,
    technique: COMMAND_INTERPRETER,
    tactic: EXECUTION,
    settings: &[],
};

static SQL_INJECTION: Rule = Rule {
    id: "sql-injection",
    name: "SQL injection",
    description: "A request that smuggles SQL into a parameter",
    severity: Severity::High,
    technique: EXPLOIT_PUBLIC_FACING,
    tactic: INITIAL_ACCESS,
    settings: &[],
};

static TRAVERSAL: Rule = Rule {
    id: "directory-traversal",
    name: "Directory traversal",
    description: "A request for a path outside the web root (CRITICAL when it was served)",
    severity: Severity::High,
    technique: FILE_DISCOVERY,
    tactic: DISCOVERY,
    settings: &[],
};

static TRAVERSAL_SERVED: Rule = Rule {
    id: "directory-traversal-served",
    name: "Directory traversal served",
    description: "A request for a path outside the web root that was answered with 200",
    severity: Severity::Critical,
    technique: FILE_DISCOVERY,
    tactic: DISCOVERY,
    settings: &[],
};

static XSS: Rule = Rule {
    id: "cross-site-scripting",
    name: "Cross-site scripting",
    description: "A request that carries script for a page to reflect",
    severity: Severity::Medium,
    technique: JAVASCRIPT,
    tactic: EXECUTION,
    settings: &[],
};

static RULES: [&Rule; 5] = [&COMMAND_INJECTION, &SQL_INJECTION, &TRAVERSAL, &TRAVERSAL_SERVED, &XSS];

/// Attack patterns in request targets.
pub struct WebAttacks {
    normalized: String,
}

/// The compiled patterns, shared, and compiled on the first request that needs them: listing
/// the rules, or a stream without web requests, costs no regex compilation.
fn patterns() -> &'static Patterns {
    static PATTERNS: LazyLock<Patterns> = LazyLock::new(Patterns::new);
    &PATTERNS
}

impl Default for WebAttacks {
    fn default() -> Self {
        Self::new()
    }
}

impl WebAttacks {
    /// The detector; the patterns it shares are compiled on the first request it sees.
    pub fn new() -> Self {
        WebAttacks {
            normalized: String::new(),
        }
    }
}

impl Detector for WebAttacks {
    fn rules(&self) -> &'static [&'static Rule] {
        &RULES
    }

    fn observe(&mut self, event: &Observed<'_>, alerts: &mut Vec<Alert>) {
        let Some(target) = event.view.url.original.as_deref() else {
            return;
        };
        normalize(target, &mut self.normalized);
        let Some((class, matched)) = patterns().classify(&self.normalized) else {
            return;
        };
        let served = event.view.http.response.status_code == Some(200);
        let rule = match class {
            AttackClass::CommandInjection => &COMMAND_INJECTION,
            AttackClass::SqlInjection => &SQL_INJECTION,
            AttackClass::Traversal if served => &TRAVERSAL_SERVED,
            AttackClass::Traversal => &TRAVERSAL,
            AttackClass::CrossSiteScripting => &XSS,
        };
        let burst = Burst::single(event);
        let message = message(rule, event, target, matched);
        alerts.push(burst.alert(rule, event, event.source, message, risk_score(rule.severity, 1, 1)));
    }

    fn expire(&mut self, _now: i64) {}

    fn thresholds(&self, id: &str) -> String {
        match id {
            "directory-traversal-served" => "every traversal request answered with 200".to_owned(),
            _ => "every request whose normalised target matches (first class wins)".to_owned(),
        }
    }
}

/// `SQL injection from 203.0.113.9: "union select" in /q?id=…, answered 200`, written into
/// one string: alerts can be one request in five.
fn message(rule: &Rule, event: &Observed<'_>, target: &str, matched: &str) -> String {
    let mut message = String::with_capacity(rule.name.len() + target.len().min(200) + 80);
    message.push_str(rule.name);
    if let Some(source) = event.source {
        let _ = write!(message, " from {source}");
    }
    let (shown, _) = first_chars(matched, 60);
    let _ = write!(message, ": {shown:?} in ");
    let (target_shown, cut) = first_chars(target, 200);
    message.push_str(target_shown);
    if cut {
        message.push('…');
    }
    if let Some(code) = event.view.http.response.status_code {
        let _ = write!(message, ", answered {code}");
    }
    message
}

/// The first `max` characters of `text`, and whether any were left out.
fn first_chars(text: &str, max: usize) -> (&str, bool) {
    match text.char_indices().nth(max) {
        Some((cut, _)) => (&text[..cut], true),
        None => (text, false),
    }
}

#[cfg(test)]
mod tests {
    use super::first_chars;

    #[test]
    fn shown_text_is_cut_at_a_character_count() {
        assert_eq!(first_chars("héllo", 2), ("hé", true));
        assert_eq!(first_chars("héllo", 5), ("héllo", false));
        assert_eq!(first_chars("", 3), ("", false));
    }
}
