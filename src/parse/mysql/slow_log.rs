//! The slow query log: a block of `# ` header lines (`# Time:`, `# User@Host:`,
//! `# Query_time: ... Rows_examined: ...` and, in Percona Server, many more) and then the
//! statement, often preceded by `use db;` and `SET timestamp=...;`. A block is one record.

use super::stamp::{leading_time, LoggedTime};
use crate::schema::{Decimal, SlowLog};

/// Whether a line begins a new slow-log block, given whether the block being assembled
/// already has more than a `# Time:` line (a `# User@Host:` right after `# Time:` continues
/// the block that the time began).
pub(super) fn starts_record(line: &str, block_has_more_than_time: bool) -> bool {
    line.starts_with("# Time:") || (line.starts_with("# User@Host:") && block_has_more_than_time)
}

/// Whether a line is a slow-log header line at all.
pub(super) fn is_header(line: &str) -> bool {
    ["# Time:", "# User@Host:", "# User:", "# Query_time:", "# Thread_id:"]
        .iter()
        .any(|header| line.starts_with(header))
}

/// `# Key: value...`: any header line, Percona's and pt-query-digest's (`# Client:`) too.
pub(super) fn is_attribute_line(line: &str) -> bool {
    line.strip_prefix("# ")
        .and_then(|rest| rest.split_once(": "))
        .is_some_and(|(key, _)| {
            !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'@')
        })
}

/// Whether a line of a block is (part of) its statement, not a header, `use db;` or the
/// `SET timestamp=...;` the server adds.
pub(super) fn is_statement_line(line: &str) -> bool {
    let text = line.trim();
    let not_statement = text.is_empty()
        || text.starts_with('#')
        || (text.starts_with("use ") && text.ends_with(';'))
        || server_settings(text).is_some();
    !not_statement
}

/// The line the server writes before a statement to replay it exactly:
/// `SET timestamp=1469038405;`, also with `insert_id=` and `last_insert_id=`. `Some` with
/// the timestamp (if it has one) when the line is that, `None` when it is a statement.
fn server_settings(text: &str) -> Option<Option<i64>> {
    let assignments = text.strip_prefix("SET ")?.strip_suffix(';')?;
    let mut timestamp = None;
    for assignment in assignments.split(',') {
        let (name, value) = assignment.trim().split_once('=')?;
        let value: i64 = value.trim().parse().ok()?;
        match name.trim() {
            "timestamp" => timestamp = Some(value),
            "insert_id" | "last_insert_id" => {}
            _ => return None,
        }
    }
    Some(timestamp)
}

/// One block, borrowing from it.
#[derive(Debug, Default)]
pub(super) struct SlowRecord<'a> {
    /// `# Time:`.
    pub time: Option<LoggedTime>,
    /// `SET timestamp=N;`: when the statement started, exactly.
    pub set_timestamp: Option<i64>,
    pub user: Option<&'a str>,
    pub host: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub thread_id: Option<u64>,
    pub database: Option<&'a str>,
    /// `Query_time`, `Rows_examined` and the other measurements.
    pub measured: SlowLog<'a>,
    /// `# administrator command: Quit;`.
    pub admin_command: Option<&'a str>,
    /// The statement: from its first line to the end of the block, trailing blanks dropped.
    pub statement: Option<&'a str>,
}

/// Reads a block.
pub(super) fn split(record: &str) -> SlowRecord<'_> {
    let mut slow = SlowRecord::default();
    let mut offset = 0;
    for line in record.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let text = line.trim_end();
        if let Some(header) = text.strip_prefix("# ") {
            if let Some(command) = header.strip_prefix("administrator command: ") {
                slow.admin_command = Some(command.trim_end_matches(';'));
            } else {
                read_header(header, &mut slow);
            }
            continue;
        }
        if let Some(database) = text.strip_prefix("use ").and_then(|rest| rest.strip_suffix(';')) {
            slow.database = Some(database.trim_matches('`'));
            continue;
        }
        if let Some(settings) = server_settings(text) {
            slow.set_timestamp = settings.or(slow.set_timestamp);
            continue;
        }
        if !text.is_empty() {
            slow.statement = Some(record[start..].trim_end());
            break;
        }
    }
    slow
}

