//! Reading records back: the fields later stages need from an NDJSON event, borrowed from the
//! input line wherever the JSON text allows it (a string with escapes is the one thing that
//! must be copied). Unknown fields are ignored here and kept by passing the line on whole.
//!
//! Each view is declared once ([`record_view!`]): its serde struct and its fast reader both
//! follow from the declaration.

use super::json::record_view;

record_view! {
    /// The fields of an event record that detection reads.
    pub struct EventView<'a> {
        /// `@timestamp`, RFC 3339.
        timestamp: text = "@timestamp",
        /// `message`.
        message: text = "message",
        /// `event.*`.
        event: view[EventInfoView<'a>] = "event",
        /// `source.*`.
        source: view[SourceView<'a>] = "source",
        /// `user.*`.
        user: view[UserView<'a>] = "user",
        /// `group.*`.
        group: view[GroupView<'a>] = "group",
        /// `host.*`.
        host: view[HostView<'a>] = "host",
        /// `process.*`.
        process: view[ProcessView] = "process",
        /// `url.*`.
        url: view[UrlView<'a>] = "url",
        /// `http.*`.
        http: view[HttpView<'a>] = "http",
        /// `log.*`.
        log: view[LogView<'a>] = "log",
        /// `winlog.*`.
        winlog: view[WinlogView<'a>] = "winlog",
        /// `mysql.*`.
        mysql: view[MysqlView<'a>] = "mysql",
        /// `user_agent.*`.
        user_agent: view[UserAgentView<'a>] = "user_agent",
        /// `logsentry.*`.
        logsentry: view[MetaView<'a>] = "logsentry",
    }
}

record_view! {
    /// `event.*`.
    pub struct EventInfoView<'a> {
        /// `event`, `alert`, ...: what kind of record this is.
        kind: text = "kind",
        /// The source: `ssh`, `web`, `system`, ...
        module: text = "module",
        /// What happened, in our vocabulary.
        action: text = "action",
        /// `success`, `failure` or `unknown`.
        outcome: text = "outcome",
    }
}

record_view! {
    /// `source.*`.
    pub struct SourceView<'a> {
        /// The remote address, as normalised text.
        ip: text = "ip",
    }
}

record_view! {
    /// `user.*`.
    pub struct UserView<'a> {
        /// The account, as logged.
        name: text = "name",
    }
}

record_view! {
    /// `group.*`.
    pub struct GroupView<'a> {
        /// The group, as logged.
        name: text = "name",
    }
}

record_view! {
    /// `host.*`.
    pub struct HostView<'a> {
        /// The machine that wrote the log.
        hostname: text = "hostname",
    }
}

record_view! {
    /// `process.*`.
    pub struct ProcessView {
        /// The pid of the process that logged the event.
        pid: unsigned[u32] = "pid",
    }
}

record_view! {
    /// `user_agent.*`.
    pub struct UserAgentView<'a> {
        /// The `User-Agent` header as logged.
        original: text = "original",
    }
}

record_view! {
    /// `url.*`.
    pub struct UrlView<'a> {
        /// The request target exactly as logged.
        original: text = "original",
    }
}

record_view! {
    /// `http.*`.
    pub struct HttpView<'a> {
        /// `http.request`.
        request: view[HttpRequestView<'a>] = "request",
        /// `http.response`.
        response: view[HttpResponseView] = "response",
    }
}

record_view! {
    /// `http.request.*`.
    pub struct HttpRequestView<'a> {
        /// `GET`, `POST`, ... as logged.
        method: text = "method",
        /// The `Referer` header as logged.
        referrer: text = "referrer",
    }
}

record_view! {
    /// `http.response.*`.
    pub struct HttpResponseView {
        /// The status code.
        status_code: unsigned[u16] = "status_code",
    }
}

record_view! {
    /// `log.*`.
    pub struct LogView<'a> {
        /// `log.file`.
        file: view[LogFileView<'a>] = "file",
    }
}

record_view! {
    /// `log.file.*`.
    pub struct LogFileView<'a> {
        /// The file the event was read from.
        path: text = "path",
    }
}

record_view! {
    /// `winlog.*`: the few record values a rule names in its message.
    pub struct WinlogView<'a> {
        /// `winlog.event_data`.
        event_data: view[EventDataView] = "event_data",
        /// `winlog.logon`.
        logon: view[LogonView<'a>] = "logon",
    }
}

record_view! {
    /// `winlog.logon.*`.
    pub struct LogonView<'a> {
        /// The logon type by name (`Interactive`, `Network`, `Service`...).
        kind: text = "type",
    }
}

record_view! {
    /// `winlog.event_data.*`, as the decoder typed them (a string, usually).
    pub struct EventDataView {
        /// 7045: the service installed.
        service_name: text_value = "ServiceName",
        /// 7045: what it runs.
        image_path: text_value = "ImagePath",
    }
}

record_view! {
    /// `mysql.*`.
    pub struct MysqlView<'a> {
        /// The SQL statement of a general or slow log event.
        query: text = "query",
    }
}

record_view! {
    /// `logsentry.*`.
    pub struct MetaView<'a> {
        /// The line of the input file.
        line: unsigned[u64] = "line",
        /// `failed`, `invalid_user` or `success` for authentication events.
        event_type: text = "event_type",
        /// How many identical lines one line stood for (rsyslog's `message repeated`).
        repeated: unsigned[u32] = "repeated",
        /// `logsentry.ssh.*`.
        ssh: view[SshMetaView<'a>] = "ssh",
    }
}

record_view! {
    /// `logsentry.ssh.*`.
    pub struct SshMetaView<'a> {
        /// How the client tried to authenticate: `password`, `publickey`, `keyboard-interactive`.
        method: text = "method",
    }
}
