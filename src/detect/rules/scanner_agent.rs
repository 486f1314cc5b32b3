//! Scanner by agent: a request whose User-Agent names a vulnerability scanner (sqlmap, nikto,
//! nuclei, zgrab, masscan, ...) is a scan whatever the responses were (MEDIUM, T1595.002);
//! one alert per source in the window. Most scanners announce themselves unless told not to,
//! and a scan that asks for pages that exist never reaches the 404 count.

use crate::detect::burst::Burst;
use crate::detect::technique::{RECONNAISSANCE, VULNERABILITY_SCANNING};
use crate::detect::window::{QuietKeys, WINDOW};
use crate::detect::{risk_score, DetectConfig, Detector, Observed, Rule, SourceKey};
use crate::schema::{Alert, Severity};
use regex::{Regex, RegexBuilder};
use std::sync::LazyLock;

/// `--only`/`--skip` id.
pub const ID: &str = "scanner-agent";

static RULE: Rule = Rule {
    id: ID,
    name: "Vulnerability scanner",
    description: "A request whose User-Agent names a vulnerability scanner",
    severity: Severity::Medium,
    technique: VULNERABILITY_SCANNING,
    tactic: RECONNAISSANCE,
    settings: &[&WINDOW],
};

static RULES: [&Rule; 1] = [&RULE];

/// The tools, as each names itself in its default User-Agent.
const SCANNERS: &[&str] = &[
    "sqlmap",
    "nikto",
    "nuclei",
    "zgrab",
    "masscan",
    "nmap scripting engine",
    "wpscan",
    "dirbuster",
    "gobuster",
    "fuzz faster u fool",
    "acunetix",
    "netsparker",
    "w3af",
    "openvas",
    "nessus",
    "havij",
    "arachni",
    "jaeles",
    "commix",
    "wfuzz",
];

/// Every scanner's name, compiled once: `(?i)sqlmap|nikto|...`; the match is the tool.
static PATTERN: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let names: Vec<String> = SCANNERS.iter().map(|name| regex::escape(name)).collect();
    RegexBuilder::new(&names.join("|")).case_insensitive(true).build().ok()
});

/// The scanner a User-Agent names, as it wrote it.
fn scanner_in(agent: &str) -> Option<&str> {
    PATTERN.as_ref()?.find(agent).map(|found| found.as_str())
}

/// Scanners by agent, quiet per source for the window.
pub struct ScannerAgent {
    alerted: QuietKeys<SourceKey>,
}

impl ScannerAgent {
    /// A detector with `config`'s window.
    pub fn new(config: &DetectConfig) -> Self {
        ScannerAgent {
            alerted: QuietKeys::new(config.window_seconds(), config.max_tracked_keys()),
        }
    }
}

impl Detector for ScannerAgent {
    fn rules(&self) -> &'static [&'static Rule] {
        &RULES
    }

    fn observe(&mut self, event: &Observed<'_>, alerts: &mut Vec<Alert>) {
        let Some(source) = event.source else {
            return;
        };
        let Some(tool) = event.view.user_agent.original.as_deref().and_then(scanner_in) else {
            return;
        };
        if !self.alerted.first(source, event.time.unix_seconds()) {
            return;
        }
        let message = format!("{source} scanning with {tool}");
        let burst = Burst::single(event);
        alerts.push(burst.alert(&RULE, event, Some(source), message, risk_score(Severity::Medium, 1, 1)));
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
        self.alerted.restore(serde_json::from_str(saved)?);
        Ok(())
    }

    fn thresholds(&self, _id: &str) -> String {
        format!(
            "a User-Agent naming a scanner ({}, ...), once per source in the window",
            SCANNERS[..5].join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanners_are_known_by_their_own_agents() {
        assert_eq!(scanner_in("sqlmap/1.7.2#stable (https://sqlmap.org)"), Some("sqlmap"));
        assert_eq!(
            scanner_in("Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000003)"),
            Some("Nikto")
        );
        assert_eq!(
            scanner_in("Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)"),
            Some("Nmap Scripting Engine")
        );
        assert_eq!(scanner_in("Fuzz Faster U Fool v2.1.0"), Some("Fuzz Faster U Fool"));
        assert_eq!(
            scanner_in("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0"),
            None
        );
        assert_eq!(scanner_in("curl/8.4.0"), None);
    }
}