/// One `# ` line: `Time: ...`, `User@Host: u[u] @ host [ip]  Id: N`, or `Key: value` pairs.
fn read_header<'a>(header: &'a str, slow: &mut SlowRecord<'a>) {
    if let Some(time) = header.strip_prefix("Time: ") {
        slow.time = leading_time(time.trim_start()).map(|(time, _)| time);
        return;
    }
    // Percona Server writes `User:` where MySQL writes `User@Host:`.
    if let Some(account) = header
        .strip_prefix("User@Host: ")
        .or_else(|| header.strip_prefix("User: "))
    {
        read_account(account, slow);
        return;
    }
    let mut words = header.split_whitespace();
    while let Some(key) = words.next() {
        let Some(key) = key.strip_suffix(':') else { continue };
        let Some(value) = words.next() else { break };
        let number = || value.parse::<u64>().ok();
        match key {
            "Query_time" => slow.measured.query_time = Decimal::parse(value),
            "Lock_time" => slow.measured.lock_time = Decimal::parse(value),
            "Rows_sent" => slow.measured.rows_sent = number(),
            "Rows_examined" => slow.measured.rows_examined = number(),
            "Rows_affected" => slow.measured.rows_affected = number(),
            "Bytes_sent" => slow.measured.bytes_sent = number(),
            "Thread_id" | "Id" => slow.thread_id = number(),
            "Schema" => slow.database = Some(value).filter(|name| !name.ends_with(':')),
            // pt-query-digest's `# Client: 127.0.0.1:12345`.
            "Client" => slow.ip = Some(value.rsplit_once(':').map_or(value, |(ip, _)| ip)),
            _ => {}
        }
    }
}

/// `root[root] @ localhost [127.0.0.1]  Id:     3`, `meow[meow] @  [1.2.3.4]`,
/// `[SQL_SLAVE] @  []`.
fn read_account<'a>(account: &'a str, slow: &mut SlowRecord<'a>) {
    let Some((who, rest)) = account.split_once(" @ ") else {
        return;
    };
    let who = who.trim();
    // `user[user]`, or `[SQL_SLAVE]` for the replication thread.
    let user = match who.split_once('[') {
        Some(("", inner)) => inner.trim_end_matches(']'),
        Some((name, _)) => name,
        None => who,
    };
    slow.user = Some(user).filter(|name| !name.is_empty());
    let (place, after) = match rest.find('[') {
        Some(open) => (&rest[..open], &rest[open + 1..]),
        None => (rest, ""),
    };
    slow.host = Some(place.trim()).filter(|name| !name.is_empty());
    if let Some((ip, tail)) = after.split_once(']') {
        slow.ip = Some(ip.trim()).filter(|ip| !ip.is_empty());
        if let Some(id) = tail.trim().strip_prefix("Id:") {
            slow.thread_id = id.trim().parse().ok();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_modern_block() {
        let block = "# Time: 2016-07-20T18:13:25.698433Z\n# User@Host: root[root] @ localhost [127.0.0.1]  Id:     3\n# Query_time: 0.003464  Lock_time: 0.000324 Rows_sent: 1000  Rows_examined: 2000\nSET timestamp=1469038405;\nSELECT * FROM db_facturacion.facturas\n  LIMIT 0, 1000;\n";
        let slow = split(block);
        assert!(slow.time.is_some());
        assert_eq!(slow.set_timestamp, Some(1_469_038_405));
        assert_eq!(
            (slow.user, slow.host, slow.ip, slow.thread_id),
            (Some("root"), Some("localhost"), Some("127.0.0.1"), Some(3))
        );
        assert_eq!(slow.measured.query_time.map(|d| d.as_str()), Some("0.003464"));
        assert_eq!(slow.measured.lock_time.and_then(|d| d.nanoseconds()), Some(324_000));
        assert_eq!(
            (slow.measured.rows_sent, slow.measured.rows_examined),
            (Some(1000), Some(2000))
        );
        assert_eq!(
            slow.statement,
            Some("SELECT * FROM db_facturacion.facturas\n  LIMIT 0, 1000;")
        );
    }

    #[test]
    fn old_and_percona_blocks() {
        let slow = split("# User@Host: meow[meow] @  [1.2.3.8]\n# Thread_id: 5  Schema: db1\n# Query_time: 2  Lock_time: 0  Rows_sent: 1  Rows_examined: 0  Rows_affected: 3  Bytes_sent: 90\nuse test;\nselect sleep(2) from n;\n");
        assert_eq!((slow.user, slow.host, slow.ip), (Some("meow"), None, Some("1.2.3.8")));
        assert_eq!((slow.thread_id, slow.database), (Some(5), Some("test")));
        assert_eq!(
            (slow.measured.rows_affected, slow.measured.bytes_sent),
            (Some(3), Some(90))
        );
        assert_eq!(slow.statement, Some("select sleep(2) from n;"));
        let admin = split("# User@Host: [SQL_SLAVE] @  []\n# Query_time: 1  Lock_time: 0  Rows_sent: 0  Rows_examined: 0\n# administrator command: Quit;\n");
        assert_eq!(
            (admin.user, admin.admin_command, admin.statement),
            (Some("SQL_SLAVE"), Some("Quit"), None)
        );
    }

    #[test]
    fn block_boundaries() {
        assert!(starts_record("# Time: 071015 21:43:52", false));
        assert!(!starts_record("# User@Host: root[root] @ localhost []", false));
        assert!(starts_record("# User@Host: root[root] @ localhost []", true));
        assert!(!starts_record("# Query_time: 2", true));
    }
}
