//! An incident's alerts in time order, bounded: an attacker who keeps going for days costs
//! no more memory than [`Timeline::CAPACITY`] alerts. When full it keeps the first alerts
//! (how it began) and the latest ones (where it is now) and counts those in between.
//!
//! `ls-correlate` writes each revision of an incident with the alerts that joined since the
//! revision before (`logsentry.incident.timeline_since`), so its output grows with the
//! alerts, not with their square; a reader folds the revisions of one id back into a whole
//! timeline with this same type, so both ends keep the same alerts.

use crate::time::Timestamp;

/// What an entry costs in memory beyond its own size: the budget of open incidents is in bytes.
pub trait HeapSize {
    /// Bytes held on the heap.
    fn heap_size(&self) -> usize;
}

/// A bounded, time-ordered list of alerts.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Timeline<T> {
    entries: Vec<(Timestamp, T)>,
    omitted: u64,
    bytes: usize,
}

impl<T> Default for Timeline<T> {
    fn default() -> Self {
        Timeline {
            entries: Vec::new(),
            omitted: 0,
            bytes: 0,
        }
    }
}

impl<T: HeapSize> Timeline<T> {
    /// Alerts kept at most.
    pub const CAPACITY: usize = 250;
    /// Of those, the first ones, never dropped.
    const KEEP_FIRST: usize = 200;

    /// Adds an alert in its place by time (after alerts of the same time: arrival order).
    pub fn add(&mut self, time: Timestamp, entry: T) {
        if self.entries.len() >= Self::CAPACITY {
            // The oldest of the latest alerts makes room.
            let (_, dropped) = self.entries.remove(Self::KEEP_FIRST);
            self.bytes -= weight(&dropped);
            self.omitted += 1;
        }
        let at = self.entries.partition_point(|(known, _)| *known <= time);
        self.bytes += weight(&entry);
        self.entries.insert(at, (time, entry));
    }

    /// Counts alerts that are not in the timeline (left out by a writer before it).
    pub fn omit(&mut self, alerts: u64) {
        self.omitted = self.omitted.saturating_add(alerts);
    }

    /// Memory held, in bytes (an estimate that counts every entry and its text).
    pub fn bytes(&self) -> usize {
        self.bytes + self.entries.capacity() * std::mem::size_of::<(Timestamp, T)>()
    }

    /// Empties it, handing over the alerts kept and the count of those left out.
    pub fn take(&mut self) -> (Vec<T>, u64) {
        let entries = std::mem::take(&mut self.entries);
        let omitted = std::mem::take(&mut self.omitted);
        self.bytes = 0;
        (entries.into_iter().map(|(_, entry)| entry).collect(), omitted)
    }
}

fn weight<T: HeapSize>(entry: &T) -> usize {
    entry.heap_size() + std::mem::size_of::<(Timestamp, T)>()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Rule(String);

    impl HeapSize for Rule {
        fn heap_size(&self) -> usize {
            self.0.capacity()
        }
    }

    fn rules(timeline: &mut Timeline<Rule>) -> (Vec<String>, u64) {
        let (entries, omitted) = timeline.take();
        (entries.into_iter().map(|entry| entry.0).collect(), omitted)
    }

    #[test]
    fn alerts_are_kept_in_time_order_whatever_order_they_arrive_in() {
        let mut timeline = Timeline::default();
        for (second, rule) in [(30, "c"), (10, "a"), (20, "b"), (20, "b2")] {
            timeline.add(Timestamp::from_unix(second, 0), Rule(rule.to_owned()));
        }
        assert_eq!(rules(&mut timeline).0, ["a", "b", "b2", "c"]);
    }

    #[test]
    fn a_full_timeline_keeps_the_first_and_the_latest_alerts() {
        let mut timeline = Timeline::default();
        for second in 0..1000 {
            timeline.add(Timestamp::from_unix(second, 0), Rule(second.to_string()));
        }
        let (rules, omitted) = rules(&mut timeline);
        assert_eq!(rules.len(), Timeline::<Rule>::CAPACITY);
        assert_eq!(rules[0], "0");
        assert_eq!(rules[199], "199");
        assert_eq!(rules[200], "950");
        assert_eq!(rules[249], "999");
        assert_eq!(omitted, 750);
    }

    #[test]
    fn taking_empties_it_and_the_bytes_follow_the_entries() {
        let mut timeline = Timeline::default();
        let empty = timeline.bytes();
        timeline.add(Timestamp::from_unix(1, 0), Rule("x".repeat(10_000)));
        assert!(timeline.bytes() >= empty + 10_000, "{}", timeline.bytes());
        let (entries, omitted) = timeline.take();
        assert_eq!((entries.len(), omitted), (1, 0));
        assert_eq!(timeline.take().0.len(), 0, "empty after taking");
        assert!(timeline.bytes() < 10_000);
    }
}
