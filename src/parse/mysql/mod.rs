//! MySQL and MariaDB logs: the error log, the general query log and the slow query log.
//! Their records span lines (a statement, a crash report, a slow-log block), so the parser
//! holds each record until the next one begins, or until [`LineParser::flush`] at the end
//! of the input or a pause in a followed file. `--kind` fixes the log kind; otherwise the
//! first record that only one kind can start decides it for the rest of the input.

mod access_denied;
mod error_log;
mod general_log;
mod slow_log;
mod stamp;

use super::clock::Clock;
use super::syslog::{parse_header, HeaderTime, SyslogLine};
use super::{Emit, LineCtx, LineFormat, LineParser, Parsed, Reject};
use crate::schema::{Event, EventCode, EventType, Outcome, TimeMeta};
use crate::time::Timestamp;
use stamp::LoggedTime;
use std::collections::BTreeMap;

/// The three MySQL logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MysqlKind {
    /// The error log: start-up, shutdown, crashes, refused logins.
    Error,
    /// The general query log: every connection and statement.
    General,
    /// The slow query log.
    Slow,
}

/// A record longer than this is cut: the rest of its lines are rejected (and kept with
/// `--rejects`), so an endless crash dump cannot grow memory without bound. As long as the
/// longest line ls-parse reads by default: one bulk INSERT can be that long.
const MAX_RECORD_BYTES: usize = 16 << 20;

/// Connections remembered for the general log's statements; past this, the oldest (the
/// lowest thread id: ids only grow) are forgotten.
const MAX_CONNECTIONS: usize = 65_536;

/// The programs whose syslog lines are MySQL's.
const PROGRAMS: &[&str] = &["mysqld", "mysql", "mariadbd", "mariadb", "mysqld_safe", "mysqld-debug"];

const MODULE: &str = "mysql";
const AUTHENTICATION: &[&str] = &["authentication"];
const DATABASE: &[&str] = &["database"];
const SESSION: &[&str] = &["session"];
const START: &[&str] = &["start"];
const END: &[&str] = &["end"];
const ACCESS: &[&str] = &["access"];
const CHANGE: &[&str] = &["change"];
const INFO: &[&str] = &["info"];

/// The `mysql` format.
pub struct MysqlParser {
    clock: Clock,
    /// The kind given or sniffed; `None` until a record shows it.
    kind: Option<MysqlKind>,
    /// Whether `kind` was given (`--kind`) rather than sniffed.
    fixed: bool,
    record: Record,
    connections: BTreeMap<u64, Connection>,
    /// The time of the last general-log row that had one (later rows inherit it).
    last_general_time: Option<(Timestamp, TimeMeta)>,
    /// The last slow-log `# Time:`.
    last_slow_time: Option<LoggedTime>,
    /// Lines that start no record are taken as the held record's continuation. `auto`
    /// turns this off when another format had the previous line.
    continuations: bool,
}

/// The record being assembled.
#[derive(Default)]
struct Record {
    kind: Option<MysqlKind>,
    text: String,
    first_line: u64,
    /// A slow-log block that so far has only its `# Time:` line.
    only_time: bool,
    /// A slow-log block that has reached its statement: the next header line begins the
    /// next block.
    has_statement: bool,
}

/// What the general log said about a connection when it opened.
struct Connection {
    user: String,
    host: String,
    database: Option<String>,
}

/// The `mysql` format.
pub static FORMAT: LineFormat = LineFormat {
    name: "mysql",
    aliases: &["mariadb"],
    help: "MySQL and MariaDB error, general query and slow query logs",
    describes: "MySQL",
    kinds: &[
        ("error", "The error log: start-up, shutdown, crashes, refused logins"),
        ("general", "The general query log: connections and every statement"),
        ("slow", "The slow query log"),
    ],
    new_parser: |clock, kind| {
        let kind = match kind {
            Some("error") => Some(MysqlKind::Error),
            Some("general") => Some(MysqlKind::General),
            Some("slow") => Some(MysqlKind::Slow),
            _ => None,
        };
        Box::new(MysqlParser::new(clock, kind))
    },
};

impl MysqlParser {
    /// A parser for one input; `kind` fixes the log kind, `None` sniffs it.
    pub fn new(clock: Clock, kind: Option<MysqlKind>) -> Self {
        MysqlParser {
            clock,
            kind,
            fixed: kind.is_some(),
            record: Record::default(),
            connections: BTreeMap::new(),
            last_general_time: None,
            last_slow_time: None,
            continuations: true,
        }
    }

