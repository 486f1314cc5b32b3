//! The normalised event `ls-parse` writes: one per security-relevant log line. Its one
//! serialisation is `schema::json`; absent values are omitted, empty objects too.

use crate::time::Timestamp;
use std::net::IpAddr;

/// One normalised event. Every string borrows from the input line, so building and
/// serialising an event allocates nothing.
#[derive(Debug)]
pub struct Event<'a> {
    /// When the event happened, RFC 3339 with the offset it was logged in.
    pub timestamp: Timestamp,
    /// The log message after the syslog header, as logged.
    pub message: Option<&'a str>,
    /// ECS `event.*`.
    pub event: EventInfo<'a>,
    /// ECS `source.*`: the remote side.
    pub source: Source<'a>,
    /// ECS `user.*`.
    pub user: User<'a>,
    /// ECS `group.*`.
    pub group: Group<'a>,
    /// ECS `host.*`: the machine that wrote the log.
    pub host: Host<'a>,
    /// ECS `process.*`: the program that wrote the log line.
    pub process: Process<'a>,
    /// ECS `url.*`.
    pub url: Url<'a>,
    /// ECS `http.*`.
    pub http: Http<'a>,
    /// ECS `user_agent.*`.
    pub user_agent: UserAgent<'a>,
    /// ECS `log.*`.
    pub log: Log<'a>,
    /// ECS `winlog.*`: Windows event log records.
    pub winlog: Winlog<'a>,
    /// `mysql.*`: what a MySQL/MariaDB log says beyond the common fields.
    pub mysql: Mysql<'a>,
    /// Our own fields.
    pub logsentry: Meta<'a>,
}

impl<'a> Event<'a> {
    /// An event of `module`/`dataset` at `timestamp`, every other field empty.
    pub fn new(timestamp: Timestamp, module: &'static str, dataset: &'static str) -> Self {
        Event {
            timestamp,
            message: None,
            event: EventInfo {
                kind: "event",
                module,
                dataset,
                category: &[],
                types: &[],
                action: "",
                outcome: Outcome::Unknown,
                reason: None,
                original: None,
                code: None,
                provider: None,
                duration: None,
            },
            source: Source::default(),
            user: User::default(),
            group: Group::default(),
            host: Host::default(),
            process: Process::default(),
            url: Url::default(),
            http: Http::default(),
            user_agent: UserAgent::default(),
            log: Log::default(),
            winlog: Winlog::default(),
            mysql: Mysql::default(),
            logsentry: Meta::default(),
        }
    }
}

/// ECS `event.*`.
#[derive(Debug)]
pub struct EventInfo<'a> {
    /// Always `event` for parsed records.
    pub kind: &'static str,
    /// The source family: `ssh`, `system`, `web`.
    pub module: &'static str,
    /// `ssh.auth`, `system.auth`, `web.access`.
    pub dataset: &'static str,
    /// ECS categories (`authentication`, `iam`, `web`, `network`, `process`).
    pub category: &'static [&'static str],
    /// ECS `event.type` values (`start`, `access`, `creation`, ...).
    pub types: &'static [&'static str],
    /// What happened, in our stable kebab-case vocabulary (`ssh-login`, `user-created`...).
    pub action: &'static str,
    /// `success`, `failure` or `unknown`.
    pub outcome: Outcome,
    /// Why, in the log's own words where it gives them.
    pub reason: Option<&'a str>,
    /// The raw line, with `--raw`.
    pub original: Option<&'a str>,
    /// The source's own identifier of the kind of event: a Windows event ID, a MySQL error
    /// code (`MY-010926`).
    pub code: Option<EventCode<'a>>,
    /// The component that logged it, as the log names it (a Windows event provider).
    pub provider: Option<&'a str>,
    /// How long it took, in nanoseconds (a slow query's `Query_time`).
    pub duration: Option<u64>,
}

/// ECS `event.code`, a keyword: written as a string either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventCode<'a> {
    /// A numeric code (a Windows event ID).
    Number(u32),
    /// A code as the log writes it.
    Text(&'a str),
}

/// ECS `event.outcome`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It worked.
    Success,
    /// It was refused or failed.
    Failure,
    /// The log does not say.
    Unknown,
}

/// The authentication classes detectors reason about (`logsentry.event_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    /// The account exists; the credential was wrong.
    Failed,
    /// The account does not exist: enumeration or credential stuffing.
    InvalidUser,
    /// Authenticated.
    Success,
}

