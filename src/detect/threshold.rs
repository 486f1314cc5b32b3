//! "N events from one source within a window", the shape of several rules: the latest N
//! times, the running burst, and when the alert was last written, so the same condition is
//! not alerted again inside its window and activity that goes on past it gets one follow-up.

use super::burst::Burst;
use super::Observed;
use smallvec::SmallVec;

/// Where one source stands against a threshold.
#[derive(Debug, Default)]
pub struct ThresholdState {
    /// Times of the latest events, at most `threshold` of them: inline up to the brute-force
    /// default, so the many sources seen a few times cost no heap block for them.
    recent: SmallVec<[i64; 5]>,
    /// The current burst of activity.
    pub burst: Option<Burst>,
    /// When the alert was last written, and the count it reported.
    alerted: Option<(i64, u64)>,
}

/// What recording one event found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Crossing {
    /// Below the threshold.
    Below,
    /// Over it, already alerted within the window.
    Quiet,
    /// Over it and an alert is due (the first, or a follow-up with a higher count).
    Alert,
}

impl ThresholdState {
    /// Counts `event` at `now` against `threshold` events within `window` seconds.
    pub fn record(&mut self, event: &Observed<'_>, now: i64, threshold: u64, window: i64) -> Crossing {
        if Burst::end_if_quiet(&mut self.burst, now, window) {
            self.alerted = None;
            self.recent.clear();
        }
        let burst = self.burst.get_or_insert_with(|| Burst::new(event));
        burst.add(event);
        let count = burst.count;
        self.recent.push(now);
        if self.recent.len() as u64 > threshold {
            self.recent.remove(0);
        }
        let over =
            self.recent.len() as u64 >= threshold && self.recent.first().is_some_and(|first| now - first <= window);
        if !over {
            return Crossing::Below;
        }
        let due = match self.alerted {
            None => true,
            Some((at, alerted_count)) => now - at >= window && count > alerted_count,
        };
        if due {
            self.alerted = Some((now, count));
            Crossing::Alert
        } else {
            Crossing::Quiet
        }
    }
}
