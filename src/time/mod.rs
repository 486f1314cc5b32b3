//! Event time: the instant type every record carries, the zone naive timestamps are read in,
//! and the year inference for syslog timestamps that have none.

mod stamp;
mod year;
mod zone;

pub use stamp::Timestamp;
pub use year::YearResolver;
pub use zone::{parse_offset, Zone, ZoneError};

/// `2026-03-14`: the UTC date of a Unix day number (Unix seconds / 86,400).
pub fn utc_date(unix_day: i64) -> String {
    Timestamp::from_unix(unix_day.saturating_mul(86_400), 0)
        .to_string()
        .chars()
        .take(10)
        .collect()
}

/// Month number (1–12) of an English three-letter month abbreviation, as syslog and Apache
/// write them. Case-sensitive on purpose: both formats always capitalise it this way.
pub fn month_from_abbrev(abbrev: &[u8]) -> Option<u32> {
    Some(match abbrev {
        b"Jan" => 1,
        b"Feb" => 2,
        b"Mar" => 3,
        b"Apr" => 4,
        b"May" => 5,
        b"Jun" => 6,
        b"Jul" => 7,
        b"Aug" => 8,
        b"Sep" => 9,
        b"Oct" => 10,
        b"Nov" => 11,
        b"Dec" => 12,
        _ => return None,
    })
}

/// Parses exactly `digits.len()` ASCII digits; `None` if any is not a digit.
pub fn parse_digits(digits: &[u8]) -> Option<u32> {
    let mut value: u32 = 0;
    for &byte in digits {
        if !byte.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u32::from(byte - b'0'))?;
    }
    if digits.is_empty() {
        None
    } else {
        Some(value)
    }
}

/// Parses an optional fraction of a second (the digits after the dot) into nanoseconds,
/// keeping at most nine digits of precision.
pub fn parse_fraction(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut nanos: u32 = 0;
    for i in 0..9 {
        let digit = digits.get(i).map_or(0, |d| u32::from(d - b'0'));
        nanos = nanos * 10 + digit;
    }
    Some(nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_digits() {
        assert_eq!(month_from_abbrev(b"Dec"), Some(12));
        assert_eq!(month_from_abbrev(b"dec"), None);
        assert_eq!(parse_digits(b"0042"), Some(42));
        assert_eq!(parse_digits(b"4a"), None);
        assert_eq!(parse_digits(b""), None);
        assert_eq!(parse_digits(b"99999999999"), None);
        assert_eq!(parse_fraction(b"123456"), Some(123_456_000));
        assert_eq!(parse_fraction(b"5"), Some(500_000_000));
        assert_eq!(parse_fraction(b"1234567891234"), Some(123_456_789));
        assert_eq!(parse_fraction(b""), None);
    }
}

/// A duration as flags take it: seconds (`600`), or a number with `s`, `m`, `h` or `d`
/// (`10m`, `24h`). `None` if it is neither, or not positive.
pub fn parse_duration(text: &str) -> Option<i64> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, "s"),
    };
    let value: i64 = number.parse().ok()?;
    let seconds = match unit.trim() {
        "s" | "sec" => value,
        "m" | "min" => value.checked_mul(60)?,
        "h" => value.checked_mul(3600)?,
        "d" => value.checked_mul(86_400)?,
        _ => return None,
    };
    (seconds > 0).then_some(seconds)
}

/// `600` → `10 min`, `86400` → `24 h`, `8340` → `2 h 19 min`, `45` → `45 s`.
pub fn duration_text(seconds: i64) -> String {
    match seconds {
        s if s >= 7200 => match s.saturating_add(30) / 60 {
            minutes if minutes % 60 == 0 => format!("{} h", minutes / 60),
            minutes => format!("{} h {} min", minutes / 60, minutes % 60),
        },
        s if s >= 120 => format!("{} min", (s + 30) / 60),
        s => format!("{} s", s.max(0)),
    }
}

#[cfg(test)]
mod duration_tests {
    use super::{duration_text, parse_duration};

    #[test]
    fn durations() {
        assert_eq!(parse_duration("600"), Some(600));
        assert_eq!(parse_duration("10m"), Some(600));
        assert_eq!(parse_duration("24h"), Some(86_400));
        assert_eq!(parse_duration("2d"), Some(172_800));
        for bad in ["", "0", "-5", "5x", "m", "99999999999999999999h"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations_read_as_a_person_says_them() {
        assert_eq!(duration_text(45), "45 s");
        assert_eq!(duration_text(130), "2 min");
        assert_eq!(duration_text(600), "10 min");
        assert_eq!(duration_text(4440), "74 min");
        assert_eq!(duration_text(8340), "2 h 19 min");
        assert_eq!(duration_text(7199 + 3600), "3 h");
        assert_eq!(duration_text(86_400), "24 h");
    }
}