/// ECS `source.*`.
#[derive(Debug, Default)]
pub struct Source<'a> {
    /// The remote address, normalised (IPv4-mapped IPv6 becomes IPv4; IPv6 compressed).
    pub ip: Option<IpAddr>,
    /// The remote host name, when the log names a host instead of an address.
    pub domain: Option<&'a str>,
    /// The remote as logged, when it is neither an address nor a host name.
    pub address: Option<&'a str>,
    /// The remote port.
    pub port: Option<u16>,
}

impl<'a> Source<'a> {
    pub(crate) fn is_empty(&self) -> bool {
        self.ip.is_none() && self.domain.is_none() && self.address.is_none() && self.port.is_none()
    }

    /// Sets the remote from text as logged: an IP (normalised), a host name, or, failing
    /// both, the raw text under `source.address`.
    pub fn set_host(&mut self, text: &'a str) {
        if let Some(ip) = super::normalize_ip(text) {
            self.ip = Some(ip);
        } else if super::looks_like_hostname(text) {
            self.domain = Some(text);
        } else if !text.is_empty() {
            self.address = Some(text);
        }
    }
}

/// ECS `user.*`.
#[derive(Debug, Default)]
pub struct User<'a> {
    /// The account the event is about, as logged (never lowercased).
    pub name: Option<&'a str>,
    /// The account's domain (Windows).
    pub domain: Option<&'a str>,
    /// The account's identifier (a Windows SID).
    pub id: Option<&'a str>,
    /// ECS `user.effective.name`: whom a sudo command ran as.
    pub effective: UserRef<'a>,
}

impl User<'_> {
    pub(crate) fn is_empty(&self) -> bool {
        self.name.is_none() && self.domain.is_none() && self.id.is_none() && self.effective.name.is_none()
    }
}

/// A nested ECS user reference (`user.effective`).
#[derive(Debug, Default)]
pub struct UserRef<'a> {
    /// Account name.
    pub name: Option<&'a str>,
}

/// ECS `group.*`.
#[derive(Debug, Default)]
pub struct Group<'a> {
    /// Group name.
    pub name: Option<&'a str>,
    /// The group's domain (Windows).
    pub domain: Option<&'a str>,
}

/// ECS `host.*`.
#[derive(Debug, Default)]
pub struct Host<'a> {
    /// The host name in the syslog header.
    pub hostname: Option<&'a str>,
}

/// ECS `process.*`.
#[derive(Debug, Default)]
pub struct Process<'a> {
    /// Program name as logged (`sshd`, `sshd-session`, `sshd(pam_unix)`, `sudo`).
    pub name: Option<&'a str>,
    /// Process id.
    pub pid: Option<u32>,
    /// The command a sudo event ran.
    pub command_line: Option<&'a str>,
    /// The directory a sudo command ran in.
    pub working_directory: Option<&'a str>,
}

impl Process<'_> {
    pub(crate) fn is_empty(&self) -> bool {
        self.name.is_none() && self.pid.is_none() && self.command_line.is_none() && self.working_directory.is_none()
    }
}

/// ECS `url.*`. Exactly as logged: nothing decoded, nothing lowercased.
#[derive(Debug, Default)]
pub struct Url<'a> {
    /// The request target as logged.
    pub original: Option<&'a str>,
    /// The part before `?`.
    pub path: Option<&'a str>,
    /// The part after `?`, without it.
    pub query: Option<&'a str>,
}

impl Url<'_> {
    pub(crate) fn is_empty(&self) -> bool {
        self.original.is_none() && self.path.is_none() && self.query.is_none()
    }
}

/// ECS `http.*`.
#[derive(Debug, Default)]
pub struct Http<'a> {
    /// `http.request.*`.
    pub request: HttpRequest<'a>,
    /// `http.response.*`.
    pub response: HttpResponse,
    /// Protocol version without the `HTTP/` prefix (`1.1`).
    pub version: Option<&'a str>,
}

impl Http<'_> {
    pub(crate) fn is_empty(&self) -> bool {
        self.request.is_empty() && self.response.is_empty() && self.version.is_none()
    }
}

/// ECS `http.request.*`.
#[derive(Debug, Default)]
pub struct HttpRequest<'a> {
    /// Method as sent (`GET`; scanners send odd ones, kept verbatim).
    pub method: Option<&'a str>,
    /// The Referer header.
    pub referrer: Option<&'a str>,
}

