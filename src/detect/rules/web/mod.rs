//! Web attacks, one alert per request, the first matching class wins. Code for an engine
//! behind the server: Log4Shell lookups, Shellshock and command injection (CRITICAL),
//! template and Java injection (HIGH, T1190); SQL and PHP injection (HIGH, T1190); directory
//! traversal (HIGH, T1083; CRITICAL when the response was 200: the file was served);
//! cross-site scripting (MEDIUM, T1059.007); remote file inclusion (HIGH, T1190); requests for
//! sensitive files (MEDIUM, T1595.003; HIGH when served) and for known exploit paths
//! (MEDIUM, T1595.002). Requests are matched on their normalised target (see
//! [`normalize`]), then on their User-Agent and Referer for the classes that ride in headers.

mod normalize;
mod patterns;
mod signs;

pub use normalize::normalize;
pub use patterns::{AttackClass, Part, Patterns};

use crate::detect::burst::Burst;
use crate::detect::technique::{
    COMMAND_INTERPRETER, DISCOVERY, EXECUTION, EXPLOIT_PUBLIC_FACING, FILE_DISCOVERY, INITIAL_ACCESS, JAVASCRIPT,
    RECONNAISSANCE, VULNERABILITY_SCANNING, WORDLIST_SCANNING,
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

static LOG4SHELL: Rule = Rule {
    id: "log4shell",
    name: "JNDI lookup injection (Log4Shell)",
    description: "A ${jndi:...} lookup for Log4j (or ${script:...} for Commons Text) to resolve, however obfuscated, in the request or its User-Agent or Referer",
    severity: Severity::Critical,
    technique: EXPLOIT_PUBLIC_FACING,
    tactic: INITIAL_ACCESS,
    settings: &[],
};

static SHELLSHOCK: Rule = Rule {
    id: "shellshock",
    name: "Shellshock",
    description: "A bash function definition, () { :; };, for a CGI script's environment to run",
    severity: Severity::Critical,
    technique: EXPLOIT_PUBLIC_FACING,
    tactic: INITIAL_ACCESS,
    settings: &[],
};

static PHP_INJECTION: Rule = Rule {
    id: "php-injection",
    name: "PHP code injection",
    description: "PHP code, a PHP stream wrapper (php://input, data://, expect://) or a superglobal in a parameter",
    severity: Severity::High,
    technique: EXPLOIT_PUBLIC_FACING,
    tactic: INITIAL_ACCESS,
    settings: &[],
};

static JAVA_INJECTION: Rule = Rule {
    id: "java-injection",
    name: "Java code injection",
    description: "Java classes, OGNL, Spring's class loader or a serialized object in a parameter",
    severity: Severity::High,
    technique: EXPLOIT_PUBLIC_FACING,
    tactic: INITIAL_ACCESS,
    settings: &[],
};

static TEMPLATE_INJECTION: Rule = Rule {
    id: "template-injection",
    name: "Server-side template injection",
    description:
        "An expression for a template engine to evaluate ({{7*7}}, ${7*7}, #{...}, Jinja and Freemarker objects)",
    severity: Severity::High,
    technique: EXPLOIT_PUBLIC_FACING,
    tactic: INITIAL_ACCESS,
    settings: &[],
};

static REMOTE_FILE_INCLUSION: Rule = Rule {
    id: "remote-file-inclusion",
    name: "Remote file inclusion",
    description: "A parameter that points the server at a remote file or an internal service (=http://evil/shell.txt?, gopher://)",
    severity: Severity::High,
    technique: EXPLOIT_PUBLIC_FACING,
    tactic: INITIAL_ACCESS,
    settings: &[],
};

static SENSITIVE_FILE: Rule = Rule {
    id: "sensitive-file-probe",
    name: "Sensitive file probe",
    description: "A request for a file no site serves on purpose: /.env, /.git/, wp-config.php backups, dumps, /server-status (HIGH when it was served)",
    severity: Severity::Medium,
    technique: WORDLIST_SCANNING,
    tactic: RECONNAISSANCE,
    settings: &[],
};

static SENSITIVE_FILE_SERVED: Rule = Rule {
    id: "sensitive-file-served",
    name: "Sensitive file served",
    description: "A request for a file no site serves on purpose that was answered with 200",
    severity: Severity::High,
    technique: WORDLIST_SCANNING,
    tactic: RECONNAISSANCE,
    settings: &[],
};

static EXPLOIT_PROBE: Rule = Rule {
    id: "exploit-probe",
    name: "Known exploit probe",
    description: "A request for a path only a known exploit asks for (Confluence, F5, FortiOS, PAN-OS, Telerik, ...), a web shell by name, or a check for an open proxy (CONNECT, an absolute target)",
    severity: Severity::Medium,
    technique: VULNERABILITY_SCANNING,
    tactic: RECONNAISSANCE,
    settings: &[],
};

static RULES: [&Rule; 14] = [
    &LOG4SHELL,
    &SHELLSHOCK,
    &COMMAND_INJECTION,
    &TEMPLATE_INJECTION,
    &JAVA_INJECTION,
    &SQL_INJECTION,
    &PHP_INJECTION,
    &TRAVERSAL,
    &TRAVERSAL_SERVED,
    &XSS,
    &REMOTE_FILE_INCLUSION,
    &SENSITIVE_FILE,
    &SENSITIVE_FILE_SERVED,
    &EXPLOIT_PROBE,
];

/// Attack patterns in request targets.
pub struct WebAttacks {
    normalized: String,
    /// Values found benign lately, per part (target, User-Agent, Referer): a client's page and
    /// its assets repeat one agent and referrer, and a site's assets their targets, so most
    /// requests are judged by one comparison instead of a scan.
    recent_benign: [RecentBenign; 3],
}

/// How many benign values of one part are remembered.
const RECENT_BENIGN: usize = 8;

/// The last few values of one part that were found benign, a ring whose strings are reused:
/// no allocation once it is full. A value is benign or not whatever the request around it,
/// so remembering the verdict changes none.
#[derive(Default)]
struct RecentBenign {
    values: [String; RECENT_BENIGN],
    next: usize,
}

impl RecentBenign {
    /// The longest value remembered: a rare long one is scanned again rather than kept.
    const MAX_LEN: usize = 512;

    fn contains(&self, value: &str) -> bool {
        self.values.iter().any(|known| known == value)
    }

    fn remember(&mut self, value: &str) {
        if value.len() > Self::MAX_LEN {
            return;
        }
        if let Some(slot) = self.values.get_mut(self.next) {
            slot.clear();
            slot.push_str(value);
        }
        self.next = (self.next + 1) % RECENT_BENIGN;
    }
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
            recent_benign: Default::default(),
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
        let headers = [
            ("User-Agent", event.view.user_agent.original.as_deref()),
            ("Referer", event.view.http.request.referrer.as_deref()),
        ];
        let parts = std::iter::once((None, Some(target), Part::Target)).chain(
            headers
                .into_iter()
                .map(|(name, value)| (Some(name), value, Part::Header)),
        );
        for ((header, text, part), recent) in parts.zip(&mut self.recent_benign) {
            let Some(text) = text else { continue };
            if recent.contains(text) {
                continue;
            }
            if part == Part::Header && !patterns().header_may_carry_an_attack(text) {
                recent.remember(text);
                continue;
            }
            normalize(text, &mut self.normalized);
            let Some((class, matched)) = patterns().classify_part(&self.normalized, part) else {
                recent.remember(text);
                continue;
            };
            let rule = rule_for(class, event.view.http.response.status_code == Some(200));
            let burst = Burst::single(event);
            let message = message(rule, event, target, header.map(|name| (name, text)), matched);
            alerts.push(burst.alert(rule, event, event.source, message, risk_score(rule.severity, 1, 1)));
            return;
        }
        if let Some(asked) = proxy_request(target, event.view.http.request.method.as_deref()) {
            let burst = Burst::single(event);
            let message = message(&EXPLOIT_PROBE, event, target, None, asked);
            alerts.push(burst.alert(
                &EXPLOIT_PROBE,
                event,
                event.source,
                message,
                risk_score(EXPLOIT_PROBE.severity, 1, 1),
            ));
        }
    }

    fn expire(&mut self, _now: i64) {}

    fn evicted(&self) -> u64 {
        0
    }

    fn thresholds(&self, id: &str) -> String {
        match id {
            "directory-traversal-served" => "every traversal request answered with 200".to_owned(),
            "sensitive-file-served" => "every sensitive-file request answered with 200".to_owned(),
            _ => "every request whose normalised target matches (first class wins)".to_owned(),
        }
    }
}

