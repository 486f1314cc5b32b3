//! Syslog headers: classic BSD (`Mar 29 02:14:33 host sshd[1]:`), ISO 8601 as rsyslog writes
//! it today (`2026-03-29T02:14:33.123456+00:00 host sshd[1]:`), RFC 5424, and the bare
//! `host sshd[1]:` of journal exports without timestamps.

use crate::time::{month_from_abbrev, parse_digits, parse_fraction, Timestamp};
use chrono::{FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

/// A syslog line split into its header fields, borrowing from the line.
#[derive(Debug, PartialEq)]
pub struct SyslogLine<'a> {
    /// The timestamp as far as the header gives it.
    pub time: HeaderTime,
    /// The host that logged it, when the header names one.
    pub host: Option<&'a str>,
    /// The tag's program name as logged (`sshd`, `sshd(pam_unix)`); empty if no tag.
    pub program: &'a str,
    /// The tag's pid.
    pub pid: Option<u32>,
    /// Everything after the tag.
    pub message: &'a str,
}

/// How much of a timestamp a header carried.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum HeaderTime {
    /// Date, time and offset: an exact instant.
    Exact(Timestamp),
    /// Date and time without an offset.
    Naive(NaiveDateTime),
    /// Month, day and time: classic syslog.
    YearLess {
        /// 1–12.
        month: u32,
        /// 1–31.
        day: u32,
        /// Time of day.
        time: NaiveTime,
    },
    /// No timestamp at all.
    Missing,
}

/// Splits a syslog line into header and message; `None` if the line is not syslog.
pub fn parse_header(line: &str) -> Option<SyslogLine<'_>> {
    let (rest, had_priority) = strip_priority(line);
    if had_priority {
        if let Some(rfc5424) = rest.strip_prefix("1 ") {
            return parse_rfc5424(rfc5424);
        }
    }
    let bytes = rest.as_bytes();
    if bytes.len() >= 4 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes.get(4) == Some(&b'-') {
        let (time, after) = parse_iso_timestamp(rest)?;
        return parse_after_timestamp(time, after.strip_prefix(' ')?);
    }
    if let Some((time, after)) = parse_bsd_timestamp(rest) {
        return parse_after_timestamp(time, after);
    }
    parse_without_timestamp(rest)
}

fn strip_priority(line: &str) -> (&str, bool) {
    if let Some(inner) = line.strip_prefix('<') {
        if let Some(close) = inner.find('>') {
            if (1..=3).contains(&close) && inner.as_bytes()[..close].iter().all(u8::is_ascii_digit) {
                return (&inner[close + 1..], true);
            }
        }
    }
    (line, false)
}

/// `Mar 29 02:14:33`, `Mar  9 02:14:33`, `Feb 7 16:01:07`, optional `.fraction`.
fn parse_bsd_timestamp(text: &str) -> Option<(HeaderTime, &str)> {
    let bytes = text.as_bytes();
    let month = month_from_abbrev(bytes.get(..3)?)?;
    if bytes.get(3) != Some(&b' ') {
        return None;
    }
    let mut pos = 4;
    if bytes.get(pos) == Some(&b' ') {
        pos += 1;
    }
    let day_start = pos;
    while pos < bytes.len() && bytes[pos].is_ascii_digit() && pos - day_start < 2 {
        pos += 1;
    }
    let day = parse_digits(&bytes[day_start..pos])?;
    if bytes.get(pos) != Some(&b' ') {
        return None;
    }
    let (time, after) = parse_clock(&text[pos + 1..])?;
    let after = after.strip_prefix(' ').unwrap_or(after);
    if !(1..=31).contains(&day) {
        return None;
    }
    Some((HeaderTime::YearLess { month, day, time }, after))
}

/// `hh:mm:ss[.fraction]`; returns the rest of the text.
fn parse_clock(text: &str) -> Option<(NaiveTime, &str)> {
    let bytes = text.as_bytes();
    if bytes.len() < 8 || bytes[2] != b':' || bytes[5] != b':' {
        return None;
    }
    let hour = parse_digits(&bytes[0..2])?;
    let minute = parse_digits(&bytes[3..5])?;
    let second = parse_digits(&bytes[6..8])?;
    let mut end = 8;
    let mut nanos = 0;
    if bytes.get(8) == Some(&b'.') || bytes.get(8) == Some(&b',') {
        let frac_end = bytes[9..]
            .iter()
            .position(|b| !b.is_ascii_digit())
            .map_or(bytes.len(), |offset| 9 + offset);
        nanos = parse_fraction(&bytes[9..frac_end])?;
        end = frac_end;
    }
    // A leap second (:60) is folded into :59 rather than losing the line.
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second.min(59), nanos)?;
    Some((time, &text[end..]))
}

