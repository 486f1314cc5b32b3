//! One NDJSON record in, alerts (or the record itself) out: events go through every selected
//! detector, records that are not events pass through unchanged, lines that are not JSON
//! are reported to the caller.

use super::observed::Interner;
use super::{all, DetectConfig, Detector, EventClass, Observed, SourceKey};
use crate::schema::{Alert, EventView};
use crate::time::Timestamp;
use std::cell::OnceCell;

/// What became of one input line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// An event, observed by the detectors; `alerts` alerts were written.
    Event {
        /// Alerts it fired.
        alerts: usize,
    },
    /// Not an event (an alert, an incident, anything else): written out unchanged.
    PassedThrough,
    /// An event the run whose windows were restored had counted already (the same line of
    /// the same file, no later than its last event): a replay after a restart, skipped.
    AlreadySeen,
}

/// Why a line could not be used.
#[derive(Debug, thiserror::Error)]
pub enum Malformed {
    /// Not JSON at all.
    #[error("not a JSON record: {0}")]
    NotJson(serde_json::Error),
    /// An event without a usable `@timestamp`.
    #[error("event without a valid @timestamp")]
    NoTimestamp,
}

/// The detection engine of `ls-detect`.
pub struct Engine {
    detectors: Vec<Box<dyn Detector>>,
    selected: Box<dyn Fn(&str) -> bool>,
    ipv6_prefix: u8,
    alerts: Vec<Alert>,
    interner: Interner,
    /// The last line counted of each file (`log.file.path`, "" for none), and the latest
    /// event time: what a later run restored from this one skips when it is fed again.
    seen: Seen,
    /// What the run whose windows were restored had seen.
    replayed: Option<Seen>,
    /// Events of files past [`MAX_SEEN_FILES`], whose place is not noted: a restart from
    /// this run's windows counts them again.
    unnoted: u64,
}

/// Where a run got to in its inputs.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Seen {
    /// The latest event time counted (unix seconds).
    until: i64,
    /// The last line counted per file, and how many of its events (a line may make several,
    /// and a cut may fall between them).
    lines: foldhash::HashMap<String, (u64, u64)>,
}

/// Files whose last line counted is noted at most: NDJSON may name any number of paths.
pub const MAX_SEEN_FILES: usize = 10_000;

/// The name the inputs' positions are saved under, beside the detectors.
pub const SEEN: &str = "seen";

impl Engine {
    /// Every detector with `config`; alerts of rules `selected` rejects are not written.
    pub fn new(config: &DetectConfig, selected: Box<dyn Fn(&str) -> bool>) -> Self {
        let detectors = all(config)
            .into_iter()
            .filter(|detector| detector.rules().iter().any(|rule| selected(rule.id)))
            .collect();
        Engine {
            detectors,
            selected,
            ipv6_prefix: config.ipv6_prefix(),
            alerts: Vec::new(),
            interner: Interner::default(),
            seen: Seen {
                until: i64::MIN,
                lines: foldhash::HashMap::default(),
            },
            replayed: None,
            unnoted: 0,
        }
    }

    /// The latest event time of the run whose windows were restored, if any were.
    pub fn restored_until(&self) -> Option<i64> {
        self.replayed.as_ref().map(|seen| seen.until)
    }

    /// Events whose file's place was not noted: more than [`MAX_SEEN_FILES`] files, and a
    /// restart from this run's windows counts them again.
    pub fn unnoted_events(&self) -> u64 {
        self.unnoted
    }

    /// Whether the event at `line` of `path` at `time` was counted by the restored run; and
    /// notes it as counted by this one.
    fn counted_before(&mut self, path: Option<&str>, line: Option<u64>, time: i64) -> bool {
        self.seen.until = self.seen.until.max(time);
        let Some(line) = line else {
            return false;
        };
        let path = path.unwrap_or("");
        let files = self.seen.lines.len();
        let here = match self.seen.lines.get_mut(path) {
            Some(last) => {
                *last = match line.cmp(&last.0) {
                    std::cmp::Ordering::Greater => (line, 1),
                    std::cmp::Ordering::Equal => (line, last.1 + 1),
                    std::cmp::Ordering::Less => *last,
                };
                if last.0 == line {
                    last.1
                } else {
                    1
                }
            }
            None => {
                if files < MAX_SEEN_FILES {
                    self.seen.lines.insert(path.to_owned(), (line, 1));
                } else {
                    self.unnoted += 1;
                }
                1
            }
        };
        let before = self.replayed.as_ref().is_some_and(|replayed| {
            time <= replayed.until
                && replayed
                    .lines
                    .get(path)
                    .is_some_and(|&(last, events)| line < last || (line == last && here <= events))
        });
        before
    }

