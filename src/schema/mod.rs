//! The NDJSON contract between stages: field names follow the Elastic Common Schema, our own
//! fields live under `logsentry.*`. `man/logsentry-schema.7` documents every field; this
//! module is its single implementation.

mod event;
mod json;

pub use json::EventWriter;

pub use event::{
    Event, EventInfo, EventType, Group, Host, Http, HttpRequest, HttpResponse, Log, LogFile, Meta, Outcome, Process,
    ResponseBody, Source, SshMeta, TimeMeta, Url, User, UserAgent, UserRef,
};
