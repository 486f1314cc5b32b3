//! Reading records back: the fields later stages need from an NDJSON event, borrowed from the
//! input line wherever the JSON text allows it (a string with escapes is the one thing that
//! must be copied). Unknown fields are ignored here and kept by passing the line on whole.

use serde::Deserialize;
use std::borrow::Cow;

/// The fields of an event record that detection reads.
#[derive(Debug, Default, PartialEq, Deserialize)]
pub struct EventView<'a> {
    /// `@timestamp`, RFC 3339.
    #[serde(
        rename = "@timestamp",
        borrow,
        default,
        deserialize_with = "crate::schema::optional_str"
    )]
    pub timestamp: Option<Cow<'a, str>>,
    /// `message`.
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    pub message: Option<Cow<'a, str>>,
    /// `event.*`.
    #[serde(borrow, default)]
    pub event: EventInfoView<'a>,
    /// `source.*`.
    #[serde(borrow, default)]
    pub source: SourceView<'a>,
    /// `user.*`.
    #[serde(borrow, default)]
    pub user: UserView<'a>,
    /// `group.*`.
    #[serde(borrow, default)]
    pub group: GroupView<'a>,
    /// `host.*`.
    #[serde(borrow, default)]
    pub host: HostView<'a>,
    /// `process.*`.
    #[serde(default)]
    pub process: ProcessView,
    /// `url.*`.
    #[serde(borrow, default)]
    pub url: UrlView<'a>,
    /// `http.*`.
    #[serde(default)]
    pub http: HttpView,
    /// `log.*`.
    #[serde(borrow, default)]
    pub log: LogView<'a>,
    /// `winlog.*`.
    #[serde(default)]
    pub winlog: WinlogView,
    /// `mysql.*`.
    #[serde(borrow, default)]
    pub mysql: MysqlView<'a>,
    /// `logsentry.*`.
    #[serde(borrow, default)]
    pub logsentry: MetaView<'a>,
}

/// `mysql.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
pub struct MysqlView<'a> {
    /// The SQL statement of a general or slow log event.
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    pub query: Option<Cow<'a, str>>,
}

/// `winlog.*`: the few record values a rule names in its message.
#[derive(Debug, Default, PartialEq, Deserialize)]
pub struct WinlogView {
    /// `winlog.event_data`.
    #[serde(default)]
    pub event_data: EventDataView,
    /// `winlog.logon`.
    #[serde(default)]
    pub logon: LogonView,
}

/// `winlog.logon.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
pub struct LogonView {
    /// The logon type by name (`Interactive`, `Network`, `Service`...).
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

/// `winlog.event_data.*`, as the decoder typed them (a string, usually).
#[derive(Debug, Default, PartialEq, Deserialize)]
pub struct EventDataView {
    /// 7045: the service installed.
    #[serde(rename = "ServiceName", default)]
    pub service_name: Option<serde_json::Value>,
    /// 7045: what it runs.
    #[serde(rename = "ImagePath", default)]
    pub image_path: Option<serde_json::Value>,
}

/// `event.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
pub struct EventInfoView<'a> {
    /// `event`, `alert`, ...: what kind of record this is.
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    pub kind: Option<Cow<'a, str>>,
    /// The source: `ssh`, `web`, `system`, ...
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    pub module: Option<Cow<'a, str>>,
    /// What happened, in our vocabulary.
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    pub action: Option<Cow<'a, str>>,
    /// `success`, `failure` or `unknown`.
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    pub outcome: Option<Cow<'a, str>>,
}

/// `source.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
pub struct SourceView<'a> {
    /// The remote address, as normalised text.
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    pub ip: Option<Cow<'a, str>>,
}

/// `user.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
pub struct UserView<'a> {
    /// The account, as logged.
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    pub name: Option<Cow<'a, str>>,
}

/// `group.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
pub struct GroupView<'a> {
    /// The group, as logged.
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    pub name: Option<Cow<'a, str>>,
}

/// `host.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
pub struct HostView<'a> {
    /// The machine that wrote the log.
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    pub hostname: Option<Cow<'a, str>>,
}

/// `process.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
pub struct ProcessView {
    /// The pid of the process that logged the event.
    #[serde(default)]
    pub pid: Option<u32>,
}

/// `url.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
pub struct UrlView<'a> {
    /// The request target exactly as logged.
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    pub original: Option<Cow<'a, str>>,
}

/// `http.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
pub struct HttpView {
    /// `http.response`.
    #[serde(default)]
    pub response: HttpResponseView,
}

/// `http.response.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
pub struct HttpResponseView {
    /// The status code.
    #[serde(default)]
    pub status_code: Option<u16>,
}

/// `log.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
pub struct LogView<'a> {
    /// `log.file`.
    #[serde(borrow, default)]
    pub file: LogFileView<'a>,
}

/// `log.file.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
pub struct LogFileView<'a> {
    /// The file the event was read from.
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    pub path: Option<Cow<'a, str>>,
}

/// `logsentry.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
pub struct MetaView<'a> {
    /// The line of the input file.
    #[serde(default)]
    pub line: Option<u64>,
    /// `failed`, `invalid_user` or `success` for authentication events.
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    pub event_type: Option<Cow<'a, str>>,
    /// How many identical lines one line stood for (rsyslog's `message repeated`).
    #[serde(default)]
    pub repeated: Option<u32>,
    /// `logsentry.ssh.*`.
    #[serde(borrow, default)]
    pub ssh: SshMetaView<'a>,
}

/// `logsentry.ssh.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
pub struct SshMetaView<'a> {
    /// How the client tried to authenticate: `password`, `publickey`, `keyboard-interactive`.
    #[serde(borrow, default, deserialize_with = "crate::schema::optional_str")]
    pub method: Option<Cow<'a, str>>,
}