/// What gives a request away as a check for an open proxy: a `CONNECT`, or an absolute
/// target (`GET http://host/ HTTP/1.1`) that a server which is not a proxy has no use for.
fn proxy_request<'t>(target: &'t str, method: Option<&'t str>) -> Option<&'t str> {
    if let Some(method) = method.filter(|method| method.eq_ignore_ascii_case("CONNECT")) {
        return Some(method);
    }
    let scheme = target.get(..8)?;
    ["http://", "https://"]
        .into_iter()
        .find(|prefix| {
            scheme
                .get(..prefix.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
        })
        .and_then(|prefix| target.get(..prefix.len()))
}

/// The rule a class of attack reports, given whether the server answered 200.
fn rule_for(class: AttackClass, served: bool) -> &'static Rule {
    match class {
        AttackClass::JndiLookup => &LOG4SHELL,
        AttackClass::Shellshock => &SHELLSHOCK,
        AttackClass::CommandInjection => &COMMAND_INJECTION,
        AttackClass::TemplateInjection => &TEMPLATE_INJECTION,
        AttackClass::JavaInjection => &JAVA_INJECTION,
        AttackClass::SqlInjection => &SQL_INJECTION,
        AttackClass::PhpInjection => &PHP_INJECTION,
        AttackClass::RemoteFileInclusion => &REMOTE_FILE_INCLUSION,
        AttackClass::Traversal if served => &TRAVERSAL_SERVED,
        AttackClass::Traversal => &TRAVERSAL,
        AttackClass::CrossSiteScripting => &XSS,
        AttackClass::SensitiveFile if served => &SENSITIVE_FILE_SERVED,
        AttackClass::SensitiveFile => &SENSITIVE_FILE,
        AttackClass::ExploitProbe => &EXPLOIT_PROBE,
    }
}