    /// The kind of record `line` begins, if it begins one.
    fn record_start(&self, line: &str) -> Option<MysqlKind> {
        // A sniffed error log may still hold a general-log row (some setups send both to one
        // file), whose shape is strict; a general or slow log never takes a bare timestamp
        // for a record, as a statement's line can start with one.
        let may_be = |kind| match (self.kind, self.fixed) {
            (None, _) => true,
            (Some(known), true) => known == kind,
            (Some(MysqlKind::Error), false) => true,
            (Some(known), false) => known == kind || (known == MysqlKind::General && kind == MysqlKind::Slow),
        };
        let slow_block = self.record.kind == Some(MysqlKind::Slow);
        if may_be(MysqlKind::Slow)
            && line.starts_with("# ")
            && (slow_log::starts_record(line, !self.record.only_time)
                || (slow_block && self.record.has_statement)
                || (!slow_block && slow_log::is_header(line))
                || (!slow_block && self.fixed && slow_log::is_attribute_line(line)))
        {
            return Some(MysqlKind::Slow);
        }
        if may_be(MysqlKind::General) && general_log::starts_record(line) {
            return Some(MysqlKind::General);
        }
        let known_error_log = self.fixed && self.kind == Some(MysqlKind::Error);
        if may_be(MysqlKind::Error) && error_log::starts_record(line, known_error_log) {
            return Some(MysqlKind::Error);
        }
        None
    }

    fn begin(&mut self, kind: MysqlKind, line: &str, line_no: u64) {
        self.record.kind = Some(kind);
        self.record.text.clear();
        self.record.text.push_str(line);
        self.record.first_line = line_no;
        self.record.only_time = kind == MysqlKind::Slow && line.starts_with("# Time:");
        self.record.has_statement = false;
        if self.kind.is_none() {
            self.kind = Some(kind);
        }
    }

    /// Emits the held record, if any.
    fn emit_record(&mut self, ctx: &LineCtx<'_>, emit: &mut Emit<'_>) {
        let Some(kind) = self.record.kind.take() else {
            return;
        };
        let text = std::mem::take(&mut self.record.text);
        let ctx = LineCtx {
            line_no: self.record.first_line,
            ..*ctx
        };
        match kind {
            MysqlKind::Error => self.emit_error(&text, &ctx, emit),
            MysqlKind::General => self.emit_general(&text, &ctx, emit),
            MysqlKind::Slow => self.emit_slow(&text, &ctx, emit),
        }
        // The allocation is kept for the next record.
        self.record.text = text;
        self.record.text.clear();
    }

    fn resolve(&mut self, time: LoggedTime) -> (Timestamp, TimeMeta) {
        match time {
            LoggedTime::Exact(timestamp) => self.clock.exact(timestamp),
            LoggedTime::Naive(local) => self.clock.naive(local),
        }
    }

    fn emit_error(&mut self, text: &str, ctx: &LineCtx<'_>, emit: &mut Emit<'_>) {
        let Some(head) = error_log::split(text, true) else {
            return;
        };
        let time = match head.time {
            Some(time) => self.resolve(time),
            None => self.clock.missing(),
        };
        emit_error_event(&head, time, None, text, ctx, emit);
    }

    /// A MySQL line inside a syslog line: the syslog header names the host, and gives the
    /// time when the message has none of its own.
    fn parse_syslog(
        &mut self,
        header: SyslogLine<'_>,
        line: &str,
        ctx: &LineCtx<'_>,
        emit: &mut Emit<'_>,
    ) -> Option<()> {
        let message = header.message.trim_start();
        let timed = stamp::leading_time(message).is_some();
        let head = error_log::split(message, timed)?;
        let time = match head.time {
            Some(time) => self.resolve(time),
            None => match header.time {
                HeaderTime::Exact(timestamp) => self.clock.exact(timestamp),
                HeaderTime::Naive(local) => self.clock.naive(local),
                HeaderTime::YearLess { month, day, time } => self.clock.yearless(month, day, time)?,
                HeaderTime::Missing => self.clock.missing(),
            },
        };
        emit_error_event(&head, time, header.host, line, ctx, emit);
        Some(())
    }

