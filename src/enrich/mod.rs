//! Context for records: ATT&CK names, tactics and pages for any record with a
//! `threat.technique.id`. Enrichment adds fields and never removes or changes one, never
//! drops a record and never creates one (key order is kept: serde_json's `preserve_order`).

pub mod abuseipdb;
mod attack_fields;
pub mod geoip;
pub mod reputation;

pub use attack_fields::add_attack_context;

use crate::attack::AttackTable;

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

/// The enrichment engine of `ls-enrich` (and of `logsentry`): ATT&CK context, then GeoIP
/// context when databases are given.
pub struct Enricher {
    attack: AttackTable,
    geoip: Option<geoip::GeoIp>,
    located: u64,
}

impl Enricher {
    /// Enrichment from `attack`.
    pub fn new(attack: AttackTable) -> Self {
        Enricher {
            attack,
            geoip: None,
            located: 0,
        }
    }

    /// Adds GeoIP context from `geoip` as well.
    pub fn with_geoip(mut self, geoip: Option<geoip::GeoIp>) -> Self {
        self.geoip = geoip;
        self
    }

    /// Processes one line (without its newline), appending the record to `out`. The outcome
    /// is ATT&CK's; [`Enricher::located`] counts the records GeoIP added to.
    pub fn process(&mut self, line: &str, out: &mut Vec<u8>) -> Outcome {
        let start = out.len();
        let outcome = self.enrich(line, out);
        if !matches!(outcome, Outcome::Enriched { .. }) {
            out.extend_from_slice(line.as_bytes());
        }
        if let Some(geoip) = &mut self.geoip {
            let located = std::str::from_utf8(&out[start..])
                .ok()
                .and_then(|record| geoip.locate(record));
            if let Some(located) = located {
                out.truncate(start);
                out.extend_from_slice(located.as_bytes());
                self.located += 1;
            }
        }
        out.push(b'\n');
        outcome
    }

    /// Records GeoIP added to so far.
    pub fn located(&self) -> u64 {
        self.located
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