/// `SQL injection from 203.0.113.9: "union select" in /q?id=…, answered 200`, or for a
/// header `... in the User-Agent "${jndi:…" of /, answered 200`; written into one string:
/// alerts can be one request in five.
fn message(rule: &Rule, event: &Observed<'_>, target: &str, header: Option<(&str, &str)>, matched: &str) -> String {
    let mut message = String::with_capacity(rule.name.len() + target.len().min(200) + 80);
    message.push_str(rule.name);
    if let Some(source) = event.source {
        let _ = write!(message, " from {source}");
    }
    let (shown, _) = first_chars(matched, 60);
    let _ = write!(message, ": {shown:?} in ");
    if let Some((name, value)) = header {
        let (value_shown, cut) = first_chars(value, 120);
        let _ = write!(message, "the {name} {value_shown:?}{} of ", if cut { "…" } else { "" });
    }
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
    use super::{first_chars, RecentBenign, RECENT_BENIGN};

    #[test]
    fn recent_benign_values_are_a_ring_of_the_latest_short_ones() {
        let mut recent = RecentBenign::default();
        for n in 0..=RECENT_BENIGN {
            recent.remember(&format!("agent {n}"));
        }
        assert!(!recent.contains("agent 0"), "the oldest gave way");
        assert!((1..=RECENT_BENIGN).all(|n| recent.contains(&format!("agent {n}"))));
        assert!(!recent.contains("agent"));
        let long = "x".repeat(RecentBenign::MAX_LEN + 1);
        recent.remember(&long);
        assert!(!recent.contains(&long));
        assert!(recent.contains("agent 1"), "a long value takes no slot");
    }

    #[test]
    fn shown_text_is_cut_at_a_character_count() {
        assert_eq!(first_chars("héllo", 2), ("hé", true));
        assert_eq!(first_chars("héllo", 5), ("héllo", false));
        assert_eq!(first_chars("", 3), ("", false));
    }
}
