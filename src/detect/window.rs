//! Keyed state that expires with event time, so memory stays flat on endless input: every
//! entry remembers when it last mattered, and entries older than the horizon are swept out
//! as event time moves on (at most once per sweep interval, so a sweep's cost is spread over
//! the events in between). The maps hash with foldhash, seeded per process: the keys are
//! addresses an attacker partly chooses, and SipHash cost more than any rule's own work.
//!
//! Expiry alone does not bound memory: an attacker who spoofs a million sources inside one
//! window makes a million live keys. So every map also holds at most `--max-tracked-keys`;
//! when it is full, the quietest eighth (fewest events counted, then the longest idle) is
//! forgotten at once and counted, so one-shot spoofed sources go and a real attacker, who
//! keeps trying, stays.

use super::settings::{Setting, SettingKind};
use foldhash::{HashMap, HashMapExt};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::hash_map::Entry;
use std::hash::Hash;

/// `--window`: what every rule counts within, and how long the same alert stays quiet.
pub static WINDOW: Setting = Setting {
    name: "window",
    value_name: "DURATION",
    help: "The counting window, and how long the same alert stays quiet (seconds, or 10m, 1h, 1d)",
    kind: SettingKind::Duration { default: 600 },
};

/// `--max-tracked-keys`: the bound on every rule's keyed state.
pub static MAX_TRACKED_KEYS: Setting = Setting {
    name: "max-tracked-keys",
    value_name: "N",
    help: "Keys (sources, accounts) each rule keeps state for at most; when full, the quietest are forgotten first and counted in the summary",
    kind: SettingKind::Count {
        default: 100_000,
        min: 16,
        max: u64::MAX,
    },
};

/// State that knows until when it is still needed, and how much it has seen.
pub trait Expiring {
    /// Event time (unix seconds) after which this state no longer matters.
    fn expires_at(&self) -> i64;

    /// How much the key has done (events or distinct values counted; `u64::MAX` for state
    /// that must outlive the others, such as a source that crossed a threshold): when a
    /// map is full the least active go first.
    fn activity(&self) -> u64;
}

/// A map whose entries are dropped once event time passes their expiry. Values are boxed:
/// a rule's state per key is hundreds of bytes, and the table (which a full map's churn
/// doubles) then holds a pointer per slot instead.
#[derive(Debug)]
pub struct ExpiringMap<K, V> {
    entries: HashMap<K, Box<V>>,
    sweep_every: i64,
    next_sweep: Option<i64>,
    max_keys: usize,
    evicted: u64,
}

impl<K: Eq + Hash, V: Expiring> ExpiringMap<K, V> {
    /// Sweeps at most once every `sweep_every` seconds of event time, and holds at most
    /// `max_keys` entries (at least 16).
    pub fn new(sweep_every: i64, max_keys: u64) -> Self {
        ExpiringMap {
            entries: HashMap::new(),
            sweep_every: sweep_every.max(1),
            next_sweep: None,
            max_keys: usize::try_from(max_keys).unwrap_or(usize::MAX).max(16),
            evicted: 0,
        }
    }

    /// The entry for `key`, created with `create` when missing or expired at `now`.
    pub fn entry(&mut self, key: K, now: i64, create: impl FnOnce() -> V) -> &mut V {
        if self.entries.len() >= self.max_keys && !self.entries.contains_key(&key) {
            self.make_room(now);
        }
        match self.entries.entry(key) {
            Entry::Occupied(mut occupied) => {
                if occupied.get().expires_at() < now {
                    **occupied.get_mut() = create();
                }
                occupied.into_mut()
            }
            Entry::Vacant(vacant) => vacant.insert(Box::new(create())),
        }
    }

