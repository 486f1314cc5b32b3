//! The normalised event `ls-parse` writes: one per security-relevant log line.

use crate::time::Timestamp;
use serde::Serialize;
use std::net::IpAddr;

/// One normalised event. Every string borrows from the input line, so building and
/// serialising an event allocates nothing.
#[derive(Debug, Serialize)]
pub struct Event<'a> {
    /// When the event happened, RFC 3339 with the offset it was logged in.
    #[serde(rename = "@timestamp")]
    pub timestamp: Timestamp,
    /// The log message after the syslog header, as logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'a str>,
    /// ECS `event.*`.
    pub event: EventInfo<'a>,
    /// ECS `source.*`: the remote side.
    #[serde(skip_serializing_if = "Source::is_empty")]
    pub source: Source<'a>,
    /// ECS `user.*`.
    #[serde(skip_serializing_if = "User::is_empty")]
    pub user: User<'a>,
    /// ECS `group.*`.
    #[serde(skip_serializing_if = "Group::is_empty")]
    pub group: Group<'a>,
    /// ECS `host.*`: the machine that wrote the log.
    #[serde(skip_serializing_if = "Host::is_empty")]
    pub host: Host<'a>,
    /// ECS `process.*`: the program that wrote the log line.
    #[serde(skip_serializing_if = "Process::is_empty")]
    pub process: Process<'a>,
    /// ECS `url.*`.
    #[serde(skip_serializing_if = "Url::is_empty")]
    pub url: Url<'a>,
    /// ECS `http.*`.
    #[serde(skip_serializing_if = "Http::is_empty")]
    pub http: Http<'a>,
    /// ECS `user_agent.*`.
    #[serde(skip_serializing_if = "UserAgent::is_empty")]
    pub user_agent: UserAgent<'a>,
    /// ECS `log.*`.
    #[serde(skip_serializing_if = "Log::is_empty")]
    pub log: Log<'a>,
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
            logsentry: Meta::default(),
        }
    }
}

/// ECS `event.*`.
#[derive(Debug, Serialize)]
pub struct EventInfo<'a> {
    /// Always `event` for parsed records.
    pub kind: &'static str,
    /// The source family: `ssh`, `system`, `web`.
    pub module: &'static str,
    /// `ssh.auth`, `system.auth`, `web.access`.
    pub dataset: &'static str,
    /// ECS categories (`authentication`, `iam`, `web`, `network`, `process`).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub category: &'static [&'static str],
    /// ECS `event.type` values (`start`, `access`, `creation`, ...).
    #[serde(rename = "type", skip_serializing_if = "<[_]>::is_empty")]
    pub types: &'static [&'static str],
    /// What happened, in our stable kebab-case vocabulary (`ssh-login`, `user-created`...).
    pub action: &'static str,
    /// `success`, `failure` or `unknown`.
    pub outcome: Outcome,
    /// Why, in the log's own words where it gives them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
    /// The raw line, with `--raw`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<&'a str>,
}

/// ECS `event.outcome`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// It worked.
    Success,
    /// It was refused or failed.
    Failure,
    /// The log does not say.
    Unknown,
}

/// The authentication classes detectors reason about (`logsentry.event_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// The account exists; the credential was wrong.
    Failed,
    /// The account does not exist: enumeration or credential stuffing.
    InvalidUser,
    /// Authenticated.
    Success,
}

/// ECS `source.*`.
#[derive(Debug, Default, Serialize)]
pub struct Source<'a> {
    /// The remote address, normalised (IPv4-mapped IPv6 becomes IPv4; IPv6 compressed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
    /// The remote host name, when the log names a host instead of an address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<&'a str>,
    /// The remote as logged, when it is neither an address nor a host name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<&'a str>,
    /// The remote port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

impl<'a> Source<'a> {
    fn is_empty(&self) -> bool {
        self.ip.is_none() && self.domain.is_none() && self.address.is_none() && self.port.is_none()
    }

    /// Sets the remote from text as logged: an IP (normalised), a host name, or, failing
    /// both, the raw text under `source.address`.
    pub fn set_host(&mut self, text: &'a str) {
        if let Some(ip) = crate::parse::normalize_ip(text) {
            self.ip = Some(ip);
        } else if crate::parse::looks_like_hostname(text) {
            self.domain = Some(text);
        } else if !text.is_empty() {
            self.address = Some(text);
        }
    }
}

/// ECS `user.*`.
#[derive(Debug, Default, Serialize)]
pub struct User<'a> {
    /// The account the event is about, as logged (never lowercased).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    /// ECS `user.effective.name`: whom a sudo command ran as.
    #[serde(skip_serializing_if = "UserRef::is_empty")]
    pub effective: UserRef<'a>,
}

impl User<'_> {
    fn is_empty(&self) -> bool {
        self.name.is_none() && self.effective.is_empty()
    }
}

/// A nested ECS user reference (`user.effective`).
#[derive(Debug, Default, Serialize)]
pub struct UserRef<'a> {
    /// Account name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
}

impl UserRef<'_> {
    fn is_empty(&self) -> bool {
        self.name.is_none()
    }
}

/// ECS `group.*`.
#[derive(Debug, Default, Serialize)]
pub struct Group<'a> {
    /// Group name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
}

impl Group<'_> {
    fn is_empty(&self) -> bool {
        self.name.is_none()
    }
}

/// ECS `host.*`.
#[derive(Debug, Default, Serialize)]
pub struct Host<'a> {
    /// The host name in the syslog header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<&'a str>,
}