    fn emit_general(&mut self, text: &str, ctx: &LineCtx<'_>, emit: &mut Emit<'_>) {
        let Some(row) = general_log::split(text) else {
            return;
        };
        let (timestamp, time_meta) = match row.time {
            Some(time) => {
                let resolved = self.resolve(time);
                self.last_general_time = Some(resolved);
                resolved
            }
            None => match self.last_general_time {
                Some(previous) => previous,
                None => self.clock.missing(),
            },
        };
        let mut event = Event::new(timestamp, MODULE, "mysql.general");
        ctx.stamp(&mut event, text);
        event.logsentry.time = time_meta;
        event.mysql.thread_id = Some(row.thread_id);
        event.mysql.command = Some(row.command);
        let argument = Some(row.argument).filter(|argument| !argument.is_empty());
        match row.command {
            "Connect" => {
                if let Some(denied) = access_denied::access_denied(row.argument) {
                    login(&mut event, Outcome::Failure, denied.user, denied.host);
                    emit(&event);
                    return;
                }
                if let Some(connected) = general_log::connected(row.argument) {
                    self.remember(row.thread_id, &connected);
                    login(&mut event, Outcome::Success, connected.user, connected.host);
                    event.mysql.database = connected.database;
                    emit(&event);
                    return;
                }
                classify(&mut event, "mysql-command", DATABASE, INFO);
            }
            "Quit" => classify(&mut event, "mysql-logout", SESSION, END),
            "Init DB" => {
                if let Some(connection) = self.connections.get_mut(&row.thread_id) {
                    connection.database = argument.map(str::to_owned);
                }
                classify(&mut event, "mysql-use-database", DATABASE, CHANGE);
                event.mysql.database = argument;
            }
            "Query" | "Prepare" | "Execute" => {
                classify(&mut event, "mysql-query", DATABASE, ACCESS);
                event.mysql.query = argument;
            }
            _ => {
                classify(&mut event, "mysql-command", DATABASE, INFO);
                event.message = argument;
            }
        }
        // Statements carry who sent them: the connection's account and client.
        if let Some(connection) = self.connections.get(&row.thread_id) {
            event.user.name = Some(connection.user.as_str()).filter(|user| !user.is_empty());
            event.source.set_host(&connection.host);
            if event.mysql.database.is_none() {
                event.mysql.database = connection.database.as_deref();
            }
        }
        emit(&event);
        if row.command == "Quit" {
            self.connections.remove(&row.thread_id);
        }
    }

    fn remember(&mut self, thread_id: u64, connected: &general_log::Connected<'_>) {
        if self.connections.len() >= MAX_CONNECTIONS && !self.connections.contains_key(&thread_id) {
            self.connections.pop_first();
        }
        self.connections.insert(
            thread_id,
            Connection {
                user: connected.user.to_owned(),
                host: connected.host.to_owned(),
                database: connected.database.map(str::to_owned),
            },
        );
    }

    fn emit_slow(&mut self, text: &str, ctx: &LineCtx<'_>, emit: &mut Emit<'_>) {
        let slow = slow_log::split(text);
        if slow.time.is_some() {
            self.last_slow_time = slow.time;
        }
        // `SET timestamp` is when the statement started, exact; `# Time:` when it was
        // logged, in the server's zone before 5.7.
        let (timestamp, time_meta) = match (slow.set_timestamp, slow.time.or(self.last_slow_time)) {
            (Some(seconds), _) => self.clock.exact(Timestamp::from_unix(seconds, 0)),
            (None, Some(time)) => self.resolve(time),
            (None, None) => self.clock.missing(),
        };
        let mut event = Event::new(timestamp, MODULE, "mysql.slowlog");
        ctx.stamp(&mut event, text);
        event.logsentry.time = time_meta;
        classify(&mut event, "mysql-slow-query", DATABASE, ACCESS);
        event.user.name = slow.user;
        if let Some(host) = slow.ip.or(slow.host) {
            event.source.set_host(host);
        }
        event.mysql.thread_id = slow.thread_id;
        event.mysql.database = slow.database;
        event.mysql.query = slow.statement;
        event.mysql.command = slow.admin_command;
        event.event.duration = slow.measured.query_time.and_then(|seconds| seconds.nanoseconds());
        event.mysql.slowlog = slow.measured;
        emit(&event);
    }
}

fn classify(
    event: &mut Event<'_>,
    action: &'static str,
    category: &'static [&'static str],
    types: &'static [&'static str],
) {
    event.event.action = action;
    event.event.category = category;
    event.event.types = types;
}

/// A login, refused or accepted: what the brute-force detectors count.
fn login<'a>(event: &mut Event<'a>, outcome: Outcome, user: &'a str, host: &'a str) {
    classify(event, "mysql-login", AUTHENTICATION, START);
    event.event.outcome = outcome;
    event.logsentry.event_type = Some(match outcome {
        Outcome::Success => EventType::Success,
        _ => EventType::Failed,
    });
    event.user.name = Some(user).filter(|user| !user.is_empty());
    event.source.set_host(host);
}

