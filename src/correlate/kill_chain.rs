//! The order of ATT&CK's Enterprise tactics: the phases of an attack, from finding a target
//! to the damage done, so an incident's tactics read as the attack went.

use crate::schema::same_tactic;

/// ATT&CK Enterprise tactics in kill-chain order.
const PHASES: [&str; 14] = [
    "Reconnaissance",
    "Resource Development",
    "Initial Access",
    "Execution",
    "Persistence",
    "Privilege Escalation",
    "Defense Evasion",
    "Credential Access",
    "Discovery",
    "Lateral Movement",
    "Collection",
    "Command and Control",
    "Exfiltration",
    "Impact",
];

/// Where `tactic` comes in the kill chain (any case, `command-and-control` too); tactics
/// ATT&CK does not name come after all of these.
pub fn phase(tactic: &str) -> usize {
    PHASES
        .iter()
        .position(|known| same_tactic(known, tactic))
        .unwrap_or(PHASES.len())
}

/// Sorts tactic names into kill-chain order; unknown ones keep their order after the rest.
pub fn order(tactics: &mut [String]) {
    tactics.sort_by_key(|tactic| phase(tactic));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tactics_sort_into_kill_chain_order() {
        let mut tactics: Vec<String> = [
            "Credential Access",
            "Made Up",
            "Initial Access",
            "reconnaissance",
            "Impact",
        ]
        .map(String::from)
        .to_vec();
        order(&mut tactics);
        assert_eq!(
            tactics,
            [
                "reconnaissance",
                "Initial Access",
                "Credential Access",
                "Impact",
                "Made Up"
            ]
        );
        assert_eq!(phase("command-and-control"), 11);
    }
}
