//! Years for syslog timestamps that have none (`Mar 29 02:14:33`).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// How far past the reference time a timestamp may lie and still count as "not in the
/// future": a log written in another zone than `--tz` runs up to a day ahead.
const FUTURE_SLACK_SECONDS: i64 = 26 * 3600;

/// Chooses the year of a year-less timestamp: the latest year that does not put the event
/// after the reference time (the file's modification time, or now), so a file that crosses
/// New Year gets December in the old year and January in the new one. A fixed `--year`
/// overrides the inference.
#[derive(Clone, Debug)]
pub struct YearResolver {
    fixed_year: Option<i32>,
    reference: NaiveDateTime,
}

impl YearResolver {
    /// Infers years relative to `reference` (wall-clock time in the log's zone).
    pub fn inferring(reference: NaiveDateTime) -> Self {
        YearResolver {
            fixed_year: None,
            reference,
        }
    }

    /// Uses `year` for every timestamp.
    pub fn fixed(year: i32, reference: NaiveDateTime) -> Self {
        YearResolver {
            fixed_year: Some(year),
            reference,
        }
    }

    /// Whether years are guessed (and must be flagged as such on the event).
    pub fn is_inferring(&self) -> bool {
        self.fixed_year.is_none()
    }

    /// Moves the reference forward, as a followed file keeps growing past its old mtime.
    pub fn advance_reference(&mut self, reference: NaiveDateTime) {
        if reference > self.reference {
            self.reference = reference;
        }
    }

    /// The full date-time of a year-less timestamp, or `None` if no year makes it valid
    /// (Feb 30) — Feb 29 takes the latest leap year that fits.
    pub fn resolve(&self, month: u32, day: u32, time: NaiveTime) -> Option<NaiveDateTime> {
        if let Some(year) = self.fixed_year {
            return NaiveDate::from_ymd_opt(year, month, day).map(|date| date.and_time(time));
        }
        let latest_allowed = self.reference + chrono::TimeDelta::seconds(FUTURE_SLACK_SECONDS);
        let start = chrono::Datelike::year(&self.reference) + 1;
        // Eight years back always reaches a leap year for Feb 29.
        (start - 8..=start).rev().find_map(|year| {
            let candidate = NaiveDate::from_ymd_opt(year, month, day)?.and_time(time);
            (candidate <= latest_allowed).then_some(candidate)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(y: i32, mo: u32, d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|date| date.and_hms_opt(12, 0, 0))
            .expect("valid")
    }

    fn noon() -> NaiveTime {
        NaiveTime::from_hms_opt(12, 0, 0).expect("valid")
    }

    #[test]
    fn file_crossing_new_year_rolls_over() {
        let resolver = YearResolver::inferring(reference(2026, 1, 2));
        let december = resolver.resolve(12, 30, noon()).expect("resolves");
        let january = resolver.resolve(1, 2, noon()).expect("resolves");
        assert_eq!(chrono::Datelike::year(&december), 2025);
        assert_eq!(chrono::Datelike::year(&january), 2026);
    }

    #[test]
    fn slack_tolerates_a_zone_ahead_but_not_a_month() {
        let resolver = YearResolver::inferring(reference(2026, 3, 10));
        let tomorrow = resolver.resolve(3, 11, noon()).expect("resolves");
        assert_eq!(chrono::Datelike::year(&tomorrow), 2026);
        let next_month = resolver.resolve(4, 10, noon()).expect("resolves");
        assert_eq!(chrono::Datelike::year(&next_month), 2025);
    }

    #[test]
    fn leap_day_and_fixed_year() {
        let resolver = YearResolver::inferring(reference(2026, 11, 21));
        let leap = resolver.resolve(2, 29, noon()).expect("resolves");
        assert_eq!(chrono::Datelike::year(&leap), 2024);
        assert!(resolver.resolve(2, 30, noon()).is_none());
        let fixed = YearResolver::fixed(2017, reference(2026, 1, 1));
        assert!(!fixed.is_inferring());
        let date = fixed.resolve(12, 31, noon()).expect("resolves");
        assert_eq!(chrono::Datelike::year(&date), 2017);
        assert!(fixed.resolve(2, 29, noon()).is_none());
    }
}