impl Host<'_> {
    fn is_empty(&self) -> bool {
        self.hostname.is_none()
    }
}

/// ECS `process.*`.
#[derive(Debug, Default, Serialize)]
pub struct Process<'a> {
    /// Program name as logged (`sshd`, `sshd-session`, `sshd(pam_unix)`, `sudo`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    /// Process id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// The command a sudo event ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command_line: Option<&'a str>,
    /// The directory a sudo command ran in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_directory: Option<&'a str>,
}

impl Process<'_> {
    fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.pid.is_none()
            && self.command_line.is_none()
            && self.working_directory.is_none()
    }
}

/// ECS `url.*`. Exactly as logged: nothing decoded, nothing lowercased.
#[derive(Debug, Default, Serialize)]
pub struct Url<'a> {
    /// The request target as logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<&'a str>,
    /// The part before `?`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<&'a str>,
    /// The part after `?`, without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<&'a str>,
}

impl Url<'_> {
    fn is_empty(&self) -> bool {
        self.original.is_none() && self.path.is_none() && self.query.is_none()
    }
}

/// ECS `http.*`.
#[derive(Debug, Default, Serialize)]
pub struct Http<'a> {
    /// `http.request.*`.
    #[serde(skip_serializing_if = "HttpRequest::is_empty")]
    pub request: HttpRequest<'a>,
    /// `http.response.*`.
    #[serde(skip_serializing_if = "HttpResponse::is_empty")]
    pub response: HttpResponse,
    /// Protocol version without the `HTTP/` prefix (`1.1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<&'a str>,
}

impl Http<'_> {
    fn is_empty(&self) -> bool {
        self.request.is_empty() && self.response.is_empty() && self.version.is_none()
    }
}

/// ECS `http.request.*`.
#[derive(Debug, Default, Serialize)]
pub struct HttpRequest<'a> {
    /// Method as sent (`GET`; scanners send odd ones, kept verbatim).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<&'a str>,
    /// The Referer header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referrer: Option<&'a str>,
}

impl HttpRequest<'_> {
    fn is_empty(&self) -> bool {
        self.method.is_none() && self.referrer.is_none()
    }
}

/// ECS `http.response.*`.
#[derive(Debug, Default, Serialize)]
pub struct HttpResponse {
    /// Status code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    /// `http.response.body.*`.
    #[serde(skip_serializing_if = "ResponseBody::is_empty")]
    pub body: ResponseBody,
}

impl HttpResponse {
    fn is_empty(&self) -> bool {
        self.status_code.is_none() && self.body.is_empty()
    }
}

/// ECS `http.response.body.*`.
#[derive(Debug, Default, Serialize)]
pub struct ResponseBody {
    /// Bytes sent (`-` in the log means absent, not zero).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
}

impl ResponseBody {
    fn is_empty(&self) -> bool {
        self.bytes.is_none()
    }
}

/// ECS `user_agent.*`.
#[derive(Debug, Default, Serialize)]
pub struct UserAgent<'a> {
    /// The User-Agent header as logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<&'a str>,
}

impl UserAgent<'_> {
    fn is_empty(&self) -> bool {
        self.original.is_none()
    }
}

/// ECS `log.*`.
#[derive(Debug, Default, Serialize)]
pub struct Log<'a> {
    /// `log.file.*`.
    #[serde(skip_serializing_if = "LogFile::is_empty")]
    pub file: LogFile<'a>,
}

impl Log<'_> {
    fn is_empty(&self) -> bool {
        self.file.is_empty()
    }
}

/// ECS `log.file.*`.
#[derive(Debug, Default, Serialize)]
pub struct LogFile<'a> {
    /// The input file (absent for stdin).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<&'a str>,
}

impl LogFile<'_> {
    fn is_empty(&self) -> bool {
        self.path.is_none()
    }
}

/// `logsentry.*`: what ECS has no field for.
#[derive(Debug, Default, Serialize)]
pub struct Meta<'a> {
    /// 1-based line number in the input (after CR/LF splitting).
    pub line: u64,
    /// `failed`, `invalid_user` or `success` for authentication events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_type: Option<EventType>,
    /// How the timestamp was obtained.
    #[serde(skip_serializing_if = "TimeMeta::is_empty")]
    pub time: TimeMeta,
    /// SSH specifics.
    #[serde(skip_serializing_if = "SshMeta::is_empty")]
    pub ssh: SshMeta<'a>,
    /// For a line `message repeated N times: [...]`: N, on each of the N events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeated: Option<u32>,
    /// The line was not valid UTF-8; invalid bytes are shown as `\xHH`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub invalid_utf8: bool,
}

/// `logsentry.time.*`: flags that say a timestamp is partly a guess.
#[derive(Debug, Default, Serialize)]
pub struct TimeMeta {
    /// The log had no year; it was inferred (see `--year`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub year_inferred: bool,
    /// The log had no offset; the `--tz` zone was assumed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub zone_assumed: bool,
    /// The line had no timestamp at all; the previous event's time (or the reference time)
    /// stands in for it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub missing: bool,
}

impl TimeMeta {
    fn is_empty(&self) -> bool {
        !self.year_inferred && !self.zone_assumed && !self.missing
    }
}

/// `logsentry.ssh.*`.
#[derive(Debug, Default, Serialize)]
pub struct SshMeta<'a> {
    /// Authentication method (`password`, `publickey`, `keyboard-interactive/pam`, `none`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<&'a str>,
}

impl SshMeta<'_> {
    fn is_empty(&self) -> bool {
        self.method.is_none()
    }
}
