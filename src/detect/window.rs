//! Keyed state that expires with event time, so memory stays flat on endless input: every
//! entry remembers when it last mattered, and entries older than the horizon are swept out
//! as event time moves on (at most once per sweep interval, so a sweep's cost is spread over
//! the events in between). The maps hash with foldhash, seeded per process: the keys are
//! addresses an attacker partly chooses, and SipHash cost more than any rule's own work.

use super::settings::{Setting, SettingKind};
use foldhash::{HashMap, HashMapExt};
use std::collections::hash_map::Entry;
use std::hash::Hash;

/// `--window`: what every rule counts within, and how long the same alert stays quiet.
pub static WINDOW: Setting = Setting {
    name: "window",
    value_name: "DURATION",
    help: "The counting window, and how long the same alert stays quiet (seconds, or 10m, 1h, 1d)",
    kind: SettingKind::Duration { default: 600 },
};

/// State that knows until when it is still needed.
pub trait Expiring {
    /// Event time (unix seconds) after which this state no longer matters.
    fn expires_at(&self) -> i64;
}

/// A map whose entries are dropped once event time passes their expiry.
#[derive(Debug)]
pub struct ExpiringMap<K, V> {
    entries: HashMap<K, V>,
    sweep_every: i64,
    next_sweep: Option<i64>,
}

impl<K: Eq + Hash, V: Expiring> ExpiringMap<K, V> {
    /// Sweeps at most once every `sweep_every` seconds of event time.
    pub fn new(sweep_every: i64) -> Self {
        ExpiringMap {
            entries: HashMap::new(),
            sweep_every: sweep_every.max(1),
            next_sweep: None,
        }
    }

    /// The entry for `key`, created with `create` when missing or expired at `now`.
    pub fn entry(&mut self, key: K, now: i64, create: impl FnOnce() -> V) -> &mut V {
        match self.entries.entry(key) {
            Entry::Occupied(mut occupied) => {
                if occupied.get().expires_at() < now {
                    occupied.insert(create());
                }
                occupied.into_mut()
            }
            Entry::Vacant(vacant) => vacant.insert(create()),
        }
    }

    /// The entry for `key`, if any.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.entries.get_mut(key)
    }

    /// Drops what expired before `now`.
    pub fn expire(&mut self, now: i64) {
        match self.next_sweep {
            Some(next) if now < next => {}
            _ => {
                self.entries.retain(|_, value| value.expires_at() >= now);
                self.next_sweep = Some(now.saturating_add(self.sweep_every));
            }
        }
    }

    /// How many keys are held.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

/// Keys that alerted recently: [`QuietKeys::first`] is true once per key per window, so a
/// rule that alerts on single events does not repeat itself.
pub struct QuietKeys<K> {
    until: ExpiringMap<K, Until>,
    window: i64,
}

struct Until(i64);

impl Expiring for Until {
    fn expires_at(&self) -> i64 {
        self.0
    }
}

impl<K: Eq + Hash> QuietKeys<K> {
    /// Keys stay quiet for `window` seconds of event time after they alerted.
    pub fn new(window: i64) -> Self {
        QuietKeys {
            until: ExpiringMap::new(window),
            window,
        }
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
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Until(i64);

    impl Expiring for Until {
        fn expires_at(&self) -> i64 {
            self.0
        }
    }

    #[test]
    fn entries_expire_with_event_time() {
        let mut map = ExpiringMap::new(10);
        for key in 0..100 {
            map.entry(key, 0, || Until(key));
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
