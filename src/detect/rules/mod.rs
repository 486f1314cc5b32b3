//! The rules: one detector file each. A new rule is its file, its `mod` line and its line in
//! [`all`]; its thresholds are [`Setting`](super::Setting)s declared on its
//! [`Rule`](super::Rule), and the flags, config keys and `--list-rules` follow.

mod account_brute_force;
pub(super) mod account_changes;
mod brute_force;
mod credential_stuffing;
mod distributed_brute_force;
mod http_brute_force;
pub(super) mod off_hours;
mod preauth;
mod repeat_offender;
mod scanner;
mod scanner_agent;
pub(super) mod sql_query;
pub(super) mod web;
mod windows_events;

use super::{DetectConfig, Detector, Rule};

/// Every detector, in a fixed order.
pub fn all(config: &DetectConfig) -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(brute_force::BruteForce::new(config)),
        Box::new(credential_stuffing::CredentialStuffing::new(config)),
        Box::new(account_brute_force::AccountBruteForce::new(config)),
        Box::new(distributed_brute_force::DistributedBruteForce::new(config)),
        Box::new(preauth::PreauthFailures::new(config)),
        Box::new(off_hours::OffHours::new(config)),
        Box::new(scanner::Scanner::new(config)),
        Box::new(http_brute_force::HttpBruteForce::new(config)),
        Box::new(scanner_agent::ScannerAgent::new(config)),
        Box::new(account_changes::AccountChanges::new(config)),
        Box::new(web::WebAttacks::new()),
        Box::new(sql_query::QueryInjection),
        Box::new(windows_events::WindowsEvents::new(config)),
        // Last: it reads the alerts the others raised for the same event.
        Box::new(repeat_offender::RepeatOffender::new(config)),
    ]
}

/// Every rule, in the order of [`all`].
pub fn rules() -> Vec<&'static Rule> {
    all(&DetectConfig::default())
        .iter()
        .flat_map(|detector| detector.rules().iter().copied())
        .collect()
}

/// Every rule with how its thresholds read as configured, for `--list-rules`: the detectors
/// are built once and each describes its own rules.
pub fn rules_with_thresholds(config: &DetectConfig) -> Vec<(&'static Rule, String)> {
    all(config)
        .iter()
        .flat_map(|detector| {
            detector
                .rules()
                .iter()
                .map(|rule| (*rule, detector.thresholds(rule.id)))
                .collect::<Vec<_>>()
        })
        .collect()
}
