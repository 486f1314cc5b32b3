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

use crate::schema::{AlertView, Declined, Incident, IncidentHistory};
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
    pub fn normalise(self, value: &str, into: &mut String) {
        into.clear();
        match self {
            GroupBy::SourceIp => into.push_str(value),
            GroupBy::User | GroupBy::Host => into.extend(value.chars().flat_map(char::to_lowercase)),
        }
    }
}

/// What a correlator knows beyond its own run: the state file, with `ls-correlate --state`.
/// The correlator asks it about each key it opens a group for and tells it each incident it
/// writes and closes.
pub trait Memory {
    /// What is known of `key` (normalised) from before `time`; `None` when nothing is.
    fn recall(&mut self, by: GroupBy, key: &str, time: Timestamp) -> Option<IncidentHistory>;
    /// An incident record of the group of `key` (normalised) was written.
    fn written(&mut self, key: &str, incident: &Incident);
    /// The incident `id` closed: its window of silence ended, or too many groups were open.
    fn closed(&mut self, id: &str);
}

/// No memory: every run starts from nothing.
#[derive(Debug, Default)]
pub struct Forgetful;

impl Memory for Forgetful {
    fn recall(&mut self, _: GroupBy, _: &str, _: Timestamp) -> Option<IncidentHistory> {
        None
    }

    fn written(&mut self, _: &str, _: &Incident) {}

    fn closed(&mut self, _: &str) {}
}

/// Why saved groups could not be taken back.
#[derive(Debug, thiserror::Error)]
#[error("the saved incidents are unreadable: {0}")]
pub struct UnreadableGroups(#[from] serde_json::Error);

/// The open groups as saved: what a restarted run needs to go on with them.
#[derive(serde::Serialize, serde::Deserialize)]
struct SavedGroups<K, G> {
    watermark: Option<i64>,
    /// (normalised key, group), the quietest first.
    groups: Vec<(K, G)>,
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

impl CorrelateConfig {
    /// The settings that shape the groups, as saved with them: groups formed under others are
    /// not taken back.
    pub fn fingerprint(&self) -> String {
        format!(
            "by={} min_types={} window={}",
            self.by.field(),
            self.min_types,
            self.window_seconds
        )
    }
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

/// The correlation engine of `ls-correlate`, remembering through `M`.
pub struct Correlator<M: Memory = Forgetful> {
    config: CorrelateConfig,
    memory: M,
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
    /// An engine with `config` that remembers nothing beyond its run.
    pub fn new(config: CorrelateConfig) -> Self {
        Correlator::remembering(config, Forgetful)
    }
}

impl<M: Memory> Correlator<M> {
    /// An engine with `config` that asks and tells `memory`.
    pub fn remembering(config: CorrelateConfig, memory: M) -> Self {
        Correlator {
            config,
            memory,
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
        let mut incidents = self.write_closed(true, out);
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
        let history = if self.groups.contains(&self.key) {
            None
        } else {
            self.memory.recall(by, &self.key, time)
        };
        let group = self
            .groups
            .entry(&self.key, || Group::new(by, value, time), &mut self.closed);
        if history.is_some() {
            group.history = history;
        }
        group.add(alert, rule, time);
        if group.kinds() >= self.config.min_types {
            group.revision += 1;
            if !self.config.final_only {
                write_incident(group, by, &self.key, &mut self.memory, out);
                incidents += 1;
            }
        }
        self.groups.touched(&self.key, &mut self.closed);
        // A group crowded out to make room for this one.
        self.crowded_out += (self.closed.len() - already_closed) as u64;
        incidents += self.write_closed(true, out);
        Ok(Outcome::Alert {
            grouped: true,
            incidents,
        })
    }

    /// End of input: with `final_only`, every incident still open is written, in the order
    /// they began. Returns how many were written. Their windows have not ended: saved before
    /// (see [`Correlator::save`]), a later run goes on with them.
    pub fn finish(&mut self, out: &mut Vec<u8>) -> usize {
        let open = self.groups.close_all();
        self.closed.extend(open);
        self.write_closed(false, out)
    }

    /// How it groups.
    pub fn config(&self) -> &CorrelateConfig {
        &self.config
    }

    /// The memory, for its owner to settle what it was told.
    pub fn memory_mut(&mut self) -> &mut M {
        &mut self.memory
    }

    /// The open groups and the newest alert time, as JSON, for [`Correlator::restore`].
    pub fn save(&self) -> serde_json::Result<String> {
        serde_json::to_string(&SavedGroups {
            watermark: self.watermark,
            groups: self.groups.by_recency().collect(),
        })
    }

    /// Takes back what [`Correlator::save`] wrote (of a correlator with the same settings);
    /// returns how many groups it reopened.
    pub fn restore(&mut self, saved: &str) -> Result<usize, UnreadableGroups> {
        let saved: SavedGroups<String, Group> = serde_json::from_str(saved)?;
        self.watermark = match (self.watermark, saved.watermark) {
            (Some(now), Some(then)) => Some(now.max(then)),
            (now, then) => now.or(then),
        };
        let reopened = saved.groups.len();
        for (key, group) in saved.groups {
            self.groups.reopen(&key, group, &mut self.closed);
        }
        // More groups than this build holds open: the quietest close now.
        self.crowded_out += self.closed.len() as u64;
        Ok(reopened)
    }

    /// How many groups were closed before their window ended because too many were open.
    pub fn crowded_out(&self) -> u64 {
        self.crowded_out
    }

    /// Writes the groups that closed: their final revision if they qualified and only final
    /// revisions are written (otherwise it is already out).
    /// `ended`: their windows ended (rather than the input).
    fn write_closed(&mut self, ended: bool, out: &mut Vec<u8>) -> usize {
        let mut written = 0;
        let mut key = String::new();
        for mut group in self.closed.drain(..) {
            if group.revision == 0 {
                continue;
            }
            if self.config.final_only {
                self.config.by.normalise(group.key(), &mut key);
                write_incident(&mut group, self.config.by, &key, &mut self.memory, out);
                written += 1;
            }
            if ended {
                self.memory.closed(&group.id);
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

fn write_incident(group: &mut Group, by: GroupBy, key: &str, memory: &mut impl Memory, out: &mut Vec<u8>) {
    let incident = group.take_incident(by);
    // Serialising our own struct into a Vec cannot fail.
    if serde_json::to_writer(&mut *out, &incident).is_ok() {
        out.push(b'\n');
    }
    memory.written(key, &incident);
}
