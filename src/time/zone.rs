//! The time zone naive log timestamps are read in (`--tz`).

use chrono::{FixedOffset, LocalResult, NaiveDateTime, Offset, TimeZone};
use std::cell::Cell;
use std::str::FromStr;

/// A zone for timestamps that carry no offset: the machine's, a fixed offset, or an IANA zone.
#[derive(Clone, Debug)]
pub struct Zone {
    kind: ZoneKind,
    // Resolving a zone costs a binary search through its transitions; consecutive log lines
    // almost always fall in the same minute, so the last answer is kept.
    cache: Cell<Option<(i64, FixedOffset)>>,
}

#[derive(Clone, Debug)]
enum ZoneKind {
    Local,
    Fixed(FixedOffset),
    Named(chrono_tz::Tz),
}

/// A `--tz` value that names no zone.
#[derive(Debug, thiserror::Error)]
#[error("unknown time zone {0:?}: use an IANA name (Europe/Berlin), UTC, local or an offset (+02:00)")]
pub struct ZoneError(String);

impl Zone {
    /// The machine's local zone (TZ, then /etc/localtime).
    pub fn local() -> Self {
        Zone::from_kind(ZoneKind::Local)
    }

    /// UTC.
    pub fn utc() -> Self {
        Zone::from_kind(ZoneKind::Fixed(FixedOffset::east_opt(0).expect("zero offset is valid")))
    }

    fn from_kind(kind: ZoneKind) -> Self {
        Zone {
            kind,
            cache: Cell::new(None),
        }
    }

    /// The offset in force at a wall-clock time. In a DST overlap the earlier (summer) offset
    /// wins; inside a DST gap the offset from before the gap is used, so no line is dropped.
    pub fn offset_at(&self, local: &NaiveDateTime) -> FixedOffset {
        let minute = local.and_utc().timestamp().div_euclid(60);
        if let Some((cached_minute, offset)) = self.cache.get() {
            if cached_minute == minute {
                return offset;
            }
        }
        let offset = match &self.kind {
            ZoneKind::Fixed(offset) => *offset,
            ZoneKind::Local => resolve(&chrono::Local, local),
            ZoneKind::Named(tz) => resolve(tz, local),
        };
        self.cache.set(Some((minute, offset)));
        offset
    }

    /// The current wall-clock time in this zone.
    pub fn now(&self) -> NaiveDateTime {
        self.wall_clock(chrono::Utc::now())
    }

    /// An instant as wall-clock time in this zone.
    pub fn wall_clock(&self, instant: chrono::DateTime<chrono::Utc>) -> NaiveDateTime {
        match &self.kind {
            ZoneKind::Fixed(offset) => instant.with_timezone(offset).naive_local(),
            ZoneKind::Local => instant.with_timezone(&chrono::Local).naive_local(),
            ZoneKind::Named(tz) => instant.with_timezone(tz).naive_local(),
        }
    }
}

fn resolve<Tz: TimeZone>(zone: &Tz, local: &NaiveDateTime) -> FixedOffset {
    match zone.offset_from_local_datetime(local) {
        LocalResult::Single(offset) => offset.fix(),
        LocalResult::Ambiguous(earlier, _) => earlier.fix(),
        LocalResult::None => {
            let before_gap = *local - chrono::TimeDelta::hours(3);
            zone.offset_from_utc_datetime(&before_gap).fix()
        }
    }
}

impl FromStr for Zone {
    type Err = ZoneError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        match trimmed {
            "local" | "Local" | "LOCAL" => return Ok(Zone::local()),
            "UTC" | "utc" | "Z" | "GMT" => return Ok(Zone::utc()),
            _ => {}
        }
        if let Some(offset) = parse_offset(trimmed) {
            return Ok(Zone::from_kind(ZoneKind::Fixed(offset)));
        }
        trimmed
            .parse::<chrono_tz::Tz>()
            .map(|tz| Zone::from_kind(ZoneKind::Named(tz)))
            .map_err(|_| ZoneError(text.to_string()))
    }
}

/// `+02:00`, `-0530`, `+05`: an explicit offset from UTC.
pub fn parse_offset(text: &str) -> Option<FixedOffset> {
    let bytes = text.as_bytes();
    let sign = match bytes.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (hours, minutes) = match &bytes[1..] {
        [h1, h2] => (super::parse_digits(&[*h1, *h2])?, 0),
        [h1, h2, m1, m2] | [h1, h2, b':', m1, m2] => {
            (super::parse_digits(&[*h1, *h2])?, super::parse_digits(&[*m1, *m2])?)
        }
        _ => return None,
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours as i32 * 3600 + minutes as i32 * 60))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, mo: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|date| date.and_hms_opt(h, 30, 0))
            .expect("valid")
    }

    #[test]
    fn named_zone_follows_daylight_saving() {
        let berlin: Zone = "Europe/Berlin".parse().expect("known zone");
        assert_eq!(berlin.offset_at(&at(2026, 1, 15, 12)).local_minus_utc(), 3600);
        assert_eq!(berlin.offset_at(&at(2026, 7, 15, 12)).local_minus_utc(), 7200);
        // 02:30 on 2026-03-29 does not exist in Berlin: the pre-gap offset keeps the line.
        assert_eq!(berlin.offset_at(&at(2026, 3, 29, 2)).local_minus_utc(), 3600);
    }

    #[test]
    fn offsets_and_errors() {
        let zone: Zone = "+05:30".parse().expect("offset");
        assert_eq!(zone.offset_at(&at(2026, 1, 1, 0)).local_minus_utc(), 19_800);
        let zone: Zone = "-0800".parse().expect("offset");
        assert_eq!(zone.offset_at(&at(2026, 1, 1, 0)).local_minus_utc(), -28_800);
        assert!("Mars/Olympus".parse::<Zone>().is_err());
        assert!("+25:00".parse::<Zone>().is_err());
        assert_eq!(parse_offset("+02").map(|o| o.local_minus_utc()), Some(7200));
        for malformed in ["+5:30", "+05:3", "+0530:", "05:30", "+05-30", "+"] {
            assert!(parse_offset(malformed).is_none(), "{malformed}");
        }
        let utc: Zone = "UTC".parse().expect("utc");
        assert_eq!(utc.offset_at(&at(2026, 6, 1, 0)).local_minus_utc(), 0);
    }
}
