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
        let parsed = DateTime::parse_from_rfc3339(text).ok()?;
        Some(Timestamp::from_unix_with_offset(
            parsed.timestamp(),
            parsed.timestamp_subsec_nanos(),
            parsed.offset().local_minus_utc(),
        ))
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

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 40];
        let len = self.format_into(&mut buf);
        // format_into writes ASCII only.
        f.write_str(std::str::from_utf8(&buf[..len]).map_err(|_| fmt::Error)?)
    }
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
}