    /// The entry for `key`, if any.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.entries.get_mut(key).map(|value| &mut **value)
    }

    /// Drops what expired before `now`.
    pub fn expire(&mut self, now: i64) {
        match self.next_sweep {
            Some(next) if now < next => {}
            _ => self.sweep(now),
        }
    }

    /// Drops what expired before `now`, whenever the last sweep was.
    fn sweep(&mut self, now: i64) {
        self.entries.retain(|_, value| value.expires_at() >= now);
        self.next_sweep = Some(now.saturating_add(self.sweep_every));
    }

    /// Keys forgotten because the map was full.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// A full map: what expired goes; if that is not enough, the quietest eighth (fewest
    /// events, then soonest to expire), exactly that many, however many tie.
    fn make_room(&mut self, now: i64) {
        self.sweep(now);
        if self.entries.len() < self.max_keys {
            return;
        }
        let batch = (self.max_keys / 8).max(self.entries.len() + 1 - self.max_keys);
        let mut ranks: Vec<(u64, i64)> = self
            .entries
            .values()
            .map(|value| (value.activity(), value.expires_at()))
            .collect();
        let pivot = *ranks.select_nth_unstable(batch - 1).1;
        let below = ranks.iter().filter(|rank| **rank < pivot).count();
        let mut ties_to_drop = batch - below;
        self.entries.retain(|_, value| {
            let rank = (value.activity(), value.expires_at());
            if rank < pivot {
                false
            } else if rank == pivot && ties_to_drop > 0 {
                ties_to_drop -= 1;
                false
            } else {
                true
            }
        });
        self.evicted += batch as u64;
    }

    /// How many keys are held.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Takes back what a run saved (see [`Saved`]): its entries, as many as this map holds
    /// (the most active first), and its sweep time.
    pub fn restore(&mut self, saved: Saved<K, V>) {
        let Saved {
            next_sweep,
            mut entries,
        } = saved;
        if entries.len() > self.max_keys {
            entries.sort_by_key(|(_, value)| std::cmp::Reverse((value.activity(), value.expires_at())));
            self.evicted += (entries.len() - self.max_keys) as u64;
            entries.truncate(self.max_keys);
        }
        self.entries = entries.into_iter().map(|(key, value)| (key, Box::new(value))).collect();
        self.next_sweep = next_sweep;
    }
}

/// What a map keeps across runs: its entries as `[key, value]` pairs (a JSON object could
/// only have text keys) and when it sweeps next, so a restored map sweeps when the whole run
/// would have. Its bounds come from the settings of the run that restores it.
#[derive(Debug, Deserialize)]
#[serde(bound(deserialize = "K: Deserialize<'de>, V: Deserialize<'de>"))]
pub struct Saved<K, V> {
    next_sweep: Option<i64>,
    entries: Vec<(K, V)>,
}

impl<K, V> Saved<K, V> {
    /// The same entries under other keys; those `rekey` refuses are left out.
    pub fn rekeyed<L>(self, mut rekey: impl FnMut(K) -> Option<L>) -> Saved<L, V> {
        Saved {
            next_sweep: self.next_sweep,
            entries: self
                .entries
                .into_iter()
                .filter_map(|(key, value)| Some((rekey(key)?, value)))
                .collect(),
        }
    }
}

impl<K: Serialize, V: Serialize> Serialize for ExpiringMap<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Entries<'m, K, V>(&'m HashMap<K, Box<V>>);
        impl<K: Serialize, V: Serialize> Serialize for Entries<'_, K, V> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.iter())
            }
        }
        let mut saved = serializer.serialize_struct("Saved", 2)?;
        saved.serialize_field("next_sweep", &self.next_sweep)?;
        saved.serialize_field("entries", &Entries(&self.entries))?;
        saved.end()
    }
}

/// Keys that alerted recently: [`QuietKeys::first`] is true once per key per window, so a
/// rule that alerts on single events does not repeat itself.
pub struct QuietKeys<K> {
    until: ExpiringMap<K, Until>,
    window: i64,
}

/// When a quiet key may alert again.
#[derive(Debug, Serialize, Deserialize)]
pub struct Until(i64);

impl Expiring for Until {
    fn expires_at(&self) -> i64 {
        self.0
    }

    /// Every quiet key alerted once: the one that alerted first goes first.
    fn activity(&self) -> u64 {
        0
    }
}

impl<K: Eq + Hash> QuietKeys<K> {
    /// Keys stay quiet for `window` seconds of event time after they alerted; at most
    /// `max_keys` are remembered (a forgotten one may alert again).
    pub fn new(window: i64, max_keys: u64) -> Self {
        QuietKeys {
            until: ExpiringMap::new(window, max_keys),
            window,
        }
    }

