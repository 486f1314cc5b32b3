//! The instant an event happened, with the UTC offset it was observed in.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDateTime, Timelike};
use std::fmt;

/// An event's time: an instant plus the offset to display it in.
///
/// Ordering compares the instant only, so events from logs in different zones merge correctly.
/// It is written as RFC 3339 with its offset (`2026-03-29T02:14:33.123456+02:00`), with as
/// many fraction digits as the source had (0, 3, 6 or 9), and formats without allocating.
#[derive(Clone, Copy, Debug)]
pub struct Timestamp {
    unix_seconds: i64,
    nanos: u32,
    offset_seconds: i32,
}

impl Timestamp {
    /// Builds a timestamp from a wall-clock reading and the offset that applied to it.
    pub fn from_local(local: NaiveDateTime, offset: FixedOffset) -> Self {
        let utc = local - chrono::TimeDelta::seconds(i64::from(offset.local_minus_utc()));
        Timestamp {
            unix_seconds: utc.and_utc().timestamp(),
            nanos: local.nanosecond(),
            offset_seconds: offset.local_minus_utc(),
        }
    }

    /// Builds a timestamp from an instant, displayed in UTC.
    pub fn from_unix(unix_seconds: i64, nanos: u32) -> Self {
        Timestamp {
            unix_seconds,
            nanos: nanos.min(999_999_999),
            offset_seconds: 0,
        }
    }

    /// [`Timestamp::from_unix`] for an instant RFC 3339 can write (years 0000 to 9999);
    /// `None` for any other, which a log can claim but no `@timestamp` can hold.
    pub fn from_unix_checked(unix_seconds: i64, nanos: u32) -> Option<Self> {
        const FIRST: i64 = -62_167_219_200; // 0000-01-01T00:00:00Z
        const LAST: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
        (FIRST..=LAST)
            .contains(&unix_seconds)
            .then(|| Timestamp::from_unix(unix_seconds, nanos))
    }

    /// An instant displayed at a given offset from UTC.
    pub fn from_unix_with_offset(unix_seconds: i64, nanos: u32, offset_seconds: i32) -> Self {
        Timestamp {
            unix_seconds,
            nanos: nanos.min(999_999_999),
            offset_seconds,
        }
    }

    /// Reads an RFC 3339 timestamp as `@timestamp` carries it; `None` if it is not one.
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        if let Some(fast) = parse_canonical_rfc3339(text.as_bytes()) {
            return Some(fast);
        }
        let parsed = DateTime::parse_from_rfc3339(text).ok()?;
        Some(Timestamp::from_unix_with_offset(
            parsed.timestamp(),
            parsed.timestamp_subsec_nanos(),
            parsed.offset().local_minus_utc(),
        ))
    }

    /// Appends the whole RFC 3339 text, as [`Display`](fmt::Display) writes it, without
    /// allocating.
    pub fn write(&self, out: &mut Vec<u8>) {
        let mut buf = [0u8; 40];
        let len = self.format_into(&mut buf);
        out.extend_from_slice(&buf[..len]);
    }

    /// Appends the date and time to the second (`2026-03-29T02:14:33`), without allocating.
    pub fn write_date_time(&self, out: &mut Vec<u8>) {
        let mut buf = [0u8; 40];
        let len = self.format_into(&mut buf);
        out.extend_from_slice(&buf[..19.min(len)]);
    }

    /// Appends what follows the seconds: the fraction, if any, and the offset (`.123+02:00`).
    pub fn write_suffix(&self, out: &mut Vec<u8>) {
        if self.nanos != 0 {
            out.push(b'.');
            out.extend_from_slice(&nine_digits(self.nanos)[..fraction_digits(self.nanos)]);
        }
        self.write_offset(out);
    }

    fn write_offset(&self, out: &mut Vec<u8>) {
        if self.offset_seconds == 0 {
            out.push(b'Z');
            return;
        }
        let minutes = self.offset_seconds.unsigned_abs() / 60;
        out.push(if self.offset_seconds < 0 { b'-' } else { b'+' });
        out.extend_from_slice(&two_digits(minutes / 60));
        out.push(b':');
        out.extend_from_slice(&two_digits(minutes % 60));
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(&self) -> i64 {
        self.unix_seconds
    }

    /// Sub-second part in nanoseconds.
    pub fn nanos(&self) -> u32 {
        self.nanos
    }

    /// The offset from UTC the event was logged in, in seconds.
    pub fn offset_seconds(&self) -> i32 {
        self.offset_seconds
    }

    /// The key events are ordered by: the instant, independent of display offset.
    pub fn sort_key(&self) -> (i64, u32) {
        (self.unix_seconds, self.nanos)
    }

    /// As a chrono value, for callers that need calendar arithmetic.
    pub fn to_datetime(&self) -> Option<DateTime<FixedOffset>> {
        let offset = FixedOffset::east_opt(self.offset_seconds)?;
        DateTime::from_timestamp(self.unix_seconds, self.nanos).map(|utc| utc.with_timezone(&offset))
    }

    /// Writes the RFC 3339 form into `buf`, returning the used length.
    fn format_into(&self, buf: &mut [u8; 40]) -> usize {
        let Some(local) = self.to_datetime() else {
            // Out of chrono's range: only reachable from absurd input; keep the instant visible.
            let text = b"1970-01-01T00:00:00Z";
            buf[..text.len()].copy_from_slice(text);
            return text.len();
        };
        let mut len = 0;
        let mut push = |bytes: &[u8]| {
            buf[len..len + bytes.len()].copy_from_slice(bytes);
            len += bytes.len();
        };
        let year = local.year();
        if (0..=9999).contains(&year) {
            push(&four_digits(year as u32));
        } else {
            push(b"0000");
        }
        push(b"-");
        push(&two_digits(local.month()));
        push(b"-");
        push(&two_digits(local.day()));
        push(b"T");
        push(&two_digits(local.hour()));
        push(b":");
        push(&two_digits(local.minute()));
        push(b":");
        push(&two_digits(local.second()));
        if self.nanos != 0 {
            push(b".");
            push(&nine_digits(self.nanos)[..fraction_digits(self.nanos)]);
        }
        if self.offset_seconds == 0 {
            push(b"Z");
        } else {
            let sign = if self.offset_seconds < 0 { b"-" } else { b"+" };
            let minutes = self.offset_seconds.unsigned_abs() / 60;
            push(sign);
            push(&two_digits(minutes / 60));
            push(b":");
            push(&two_digits(minutes % 60));
        }
        len
    }
}

