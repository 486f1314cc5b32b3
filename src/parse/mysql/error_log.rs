//! The error log: one record per timestamped line, with the untimed lines after it (InnoDB
//! diagnostics, crash reports, a statement quoted over several lines) as its continuation.
//! `[Level]`, MySQL 8's `[MY-010926] [Server]` and the thread id are optional, as they
//! came and went between versions.

use super::access_denied::{access_denied, AccessDenied};
use super::stamp::{leading_time, LoggedTime};
use crate::schema::Outcome;

/// The head of an error-log record, borrowing from it.
#[derive(Debug, PartialEq)]
pub(super) struct ErrorRecord<'a> {
    /// When, if the record has its own timestamp (a syslog-wrapped line may not).
    pub time: Option<LoggedTime>,
    /// The server thread that logged it.
    pub thread_id: Option<u64>,
    /// `Warning`, `ERROR`, `Note`, `System`.
    pub level: Option<&'a str>,
    /// MySQL 8's error code (`MY-010926`).
    pub code: Option<&'a str>,
    /// MySQL 8's subsystem (`Server`, `InnoDB`).
    pub subsystem: Option<&'a str>,
    /// The message, continuation lines included.
    pub message: &'a str,
}

/// Whether a line starts an error-log record: any timestamped line when the log is known to
/// be an error log; when it is being sniffed (or read among other logs by `auto`), only one
/// with the server's shape after the time: `[Level]`, or a message only mysqld writes.
pub(super) fn starts_record(line: &str, known_error_log: bool) -> bool {
    let Some((_, rest)) = leading_time(line) else {
        return false;
    };
    if known_error_log {
        return true;
    }
    let rest = rest.trim_start_matches([' ', '\t']);
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let rest = if digits > 0 {
        rest[digits..].trim_start_matches(' ')
    } else {
        rest
    };
    [
        "[",
        "InnoDB:",
        "mysqld",
        "- mysqld",
        "/usr/sbin/mysqld",
        "/usr/libexec/mysqld",
    ]
    .iter()
    .any(|start| rest.starts_with(start))
}

/// Splits a record (its first line must start with a timestamp, unless `timed` is false).
pub(super) fn split(record: &str, timed: bool) -> Option<ErrorRecord<'_>> {
    let (time, mut rest) = if timed {
        let (time, rest) = leading_time(record)?;
        (Some(time), rest)
    } else {
        (None, record)
    };
    rest = rest.trim_start_matches([' ', '\t']);
    let mut thread_id = None;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && rest[digits..].starts_with(' ') {
        thread_id = rest[..digits].parse().ok();
        rest = rest[digits..].trim_start_matches(' ');
    }
    let mut bracketed = [None; 3];
    for slot in &mut bracketed {
        match bracket(rest) {
            Some((inner, after)) => {
                *slot = Some(inner);
                rest = after;
            }
            None => break,
        }
    }
    // `[Note]`, then in MySQL 8 `[MY-010926]` and `[Server]`.
    let [level, second, third] = bracketed;
    let (code, subsystem) = match second {
        Some(code) if code.starts_with("MY-") => (Some(code), third),
        _ => (None, None),
    };
    if second.is_some() && code.is_none() {
        // Not MySQL 8's shape: keep the brackets in the message.
        return Some(ErrorRecord {
            time,
            thread_id,
            level,
            code: None,
            subsystem: None,
            message: after_first_bracket(record, level).unwrap_or(rest),
        });
    }
    Some(ErrorRecord {
        time,
        thread_id,
        level,
        code,
        subsystem,
        message: rest,
    })
}

/// `[inner] rest` → (`inner`, `rest`): a short bracketed word without spaces.
fn bracket(text: &str) -> Option<(&str, &str)> {
    let inner_and_rest = text.strip_prefix('[')?;
    let close = inner_and_rest.find(']')?;
    let inner = &inner_and_rest[..close];
    if inner.is_empty() || inner.len() > 16 || inner.contains(' ') {
        return None;
    }
    Some((inner, inner_and_rest[close + 1..].trim_start_matches(' ')))
}

fn after_first_bracket<'a>(record: &'a str, level: Option<&str>) -> Option<&'a str> {
    let level = level?;
    let at = record.find(&format!("[{level}]"))?;
    Some(record[at + level.len() + 2..].trim_start_matches(' '))
}

/// Whether a line ends as `Access denied for user '...'@'host' ...` does.
fn ends_like_access_denied(line: &str) -> bool {
    let line = line.trim_end();
    line.contains("'@'")
        && (line.ends_with("' (using password: YES)")
            || line.ends_with("' (using password: NO)")
            || line.ends_with('\''))
}

/// What an error-log message means.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Meaning<'a> {
    pub action: &'static str,
    pub types: &'static [&'static str],
    pub outcome: Outcome,
    pub denied: Option<AccessDenied<'a>>,
}

const START: &[&str] = &["start"];
const END: &[&str] = &["end"];
const ERROR: &[&str] = &["error"];
const INFO: &[&str] = &["info"];

