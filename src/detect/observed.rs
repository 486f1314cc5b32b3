//! One event as the detectors see it: the fields read once by the engine (time, source key,
//! authentication class) beside the borrowed record.

use super::SourceKey;
use crate::schema::{EventView, Evidence};
use crate::time::Timestamp;

/// The authentication class of an event (`logsentry.event_type`), the three classes every
/// login source maps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventClass {
    /// The account exists; the credentials were wrong.
    Failed,
    /// The account does not exist.
    InvalidUser,
    /// Authenticated.
    Success,
}

impl EventClass {
    /// The class named by `logsentry.event_type`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "failed" => Some(EventClass::Failed),
            "invalid_user" => Some(EventClass::InvalidUser),
            "success" => Some(EventClass::Success),
            _ => None,
        }
    }

    /// Failed or invalid user: what brute force and credential stuffing count.
    pub fn is_failure(self) -> bool {
        matches!(self, EventClass::Failed | EventClass::InvalidUser)
    }
}

/// An event with what the engine already worked out about it.
#[derive(Debug)]
pub struct Observed<'a> {
    /// The record.
    pub view: &'a EventView<'a>,
    /// Its `@timestamp`.
    pub time: Timestamp,
    /// Its source, as counted.
    pub source: Option<SourceKey>,
    /// Its authentication class, if it is a login.
    pub class: Option<EventClass>,
}

impl Observed<'_> {
    /// `user.name`, if any.
    pub fn user(&self) -> Option<&str> {
        self.view.user.name.as_deref().filter(|name| !name.is_empty())
    }

    /// `event.module`, or `unknown`.
    pub fn module(&self) -> &str {
        self.view.event.module.as_deref().unwrap_or("unknown")
    }

    /// Where the event came from, for an alert's evidence.
    pub fn evidence(&self) -> Evidence {
        Evidence {
            path: self.view.log.file.path.as_deref().map(str::to_owned),
            line: self.view.logsentry.line,
        }
    }
}

/// How a module is named in a sentence: `ssh` → `SSH`, `windows` → `Windows`.
pub fn module_title(module: &str) -> String {
    match module {
        "ssh" => "SSH".to_owned(),
        "mysql" => "MySQL".to_owned(),
        "web" => "web".to_owned(),
        other => {
            let mut chars = other.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    }
}
