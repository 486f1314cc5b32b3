//! Context for records: ATT&CK names, tactics and pages for any record with a
//! `threat.technique.id`. Enrichment adds fields and never removes or changes one, never
//! drops a record and never creates one (key order is kept: serde_json's `preserve_order`).

pub mod abuseipdb;
pub mod attack;
mod attack_fields;
pub mod geoip;
pub mod reputation;

pub use attack_fields::add_attack_context;

use attack::AttackTable;

/// What became of one input line. Every line is written out, enriched or as it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A record naming ATT&CK techniques, with context added; `unknown` of them the table
    /// did not know.
    Enriched {
        /// Technique ids not in the table.
        unknown: usize,
    },
    /// A record with nothing to add: written unchanged.
    Unchanged,
    /// Not JSON: written unchanged all the same (enrichment never drops a record).
    NotJson,
}

/// The enrichment engine of `ls-enrich`.
pub struct Enricher {
    attack: AttackTable,
}

impl Enricher {
    /// Enrichment from `attack`.
    pub fn new(attack: AttackTable) -> Self {
        Enricher { attack }
    }

    /// Processes one line (without its newline), appending the record to `out`.
    pub fn process(&mut self, line: &str, out: &mut Vec<u8>) -> Outcome {
        let outcome = self.enrich(line, out);
        if !matches!(outcome, Outcome::Enriched { .. }) {
            out.extend_from_slice(line.as_bytes());
        }
        out.push(b'\n');
        outcome
    }

    /// Writes the enriched record when there was something to add.
    fn enrich(&self, line: &str, out: &mut Vec<u8>) -> Outcome {
        // Most records (events) name no technique: they pass without being rebuilt.
        if memchr::memmem::find(line.as_bytes(), b"technique").is_none() {
            return match serde_json::from_str::<serde::de::IgnoredAny>(line) {
                Ok(_) => Outcome::Unchanged,
                Err(_) => Outcome::NotJson,
            };
        }
        let mut record = match serde_json::from_str::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(record)) => record,
            Ok(_) => return Outcome::Unchanged,
            Err(_) => return Outcome::NotJson,
        };
        match add_attack_context(&mut record, &self.attack) {
            // Serialising a Value into a Vec cannot fail.
            Some(unknown) if serde_json::to_writer(&mut *out, &record).is_ok() => Outcome::Enriched { unknown },
            _ => Outcome::Unchanged,
        }
    }
}
