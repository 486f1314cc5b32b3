//! `journalctl -o json` records: one JSON object per line.

use crate::parse::syslog::{HeaderTime, SyslogLine};
use crate::time::Timestamp;
use serde::Deserialize;
use std::borrow::Cow;

/// The journal fields we read. Values are strings in journald's export, except MESSAGE,
/// which is an array of bytes when it is not valid UTF-8.
#[derive(Deserialize)]
struct Record<'a> {
    #[serde(rename = "MESSAGE", borrow, default)]
    message: Option<Message<'a>>,
    #[serde(
        rename = "__REALTIME_TIMESTAMP",
        borrow,
        default,
        deserialize_with = "crate::schema::optional_str"
    )]
    realtime: Option<Cow<'a, str>>,
    #[serde(
        rename = "_HOSTNAME",
        borrow,
        default,
        deserialize_with = "crate::schema::optional_str"
    )]
    hostname: Option<Cow<'a, str>>,
    #[serde(
        rename = "SYSLOG_IDENTIFIER",
        borrow,
        default,
        deserialize_with = "crate::schema::optional_str"
    )]
    identifier: Option<Cow<'a, str>>,
    #[serde(rename = "_COMM", borrow, default, deserialize_with = "crate::schema::optional_str")]
    comm: Option<Cow<'a, str>>,
    #[serde(rename = "_PID", borrow, default, deserialize_with = "crate::schema::optional_str")]
    pid: Option<Cow<'a, str>>,
    #[serde(
        rename = "SYSLOG_PID",
        borrow,
        default,
        deserialize_with = "crate::schema::optional_str"
    )]
    syslog_pid: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Message<'a> {
    Text(#[serde(borrow)] Cow<'a, str>),
    Bytes(Vec<u8>),
}

/// A journal record decoded into owned-or-borrowed parts; [`JournalRecord::as_syslog`] views
/// it as a syslog line so the same message catalogue applies.
pub struct JournalRecord<'a> {
    time: HeaderTime,
    host: Option<Cow<'a, str>>,
    program: Cow<'a, str>,
    pid: Option<u32>,
    message: Cow<'a, str>,
}

impl<'a> JournalRecord<'a> {
    /// Decodes one JSON line; `None` if it is not a journal record with a message.
    pub fn parse(line: &'a str) -> Option<Self> {
        let record: Record<'a> = serde_json::from_str(line).ok()?;
        let message = match record.message? {
            Message::Text(text) => text,
            Message::Bytes(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
        };
        let time = record
            .realtime
            .as_deref()
            .and_then(|micros| micros.parse::<i64>().ok())
            .and_then(|micros| {
                let nanos = (micros.rem_euclid(1_000_000) * 1000) as u32;
                Timestamp::from_unix_checked(micros.div_euclid(1_000_000), nanos)
            })
            // A time no timestamp can hold is no time: the event is flagged as having none.
            .map_or(HeaderTime::Missing, HeaderTime::Exact);
        let pid = record
            .syslog_pid
            .as_deref()
            .or(record.pid.as_deref())
            .and_then(|pid| pid.parse().ok());
        let program = record.identifier.or(record.comm).unwrap_or(Cow::Borrowed(""));
        Some(JournalRecord {
            time,
            host: record.hostname,
            program,
            pid,
            message,
        })
    }

    /// The record as the syslog line it would have been.
    pub fn as_syslog(&self) -> SyslogLine<'_> {
        SyslogLine {
            time: self.time,
            host: self.host.as_deref(),
            program: &self.program,
            pid: self.pid,
            message: &self.message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_journal_json() {
        let line = r#"{"__REALTIME_TIMESTAMP":"1711678473123456","_HOSTNAME":"bastion","_PID":"812","SYSLOG_IDENTIFIER":"sshd","MESSAGE":"Failed password for root from 203.0.113.9 port 22 ssh2"}"#;
        let record = JournalRecord::parse(line).expect("journal record");
        let syslog = record.as_syslog();
        assert_eq!(
            (syslog.host, syslog.program, syslog.pid),
            (Some("bastion"), "sshd", Some(812))
        );
        match syslog.time {
            HeaderTime::Exact(stamp) => assert_eq!(stamp.to_string(), "2024-03-29T02:14:33.123456Z"),
            other => panic!("expected exact time, got {other:?}"),
        }
        let bytes = r#"{"MESSAGE":[73,110,118,255],"_COMM":"sshd"}"#;
        let record = JournalRecord::parse(bytes).expect("journal record");
        assert_eq!(record.as_syslog().message, "Inv\u{fffd}");
        assert!(JournalRecord::parse(r#"{"no_message":1}"#).is_none());
        assert!(JournalRecord::parse("{not json").is_none());
    }

    #[test]
    fn a_time_no_timestamp_can_hold_is_missing_not_1970() {
        for micros in ["9223372036854775807", "-9223372036854775808", "253402300800000000"] {
            let line = format!(r#"{{"__REALTIME_TIMESTAMP":"{micros}","SYSLOG_IDENTIFIER":"sshd","MESSAGE":"x"}}"#);
            let record = JournalRecord::parse(&line).expect("journal record");
            assert!(matches!(record.as_syslog().time, HeaderTime::Missing), "{micros}");
        }
        let last = r#"{"__REALTIME_TIMESTAMP":"253402300799000000","SYSLOG_IDENTIFIER":"sshd","MESSAGE":"x"}"#;
        match JournalRecord::parse(last).expect("journal record").as_syslog().time {
            HeaderTime::Exact(stamp) => assert_eq!(stamp.to_string(), "9999-12-31T23:59:59Z"),
            other => panic!("expected exact time, got {other:?}"),
        }
    }
}