/// `2026-03-29T02:14:33[.frac][Z|±hh:mm|±hhmm]` (a space instead of `T` too).
pub fn parse_iso_timestamp(text: &str) -> Option<(HeaderTime, &str)> {
    let bytes = text.as_bytes();
    if bytes.len() < 19 || bytes[4] != b'-' || bytes[7] != b'-' || !matches!(bytes[10], b'T' | b' ') {
        return None;
    }
    let year = parse_digits(&bytes[0..4])? as i32;
    let month = parse_digits(&bytes[5..7])?;
    let day = parse_digits(&bytes[8..10])?;
    let (time, after) = parse_clock(&text[11..])?;
    let local = NaiveDate::from_ymd_opt(year, month, day)?.and_time(time);
    let after_bytes = after.as_bytes();
    let (offset, rest) = match after_bytes.first() {
        Some(b'Z') => (FixedOffset::east_opt(0), &after[1..]),
        Some(b'+') | Some(b'-') => {
            let len = if after_bytes.get(3) == Some(&b':') { 6 } else { 5 };
            let candidate = after.get(..len)?;
            (Some(crate::time::parse_offset(candidate)?), &after[len..])
        }
        _ => (None, after),
    };
    let time = match offset {
        Some(offset) => HeaderTime::Exact(Timestamp::from_local(local, offset)),
        None => HeaderTime::Naive(local),
    };
    Some((time, rest))
}

/// After the timestamp: `host tag: message`, or `tag: message` when the host is missing.
fn parse_after_timestamp(time: HeaderTime, text: &str) -> Option<SyslogLine<'_>> {
    let (first, after_first) = split_token(text);
    if first.is_empty() {
        return None;
    }
    if let Some((program, pid, message)) = parse_tag(first, after_first) {
        return Some(SyslogLine {
            time,
            host: None,
            program,
            pid,
            message,
        });
    }
    let (second, after_second) = split_token(after_first);
    let tagged = parse_tag(second, after_second)
        .map(|(program, pid, message)| unwrap_kernel_prefix(program, pid, message))
        .or_else(|| versioned_tag(second, after_second))
        .or_else(|| login_tag(after_first));
    if let Some((program, pid, message)) = tagged {
        return Some(SyslogLine {
            time,
            host: Some(first),
            program,
            pid,
            message,
        });
    }
    // Valid header, no tag (`-- MARK --`, kernel oddities): keep it as an untagged message.
    Some(SyslogLine {
        time,
        host: Some(first),
        program: "",
        pid: None,
        message: after_first,
    })
}

/// sysklogd names itself with its version: `syslogd 1.4.1: restart.`.
fn versioned_tag<'a>(name: &'a str, after: &'a str) -> Option<(&'a str, Option<u32>, &'a str)> {
    let (token, _) = split_token(after);
    let version = token.strip_suffix(':')?;
    let is_version =
        version.starts_with(|c: char| c.is_ascii_digit()) && version.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let is_name = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (is_version && is_name).then(|| (name, None, after.get(token.len()..).unwrap_or("").trim_start()))
}

/// login(1)'s argv makes `-- root[2421]:` (after a double space) the tag of a console login.
fn login_tag(after_host: &str) -> Option<(&str, Option<u32>, &str)> {
    let rest = after_host.trim_start().strip_prefix("-- ")?;
    let (tag, after_tag) = split_token(rest);
    let (program, pid, message) = parse_tag(tag, after_tag)?;
    pid.map(|pid| (program, Some(pid), message))
}