/// Reads the message: a refused login, the server starting, stopping or crashing, or
/// anything else the server said.
pub(super) fn meaning(message: &str) -> Meaning<'_> {
    let first_line = message.lines().next().unwrap_or_default();
    let plain = |action, types, outcome| Meaning {
        action,
        types,
        outcome,
        denied: None,
    };
    if let Some(denied) = access_denied(first_line) {
        // A stray line after the message (a trace, an interleaved write) leaves it a refused
        // login. A user name with a line break in it does not: its first line can end like
        // the message with a host of the attacker's choosing, and the server's real end,
        // the real host, comes on a later line.
        let rest = message.get(first_line.len()..).unwrap_or_default();
        if !rest.lines().any(ends_like_access_denied) {
            return Meaning {
                action: "mysql-login",
                types: START,
                outcome: Outcome::Failure,
                denied: Some(denied),
            };
        }
    }
    let contains = |needle: &str| first_line.contains(needle);
    if contains("ready for connections") {
        plain("mysql-server-ready", START, Outcome::Success)
    } else if contains("starting as process") || contains("mysqld started") || contains("Starting mysqld daemon") {
        plain("mysql-server-starting", START, Outcome::Unknown)
    } else if contains("got signal")
        || contains("Assertion failure")
        || contains("mysqld restarted")
        || contains("memory trap")
        || contains("hit a bug")
        || contains("Number of processes running now: 0")
    {
        plain("mysql-server-crashed", ERROR, Outcome::Failure)
    } else if contains("Shutdown complete")
        || contains("mysqld ended")
        || contains("Normal shutdown")
        || contains("from pid file")
    {
        plain("mysql-server-stopped", END, Outcome::Success)
    } else {
        plain("mysql-server-message", INFO, Outcome::Unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_of_every_version() {
        let old = split(
            "130324  0:04:00 [Warning] Access denied for user 'root'@'192.168.1.35' (using password: NO)",
            true,
        )
        .expect("5.1");
        assert_eq!((old.thread_id, old.level, old.code), (None, Some("Warning"), None));
        assert!(old.message.starts_with("Access denied"));
        let eight = split(
            "2019-01-03T08:50:04.634875Z 113 [Note] [MY-010926] [Server] Access denied for user 'root'@'192.0.2.1' (using password: NO)",
            true,
        )
        .expect("8.0");
        assert_eq!(
            (eight.thread_id, eight.level, eight.code, eight.subsystem),
            (Some(113), Some("Note"), Some("MY-010926"), Some("Server"))
        );
        assert!(eight.message.starts_with("Access denied"));
        let bare = split("080721 03:03:57  mysqld started", true).expect("mysqld_safe");
        assert_eq!((bare.level, bare.message), (None, "mysqld started"));
        let glued = split(
            "091119 22:27:11InnoDB: Warning: cannot find a free slot\nInnoDB: many active",
            true,
        )
        .expect("InnoDB");
        assert_eq!(
            glued.message,
            "InnoDB: Warning: cannot find a free slot\nInnoDB: many active"
        );
        let odd = split("2020-01-16 21:34:14 4644 [Warning] [client] said [x]", true).expect("odd brackets");
        assert_eq!((odd.level, odd.message), (Some("Warning"), "[client] said [x]"));
    }

    #[test]
    fn a_sniffed_error_log_needs_the_server_shape() {
        let syslog = "2026-03-14T00:05:01.000000+00:00 bastion CRON[4107]: pam_unix(cron:session)";
        assert!(starts_record(syslog, true));
        assert!(!starts_record(syslog, false));
        for line in [
            "2019-01-03T08:50:04.634875Z 113 [Note] [MY-010926] [Server] Access denied",
            "080721 03:03:57  mysqld started",
            "091119 22:27:11InnoDB: Warning",
            "160622 10:48:08 mysqld_safe Starting mysqld daemon",
        ] {
            assert!(starts_record(line, false), "{line}");
        }
    }

    #[test]
    fn meanings() {
        let denied = meaning("Access denied for user 'root'@'192.0.2.1' (using password: YES)");
        assert_eq!((denied.action, denied.outcome), ("mysql-login", Outcome::Failure));
        assert_eq!(denied.denied.map(|d| d.host), Some("192.0.2.1"));
        assert_eq!(
            meaning("/usr/sbin/mysqld: ready for connections.").action,
            "mysql-server-ready"
        );
        assert_eq!(
            meaning("/usr/sbin/mysqld (mysqld 8.0.26) starting as process 1").action,
            "mysql-server-starting"
        );
        assert_eq!(meaning("mysqld got signal 11 ;").action, "mysql-server-crashed");
        assert_eq!(
            meaning("/usr/sbin/mysqld: Shutdown complete").action,
            "mysql-server-stopped"
        );
        assert_eq!(meaning("Slave SQL thread initialized").action, "mysql-server-message");
        // A stray line after a refused login leaves it a login, from its own host.
        let stray = meaning("Access denied for user 'root'@'1.2.3.4' (using password: YES)\nmore");
        assert_eq!(stray.action, "mysql-login");
        assert_eq!(stray.denied.map(|d| d.host), Some("1.2.3.4"));
        // A user name with a line break that makes its first line name another host is not.
        let forged =
            meaning("Access denied for user 'a'@'6.6.6.6' (using password: YES)\nb'@'192.0.2.7' (using password: NO)");
        assert_eq!(forged.action, "mysql-server-message");
        assert!(forged.denied.is_none());
    }
}
