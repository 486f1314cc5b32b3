//! Reputation on records, in their order: a record whose source address is being looked up
//! waits in a queue (and the records after it wait behind it), so lookups run concurrently
//! while the output keeps the input's order. The queue is bounded; before the input would
//! block, everything waiting is written as soon as its answer comes.

use super::abuseipdb::{is_public, Answer, Lookups};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::borrow::Cow;
use std::collections::VecDeque;
use std::net::IpAddr;

/// Records waiting for lookups at most before the stage waits for answers.
const MAX_WAITING: usize = 1_024;

/// What became of a record's reputation.
#[derive(Debug, Default, Clone, Copy)]
pub struct ReputationCounts {
    /// Records given a reputation.
    pub found: u64,
    /// Records given a note instead.
    pub noted: u64,
}

struct Waiting {
    record: String,
    address: Option<IpAddr>,
}

/// Records in, the same records with `logsentry.abuseipdb` out, in order.
pub struct ReputationQueue {
    lookups: Lookups,
    waiting: VecDeque<Waiting>,
    counts: ReputationCounts,
}

#[derive(Deserialize)]
struct SourceOnly<'a> {
    #[serde(borrow, default)]
    source: Option<SourceIp<'a>>,
}

#[derive(Deserialize)]
struct SourceIp<'a> {
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    ip: Option<Cow<'a, str>>,
}

/// The record's `source.ip` when it is a public address.
pub fn public_source(record: &str) -> Option<IpAddr> {
    let view: SourceOnly = serde_json::from_str(record).ok()?;
    let address: IpAddr = view.source?.ip?.trim().parse().ok()?;
    is_public(address).then_some(address)
}

impl ReputationQueue {
    /// A queue asking `lookups`.
    pub fn new(lookups: Lookups) -> Self {
        ReputationQueue {
            lookups,
            waiting: VecDeque::new(),
            counts: ReputationCounts::default(),
        }
    }

    /// Takes one record (a JSON line without its newline, or any other text, which passes
    /// as it is) and writes to `out` every record that is ready.
    pub fn push(&mut self, record: String, out: &mut Vec<u8>) {
        let address = public_source(&record);
        if let Some(address) = address {
            self.lookups.ask(address);
        }
        self.waiting.push_back(Waiting { record, address });
        self.lookups.poll(false);
        self.write_ready(out);
        while self.waiting.len() > MAX_WAITING {
            self.wait_for_one(out);
        }
    }

    /// Writes everything waiting, waiting for the answers it needs.
    pub fn drain(&mut self, out: &mut Vec<u8>) {
        while !self.waiting.is_empty() {
            self.wait_for_one(out);
        }
    }

    fn wait_for_one(&mut self, out: &mut Vec<u8>) {
        self.write_ready(out);
        let Some(front) = self.waiting.front() else { return };
        let Some(address) = front.address else { return };
        if self.lookups.answer(address).is_none() && !self.lookups.is_pending(address) {
            // Forgotten while waiting (the memory bound): ask again.
            self.lookups.ask(address);
        }
        if !self.lookups.poll(true) && self.lookups.answer(address).is_none() {
            // Nothing under way can answer it: write it without (never lose a record).
            let Some(waiting) = self.waiting.pop_front() else {
                return;
            };
            self.write(
                &waiting.record,
                Some(&Answer::Note("AbuseIPDB lookup failed: no answer".to_owned())),
                out,
            );
        }
        self.write_ready(out);
    }

    fn write_ready(&mut self, out: &mut Vec<u8>) {
        while let Some(front) = self.waiting.front() {
            let answer = match front.address {
                None => None,
                Some(address) => match self.lookups.answer(address) {
                    Some(answer) => Some(answer.clone()),
                    None => return,
                },
            };
            let Some(waiting) = self.waiting.pop_front() else {
                return;
            };
            self.write(&waiting.record, answer.as_ref(), out);
        }
    }

    fn write(&mut self, record: &str, answer: Option<&Answer>, out: &mut Vec<u8>) {
        let written = answer.is_some_and(|answer| {
            let added = add_reputation(record, answer, out);
            if added {
                match answer {
                    Answer::Found(_) => self.counts.found += 1,
                    Answer::Note(_) => self.counts.noted += 1,
                }
            }
            added
        });
        if !written {
            out.extend_from_slice(record.as_bytes());
        }
        out.push(b'\n');
    }

    /// What was counted, of records and of lookups.
    pub fn counts(&self) -> (ReputationCounts, super::abuseipdb::LookupCounts) {
        (self.counts, self.lookups.counts())
    }

    /// Stops the lookups and writes the cache.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        self.drain(out);
        self.lookups.finish();
    }
}

/// Writes `record` with `logsentry.abuseipdb` added; false (nothing written) when the
/// record is not a JSON object, its `logsentry` is not an object, or it already has one.
fn add_reputation(record: &str, answer: &Answer, out: &mut Vec<u8>) -> bool {
    let Ok(Value::Object(mut record)) = serde_json::from_str::<Value>(record) else {
        return false;
    };
    let logsentry = record.entry("logsentry").or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(logsentry) = logsentry else {
        return false;
    };
    if logsentry.contains_key("abuseipdb") {
        return false;
    }
    let fields = match answer {
        Answer::Found(reputation) => {
            let mut fields = Map::new();
            fields.insert(
                "abuse_confidence_score".into(),
                json!(reputation.abuse_confidence_score),
            );
            fields.insert("band".into(), json!(reputation.band()));
            fields.insert("total_reports".into(), json!(reputation.total_reports));
            let optional = [
                ("last_reported_at", &reputation.last_reported_at),
                ("country_code", &reputation.country_code),
                ("isp", &reputation.isp),
                ("usage_type", &reputation.usage_type),
                ("domain", &reputation.domain),
            ];
            for (name, value) in optional {
                if let Some(value) = value {
                    fields.insert(name.into(), json!(value));
                }
            }
            fields
        }
        Answer::Note(note) => {
            let mut fields = Map::new();
            fields.insert("note".into(), json!(note));
            fields
        }
    };
    logsentry.insert("abuseipdb".into(), Value::Object(fields));
    serde_json::to_writer(&mut *out, &record).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_sources_are_asked_about() {
        assert_eq!(
            public_source(r#"{"source":{"ip":"8.8.8.8"}}"#),
            Some("8.8.8.8".parse().expect("address"))
        );
        assert_eq!(public_source(r#"{"source":{"ip":"10.0.0.1"}}"#), None);
        assert_eq!(public_source(r#"{"source":{"ip":7}}"#), None);
        assert_eq!(public_source("not json"), None);
    }

    #[test]
    fn reputation_is_added_without_touching_the_rest() {
        let mut out = Vec::new();
        let found = Answer::Found(super::super::abuseipdb::Reputation {
            abuse_confidence_score: 80,
            total_reports: 3,
            last_reported_at: None,
            country_code: Some("DE".to_owned()),
            isp: None,
            usage_type: None,
            domain: None,
        });
        assert!(add_reputation(r#"{"b":1,"a":2,"logsentry":{"x":1}}"#, &found, &mut out));
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            r#"{"b":1,"a":2,"logsentry":{"x":1,"abuseipdb":{"abuse_confidence_score":80,"band":"high","total_reports":3,"country_code":"DE"}}}"#
        );
        let mut out = Vec::new();
        assert!(!add_reputation(
            r#"{"logsentry":{"abuseipdb":{"mine":1}}}"#,
            &found,
            &mut out
        ));
        assert!(!add_reputation(r#"{"logsentry":[]}"#, &found, &mut out));
        assert!(out.is_empty());
    }
}
