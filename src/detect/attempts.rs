//! One login attempt often shows up as several events from the same process: sshd logs
//! `Failed password` and PAM its `authentication failure` for the same password; `Invalid
//! user x` comes before `Failed password for invalid user x`. Counting events would count
//! those attempts twice. Per logging process (host and pid) an attempt is counted when one
//! kind of message (`event.action`) has been seen more often than any other; events without
//! a pid (Windows, web) are an attempt each.

use super::{Observed, SourceKey};
use foldhash::{HashMap, HashMapExt};
use serde::{Deserialize, Serialize, Serializer};

/// Process entries kept at most; beyond this the table starts afresh (a process's attempts
/// are seconds apart, so little is lost).
const MAX_PROCESSES: usize = 65_536;

/// Kinds of message tracked per process: sshd logs an attempt in at most three ways.
const MAX_ACTIONS: usize = 4;

#[derive(Debug, Serialize, Deserialize)]
struct ProcessAttempts {
    source: Option<SourceKey>,
    last_seen: i64,
    /// (action hash, times seen), inline: no allocation per process.
    per_action: [(u64, u64); MAX_ACTIONS],
    actions: usize,
    counted: u64,
}

/// Attempts per logging process.
#[derive(Debug)]
pub struct Attempts {
    processes: HashMap<(u64, u32), ProcessAttempts>,
    window_seconds: i64,
}

impl Attempts {
    /// A process silent for `window_seconds` is a new process that reuses the pid.
    pub fn new(window_seconds: i64) -> Self {
        Attempts {
            processes: HashMap::new(),
            window_seconds,
        }
    }

    /// How many new attempts `event` (a failure or success) stands for: 0 or 1.
    pub fn count(&mut self, event: &Observed<'_>) -> u64 {
        let Some(pid) = event.view.process.pid else {
            return 1;
        };
        let now = event.time.unix_seconds();
        let host = fnv1a(event.view.host.hostname.as_deref().unwrap_or(""));
        if self.processes.len() >= MAX_PROCESSES {
            self.processes.clear();
        }
        let process = self.processes.entry((host, pid)).or_insert_with(|| ProcessAttempts {
            source: event.source,
            last_seen: now,
            per_action: [(0, 0); MAX_ACTIONS],
            actions: 0,
            counted: 0,
        });
        if process.source != event.source || now - process.last_seen > self.window_seconds {
            process.source = event.source;
            process.actions = 0;
            process.counted = 0;
        }
        process.last_seen = now;
        let action = fnv1a(event.view.event.action.as_deref().unwrap_or(""));
        let known = &mut process.per_action[..process.actions];
        let seen = match known.iter_mut().find(|(hash, _)| *hash == action) {
            Some((_, seen)) => {
                *seen += 1;
                *seen
            }
            None if process.actions < MAX_ACTIONS => {
                process.per_action[process.actions] = (action, 1);
                process.actions += 1;
                1
            }
            // A fifth kind of message for one process: counted as a first sighting.
            None => 1,
        };
        if seen > process.counted {
            process.counted = seen;
            1
        } else {
            0
        }
    }
}

/// The processes seen, as `[[host hash, pid], counts]` pairs, for a later run.
impl Serialize for Attempts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.processes.iter())
    }
}

/// What [`Attempts`] saved: its processes.
#[derive(Debug, Deserialize)]
pub struct SavedAttempts(Vec<((u64, u32), ProcessAttempts)>);

impl Attempts {
    /// What a run saved, taken back (as many processes as one run keeps).
    pub fn restore(&mut self, saved: SavedAttempts) {
        self.processes = saved.0.into_iter().take(MAX_PROCESSES).collect();
    }
}

/// FNV-1a of a short name (a host, an action, an account).
pub(super) fn fnv1a(text: &str) -> u64 {
    crate::text::fnv1a(text.as_bytes())
}