impl HttpRequest<'_> {
    pub(crate) fn is_empty(&self) -> bool {
        self.method.is_none() && self.referrer.is_none()
    }
}

/// ECS `http.response.*`.
#[derive(Debug, Default)]
pub struct HttpResponse {
    /// Status code.
    pub status_code: Option<u16>,
    /// `http.response.body.*`.
    pub body: ResponseBody,
}

impl HttpResponse {
    pub(crate) fn is_empty(&self) -> bool {
        self.status_code.is_none() && self.body.bytes.is_none()
    }
}

/// ECS `http.response.body.*`.
#[derive(Debug, Default)]
pub struct ResponseBody {
    /// Bytes sent (`-` in the log means absent, not zero).
    pub bytes: Option<u64>,
}

/// ECS `user_agent.*`.
#[derive(Debug, Default)]
pub struct UserAgent<'a> {
    /// The User-Agent header as logged.
    pub original: Option<&'a str>,
}

/// ECS `log.*`.
#[derive(Debug, Default)]
pub struct Log<'a> {
    /// `log.file.*`.
    pub file: LogFile<'a>,
    /// The severity the log gave the line (`Warning`, `ERROR`, `Note`), as written.
    pub level: Option<&'a str>,
}

/// ECS `log.file.*`.
#[derive(Debug, Default)]
pub struct LogFile<'a> {
    /// The input file (absent for stdin).
    pub path: Option<&'a str>,
}

/// `mysql.*`: MySQL and MariaDB logs.
#[derive(Debug, Default)]
pub struct Mysql<'a> {
    /// The server's connection (thread) id.
    pub thread_id: Option<u64>,
    /// The general log's command (`Connect`, `Query`, `Init DB`, `Quit`...).
    pub command: Option<&'a str>,
    /// The SQL statement, its lines joined with `\n` as logged.
    pub query: Option<&'a str>,
    /// The default database of the connection or statement.
    pub database: Option<&'a str>,
    /// The error log's subsystem (`Server`, `InnoDB`), MySQL 8.
    pub subsystem: Option<&'a str>,
    /// `mysql.slowlog.*`: the slow log's measurements.
    pub slowlog: SlowLog<'a>,
}

impl Mysql<'_> {
    pub(crate) fn is_empty(&self) -> bool {
        self.thread_id.is_none()
            && self.command.is_none()
            && self.query.is_none()
            && self.database.is_none()
            && self.subsystem.is_none()
            && self.slowlog.is_empty()
    }
}

/// `mysql.slowlog.*`. Times are decimal seconds kept exactly as logged.
#[derive(Debug, Default)]
pub struct SlowLog<'a> {
    /// `Query_time`, seconds.
    pub query_time: Option<Decimal<'a>>,
    /// `Lock_time`, seconds.
    pub lock_time: Option<Decimal<'a>>,
    /// `Rows_sent`.
    pub rows_sent: Option<u64>,
    /// `Rows_examined`.
    pub rows_examined: Option<u64>,
    /// `Rows_affected`.
    pub rows_affected: Option<u64>,
    /// `Bytes_sent`.
    pub bytes_sent: Option<u64>,
}

impl SlowLog<'_> {
    pub(crate) fn is_empty(&self) -> bool {
        self.query_time.is_none()
            && self.lock_time.is_none()
            && self.rows_sent.is_none()
            && self.rows_examined.is_none()
            && self.rows_affected.is_none()
            && self.bytes_sent.is_none()
    }
}

/// A non-negative decimal number as logged (`0.003464`, `2`), checked to be a valid JSON
/// number so it is written as it is, without a round trip through floating point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decimal<'a>(&'a str);

impl<'a> Decimal<'a> {
    /// `digits[.digits]` with no superfluous leading zero; `None` otherwise.
    pub fn parse(text: &'a str) -> Option<Self> {
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (text, None),
        };
        let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        let valid = digits(whole) && !(whole.len() > 1 && whole.starts_with('0')) && fraction.is_none_or(digits);
        valid.then_some(Decimal(text))
    }

    /// The text, a JSON number.
    pub fn as_str(&self) -> &'a str {
        self.0
    }

    /// The value in nanoseconds (fraction digits past the ninth are dropped); `None` if it
    /// does not fit.
    pub fn nanoseconds(&self) -> Option<u64> {
        let (whole, fraction) = self.0.split_once('.').unwrap_or((self.0, ""));
        let seconds: u64 = whole.parse().ok()?;
        let nanos = fraction
            .bytes()
            .chain(std::iter::repeat(b'0'))
            .take(9)
            .fold(0u64, |nanos, digit| nanos * 10 + u64::from(digit - b'0'));
        seconds.checked_mul(1_000_000_000)?.checked_add(nanos)
    }
}