fn emit_error_event(
    head: &error_log::ErrorRecord<'_>,
    (timestamp, time_meta): (Timestamp, TimeMeta),
    host: Option<&str>,
    line: &str,
    ctx: &LineCtx<'_>,
    emit: &mut Emit<'_>,
) {
    let meaning = error_log::meaning(head.message);
    let mut event = Event::new(timestamp, MODULE, "mysql.error");
    ctx.stamp(&mut event, line);
    event.logsentry.time = time_meta;
    event.message = Some(head.message.trim_end());
    event.host.hostname = host;
    event.log.level = head.level;
    event.event.code = head.code.map(EventCode::Text);
    event.mysql.thread_id = head.thread_id;
    event.mysql.subsystem = head.subsystem;
    match meaning.denied {
        Some(denied) => login(&mut event, Outcome::Failure, denied.user, denied.host),
        None => {
            classify(&mut event, meaning.action, DATABASE, meaning.types);
            event.event.outcome = meaning.outcome;
        }
    }
    emit(&event);
}

/// The syslog header of a line from a MySQL program.
fn mysql_syslog_header(line: &str) -> Option<SyslogLine<'_>> {
    if line.starts_with([' ', '\t']) {
        return None;
    }
    parse_header(line).filter(|header| PROGRAMS.contains(&header.program))
}

/// The banner a server writes at the top of its general and slow logs, and again after
/// every restart or flush.
fn is_banner(line: &str) -> bool {
    (line.trim_end().ends_with("started with:") && line.contains(", Version: "))
        || line.starts_with("Tcp port: ")
        || line.starts_with("TCP Port: ")
        || (line.starts_with("Time ") && line.contains(" Id Command"))
}

