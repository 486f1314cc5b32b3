//! MITRE ATT&CK Enterprise, in one place: technique id → name, tactics, page, and what
//! replaced it if it was revoked; the tactics in kill-chain order. Enrichment adds it to
//! records, correlation orders an incident's tactics by it, the report groups by it, and a
//! test holds every technique and tactic a rule names to it. One is embedded at build time
//! (generated from
//! MITRE's STIX data by [`stix::read_bundle`], written as the compact text of
//! [`AttackTable::to_text`]); `--attack-stix FILE` reads a newer release instead.

pub mod stix;

use std::collections::HashMap;
use std::sync::OnceLock;

/// The embedded table: ATT&CK Enterprise as of the release it names on its `version` line.
const EMBEDDED: &str = include_str!("enterprise.tsv");

/// The embedded table, read once per process.
pub fn enterprise() -> &'static AttackTable {
    static TABLE: OnceLock<AttackTable> = OnceLock::new();
    TABLE.get_or_init(AttackTable::embedded)
}

/// Where `tactic` comes in the kill chain, from finding a target to the damage done (any
/// case, `command-and-control` too); tactics ATT&CK does not name come after all of them.
pub fn phase(tactic: &str) -> usize {
    let table = enterprise();
    table.tactic_index(tactic).unwrap_or(table.tactics.len())
}

/// Sorts tactic names into kill-chain order; unknown ones keep their order after the rest.
pub fn order(tactics: &mut [String]) {
    tactics.sort_by_key(|tactic| phase(tactic));
}

/// Whether two ATT&CK tactic names are the same tactic, however written:
/// `Command and Control`, `command-and-control` (case, spaces and dashes aside).
pub fn same_tactic(a: &str, b: &str) -> bool {
    fn letters(text: &str) -> impl Iterator<Item = u8> + '_ {
        text.bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|byte| byte.to_ascii_lowercase())
    }
    letters(a).eq(letters(b))
}

/// An ATT&CK tactic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TacticInfo {
    /// `TA0006`.
    pub id: String,
    /// `credential-access`, as techniques name their tactics.
    pub shortname: String,
    /// `Credential Access`.
    pub name: String,
    /// Its page on attack.mitre.org.
    pub url: String,
}

/// An ATT&CK technique or sub-technique.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TechniqueInfo {
    /// `T1110.001`.
    pub id: String,
    /// `Password Guessing` (a sub-technique's own name, as ATT&CK gives it).
    pub name: String,
    /// Its tactics' shortnames.
    pub tactics: Vec<String>,
    /// Its page on attack.mitre.org.
    pub url: String,
    /// A sub-technique (`T1110.001`).
    pub subtechnique: bool,
    /// Deprecated: no longer maintained, with no replacement.
    pub deprecated: bool,
    /// Revoked: merged into or replaced by another technique.
    pub revoked: bool,
    /// The technique that replaced it, when the data says.
    pub revoked_by: Option<String>,
}

/// ATT&CK techniques and tactics, as enrichment reads them.
#[derive(Debug, Default)]
pub struct AttackTable {
    /// The release (`18.1`), or the date of the data's latest change when it names none.
    pub version: String,
    /// Tactics in matrix (kill-chain) order.
    pub tactics: Vec<TacticInfo>,
    techniques: HashMap<String, TechniqueInfo>,
}

/// Why a table's text could not be read.
#[derive(Debug, thiserror::Error)]
#[error("ATT&CK table line {line}: {why}")]
pub struct TableError {
    line: usize,
    why: &'static str,
}

impl AttackTable {
    /// The table built into the binary.
    pub fn embedded() -> Self {
        // Our own generated text, checked by a test: a failure here is a build defect.
        Self::from_text(EMBEDDED).unwrap_or_default()
    }

    /// The technique `id` (any case).
    pub fn technique(&self, id: &str) -> Option<&TechniqueInfo> {
        self.techniques.get(id.trim()).or_else(|| {
            let upper = id.trim().to_ascii_uppercase();
            self.techniques.get(&upper)
        })
    }

    /// A technique's name as ATT&CK titles its page: a sub-technique's with its parent's
    /// (`Brute Force: Password Guessing`).
    pub fn full_name(&self, technique: &TechniqueInfo) -> String {
        let parent = technique
            .id
            .split_once('.')
            .filter(|_| technique.subtechnique)
            .and_then(|(parent, _)| self.technique(parent));
        match parent {
            Some(parent) => format!("{}: {}", parent.name, technique.name),
            None => technique.name.clone(),
        }
    }

