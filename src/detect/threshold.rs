//! "N events from one source within a window", the shape of several rules: the latest N
//! times, the running burst, and when the alert was last written, so the same condition is
//! not alerted again inside its window and activity that goes on past it gets one follow-up.

use super::burst::Burst;
use super::window::{Expiring, ExpiringMap, Saved};
use super::Observed;
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;
use std::hash::Hash;

/// Where one source stands against a threshold.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ThresholdState {
    /// Times of the latest events, at most `threshold` of them, a ring once it is full: inline
    /// up to the brute-force default, so the many sources seen a few times cost no heap block.
    recent: SmallVec<[i64; 5]>,
    /// Where in `recent` the oldest time is.
    oldest: usize,
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
    /// Events in the current burst: how active the source is, for eviction.
    pub fn count(&self) -> u64 {
        self.burst.as_ref().map_or(0, |burst| burst.count)
    }

    /// Counts `event` at `now` against `threshold` events within `window` seconds.
    pub fn record(&mut self, event: &Observed<'_>, now: i64, threshold: u64, window: i64) -> Crossing {
        if Burst::end_if_quiet(&mut self.burst, now, window) {
            self.alerted = None;
            self.recent.clear();
            self.oldest = 0;
        }
        let burst = self.burst.get_or_insert_with(|| Burst::new(event));
        burst.add(event);
        let count = burst.count;
        if (self.recent.len() as u64) < threshold {
            self.recent.push(now);
        } else if let Some(slot) = self.recent.get_mut(self.oldest) {
            // Full: the newest time takes the oldest's place, whatever the threshold.
            *slot = now;
            self.oldest = (self.oldest + 1) % self.recent.len();
        }
        let over = self.recent.len() as u64 >= threshold
            && self.recent.get(self.oldest).is_some_and(|first| now - first <= window);
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

/// [`ThresholdState`] per key (a source, an account), each forgotten a window after its last
/// event, with `T` for what a rule keeps beside the count.
pub struct ThresholdPerKey<K, T = ()> {
    threshold: u64,
    window: i64,
    keys: ExpiringMap<K, Keyed<T>>,
}

/// One key's count and its rule's extra state.
#[derive(Debug, Serialize, Deserialize)]
pub struct Keyed<T> {
    /// Where the key stands against the threshold.
    pub counted: ThresholdState,
    /// What the rule keeps beside it.
    pub extra: T,
    keep_until: i64,
}

impl<T> Expiring for Keyed<T> {
    fn expires_at(&self) -> i64 {
        self.keep_until
    }

    fn activity(&self) -> u64 {
        self.counted.count()
    }
}

impl<K: Eq + Hash, T: Default> ThresholdPerKey<K, T> {
    /// `threshold` events per key within `window` seconds (a threshold of 0 counts as 1),
    /// for at most `max_keys` keys.
    pub fn new(threshold: u64, window: i64, max_keys: u64) -> Self {
        ThresholdPerKey {
            threshold: threshold.max(1),
            window,
            keys: ExpiringMap::new(window, max_keys),
        }
    }

    /// Keys forgotten because the map was full.
    pub fn evicted(&self) -> u64 {
        self.keys.evicted()
    }

    /// Counts `event` at `now` for `key`: what it found, and the key's state (its burst holds
    /// what an alert reports).
    pub fn record(&mut self, key: K, event: &Observed<'_>, now: i64) -> (Crossing, &mut Keyed<T>) {
        let (threshold, window) = (self.threshold, self.window);
        let keyed = self.keys.entry(key, now, || Keyed {
            counted: ThresholdState::default(),
            extra: T::default(),
            keep_until: now,
        });
        keyed.keep_until = now.saturating_add(window);
        (keyed.counted.record(event, now, threshold, window), keyed)
    }

    /// The state of `key`, if it is counted.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut Keyed<T>> {
        self.keys.get_mut(key)
    }

    /// Forgets the keys quiet for a window before `now`.
    pub fn expire(&mut self, now: i64) {
        self.keys.expire(now);
    }

    /// Every key's count, for a later run.
    pub fn save(&self) -> &impl Serialize
    where
        K: Serialize,
        T: Serialize,
    {
        &self.keys
    }

    /// What [`ThresholdPerKey::save`] wrote, taken back.
    pub fn restore(&mut self, saved: Saved<K, Keyed<T>>) {
        self.keys.restore(saved);
    }

    /// The threshold counted against.
    pub fn threshold(&self) -> u64 {
        self.threshold
    }

    /// The window counted within.
    pub fn window(&self) -> i64 {
        self.window
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::EventView;
    use crate::time::Timestamp;
    use std::cell::OnceCell;
    use std::rc::Rc;

    /// The crossings of events at `times` against 3 events within 10 s.
    fn crossings(times: &[i64]) -> Vec<Crossing> {
        let view = EventView::default();
        let mut state = ThresholdState::default();
        times
            .iter()
            .map(|&at| {
                let event = Observed {
                    view: &view,
                    time: Timestamp::from_unix(at, 0),
                    source: None,
                    class: None,
                    module: Rc::from("ssh"),
                    path: None,
                    shared_user: OnceCell::new(),
                };
                state.record(&event, at, 3, 10)
            })
            .collect()
    }

    #[test]
    fn the_window_holds_the_latest_events_however_long_the_burst() {
        use Crossing::{Alert, Below, Quiet};
        // The first of the latest three is too old until the fourth event replaces it.
        assert_eq!(crossings(&[0, 9, 11, 12]), [Below, Below, Below, Alert]);
        // The ring keeps turning: still over, alerted within the window.
        assert_eq!(
            crossings(&[0, 1, 2, 3, 4, 5, 6]),
            [Below, Below, Alert, Quiet, Quiet, Quiet, Quiet]
        );
        // Spread out beyond the window, a long burst never crosses.
        assert_eq!(crossings(&[0, 6, 12, 18, 24, 30]), [Below; 6]);
    }
}