/// Some journal exports write another program's line behind `kernel:` (and the kernel's
/// uptime stamp, `[ 12.345678]`): `kernel: sshd[12]: Failed ...` is sshd's line. Only a tag
/// with a pid counts, so the kernel's own `audit: type=...` stays the kernel's.
fn unwrap_kernel_prefix<'a>(program: &'a str, pid: Option<u32>, message: &'a str) -> (&'a str, Option<u32>, &'a str) {
    if program != "kernel" || pid.is_some() {
        return (program, pid, message);
    }
    let after_uptime = message
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .filter(|(uptime, _)| uptime.trim().bytes().all(|b| b.is_ascii_digit() || b == b'.'))
        .map_or(message, |(_, rest)| rest.trim_start());
    let (tag, after_tag) = split_token(after_uptime);
    match parse_tag(tag, after_tag) {
        Some((inner, Some(inner_pid), inner_message)) => (inner, Some(inner_pid), inner_message),
        _ => (program, pid, message),
    }
}

/// `host sshd[123]: message` with no timestamp (journal exports, some test logs).
fn parse_without_timestamp(text: &str) -> Option<SyslogLine<'_>> {
    let (host, after_host) = split_token(text);
    if !crate::schema::looks_like_hostname(host) && crate::schema::normalize_ip(host).is_none() {
        return None;
    }
    let (tag, after_tag) = split_token(after_host);
    let (program, pid, message) = parse_tag(tag, after_tag)?;
    // Without a timestamp only a tag with a pid is convincing enough to call this syslog.
    pid?;
    Some(SyslogLine {
        time: HeaderTime::Missing,
        host: Some(host),
        program,
        pid,
        message,
    })
}

/// `<pri>1 TIMESTAMP HOST APP PROCID MSGID SD MSG` (the `<pri>1 ` already stripped).
fn parse_rfc5424(text: &str) -> Option<SyslogLine<'_>> {
    let (stamp, rest) = split_token(text);
    let time = if stamp == "-" {
        HeaderTime::Missing
    } else {
        let (time, after) = parse_iso_timestamp(stamp)?;
        if !after.is_empty() {
            return None;
        }
        time
    };
    let (host, rest) = split_token(rest);
    let (app, rest) = split_token(rest);
    let (procid, rest) = split_token(rest);
    let (_msgid, rest) = split_token(rest);
    let message = skip_structured_data(rest)?;
    let message = message.strip_prefix('\u{feff}').unwrap_or(message);
    let nil = |value: &str| (value != "-" && !value.is_empty()).then_some(());
    Some(SyslogLine {
        time,
        host: nil(host).map(|()| host),
        program: if app == "-" { "" } else { app },
        pid: procid.parse().ok(),
        message,
    })
}

/// Skips `-` or one or more `[id key="value" ...]` elements; returns the message after them.
/// A `]` inside a quoted value does not end its element: RFC 5424 wants it escaped, and not
/// every writer does.
fn skip_structured_data(text: &str) -> Option<&str> {
    if let Some(rest) = text.strip_prefix('-') {
        return Some(rest.strip_prefix(' ').unwrap_or(rest));
    }
    let bytes = text.as_bytes();
    let mut pos = 0;
    while bytes.get(pos) == Some(&b'[') {
        pos += 1;
        let mut quoted = false;
        loop {
            match bytes.get(pos)? {
                b'\\' => pos += 2,
                b'"' => {
                    quoted = !quoted;
                    pos += 1;
                }
                b']' if !quoted => {
                    pos += 1;
                    break;
                }
                _ => pos += 1,
            }
        }
    }
    if pos == 0 {
        return None;
    }
    let rest = text.get(pos..)?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

/// A syslog tag `prog[pid]:` or `prog:` followed by a space or the end of the line.
fn parse_tag<'a>(token: &'a str, after: &'a str) -> Option<(&'a str, Option<u32>, &'a str)> {
    let tag = token.strip_suffix(':')?;
    if tag.is_empty() {
        return None;
    }
    // Tags are a few bytes long: a plain backwards loop beats a vectorised search here.
    // `[sshd]:`, as some relays write the tag.
    if let Some(program) = tag.strip_prefix('[').and_then(|inner| inner.strip_suffix(']')) {
        let name = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/');
        return (!program.is_empty() && program.bytes().all(name)).then_some((program, None, after));
    }
    if let Some(open) = tag.bytes().rposition(|b| b == b'[') {
        let pid_text = tag[open + 1..].strip_suffix(']')?;
        let pid = pid_text.parse().ok()?;
        let program = &tag[..open];
        return (!program.is_empty()).then_some((program, Some(pid), after));
    }
    if tag.contains([']', '=', '"']) {
        return None;
    }
    Some((tag, None, after))
}

