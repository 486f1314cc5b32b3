//! Turning the timestamps a log writes into instants: zone, year inference and the stand-in
//! time for lines that carry none.

use crate::schema::TimeMeta;
use crate::time::{Timestamp, YearResolver, Zone};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// What the user chose about time (`--tz`, `--year`).
#[derive(Clone, Debug)]
pub struct ClockConfig {
    /// Zone for timestamps without an offset.
    pub zone: Zone,
    /// A fixed year for year-less timestamps instead of inferring one.
    pub year: Option<i32>,
}

impl Default for ClockConfig {
    fn default() -> Self {
        ClockConfig {
            zone: Zone::local(),
            year: None,
        }
    }
}

/// One input's clock: resolves header times and remembers the last one, which stands in for
/// lines that carry no timestamp (journal `-o cat`-style lines) so they stay in order.
#[derive(Clone, Debug)]
pub struct Clock {
    zone: Zone,
    years: YearResolver,
    last: Option<Timestamp>,
    /// The last year-less time and what it resolved to: a log writes many lines a second,
    /// and inferring the year and the zone's offset again for each one is wasted work.
    last_yearless: Option<(YearLessKey, (Timestamp, TimeMeta))>,
}

type YearLessKey = (u32, u32, NaiveTime);

impl Clock {
    /// A clock whose year inference is relative to `reference` (the file's mtime, or now).
    pub fn new(config: &ClockConfig, reference: chrono::DateTime<chrono::Utc>) -> Self {
        let local_reference = config.zone.wall_clock(reference);
        let years = match config.year {
            Some(year) => YearResolver::fixed(year, local_reference),
            None => YearResolver::inferring(local_reference),
        };
        Clock {
            zone: config.zone.clone(),
            years,
            last: None,
            last_yearless: None,
        }
    }

    /// Moves the year-inference reference to now: a followed file outgrows its old mtime.
    pub fn advance_to_now(&mut self) {
        self.years.advance_reference(self.zone.now());
        self.last_yearless = None;
    }

    /// A timestamp that carried its own offset.
    pub fn exact(&mut self, timestamp: Timestamp) -> (Timestamp, TimeMeta) {
        self.last = Some(timestamp);
        (timestamp, TimeMeta::default())
    }

    /// A wall-clock timestamp with a year but no offset: read in `--tz`.
    pub fn naive(&mut self, local: NaiveDateTime) -> (Timestamp, TimeMeta) {
        let timestamp = Timestamp::from_local(local, self.zone.offset_at(&local));
        self.last = Some(timestamp);
        let meta = TimeMeta {
            zone_assumed: true,
            ..TimeMeta::default()
        };
        (timestamp, meta)
    }

    /// A syslog timestamp without year or offset. `None` for an impossible date (Feb 30).
    pub fn yearless(&mut self, month: u32, day: u32, time: NaiveTime) -> Option<(Timestamp, TimeMeta)> {
        let key = (month, day, time);
        if let Some((known, resolved)) = self.last_yearless {
            if known == key {
                self.last = Some(resolved.0);
                return Some(resolved);
            }
        }
        let local = self.years.resolve(month, day, time)?;
        let (timestamp, mut meta) = self.naive(local);
        meta.year_inferred = self.years.is_inferring();
        self.last_yearless = Some((key, (timestamp, meta)));
        Some((timestamp, meta))
    }

    /// A full wall-clock date whose year is known but that still needs an offset.
    pub fn ymd(&mut self, year: i32, month: u32, day: u32, time: NaiveTime) -> Option<(Timestamp, TimeMeta)> {
        let local = NaiveDate::from_ymd_opt(year, month, day)?.and_time(time);
        Some(self.naive(local))
    }

    /// For a line with no timestamp: the previous event's time, else the reference time.
    pub fn missing(&mut self) -> (Timestamp, TimeMeta) {
        let timestamp = self.last.unwrap_or_else(|| {
            let now = chrono::Utc::now();
            Timestamp::from_unix(now.timestamp(), 0)
        });
        let meta = TimeMeta {
            missing: true,
            ..TimeMeta::default()
        };
        (timestamp, meta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yearless_uses_zone_and_flags_inference() {
        let config = ClockConfig {
            zone: "Europe/Berlin".parse().expect("zone"),
            year: None,
        };
        let reference = chrono::DateTime::parse_from_rfc3339("2026-11-21T12:00:00Z")
            .expect("valid")
            .with_timezone(&chrono::Utc);
        let mut clock = Clock::new(&config, reference);
        let time = NaiveTime::from_hms_opt(2, 14, 33).expect("valid");
        let (stamp, meta) = clock.yearless(12, 10, time).expect("resolves");
        assert_eq!(stamp.to_string(), "2025-12-10T02:14:33+01:00");
        assert!(meta.year_inferred && meta.zone_assumed && !meta.missing);
        let (missing, meta) = clock.missing();
        assert_eq!(missing, stamp);
        assert!(meta.missing);
        // A repeated time comes from the cache and still becomes the last time seen.
        let later = NaiveTime::from_hms_opt(3, 0, 0).expect("valid");
        let (first, _) = clock.yearless(12, 11, later).expect("resolves");
        let (again, meta) = clock.yearless(12, 11, later).expect("resolves");
        assert_eq!((first, meta.year_inferred), (again, true));
        clock.yearless(12, 10, time).expect("resolves");
        let (cached_later, _) = clock.yearless(12, 11, later).expect("resolves");
        assert_eq!(clock.missing().0, cached_later);
        assert_eq!(cached_later.to_string(), "2025-12-11T03:00:00+01:00");
    }
}
