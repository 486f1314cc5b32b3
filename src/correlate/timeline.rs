//! An incident's alerts in time order, bounded: an attacker who keeps going for days costs
//! no more memory than [`Timeline::CAPACITY`] alerts. When full it keeps the first alerts
//! (how it began) and the latest ones (where it is now) and counts those in between.

use crate::schema::TimelineEntry;
use crate::time::Timestamp;

/// A bounded, time-ordered list of alerts.
#[derive(Debug, Default)]
pub struct Timeline {
    entries: Vec<(Timestamp, TimelineEntry)>,
    omitted: u64,
}

impl Timeline {
    /// Alerts kept at most.
    pub const CAPACITY: usize = 250;
    /// Of those, the first ones, never dropped.
    const KEEP_FIRST: usize = 200;

    /// Adds an alert in its place by time (after alerts of the same time: arrival order).
    pub fn add(&mut self, time: Timestamp, entry: TimelineEntry) {
        if self.entries.len() >= Self::CAPACITY {
            // The oldest of the latest alerts makes room.
            self.entries.remove(Self::KEEP_FIRST);
            self.omitted += 1;
        }
        let at = self.entries.partition_point(|(known, _)| *known <= time);
        self.entries.insert(at, (time, entry));
    }

    /// The alerts kept, in time order.
    pub fn entries(&self) -> impl Iterator<Item = &TimelineEntry> {
        self.entries.iter().map(|(_, entry)| entry)
    }

    /// How many alerts were left out.
    pub fn omitted(&self) -> u64 {
        self.omitted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Severity;

    fn entry(rule: &str) -> TimelineEntry {
        TimelineEntry {
            timestamp: String::new(),
            module: None,
            rule: rule.to_owned(),
            severity: Severity::Low,
            risk_score: 20,
            technique: None,
            tactic: None,
            message: String::new(),
            source_ip: None,
            user: None,
        }
    }

    #[test]
    fn alerts_are_kept_in_time_order_whatever_order_they_arrive_in() {
        let mut timeline = Timeline::default();
        for (second, rule) in [(30, "c"), (10, "a"), (20, "b"), (20, "b2")] {
            timeline.add(Timestamp::from_unix(second, 0), entry(rule));
        }
        let rules: Vec<&str> = timeline.entries().map(|entry| entry.rule.as_str()).collect();
        assert_eq!(rules, ["a", "b", "b2", "c"]);
    }

    #[test]
    fn a_full_timeline_keeps_the_first_and_the_latest_alerts() {
        let mut timeline = Timeline::default();
        for second in 0..1000 {
            timeline.add(Timestamp::from_unix(second, 0), entry(&second.to_string()));
        }
        let rules: Vec<String> = timeline.entries().map(|entry| entry.rule.clone()).collect();
        assert_eq!(rules.len(), Timeline::CAPACITY);
        assert_eq!(rules[0], "0");
        assert_eq!(rules[199], "199");
        assert_eq!(rules[200], "950");
        assert_eq!(rules[249], "999");
        assert_eq!(timeline.omitted(), 750);
    }
}
