//! What a message catalogue recognised in one log message, before it becomes an [`Event`].

use super::remote::Remote;
use crate::schema::{Event, EventType, Outcome};

/// The meaning of one message, borrowing from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fact<'a> {
    /// Our stable action name.
    pub action: &'static str,
    /// ECS categories.
    pub category: &'static [&'static str],
    /// ECS types.
    pub types: &'static [&'static str],
    /// Success or failure.
    pub outcome: Outcome,
    /// The detectors' authentication class.
    pub event_type: Option<EventType>,
    /// The account concerned.
    pub user: Option<&'a str>,
    /// Whom it ran as (sudo, su).
    pub effective_user: Option<&'a str>,
    /// Group concerned.
    pub group: Option<&'a str>,
    /// The remote end.
    pub remote: Option<Remote<'a>>,
    /// SSH auth method.
    pub method: Option<&'a str>,
    /// Why, in the log's words.
    pub reason: Option<&'a str>,
    /// Command run (sudo).
    pub command: Option<&'a str>,
    /// Working directory (sudo).
    pub directory: Option<&'a str>,
}

/// ECS categories and types used by the catalogues.
pub mod ecs {
    /// Authentication attempt.
    pub const AUTHENTICATION: &[&str] = &["authentication"];
    /// A connection-level event.
    pub const NETWORK: &[&str] = &["network"];
    /// Identity and access management.
    pub const IAM: &[&str] = &["iam"];
    /// A process started.
    pub const PROCESS: &[&str] = &["process"];
    /// `event.type: start`.
    pub const START: &[&str] = &["start"];
    /// Connection event types.
    pub const CONNECTION_DENIED: &[&str] = &["connection", "denied"];
    /// A user created.
    pub const USER_CREATION: &[&str] = &["user", "creation"];
    /// A user changed.
    pub const USER_CHANGE: &[&str] = &["user", "change"];
    /// A user deleted.
    pub const USER_DELETION: &[&str] = &["user", "deletion"];
    /// A group created.
    pub const GROUP_CREATION: &[&str] = &["group", "creation"];
    /// A group's membership changed.
    pub const GROUP_CHANGE: &[&str] = &["group", "change"];
    /// A group deleted.
    pub const GROUP_DELETION: &[&str] = &["group", "deletion"];
}

impl<'a> Fact<'a> {
    /// A fact with only its classification set.
    pub const fn new(
        action: &'static str,
        category: &'static [&'static str],
        types: &'static [&'static str],
        outcome: Outcome,
    ) -> Self {
        Fact {
            action,
            category,
            types,
            outcome,
            event_type: None,
            user: None,
            effective_user: None,
            group: None,
            remote: None,
            method: None,
            reason: None,
            command: None,
            directory: None,
        }
    }

    /// Sets the authentication class.
    pub fn class(mut self, event_type: EventType) -> Self {
        self.event_type = Some(event_type);
        self
    }

    /// Sets the user (an empty name, as sshd logs for `Invalid user  from`, stays absent).
    pub fn user(mut self, user: &'a str) -> Self {
        self.user = (!user.is_empty()).then_some(user);
        self
    }

    /// Sets the remote end.
    pub fn remote(mut self, remote: Remote<'a>) -> Self {
        self.remote = Some(remote);
        self
    }

    /// Sets the reason.
    pub fn reason(mut self, reason: &'a str) -> Self {
        let reason = reason.trim();
        self.reason = (!reason.is_empty()).then_some(reason);
        self
    }

    /// Copies the fact into an event.
    pub fn apply(&self, event: &mut Event<'a>) {
        event.event.action = self.action;
        event.event.category = self.category;
        event.event.types = self.types;
        event.event.outcome = self.outcome;
        event.event.reason = self.reason;
        event.logsentry.event_type = self.event_type;
        event.logsentry.ssh.method = self.method;
        event.user.name = self.user;
        event.user.effective.name = self.effective_user;
        event.group.name = self.group;
        event.process.command_line = self.command;
        event.process.working_directory = self.directory;
        if let Some(remote) = self.remote {
            event.source.set_host(remote.host);
            event.source.port = remote.port;
        }
    }
}
