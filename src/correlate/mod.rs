//! Alerts → incidents: one attacker's alerts, across every log source, grouped by what they
//! share (the source address by default). A group with alerts of at least `min_types`
//! different kinds (techniques, sub-techniques as their parent) is an incident: the attacker
//! did more than one thing. Groups run on event
//! time and close after a window of silence, so memory stays bounded on endless input.
//!
//! Streaming: an incident is written as soon as it qualifies and again (same id, next
//! revision) with every alert that joins it, so a live pipeline watches the kill chain grow;
//! or, with `final_only`, once, when it closes or the input ends. A revision's timeline holds
//! the alerts that joined since the one before, so the output grows with the alerts; a reader
//! folds them (see [`crate::schema::Timeline`]).

mod group;
mod groups;

pub use groups::{MAX_OPEN_BYTES, MAX_OPEN_GROUPS};

use crate::schema::{AlertView, Declined};
use crate::time::Timestamp;
use group::Group;
use groups::Groups;

/// What alerts are grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    /// `source.ip`: one attacker's address (the default).
    SourceIp,
    /// `user.name`: one account, attacked from anywhere.
    User,
    /// `host.hostname`, else ECS's `host.name`: one machine.
    Host,
}

impl GroupBy {
    /// The field grouped on.
    pub fn field(self) -> &'static str {
        match self {
            GroupBy::SourceIp => "source.ip",
            GroupBy::User => "user.name",
            GroupBy::Host => "host.hostname",
        }
    }

    /// The alert's value of that field.
    fn value<'v>(self, alert: &'v AlertView<'_>) -> Option<&'v str> {
        let value = match self {
            GroupBy::SourceIp => alert.source.ip.as_deref(),
            GroupBy::User => alert.user.name.as_deref(),
            GroupBy::Host => alert.host.name(),
        };
        value.filter(|value| !value.trim().is_empty())
    }

    /// The value as groups are keyed: account and machine names differ only in case on the
    /// systems that log them (Windows, DNS), addresses are already normalised text.
    fn normalise(self, value: &str, into: &mut String) {
        into.clear();
        match self {
            GroupBy::SourceIp => into.push_str(value),
            GroupBy::User | GroupBy::Host => into.extend(value.chars().flat_map(char::to_lowercase)),
        }
    }
}

/// Validated settings of `ls-correlate`.
#[derive(Clone, Debug)]
pub struct CorrelateConfig {
    /// What alerts are grouped by.
    pub by: GroupBy,
    /// Different kinds of attack (techniques, sub-techniques as their parent) a group needs to
    /// be an incident.
    pub min_types: usize,
    /// Seconds of event time without an alert after which a group closes.
    pub window_seconds: i64,
    /// Write each incident once, when it closes, instead of every revision.
    pub final_only: bool,
    /// Write incidents only, not the alerts and other records read.
    pub incidents_only: bool,
}

impl Default for CorrelateConfig {
    fn default() -> Self {
        CorrelateConfig {
            by: GroupBy::SourceIp,
            min_types: 2,
            window_seconds: 24 * 3600,
            final_only: false,
            incidents_only: false,
        }
    }
}

/// What became of one input line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// An alert: `grouped` unless it lacked the field grouped on; `incidents` incident
    /// records written (revisions, or closed incidents with `final_only`).
    Alert {
        /// Whether it joined a group.
        grouped: bool,
        /// Incident records written.
        incidents: usize,
    },
    /// Not an alert (an event, an incident, anything else).
    Other,
    /// An alert without a valid `@timestamp`: written through, in no group (a group's
    /// window runs on alert time).
    Untimed,
}

/// Why a line could not be used.
#[derive(Debug, thiserror::Error)]
pub enum Malformed {
    /// Not JSON at all.
    #[error("not a JSON record: {0}")]
    NotJson(serde_json::Error),
}

/// The correlation engine of `ls-correlate`.
pub struct Correlator {
    config: CorrelateConfig,
    groups: Groups,
    /// The newest alert time seen: groups close on it, so a late alert cannot reopen the past.
    watermark: Option<i64>,
    closed: Vec<Group>,
    key: String,
    crowded_out: u64,
    /// Whether the last record had fields read as absent because of their type.
    declined: Declined,
}

