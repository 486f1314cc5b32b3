//! The general query log: `[time] thread-id Command argument`, the time written only when it
//! changed (before 5.7) and a statement's further lines written as they are, so a record is
//! its first line and every line until the next one starts. The columns are padded with tabs
//! and spaces that changed between versions; only the shape is relied on.

use super::stamp::{leading_time, LoggedTime};

/// The command at the start of `text` (the server's `command_name` list, `sql/sql_parse.cc`)
/// and its length. Matched on byte patterns, which compile to a few word comparisons: this
/// runs on every line of a log that records every statement.
fn command_at(text: &str) -> Option<(&'static str, usize)> {
    let bytes = text.as_bytes();
    let word_end = bytes
        .iter()
        .position(|b| matches!(b, b' ' | b'\t' | b'\n'))
        .unwrap_or(bytes.len());
    let ends = |at: usize| matches!(bytes.get(at), None | Some(b' ' | b'\t' | b'\n'));
    let two = |name: &'static str, word: &[u8]| {
        let end = word_end + 1 + word.len();
        (bytes.get(word_end) == Some(&b' ') && bytes.get(word_end + 1..end) == Some(word) && ends(end))
            .then_some((name, end))
    };
    let one = |name: &'static str| Some((name, word_end));
    match &bytes[..word_end] {
        b"Query" => one("Query"),
        b"Quit" => one("Quit"),
        b"Connect" => two("Connect Out", b"Out").or_else(|| one("Connect")),
        b"Execute" => one("Execute"),
        b"Prepare" => one("Prepare"),
        b"Init" => two("Init DB", b"DB"),
        b"Close" => two("Close stmt", b"stmt"),
        b"Reset" => two("Reset stmt", b"stmt").or_else(|| two("Reset Connection", b"Connection")),
        b"Field" => two("Field List", b"List"),
        b"Change" => two("Change user", b"user"),
        b"Binlog" => {
            let gtid_end = word_end + " Dump GTID".len();
            if bytes.get(word_end..gtid_end) == Some(b" Dump GTID".as_slice()) && ends(gtid_end) {
                Some(("Binlog Dump GTID", gtid_end))
            } else {
                two("Binlog Dump", b"Dump")
            }
        }
        b"Create" => two("Create DB", b"DB"),
        b"Drop" => two("Drop DB", b"DB"),
        b"Delayed" => two("Delayed insert", b"insert"),
        b"Long" => two("Long Data", b"Data"),
        b"Register" => two("Register Slave", b"Slave"),
        b"Set" => two("Set option", b"option"),
        b"Table" => two("Table Dump", b"Dump"),
        b"Daemon" => one("Daemon"),
        b"Debug" => one("Debug"),
        b"Error" => one("Error"),
        b"Fetch" => one("Fetch"),
        b"Kill" => one("Kill"),
        b"Ping" => one("Ping"),
        b"Processlist" => one("Processlist"),
        b"Refresh" => one("Refresh"),
        b"Shutdown" => one("Shutdown"),
        b"Sleep" => one("Sleep"),
        b"Statistics" => one("Statistics"),
        b"Time" => one("Time"),
        _ => None,
    }
}

/// The first line of a general-log record, borrowing from the record.
#[derive(Debug, PartialEq)]
pub(super) struct GeneralRecord<'a> {
    /// When, if this line carries the time.
    pub time: Option<LoggedTime>,
    /// The connection.
    pub thread_id: u64,
    /// `Query`, `Connect`...
    pub command: &'static str,
    /// Everything after the command, continuation lines included, trailing blanks dropped.
    pub argument: &'a str,
}

/// Reads a record; `None` if its first line is not a general-log row.
pub(super) fn split(record: &str) -> Option<GeneralRecord<'_>> {
    let (time, rest) = match leading_time(record) {
        Some((time, rest)) => (Some(time), rest),
        None => (None, record),
    };
    let rest = rest.trim_start_matches([' ', '\t']);
    // Without a time the row must be indented: a statement's line is not.
    if time.is_none() && rest.len() == record.len() {
        return None;
    }
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let thread_id = rest.get(..digits)?.parse().ok()?;
    let after_id = &rest[digits..];
    let after_blank = after_id.trim_start_matches([' ', '\t']);
    if after_blank.len() == after_id.len() {
        return None;
    }
    let (command, command_len) = command_at(after_blank)?;
    let argument = after_blank[command_len..].trim_start_matches([' ', '\t']).trim_end();
    Some(GeneralRecord {
        time,
        thread_id,
        command,
        argument,
    })
}

/// Whether a line starts a general-log record.
pub(super) fn starts_record(line: &str) -> bool {
    split(line).is_some()
}

