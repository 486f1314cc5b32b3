//! The timestamps MySQL and MariaDB have written over the years, at the start of a line:
//! `130324  0:04:00` and `051007 21:55:24` (YYMMDD, the hour unpadded), `2015-10-07 06:09:42`
//! and `2015-10-07  8:25:38` (5.6, MariaDB), `2016-02-24T15:26:18.237955` (5.7 in local time),
//! `2019-01-03T08:50:04.634875Z` (5.7, 8.0) and `2018-09-07T18:45:40.098124+08:00`.

use crate::time::{parse_digits, parse_fraction, parse_offset, Timestamp};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// A logged time: exact when the log gave an offset, else a wall-clock reading for `--tz`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum LoggedTime {
    /// With `Z` or an offset.
    Exact(Timestamp),
    /// Without.
    Naive(NaiveDateTime),
}

/// The timestamp `text` starts with, and the text after it (not trimmed: `091119
/// 22:27:11InnoDB:` has nothing between).
pub(super) fn leading_time(text: &str) -> Option<(LoggedTime, &str)> {
    let bytes = text.as_bytes();
    let (date, after_date) = if bytes.get(4) == Some(&b'-') {
        let year = parse_digits(bytes.get(0..4)?)? as i32;
        if bytes.get(7) != Some(&b'-') {
            return None;
        }
        let month = parse_digits(bytes.get(5..7)?)?;
        let day = parse_digits(bytes.get(8..10)?)?;
        (NaiveDate::from_ymd_opt(year, month, day)?, text.get(10..)?)
    } else {
        // YYMMDD: MySQL before 5.6 (two-digit years; the oldest logs are from the 1990s).
        let short_year = parse_digits(bytes.get(0..2)?)? as i32;
        let month = parse_digits(bytes.get(2..4)?)?;
        let day = parse_digits(bytes.get(4..6)?)?;
        let year = if short_year < 70 {
            2000 + short_year
        } else {
            1900 + short_year
        };
        (NaiveDate::from_ymd_opt(year, month, day)?, text.get(6..)?)
    };
    let after_separator = match after_date.strip_prefix('T') {
        Some(rest) => rest,
        None => {
            let trimmed = after_date.trim_start_matches(' ');
            // One space at least, and not so many that this is something else.
            if trimmed.len() == after_date.len() || after_date.len() - trimmed.len() > 3 {
                return None;
            }
            trimmed
        }
    };
    let (time, rest) = clock(after_separator)?;
    let local = date.and_time(time);
    let rest_bytes = rest.as_bytes();
    match rest_bytes.first() {
        Some(b'Z') => Some((LoggedTime::Exact(Timestamp::from_local(local, utc())), &rest[1..])),
        Some(b'+' | b'-') if rest_bytes.get(3) == Some(&b':') => {
            let offset = parse_offset(rest.get(..6)?)?;
            Some((LoggedTime::Exact(Timestamp::from_local(local, offset)), &rest[6..]))
        }
        _ => Some((LoggedTime::Naive(local), rest)),
    }
}

fn utc() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!("zero is a valid offset"))
}

/// `H:MM:SS` or `HH:MM:SS`, with an optional `.fraction`.
fn clock(text: &str) -> Option<(NaiveTime, &str)> {
    let bytes = text.as_bytes();
    let hour_len = if bytes.get(1) == Some(&b':') { 1 } else { 2 };
    let hour = parse_digits(bytes.get(..hour_len)?)?;
    let rest = bytes.get(hour_len..)?;
    if rest.first() != Some(&b':') || rest.get(3) != Some(&b':') {
        return None;
    }
    let minute = parse_digits(rest.get(1..3)?)?;
    let second = parse_digits(rest.get(4..6)?)?;
    let mut end = hour_len + 6;
    let mut nanos = 0;
    if bytes.get(end) == Some(&b'.') {
        let digits = bytes[end + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
        nanos = parse_fraction(&bytes[end + 1..end + 1 + digits])?;
        end += 1 + digits;
    }
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second.min(59), nanos)?;
    Some((time, text.get(end..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(text: &str) -> (String, &str) {
        match leading_time(text) {
            Some((LoggedTime::Naive(local), rest)) => (local.to_string(), rest),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn every_generation_of_timestamp() {
        assert_eq!(
            naive("130324  0:04:00 [Warning] x"),
            ("2013-03-24 00:04:00".into(), " [Warning] x")
        );
        assert_eq!(
            naive("051007 21:55:24\t     42 Connect"),
            ("2005-10-07 21:55:24".into(), "\t     42 Connect")
        );
        assert_eq!(naive("990101 01:02:03 x").0, "1999-01-01 01:02:03");
        assert_eq!(naive("091119 22:27:11InnoDB: Warning").1, "InnoDB: Warning");
        assert_eq!(
            naive("2015-10-07  8:25:38 139845235329792 [Warning]").0,
            "2015-10-07 08:25:38"
        );
        assert_eq!(
            naive("2016-02-24T15:26:18.237955 6 [Note]").0,
            "2016-02-24 15:26:18.237955"
        );
        let Some((LoggedTime::Exact(stamp), rest)) = leading_time("2019-01-03T08:50:04.634875Z 113 [Note]") else {
            panic!("exact");
        };
        assert_eq!(stamp.to_string(), "2019-01-03T08:50:04.634875Z");
        assert_eq!(rest, " 113 [Note]");
        let Some((LoggedTime::Exact(stamp), _)) = leading_time("2018-09-07T18:45:40.098124+08:00\t257426 Connect")
        else {
            panic!("offset");
        };
        assert_eq!(stamp.to_string(), "2018-09-07T18:45:40.098124+08:00");
    }

    #[test]
    fn not_timestamps() {
        for text in [
            "",
            "InnoDB: Unable to lock",
            "Version: '5.0.58'",
            "130332  0:04:00 bad day",
            "13032400:04:00",
            "2015-10-07",
            "2015-10-07     8:25:38 too many spaces",
            "2015-10-07 25:00:00",
            "                 42 Query",
        ] {
            assert!(leading_time(text).is_none(), "{text}");
        }
    }
}
