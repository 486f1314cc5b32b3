//! The open groups, by key, with the order in which they last saw an alert: a group that has
//! been silent for the window closes, and when too many are open at once, or they hold more
//! than their memory budget, the quietest closes early. Both are found at the front of the
//! recency index, so neither scans every group.

use super::group::Group;
use std::collections::{BTreeMap, HashMap};

/// Most groups open at once. Each holds at most a bounded timeline; this bounds their number
/// when alerts come from a great many addresses (a botnet) within one window.
pub const MAX_OPEN_GROUPS: usize = 65_536;

/// Memory the open groups may hold, in bytes (estimated): a group's unwritten timeline holds
/// up to 250 alert messages of up to 1 KB, so the count alone would allow gigabytes.
pub const MAX_OPEN_BYTES: usize = 256 << 20;

/// Open groups.
#[derive(Debug)]
pub struct Groups {
    open: HashMap<String, Open>,
    /// (last alert's unix seconds, arrival number) → key, oldest first.
    recency: BTreeMap<(i64, u64), String>,
    arrivals: u64,
    /// The footprints of the open groups, summed.
    bytes: usize,
    budget: usize,
}

impl Default for Groups {
    fn default() -> Self {
        Groups::with_budget(MAX_OPEN_BYTES)
    }
}

#[derive(Debug)]
struct Open {
    group: Group,
    recency: (i64, u64),
    /// Its footprint when last counted.
    bytes: usize,
}

impl Groups {
    /// No group open, with `budget` bytes for them.
    pub fn with_budget(budget: usize) -> Self {
        Groups {
            open: HashMap::new(),
            recency: BTreeMap::new(),
            arrivals: 0,
            bytes: 0,
            budget,
        }
    }

    /// Closes the groups silent for more than `window` seconds before `now`, oldest first.
    pub fn close_silent(&mut self, now: i64, window: i64, closed: &mut Vec<Group>) {
        while let Some((&(last, _), _)) = self.recency.first_key_value() {
            if now.saturating_sub(last) <= window {
                break;
            }
            closed.extend(self.pop_oldest());
        }
    }

    /// The group for `key` (normalised), created by `create` when there is none; when that
    /// would open more than [`MAX_OPEN_GROUPS`], the quietest group is closed into `closed`.
    pub fn entry(&mut self, key: &str, create: impl FnOnce() -> Group, closed: &mut Vec<Group>) -> &mut Group {
        if !self.open.contains_key(key) {
            if self.open.len() >= MAX_OPEN_GROUPS {
                closed.extend(self.pop_oldest());
            }
            let group = create();
            let recency = self.next_recency(group.last_seen().unix_seconds());
            self.recency.insert(recency, key.to_owned());
            self.open.insert(
                key.to_owned(),
                Open {
                    group,
                    recency,
                    bytes: 0,
                },
            );
        }
        // Just inserted if it was missing.
        &mut self.open.get_mut(key).expect("present").group
    }

    /// Moves `key`'s group in the recency order after an alert changed it, and counts its
    /// memory anew: when the groups hold more than their budget, the quietest close into
    /// `closed` (never the one just touched).
    pub fn touched(&mut self, key: &str, closed: &mut Vec<Group>) {
        let Some(last) = self.open.get(key).map(|open| open.group.last_seen().unix_seconds()) else {
            return;
        };
        let recency = self.next_recency(last);
        if let Some(open) = self.open.get_mut(key) {
            let old = std::mem::replace(&mut open.recency, recency);
            let footprint = open.group.footprint();
            self.bytes = self.bytes - std::mem::replace(&mut open.bytes, footprint) + footprint;
            self.recency.remove(&old);
            self.recency.insert(recency, key.to_owned());
        }
        while self.bytes > self.budget {
            let Some(quietest) = self.recency.iter().find(|(_, open)| *open != key).map(|(at, _)| *at) else {
                break;
            };
            closed.extend(self.close(quietest));
        }
    }

    /// Whether `key` (normalised) has a group open.
    pub fn contains(&self, key: &str) -> bool {
        self.open.contains_key(key)
    }

    /// Closes every group, in the order they began.
    pub fn close_all(&mut self) -> Vec<Group> {
        self.recency.clear();
        self.bytes = 0;
        let mut groups: Vec<Group> = self.open.drain().map(|(_, open)| open.group).collect();
        groups.sort_by(|a, b| a.first_seen().cmp(&b.first_seen()).then_with(|| a.id.cmp(&b.id)));
        groups
    }