    /// Processes one line (without its newline), appending what it yields to `out`.
    pub fn process(&mut self, line: &str, out: &mut Vec<u8>) -> Result<Outcome, Malformed> {
        let view = match EventView::read(line) {
            Ok(view) => view,
            Err(error) => {
                // Valid JSON of another shape is a record we do not understand: it passes.
                if serde_json::from_str::<serde::de::IgnoredAny>(line).is_ok() {
                    return Ok(pass_through(line, out));
                }
                return Err(Malformed::NotJson(error));
            }
        };
        if view.event.kind.as_deref() != Some("event") {
            return Ok(pass_through(line, out));
        }
        let time = view
            .timestamp
            .as_deref()
            .and_then(Timestamp::parse_rfc3339)
            .ok_or(Malformed::NoTimestamp)?;
        if self.counted_before(view.log.file.path.as_deref(), view.logsentry.line, time.unix_seconds()) {
            return Ok(Outcome::AlreadySeen);
        }
        let observed = Observed {
            view: &view,
            time,
            source: view
                .source
                .ip
                .as_deref()
                .and_then(|ip| SourceKey::new(ip, self.ipv6_prefix)),
            class: EventClass::of(&view),
            module: self.interner.get(view.event.module.as_deref().unwrap_or("unknown")),
            path: view.log.file.path.as_deref().map(|path| self.interner.get(path)),
            shared_user: OnceCell::new(),
        };
        self.alerts.clear();
        for detector in &mut self.detectors {
            detector.expire(time.unix_seconds());
            detector.observe(&observed, &mut self.alerts);
        }
        let mut written = 0;
        for alert in self.alerts.iter().filter(|alert| (self.selected)(alert.rule.id)) {
            alert.write_json(out);
            out.push(b'\n');
            written += 1;
        }
        Ok(Outcome::Event { alerts: written })
    }

    /// Keys the detectors forgot because a map reached `--max-tracked-keys`.
    pub fn evicted(&self) -> u64 {
        self.detectors.iter().map(|detector| detector.evicted()).sum()
    }

    /// What every detector that keeps state is counting, as (detector, JSON): a detector is
    /// named by its first rule's id.
    pub fn save_windows(&self) -> serde_json::Result<Vec<(String, String)>> {
        let mut saved = Vec::new();
        // What the restored run saw still counts as seen: a second restart skips it too.
        let mut seen = Seen {
            until: self.seen.until,
            lines: self.seen.lines.clone(),
        };
        if let Some(replayed) = &self.replayed {
            seen.until = seen.until.max(replayed.until);
            for (path, &place) in &replayed.lines {
                let last = seen.lines.entry(path.clone()).or_insert(place);
                *last = (*last).max(place);
            }
        }
        saved.push((SEEN.to_owned(), serde_json::to_string(&seen)?));
        for detector in &self.detectors {
            if let (Some(name), Some(windows)) = (detector_name(detector.as_ref()), detector.save()) {
                saved.push((name.to_owned(), windows?));
            }
        }
        Ok(saved)
    }

    /// Takes back what [`Engine::save_windows`] wrote, as (detector, JSON): a detector this
    /// run does not run is left out, one not saved starts empty. Says how many were restored.
    pub fn restore_windows(&mut self, saved: &[(String, String)]) -> Result<usize, UnreadableWindows> {
        let mut restored = 0;
        if let Some((_, seen)) = saved.iter().find(|(name, _)| name == SEEN) {
            self.replayed = Some(serde_json::from_str(seen).map_err(|source| UnreadableWindows {
                detector: SEEN.to_owned(),
                source,
            })?);
        }
        for detector in &mut self.detectors {
            let Some(name) = detector_name(detector.as_ref()) else {
                continue;
            };
            let Some((_, windows)) = saved.iter().find(|(saved_name, _)| saved_name == name) else {
                continue;
            };
            detector.restore(windows).map_err(|source| UnreadableWindows {
                detector: name.to_owned(),
                source,
            })?;
            restored += 1;
        }
        Ok(restored)
    }
}

/// Saved windows that do not read as the detector's.
#[derive(Debug, thiserror::Error)]
#[error("the saved windows of {detector} do not read: {source}")]
pub struct UnreadableWindows {
    /// The detector, by its first rule's id.
    pub detector: String,
    /// What did not read.
    pub source: serde_json::Error,
}

fn detector_name(detector: &dyn Detector) -> Option<&'static str> {
    detector.rules().first().map(|rule| rule.id)
}

fn pass_through(line: &str, out: &mut Vec<u8>) -> Outcome {
    out.extend_from_slice(line.as_bytes());
    out.push(b'\n');
    Outcome::PassedThrough
}