impl LineParser for MysqlParser {
    fn name(&self) -> &'static str {
        "mysql"
    }

    fn parse(&mut self, line: &str, ctx: &LineCtx<'_>, emit: &mut Emit<'_>) -> Result<Parsed, Reject> {
        if is_banner(line) {
            self.emit_record(ctx, emit);
            return Ok(Parsed::Skipped);
        }
        if let Some(kind) = self.record_start(line) {
            self.emit_record(ctx, emit);
            self.begin(kind, line, ctx.line_no);
            return Ok(Parsed::Events);
        }
        let mysql_syslog = self
            .kind
            .is_none_or(|kind| kind == MysqlKind::Error)
            .then(|| mysql_syslog_header(line))
            .flatten();
        if let Some(header) = mysql_syslog {
            // A syslog line is a record of its own, never continued.
            self.emit_record(ctx, emit);
            self.kind.get_or_insert(MysqlKind::Error);
            return match self.parse_syslog(header, line, ctx, emit) {
                Some(()) => Ok(Parsed::Events),
                None => Err(Reject::new("MySQL syslog line with an impossible date")),
            };
        }
        if self.record.kind.is_some() && self.continuations {
            if self.record.text.len() + line.len() + 1 > MAX_RECORD_BYTES {
                return Err(Reject::new("MySQL record longer than 16 MiB: line dropped"));
            }
            self.record.text.push('\n');
            self.record.text.push_str(line);
            if !line.starts_with("# Time:") {
                self.record.only_time = false;
            }
            if slow_log::is_statement_line(line) {
                self.record.has_statement = true;
            }
            return Ok(Parsed::Events);
        }
        Err(Reject::new("not a MySQL error, general or slow log line"))
    }

    fn advance_clock_to_now(&mut self) {
        self.clock.advance_to_now();
    }

    fn holds_record(&self) -> bool {
        self.record.kind.is_some()
    }

    fn accept_continuations(&mut self, accept: bool) {
        self.continuations = accept;
    }

    fn flush(&mut self, ctx: &LineCtx<'_>, emit: &mut Emit<'_>) {
        self.emit_record(ctx, emit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{AutoParser, ClockConfig};
    use crate::schema::EventWriter;

    /// Feeds lines, then the end of input, returning the events as JSON.
    fn run(parser: &mut dyn LineParser, lines: &[&str]) -> Vec<serde_json::Value> {
        let mut events = Vec::new();
        let mut writer = EventWriter::default();
        let mut collect = |event: &Event<'_>| {
            let mut out = Vec::new();
            writer.write(event, &mut out);
            events.push(serde_json::from_slice(&out).expect("JSON"));
        };
        for (index, line) in lines.iter().enumerate() {
            let ctx = LineCtx {
                path: None,
                line_no: index as u64 + 1,
                keep_original: false,
                invalid_utf8: false,
            };
            let _ = parser.parse(line, &ctx, &mut collect);
        }
        let ctx = LineCtx {
            path: None,
            line_no: lines.len() as u64,
            keep_original: false,
            invalid_utf8: false,
        };
        parser.flush(&ctx, &mut collect);
        events
    }

    fn clock() -> Clock {
        Clock::new(&ClockConfig::default(), chrono::Utc::now())
    }

    #[test]
    fn statements_carry_their_connection_until_it_quits() {
        let mut parser = MysqlParser::new(clock(), None);
        let events = run(
            &mut parser,
            &[
                "2026-03-14T01:00:00.000001Z\t   7 Connect\tshop@10.0.0.5 on shop using TCP/IP",
                "2026-03-14T01:00:01.000001Z\t   7 Init DB\tbilling",
                "2026-03-14T01:00:02.000001Z\t   7 Query\tSELECT * FROM invoices",
                "WHERE id = 1 UNION SELECT password FROM users",
                "2026-03-14T01:00:03.000001Z\t   7 Quit\t",
                "2026-03-14T01:00:04.000001Z\t   7 Query\tSELECT 1",
            ],
        );
        assert_eq!(events.len(), 5);
        assert_eq!(events[0]["event"]["outcome"], "success");
        assert_eq!(events[0]["logsentry"]["event_type"], "success");
        assert_eq!(events[0]["mysql"]["database"], "shop");
        let query = &events[2];
        assert_eq!(
            query["mysql"]["query"],
            "SELECT * FROM invoices\nWHERE id = 1 UNION SELECT password FROM users"
        );
        assert_eq!(query["mysql"]["database"], "billing");
        assert_eq!(query["user"]["name"], "shop");
        assert_eq!(query["source"]["ip"], "10.0.0.5");
        assert_eq!(query["logsentry"]["line"], 3);
        assert_eq!(events[3]["event"]["action"], "mysql-logout");
        assert_eq!(events[3]["user"]["name"], "shop");
        // After Quit the thread id is nobody's.
        assert!(events[4].get("user").is_none(), "{}", events[4]);
    }

    #[test]
    fn a_given_kind_reads_only_its_records() {
        let mut parser = MysqlParser::new(clock(), Some(MysqlKind::General));
        let ctx = LineCtx {
            path: None,
            line_no: 1,
            keep_original: false,
            invalid_utf8: false,
        };
        let error_line =
            "2015-10-07 06:09:42 5907 [Warning] Access denied for user 'root'@'127.0.0.1' (using password: YES)";
        assert!(parser.parse(error_line, &ctx, &mut |_| {}).is_err());
        let mut error_log = MysqlParser::new(clock(), Some(MysqlKind::Error));
        let events = run(
            &mut error_log,
            &["2015-10-07 06:09:42 5907 [Warning] Access denied for user 'root'@'127.0.0.1' (using password: YES)"],
        );
        assert_eq!(events[0]["event"]["action"], "mysql-login");
    }

    #[test]
    fn auto_reads_mysql_among_other_logs() {
        let mut parser = AutoParser::new(clock());
        let events = run(
            &mut parser,
            &[
                "Mar 14 01:00:00 db1 sshd[5]: Failed password for root from 192.0.2.9 port 4000 ssh2",
                "Mar 14 01:00:01 db1 mysqld[77]: 2026-03-14T01:00:01.000000Z 12 [Note] Access denied for user 'root'@'192.0.2.9' (using password: YES)",
                "2026-03-14T01:00:02.000000Z\t  12 Query\tSELECT 1",
                "  FROM dual",
                "192.0.2.9 - - [14/Mar/2026:01:00:03 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"curl\"",
                "  not a continuation now",
            ],
        );
        let actions: Vec<_> = events
            .iter()
            .map(|event| event["event"]["action"].as_str().unwrap_or_default())
            .collect();
        // The held statement is complete only once a line of another log has been read, so
        // it follows that line's event.
        assert_eq!(actions, ["ssh-login", "mysql-login", "http-request", "mysql-query"]);
        assert_eq!(events[1]["host"]["hostname"], "db1");
        assert_eq!(events[3]["mysql"]["query"], "SELECT 1\n  FROM dual");
    }
}