    /// The tactic named `name`, `shortname` or `TA` id (any case, `command-and-control` or
    /// `Command and Control`).
    pub fn tactic(&self, name: &str) -> Option<&TacticInfo> {
        self.tactics.get(self.tactic_index(name)?)
    }

    /// Where the tactic named `name` (as [`AttackTable::tactic`] reads it) stands in matrix
    /// order.
    fn tactic_index(&self, name: &str) -> Option<usize> {
        self.tactics.iter().position(|tactic| {
            same_tactic(&tactic.name, name)
                || same_tactic(&tactic.shortname, name)
                || tactic.id.eq_ignore_ascii_case(name.trim())
        })
    }

    /// How many techniques it knows.
    pub fn len(&self) -> usize {
        self.techniques.len()
    }

    /// Whether it knows none.
    pub fn is_empty(&self) -> bool {
        self.techniques.is_empty()
    }

    /// Adds a technique; of two with one id, an active one wins over a revoked or deprecated
    /// one.
    pub fn insert(&mut self, technique: TechniqueInfo) {
        let active = |t: &TechniqueInfo| !t.revoked && !t.deprecated;
        match self.techniques.get(&technique.id) {
            Some(known) if active(known) && !active(&technique) => {}
            _ => {
                self.techniques.insert(technique.id.clone(), technique);
            }
        }
    }

    /// The compact text the embedded table is kept in: `version`, `tactic` and `technique`
    /// lines of tab-separated fields, techniques sorted by id.
    pub fn to_text(&self) -> String {
        let mut text = String::from(
            "# MITRE ATT&CK Enterprise, as LogSentry's enrichment reads it. Generated from MITRE's STIX data\n\
             # by logsentry::attack::stix (LOGSENTRY_BLESS=1 cargo test --test it enrich regenerates it).\n\
             # © The MITRE Corporation. This work is reproduced and distributed with the permission of\n\
             # The MITRE Corporation.\n",
        );
        text.push_str(&format!("version\t{}\n", self.version));
        for tactic in &self.tactics {
            text.push_str(&format!(
                "tactic\t{}\t{}\t{}\t{}\n",
                tactic.id, tactic.shortname, tactic.name, tactic.url
            ));
        }
        let mut techniques: Vec<&TechniqueInfo> = self.techniques.values().collect();
        techniques.sort_by(|a, b| a.id.cmp(&b.id));
        for technique in techniques {
            let flags: Vec<&str> = [
                (technique.subtechnique, "sub"),
                (technique.deprecated, "deprecated"),
                (technique.revoked, "revoked"),
            ]
            .into_iter()
            .filter_map(|(set, flag)| set.then_some(flag))
            .collect();
            text.push_str(&format!(
                "technique\t{}\t{}\t{}\t{}\t{}\t{}\n",
                technique.id,
                technique.name.replace(['\t', '\n'], " "),
                technique.tactics.join(","),
                technique.url,
                flags.join(","),
                technique.revoked_by.as_deref().unwrap_or("")
            ));
        }
        text
    }

    /// Reads [`AttackTable::to_text`]'s format.
    pub fn from_text(text: &str) -> Result<Self, TableError> {
        let mut table = AttackTable::default();
        for (index, line) in text.lines().enumerate() {
            let error = |why| TableError { line: index + 1, why };
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                ["version", version] => table.version = (*version).to_owned(),
                ["tactic", id, shortname, name, url] => table.tactics.push(TacticInfo {
                    id: (*id).to_owned(),
                    shortname: (*shortname).to_owned(),
                    name: (*name).to_owned(),
                    url: (*url).to_owned(),
                }),
                ["technique", id, name, tactics, url, flags, revoked_by] => {
                    let flags: Vec<&str> = flags.split(',').collect();
                    table.insert(TechniqueInfo {
                        id: (*id).to_owned(),
                        name: (*name).to_owned(),
                        tactics: tactics
                            .split(',')
                            .filter(|t| !t.is_empty())
                            .map(str::to_owned)
                            .collect(),
                        url: (*url).to_owned(),
                        subtechnique: flags.contains(&"sub"),
                        deprecated: flags.contains(&"deprecated"),
                        revoked: flags.contains(&"revoked"),
                        revoked_by: (!revoked_by.is_empty()).then(|| (*revoked_by).to_owned()),
                    });
                }
                _ => return Err(error("expected a version, tactic or technique line")),
            }
        }
        if table.techniques.is_empty() {
            return Err(TableError {
                line: 0,
                why: "no techniques",
            });
        }
        Ok(table)
    }
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