/// The text up to the first space, and the text after that space.
fn split_token(text: &str) -> (&str, &str) {
    super::split_at_first(text, b' ').unwrap_or((text, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bsd_header() {
        let line = parse_header("Mar  9 02:14:33 web-1 sshd[123]: Failed password").expect("syslog");
        assert_eq!(line.host, Some("web-1"));
        assert_eq!(line.program, "sshd");
        assert_eq!(line.pid, Some(123));
        assert_eq!(line.message, "Failed password");
        assert!(matches!(line.time, HeaderTime::YearLess { month: 3, day: 9, .. }));
        let pam =
            parse_header("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown").expect("syslog");
        assert_eq!(pam.program, "sshd(pam_unix)");
        let hostless = parse_header("Nov 23 21:50:19 sshd[8148]: Disconnecting: x").expect("syslog");
        assert_eq!((hostless.host, hostless.program), (None, "sshd"));
        let single_digit_day = parse_header("Feb 7 16:01:07 linux-m899 sshd[5106]: User root").expect("syslog");
        assert_eq!(single_digit_day.host, Some("linux-m899"));
    }

    #[test]
    fn iso_and_rfc5424_headers() {
        let line =
            parse_header("2015-04-16T18:02:50.321974+00:00 host sshd[2716]: pam_unix(sshd:auth): x").expect("syslog");
        match line.time {
            HeaderTime::Exact(stamp) => assert_eq!(stamp.to_string(), "2015-04-16T18:02:50.321974Z"),
            other => panic!("expected exact time, got {other:?}"),
        }
        let rfc = parse_header(
            "<38>1 2019-07-08T17:40:16.954167-04:00 hostname.example.com sshd 57915 - - Failed unknown for x",
        )
        .expect("syslog");
        assert_eq!(rfc.host, Some("hostname.example.com"));
        assert_eq!((rfc.program, rfc.pid), ("sshd", Some(57915)));
        assert_eq!(rfc.message, "Failed unknown for x");
        let with_sd = parse_header("<13>1 - h app - ID [a b=\"c\\]\"][d] hello").expect("syslog");
        assert_eq!((with_sd.time, with_sd.message), (HeaderTime::Missing, "hello"));
    }

    /// The tags and wrappers relays and journal exports write, each read as the program it is.
    #[test]
    fn bracketed_tags_kernel_wrappers_versions_and_quoted_brackets() {
        let bracketed = parse_header("Mar 11 10:00:00 host [sshd]: Failed password").expect("syslog");
        assert_eq!(
            (bracketed.program, bracketed.pid, bracketed.message),
            ("sshd", None, "Failed password")
        );
        let kernel = parse_header("Mar 11 10:00:00 host kernel: [ 12.345] sshd[12]: Failed x").expect("syslog");
        assert_eq!(
            (kernel.program, kernel.pid, kernel.message),
            ("sshd", Some(12), "Failed x")
        );
        let audit = parse_header("Mar 11 10:00:00 host kernel: audit: type=1400 x").expect("syslog");
        assert_eq!((audit.program, audit.message), ("kernel", "audit: type=1400 x"));
        let versioned = parse_header("Jun 19 04:09:11 combo syslogd 1.4.1: restart.").expect("syslog");
        assert_eq!((versioned.program, versioned.message), ("syslogd", "restart."));
        let login = parse_header("Jul  7 08:06:15 combo  -- root[2421]: ROOT LOGIN ON tty2").expect("syslog");
        assert_eq!((login.program, login.pid), ("root", Some(2421)));
        let quoted = parse_header("<34>1 2026-03-11T10:00:00Z h sshd 12 - [m x=\"a]b\"] Failed y").expect("syslog");
        assert_eq!(quoted.message, "Failed y");
        let untagged = parse_header("Mar 11 10:00:00 host -- MARK --").expect("syslog");
        assert_eq!(untagged.program, "");
    }

    #[test]
    fn no_timestamp_and_non_syslog() {
        let bare = parse_header("srv sshd[13709]: error: PAM: x").expect("syslog");
        assert_eq!(
            (bare.time, bare.host, bare.message),
            (HeaderTime::Missing, Some("srv"), "error: PAM: x")
        );
        assert!(parse_header("127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326").is_none());
        assert!(parse_header("").is_none());
        assert!(parse_header("Mar 99 02:14:33 h sshd[1]: x").is_none());
        assert!(parse_header("2026-13-01T00:00:00Z h sshd[1]: x").is_none());
    }
}