    /// Keys forgotten because the map was full.
    pub fn evicted(&self) -> u64 {
        self.until.evicted()
    }

    /// Whether `key` may alert at `now`; if so it stays quiet for the window from now on.
    pub fn first(&mut self, key: K, now: i64) -> bool {
        let mut fresh = false;
        self.until.entry(key, now, || {
            fresh = true;
            Until(now.saturating_add(self.window))
        });
        fresh
    }

    /// Forgets keys whose quiet period is over.
    pub fn expire(&mut self, now: i64) {
        self.until.expire(now);
    }

    /// What [`QuietKeys::save`] wrote, taken back.
    pub fn restore(&mut self, saved: Saved<K, Until>) {
        self.until.restore(saved);
    }

    /// The keys quiet now and until when, for a later run.
    pub fn save(&self) -> &impl Serialize
    where
        K: Serialize,
    {
        &self.until
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expires at `.0`, has done `.1`.
    struct Until(i64, u64);

    impl Expiring for Until {
        fn expires_at(&self) -> i64 {
            self.0
        }

        fn activity(&self) -> u64 {
            self.1
        }
    }

    #[test]
    fn a_full_map_forgets_the_quietest_first_and_counts_them() {
        let mut map = ExpiringMap::new(1000, 64);
        map.entry(u32::MAX, 0, || Until(1000, 20));
        for key in 0..10_000u32 {
            map.entry(key, i64::from(key) / 100, || Until(1000 + i64::from(key) / 100, 1));
            assert!(map.len() <= 64);
        }
        assert!(
            map.get_mut(&u32::MAX).is_some(),
            "the busy key survives ten thousand quiet ones"
        );
        assert!(map.get_mut(&9_999).is_some(), "the newest is kept");
        assert!(map.get_mut(&0).is_none());
        assert_eq!(map.evicted(), 10_001 - map.len() as u64);
        // All tied: exactly an eighth goes, not every tie.
        let mut tied = ExpiringMap::new(1000, 64);
        for key in 0..65u32 {
            tied.entry(key, 0, || Until(1000, 1));
        }
        assert_eq!((tied.len(), tied.evicted()), (57, 8));
    }

    impl Serialize for Until {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            (self.0, self.1).serialize(serializer)
        }
    }

    impl<'de> Deserialize<'de> for Until {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let (expires, activity) = <(i64, u64)>::deserialize(deserializer)?;
            Ok(Until(expires, activity))
        }
    }

    #[test]
    fn a_saved_map_comes_back_whole_or_its_most_active_part() {
        let mut map = ExpiringMap::new(10, 1000);
        for key in 0..100u32 {
            map.entry(key, 0, || Until(100, u64::from(key)));
        }
        map.expire(5);
        let text = serde_json::to_string(&map).expect("JSON");
        let mut same: ExpiringMap<u32, Until> = ExpiringMap::new(10, 1000);
        same.restore(serde_json::from_str(&text).expect("reads back"));
        assert_eq!((same.len(), same.next_sweep), (100, map.next_sweep));
        assert_eq!(same.get_mut(&42).map(|until| (until.0, until.1)), Some((100, 42)));
        // A run with a lower bound keeps the most active and counts the rest.
        let mut smaller: ExpiringMap<u32, Until> = ExpiringMap::new(10, 16);
        smaller.restore(serde_json::from_str(&text).expect("reads back"));
        assert_eq!((smaller.len(), smaller.evicted()), (16, 84));
        assert!(smaller.get_mut(&99).is_some() && smaller.get_mut(&83).is_none());
    }

    #[test]
    fn entries_expire_with_event_time() {
        let mut map = ExpiringMap::new(10, 1000);
        for key in 0..100 {
            map.entry(key, 0, || Until(key, 0));
        }
        map.expire(50);
        assert_eq!(map.len(), 50);
        // Within the sweep interval nothing more is swept.
        map.expire(55);
        assert_eq!(map.len(), 50);
        map.expire(61);
        assert_eq!(map.len(), 39);
    }
}