impl Correlator {
    /// An engine with `config`.
    pub fn new(config: CorrelateConfig) -> Self {
        Correlator {
            config,
            groups: Groups::default(),
            watermark: None,
            closed: Vec::new(),
            key: String::new(),
            crowded_out: 0,
            declined: Declined::default(),
        }
    }

    /// Processes one line (without its newline), appending what it yields to `out`.
    pub fn process(&mut self, line: &str, out: &mut Vec<u8>) -> Result<Outcome, Malformed> {
        match AlertView::read(line, |alert| self.process_alert(line, alert, out)) {
            Ok((outcome, declined)) => {
                self.declined = declined;
                outcome
            }
            Err(error) => {
                // Valid JSON of another shape is a record we do not understand: it passes.
                if serde_json::from_str::<serde::de::IgnoredAny>(line).is_ok() {
                    self.pass_other(line, false, out);
                    return Ok(Outcome::Other);
                }
                Err(Malformed::NotJson(error))
            }
        }
    }

    /// Whether the record [`Correlator::process`] read last had fields read as absent
    /// because of their type (the record itself was used).
    pub fn take_declined(&mut self) -> Declined {
        std::mem::take(&mut self.declined)
    }

    fn process_alert(&mut self, line: &str, alert: &AlertView<'_>, out: &mut Vec<u8>) -> Result<Outcome, Malformed> {
        if alert.event.kind.as_deref() != Some("alert") {
            let incident = alert.event.kind.as_deref() == Some("incident");
            self.pass_other(line, incident, out);
            return Ok(Outcome::Other);
        }
        let Some(time) = alert.timestamp.as_deref().and_then(Timestamp::parse_rfc3339) else {
            if !self.config.incidents_only {
                out.extend_from_slice(line.as_bytes());
                out.push(b'\n');
            }
            return Ok(Outcome::Untimed);
        };
        let now = time.unix_seconds();
        let watermark = self.watermark.map_or(now, |known| known.max(now));
        self.watermark = Some(watermark);
        self.groups
            .close_silent(watermark, self.config.window_seconds, &mut self.closed);
        let mut incidents = self.write_closed(out);
        if !self.config.incidents_only {
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
        let by = self.config.by;
        let (Some(value), Some(rule)) = (by.value(alert), alert.rule()) else {
            return Ok(Outcome::Alert {
                grouped: false,
                incidents,
            });
        };
        by.normalise(value, &mut self.key);
        let already_closed = self.closed.len();
        let group = self
            .groups
            .entry(&self.key, || Group::new(by, value, time), &mut self.closed);
        group.add(alert, rule, time);
        if group.kinds() >= self.config.min_types {
            group.revision += 1;
            if !self.config.final_only {
                write_incident(group, by, out);
                incidents += 1;
            }
        }
        self.groups.touched(&self.key, &mut self.closed);
        // A group crowded out to make room for this one.
        self.crowded_out += (self.closed.len() - already_closed) as u64;
        incidents += self.write_closed(out);
        Ok(Outcome::Alert {
            grouped: true,
            incidents,
        })
    }

    /// End of input: with `final_only`, every incident still open is written, in the order
    /// they began. Returns how many were written.
    pub fn finish(&mut self, out: &mut Vec<u8>) -> usize {
        let open = self.groups.close_all();
        self.closed.extend(open);
        self.write_closed(out)
    }

    /// How many groups were closed before their window ended because too many were open.
    pub fn crowded_out(&self) -> u64 {
        self.crowded_out
    }

    /// Writes the groups that closed: their final revision if they qualified and only final
    /// revisions are written (otherwise it is already out).
    fn write_closed(&mut self, out: &mut Vec<u8>) -> usize {
        let mut written = 0;
        for mut group in self.closed.drain(..) {
            if group.revision > 0 && self.config.final_only {
                write_incident(&mut group, self.config.by, out);
                written += 1;
            }
        }
        written
    }

    fn pass_other(&self, line: &str, incident: bool, out: &mut Vec<u8>) {
        if !self.config.incidents_only || incident {
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
    }
}

fn write_incident(group: &mut Group, by: GroupBy, out: &mut Vec<u8>) {
    // Serialising our own struct into a Vec cannot fail.
    if serde_json::to_writer(&mut *out, &group.take_incident(by)).is_ok() {
        out.push(b'\n');
    }
}