/// A successful `Connect`'s argument: `user@host on database using TCP/IP`, also with
/// `as anonymous`, an empty database, or nothing after the host (before 5.5).
#[derive(Debug, PartialEq)]
pub(super) struct Connected<'a> {
    pub user: &'a str,
    pub host: &'a str,
    pub database: Option<&'a str>,
}

pub(super) fn connected(argument: &str) -> Option<Connected<'_>> {
    let first_line = argument.lines().next()?;
    let (account, after) = match first_line.find(" on ") {
        Some(at) => (&first_line[..at], Some(&first_line[at + 4..])),
        // `user@host on ` with no database loses its last blank to the trimmed argument.
        None => (first_line.strip_suffix(" on").unwrap_or(first_line).trim_end(), None),
    };
    // `user@host as anonymous`: the account is the first word.
    let account = account.split_whitespace().next()?;
    let (user, host) = account.rsplit_once('@')?;
    if host.is_empty() || host.contains(' ') {
        return None;
    }
    let database = after
        .map(|text| text.split(" using ").next().unwrap_or(text).trim())
        .filter(|name| !name.is_empty());
    Some(Connected { user, host, database })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_every_version() {
        let old = split("051007 21:55:24\t     42 Connect     root@localhost on db1").expect("4.1");
        assert_eq!(
            (old.thread_id, old.command, old.argument),
            (42, "Connect", "root@localhost on db1")
        );
        assert!(old.time.is_some());
        let untimed = split("\t\t                 42 Query       SELECT foo \n                         FROM tbl")
            .expect("untimed");
        assert_eq!(untimed.argument, "SELECT foo \n                         FROM tbl");
        assert_eq!(untimed.time, None);
        let init = split("\t\t                 11 Init DB     my_webstats").expect("two words");
        assert_eq!((init.command, init.argument), ("Init DB", "my_webstats"));
        let quit = split("061226 16:44:48\t     11 Quit       ").expect("no argument");
        assert_eq!((quit.command, quit.argument), ("Quit", ""));
        let modern = split("2018-09-07T18:45:40.098124+08:00\t257426 Query\tset autocommit=0").expect("5.7");
        assert_eq!((modern.thread_id, modern.argument), (257426, "set autocommit=0"));
        let spaced = split("2023-07-31T08:34:16.116872Z        14 Connect   Access denied for user 'user'@'192.168.121.1' (using password: YES)")
            .expect("8.0 padded with spaces");
        assert!(spaced.argument.starts_with("Access denied"));
    }

    #[test]
    fn every_command_name() {
        for (text, command) in [
            ("Binlog Dump GTID\tx", "Binlog Dump GTID"),
            ("Binlog Dump\tx", "Binlog Dump"),
            ("Connect Out\tx", "Connect Out"),
            ("Connect\tx", "Connect"),
            ("Reset Connection", "Reset Connection"),
            ("Reset stmt", "Reset stmt"),
            ("Init DB\tshop", "Init DB"),
            // A user called Outer connecting is not `Connect Out`.
            ("Connect Outer@host on db", "Connect"),
        ] {
            assert_eq!(command_at(text).map(|(name, _)| name), Some(command), "{text}");
        }
        for text in ["Queryx", "Init", "Init DBx", "query"] {
            assert_eq!(command_at(text), None, "{text}");
        }
    }

    #[test]
    fn not_rows() {
        for line in [
            "                FROM auction_search",
            "SELECT 1",
            "Time                 Id Command    Argument",
            "Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock",
            "2015-10-07 06:09:42 5907 [Warning] Access denied",
            "      42 Queryx foo",
            "      42",
        ] {
            assert_eq!(split(line), None, "{line}");
        }
    }

    #[test]
    fn connect_arguments() {
        assert_eq!(
            connected("mysqlha_common@127.0.0.1 on  using TCP/IP"),
            Some(Connected {
                user: "mysqlha_common",
                host: "127.0.0.1",
                database: None
            })
        );
        assert_eq!(
            connected("payments_r@1.2.3.4 on sar").and_then(|c| c.database),
            Some("sar")
        );
        assert_eq!(connected("nobody@localhost as  on ").map(|c| c.user), Some("nobody"));
        assert_eq!(connected("root@localhost").map(|c| c.host), Some("localhost"));
        assert_eq!(connected("root@localhost on").map(|c| c.host), Some("localhost"));
        assert_eq!(connected("nobody@localhost as  on").map(|c| c.user), Some("nobody"));
        assert_eq!(connected("Access denied for user 'x'@'h' (using password: NO)"), None);
    }
}
