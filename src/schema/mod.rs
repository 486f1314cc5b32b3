//! The NDJSON contract between stages: field names follow the Elastic Common Schema, our own
//! fields live under `logsentry.*`. `man/logsentry-schema.7` documents every field; this
//! module is its single implementation.

mod address;
mod alert;
mod alert_view;
mod borrowed;
mod event;
mod incident;
mod json;
mod names;
mod stored_alert;
mod timeline;
mod view;
mod view_reader;
pub mod windows;

pub use address::{looks_like_hostname, normalize_ip};
pub use alert::{
    Alert, AlertHistory, AlertHost, AlertInfo, AlertMeta, AlertSource, AlertUser, Evidence, RuleInfo, Severity, Tactic,
    Technique, Threat, MAX_LISTED,
};
pub use view::{
    EventDataView, EventInfoView, EventView, GroupView, HostView, HttpRequestView, HttpResponseView, HttpView,
    LogFileView, LogView, LogonView, MetaView, MysqlView, ProcessView, SourceView, SshMetaView, UrlView, UserAgentView,
    UserView, WinlogView,
};

pub use alert_view::{
    AbuseView, AlertEventView, AlertHostView, AlertMetaView, AlertSourceView, AlertUserView, AlertView,
    AutonomousSystemView, Declined, GeoView, IncidentView, Mistyped, MistypedField, NamedView, OneOrMany,
    OrganizationView, RuleView, ThreatView, TimelineView,
};
pub use borrowed::optional_str;
pub use incident::{
    Incident, IncidentDetail, IncidentHistory, IncidentInfo, IncidentMeta, IncidentThreat, TacticNames, TechniqueIds,
    TimelineEntry,
};
pub use json::write::EventWriter;
pub use names::{and_list, module_title};
pub use stored_alert::AlertColumns;
pub use timeline::{HeapSize, Timeline};

pub use event::{
    Decimal, Event, EventCode, EventInfo, EventType, Group, Host, Http, HttpRequest, HttpResponse, Log, LogFile, Logon,
    LogonFailure, Meta, Mysql, Outcome, Process, ResponseBody, SlowLog, Source, SshMeta, TimeMeta, Url, User,
    UserAgent, UserRef, Winlog,
};