    /// The open groups and their keys, the quietest first (the order [`Groups::reopen`]
    /// takes them back in).
    pub fn by_recency(&self) -> impl Iterator<Item = (&str, &Group)> {
        self.recency
            .values()
            .filter_map(|key| Some((key.as_str(), &self.open.get(key)?.group)))
    }

    /// Opens `group` again under `key` (a saved run's), as if its last alert had just come.
    pub fn reopen(&mut self, key: &str, group: Group, closed: &mut Vec<Group>) {
        let mut group = Some(group);
        let entry = self.entry(key, || group.take().expect("created once"), closed);
        if let Some(group) = group {
            // The key was open already (a saved file that names it twice): the later wins.
            *entry = group;
        }
        self.touched(key, closed);
    }

    /// How many groups are open.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.open.len()
    }

    /// Whether none is.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    fn next_recency(&mut self, last: i64) -> (i64, u64) {
        self.arrivals += 1;
        (last, self.arrivals)
    }

    fn pop_oldest(&mut self) -> Option<Group> {
        let (&oldest, _) = self.recency.first_key_value()?;
        self.close(oldest)
    }

    fn close(&mut self, recency: (i64, u64)) -> Option<Group> {
        let key = self.recency.remove(&recency)?;
        let open = self.open.remove(&key)?;
        self.bytes -= open.bytes;
        Some(open.group)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::correlate::GroupBy;
    use crate::time::Timestamp;

    fn open(groups: &mut Groups, key: &str, at: i64, closed: &mut Vec<Group>) {
        let time = Timestamp::from_unix(at, 0);
        groups.entry(key, || Group::new(GroupBy::SourceIp, key, time), closed);
        groups.touched(key, closed);
    }

    #[test]
    fn silent_groups_close_oldest_first_and_active_ones_stay() {
        let mut groups = Groups::default();
        let mut closed = Vec::new();
        open(&mut groups, "a", 0, &mut closed);
        open(&mut groups, "b", 100, &mut closed);
        open(&mut groups, "c", 200, &mut closed);
        groups.close_silent(200, 100, &mut closed);
        let ids: Vec<String> = closed.iter().map(|group| group.id.clone()).collect();
        assert_eq!(ids, [Group::new(GroupBy::SourceIp, "a", Timestamp::from_unix(0, 0)).id]);
        assert_eq!(groups.len(), 2, "b, silent for exactly the window, stays");
        groups.close_silent(1000, 100, &mut closed);
        assert!(groups.is_empty());
        assert_eq!(closed.len(), 3);
    }

    #[test]
    fn too_many_open_groups_close_the_quietest() {
        let mut groups = Groups::default();
        let mut closed = Vec::new();
        for index in 0..=MAX_OPEN_GROUPS {
            open(&mut groups, &format!("10.{index}"), index as i64, &mut closed);
        }
        assert_eq!(groups.len(), MAX_OPEN_GROUPS);
        assert_eq!(closed.len(), 1);
        assert_eq!(
            closed[0].id,
            Group::new(GroupBy::SourceIp, "10.0", Timestamp::from_unix(0, 0)).id
        );
    }

    #[test]
    fn groups_over_their_memory_budget_close_the_quietest_but_never_the_one_just_touched() {
        let mut groups = Groups::with_budget(4096);
        let mut closed = Vec::new();
        open(&mut groups, "a", 0, &mut closed);
        open(&mut groups, "b", 10, &mut closed);
        assert!(closed.is_empty(), "two empty groups fit");
        let big = format!(r#"{{"message":"{}","event":{{"kind":"alert"}}}}"#, "x".repeat(3000));
        let alert: crate::schema::AlertView<'_> = serde_json::from_str(&big).expect("alert");
        // A late alert: "c" is older than "a" and "b" by time, yet it is the one just touched.
        let time = Timestamp::from_unix(-5, 0);
        let group = groups.entry("c", || Group::new(GroupBy::SourceIp, "c", time), &mut closed);
        group.add(&alert, "rule", time);
        groups.touched("c", &mut closed);
        let ids: Vec<&str> = closed.iter().map(|group| group.id.as_str()).collect();
        let expected = [
            Group::new(GroupBy::SourceIp, "a", Timestamp::from_unix(0, 0)).id,
            Group::new(GroupBy::SourceIp, "b", Timestamp::from_unix(10, 0)).id,
        ];
        assert_eq!(ids, expected);
        assert_eq!(groups.len(), 1);
        assert!(groups.bytes > groups.budget, "one group alone stays, whatever its size");
    }
}