/// 3, 6 or 9: as many fraction digits as the value needs (milli, micro, nano).
fn fraction_digits(nanos: u32) -> usize {
    if nanos.is_multiple_of(1_000_000) {
        3
    } else if nanos.is_multiple_of(1_000) {
        6
    } else {
        9
    }
}

fn two_digits(value: u32) -> [u8; 2] {
    [b'0' + (value / 10 % 10) as u8, b'0' + (value % 10) as u8]
}

fn four_digits(value: u32) -> [u8; 4] {
    let [a, b] = two_digits(value / 100);
    let [c, d] = two_digits(value % 100);
    [a, b, c, d]
}

fn nine_digits(mut value: u32) -> [u8; 9] {
    let mut out = [b'0'; 9];
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
    out
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.sort_key() == other.sort_key()
    }
}

impl Eq for Timestamp {}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

/// As its RFC 3339 text.
impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// From its RFC 3339 text, as [`Timestamp::parse_rfc3339`] reads it.
impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Timestamp::parse_rfc3339(&text).ok_or_else(|| serde::de::Error::custom(format!("not an RFC 3339 time: {text}")))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 40];
        let len = self.format_into(&mut buf);
        // format_into writes ASCII only.
        f.write_str(std::str::from_utf8(&buf[..len]).map_err(|_| fmt::Error)?)
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`: the form every `@timestamp` we write and every
/// Windows `SystemTime` takes, read without chrono because ls-detect and the EVTX mapping read
/// one per event. `None` sends anything else (lower-case `t`, leap seconds, more than nine
/// fraction digits) to chrono, so both paths accept exactly the same texts.
fn parse_canonical_rfc3339(text: &[u8]) -> Option<Timestamp> {
    fn digits(text: &[u8], range: std::ops::Range<usize>) -> Option<u32> {
        text.get(range)?.iter().try_fold(0u32, |value, &byte| {
            byte.is_ascii_digit().then(|| value * 10 + u32::from(byte - b'0'))
        })
    }
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(at, byte)| text.get(at) != Some(&byte)) {
        return None;
    }
    let year = digits(text, 0..4)?;
    let month = digits(text, 5..7)?;
    let day = digits(text, 8..10)?;
    let (hour, minute, second) = (digits(text, 11..13)?, digits(text, 14..16)?, digits(text, 17..19)?);
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut at = 19;
    let mut nanos = 0;
    if text.get(at) == Some(&b'.') {
        let start = at + 1;
        at = start;
        while text.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        let count = at - start;
        if count == 0 || count > 9 {
            return None;
        }
        nanos = digits(text, start..at)? * 10u32.pow((9 - count) as u32);
    }
    let offset_seconds = match text.get(at)? {
        b'Z' if at + 1 == text.len() => 0,
        sign @ (b'+' | b'-') if at + 6 == text.len() && text[at + 3] == b':' => {
            let (hours, minutes) = (digits(text, at + 1..at + 3)?, digits(text, at + 4..at + 6)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let magnitude = (hours * 3600 + minutes * 60) as i32;
            if *sign == b'-' {
                -magnitude
            } else {
                magnitude
            }
        }
        _ => return None,
    };
    let local_seconds =
        days_from_civil(i64::from(year), month, day) * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Some(Timestamp::from_unix_with_offset(
        local_seconds - i64::from(offset_seconds),
        nanos,
        offset_seconds,
    ))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * i64::from((month + 9) % 12) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|date| date.and_hms_nano_opt(h, mi, s, nanos))
            .expect("valid test date")
    }

    #[test]
    fn formats_with_offset_and_fraction() {
        let plus2 = FixedOffset::east_opt(2 * 3600).expect("offset");
        let ts = Timestamp::from_local(local(2026, 3, 29, 2, 14, 33, 123_456_000), plus2);
        assert_eq!(ts.to_string(), "2026-03-29T02:14:33.123456+02:00");
        assert_eq!(ts.unix_seconds(), 1_774_743_273);
        let minus = FixedOffset::west_opt(7 * 3600 + 1800).expect("offset");
        let ts = Timestamp::from_local(local(2000, 10, 10, 13, 55, 36, 0), minus);
        assert_eq!(ts.to_string(), "2000-10-10T13:55:36-07:30");
        assert_eq!(
            Timestamp::from_unix(0, 5_000_000).to_string(),
            "1970-01-01T00:00:00.005Z"
        );
        assert_eq!(Timestamp::from_unix(0, 7).to_string(), "1970-01-01T00:00:00.000000007Z");
        for stamp in [
            ts,
            Timestamp::from_unix(0, 5_000_000),
            Timestamp::from_unix_with_offset(86_400, 120_000, -3600),
        ] {
            let full = stamp.to_string();
            let mut suffix = Vec::new();
            stamp.write_suffix(&mut suffix);
            assert_eq!(&full.as_bytes()[19..], suffix.as_slice());
        }
    }

    #[test]
    fn orders_by_instant_not_by_wall_clock() {
        let utc = FixedOffset::east_opt(0).expect("offset");
        let plus5 = FixedOffset::east_opt(5 * 3600).expect("offset");
        let early_in_plus5 = Timestamp::from_local(local(2026, 1, 1, 10, 0, 0, 0), plus5);
        let later_in_utc = Timestamp::from_local(local(2026, 1, 1, 6, 0, 0, 0), utc);
        assert!(early_in_plus5 < later_in_utc);
    }

    fn by_chrono(text: &str) -> Option<(i64, u32, i32)> {
        let parsed = DateTime::parse_from_rfc3339(text).ok()?;
        Some((
            parsed.timestamp(),
            parsed.timestamp_subsec_nanos(),
            parsed.offset().local_minus_utc(),
        ))
    }

    fn by_fast_path(text: &str) -> Option<(i64, u32, i32)> {
        parse_canonical_rfc3339(text.as_bytes()).map(|ts| (ts.unix_seconds(), ts.nanos(), ts.offset_seconds()))
    }

    #[test]
    fn the_fast_path_reads_what_chrono_reads() {
        for text in [
            "2016-07-08T18:12:51.6816408Z",
            "2026-03-29T02:14:33.123456+02:00",
            "2026-03-29T02:14:33-05:30",
            "1969-12-31T23:59:59.999999999Z",
            "2024-02-29T00:00:00Z",
            "2000-02-29T12:00:00.5Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59+14:00",
        ] {
            assert_eq!(by_fast_path(text), by_chrono(text), "{text}");
            assert!(by_fast_path(text).is_some(), "{text} takes the fast path");
        }
        for text in [
            "2023-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:00",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00+0200",
            "2026-01-01T00:00:00Zjunk",
            "2026-01-01t00:00:00Z",
            "2026-01-01T00:00:60Z",
            "2026-01-01T00:00:00.1234567891Z",
            "+2026-01-01T00:00:00Z",
        ] {
            assert_eq!(by_fast_path(text), None, "{text} is left to chrono");
            // A leap second's nanos (1e9 and more) are clamped into its last nanosecond.
            let expected = by_chrono(text).map(|(seconds, nanos, offset)| (seconds, nanos.min(999_999_999), offset));
            assert_eq!(
                Timestamp::parse_rfc3339(text).map(|ts| (ts.unix_seconds(), ts.nanos(), ts.offset_seconds())),
                expected,
                "{text}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn the_fast_path_agrees_with_chrono_on_any_time(
            unix in -62_135_596_800i64..253_402_300_799,
            nanos in 0u32..1_000_000_000,
            digits in 0usize..10,
            offset_minutes in -1439i32..1440,
        ) {
            let offset = FixedOffset::east_opt(offset_minutes * 60).expect("offset");
            let time = DateTime::from_timestamp(unix, nanos).expect("time").with_timezone(&offset);
            let mut text = time.format("%Y-%m-%dT%H:%M:%S").to_string();
            if digits > 0 {
                text.push('.');
                text.push_str(&format!("{:09}", time.timestamp_subsec_nanos())[..digits]);
            }
            text.push_str(&if offset_minutes == 0 { "Z".to_owned() } else { time.format("%:z").to_string() });
            if let Some(expected) = by_chrono(&text) {
                proptest::prop_assert_eq!(by_fast_path(&text), Some(expected), "{}", text);
            }
        }

        #[test]
        fn the_fast_path_never_accepts_what_chrono_refuses(text in "[0-9T:.Z+-]{10,32}") {
            if by_fast_path(&text).is_some() {
                proptest::prop_assert_eq!(by_fast_path(&text), by_chrono(&text), "{}", text);
            }
        }
    }
}