/// ECS `winlog.*`: what a Windows event log record says beyond the common fields.
#[derive(Debug, Default)]
pub struct Winlog<'a> {
    /// The event ID.
    pub event_id: Option<u32>,
    /// The channel (`Security`, `System`).
    pub channel: Option<&'a str>,
    /// The provider (`Microsoft-Windows-Security-Auditing`).
    pub provider_name: Option<&'a str>,
    /// The computer that logged it.
    pub computer_name: Option<&'a str>,
    /// The record's number in its log (EventRecordID).
    pub record_id: Option<u64>,
    /// `winlog.logon.*`.
    pub logon: Logon<'a>,
    /// The record's `EventData`, as a JSON object's text, copied whole.
    pub event_data_json: Option<&'a str>,
    /// The record's `UserData`, as a JSON object's text, copied whole.
    pub user_data_json: Option<&'a str>,
}

impl Winlog<'_> {
    pub(crate) fn is_empty(&self) -> bool {
        self.event_id.is_none()
            && self.channel.is_none()
            && self.provider_name.is_none()
            && self.computer_name.is_none()
            && self.record_id.is_none()
            && self.logon.is_empty()
            && self.event_data_json.is_none()
            && self.user_data_json.is_none()
    }
}

/// ECS `winlog.logon.*`.
#[derive(Debug, Default)]
pub struct Logon<'a> {
    /// The logon type by name (`Network`, `RemoteInteractive`), or its number when unknown.
    pub kind: Option<&'a str>,
    /// The logon session (TargetLogonId).
    pub id: Option<&'a str>,
    /// `winlog.logon.failure.*`: why a logon failed.
    pub failure: LogonFailure<'a>,
}

impl Logon<'_> {
    pub(crate) fn is_empty(&self) -> bool {
        self.kind.is_none() && self.id.is_none() && self.failure.is_empty()
    }
}

/// ECS `winlog.logon.failure.*`.
#[derive(Debug, Default)]
pub struct LogonFailure<'a> {
    /// The NTSTATUS code as logged (`0xc000006d`).
    pub status: Option<&'a str>,
    /// The more specific NTSTATUS code (`0xc0000064`).
    pub sub_status: Option<&'a str>,
    /// The more specific of the two, in words.
    pub reason: Option<&'static str>,
}

impl LogonFailure<'_> {
    pub(crate) fn is_empty(&self) -> bool {
        self.status.is_none() && self.sub_status.is_none() && self.reason.is_none()
    }
}

/// `logsentry.*`: what ECS has no field for.
#[derive(Debug, Default)]
pub struct Meta<'a> {
    /// 1-based line number in the input (after CR/LF splitting).
    pub line: u64,
    /// `failed`, `invalid_user` or `success` for authentication events.
    pub event_type: Option<EventType>,
    /// How the timestamp was obtained.
    pub time: TimeMeta,
    /// SSH specifics.
    pub ssh: SshMeta<'a>,
    /// For a line `message repeated N times: [...]`: N, on each of the N events.
    pub repeated: Option<u32>,
    /// N was above the most events one line becomes: only that many were written.
    pub repeated_capped: bool,
    /// The line was not valid UTF-8; invalid bytes are shown as `\xHH`.
    pub invalid_utf8: bool,
}

/// `logsentry.time.*`: flags that say a timestamp is partly a guess.
#[derive(Clone, Copy, Debug, Default)]
pub struct TimeMeta {
    /// The log had no year; it was inferred (see `--year`).
    pub year_inferred: bool,
    /// The log had no offset; the `--tz` zone was assumed.
    pub zone_assumed: bool,
    /// The line had no timestamp at all; the previous event's time (or the reference time)
    /// stands in for it.
    pub missing: bool,
}

/// `logsentry.ssh.*`.
#[derive(Debug, Default)]
pub struct SshMeta<'a> {
    /// Authentication method (`password`, `publickey`, `keyboard-interactive/pam`, `none`).
    pub method: Option<&'a str>,
}
