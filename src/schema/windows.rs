//! What each Windows event id means in our records, in one table: the EVTX mapping writes
//! events from it and the Windows rules recognise events by its actions. An id that is not
//! here is kept as a `windows-event` with its data, never dropped.

use super::{EventType, Outcome};

/// One Windows event id and everything that depends on it.
#[derive(Debug)]
pub struct WindowsEventKind {
    /// The event id (`4625`).
    pub id: u32,
    /// `event.action`, in our kebab-case vocabulary; the account-change actions are those the
    /// Linux account events use, so one rule covers both.
    pub action: &'static str,
    /// `event.category`.
    pub category: &'static [&'static str],
    /// `event.type`.
    pub types: &'static [&'static str],
    /// `event.outcome`, or how the record's status decides it.
    pub outcome: OutcomeRule,
    /// `logsentry.event_type`, for the logons the brute-force rules count.
    pub event_type: Option<EventTypeRule>,
    /// Whose account the event is about.
    pub subject: Subject,
    /// Its failure status and reason are kept (`winlog.logon.failure.*`) even when the
    /// outcome is not a failure.
    pub failure_detail: bool,
    /// It carries a process command line (`process.command_line`).
    pub command_line: bool,
}

/// How an event's outcome is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutcomeRule {
    /// Always this.
    Fixed(Outcome),
    /// From the record's `Status`: 0 is a success, anything else a failure (Kerberos, NTLM).
    FromStatus,
}

/// How a logon's `logsentry.event_type` is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventTypeRule {
    /// Always this.
    Fixed(EventType),
    /// A failed logon: an invalid user when the status says the name does not exist, else a
    /// failed password.
    FailedOrInvalidUser,
    /// A credential check (Kerberos, NTLM) that may pass or fail: counted as a logon only when
    /// refused (its success is no logon of its own: 4624 follows), as an invalid user when
    /// the status says the name does not exist, else a failed password.
    RefusedCheck,
}

/// Whose account an event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// The target account, else the subject's, else the service's (7045).
    Account,
    /// The member added to a group; the target is the group.
    GroupMember,
}

/// `STATUS_NO_SUCH_USER`: the name given does not exist.
pub const STATUS_NO_SUCH_USER: u64 = 0xC000_0064;

/// Kerberos `KDC_ERR_C_PRINCIPAL_UNKNOWN` (4768, 4771): the name given does not exist.
pub const KDC_PRINCIPAL_UNKNOWN: u64 = 0x6;

const AUTHENTICATION: &[&str] = &["authentication"];
const IAM: &[&str] = &["iam"];
const START: &[&str] = &["start"];
const END: &[&str] = &["end"];
const USER_CHANGE: &[&str] = &["user", "change"];
const GROUP_CHANGE: &[&str] = &["group", "change"];

const fn kind(
    id: u32,
    category: &'static [&'static str],
    types: &'static [&'static str],
    action: &'static str,
    outcome: Outcome,
) -> WindowsEventKind {
    WindowsEventKind {
        id,
        action,
        category,
        types,
        outcome: OutcomeRule::Fixed(outcome),
        event_type: None,
        subject: Subject::Account,
        failure_detail: false,
        command_line: false,
    }
}

/// 4624: an account logged on.
pub static LOGGED_IN: WindowsEventKind = WindowsEventKind {
    event_type: Some(EventTypeRule::Fixed(EventType::Success)),
    ..kind(4624, AUTHENTICATION, START, "logged-in", Outcome::Success)
};
/// 4625: an account failed to log on.
pub static LOGON_FAILED: WindowsEventKind = WindowsEventKind {
    event_type: Some(EventTypeRule::FailedOrInvalidUser),
    failure_detail: true,
    ..kind(4625, AUTHENTICATION, START, "logon-failed", Outcome::Failure)
};
/// 4672: special (administrator) privileges assigned to a new logon.
pub static SPECIAL_LOGON: WindowsEventKind = kind(4672, IAM, &["admin"], "logged-in-special", Outcome::Success);
/// 4688: a process was created.
pub static PROCESS_CREATED: WindowsEventKind = WindowsEventKind {
    command_line: true,
    ..kind(4688, &["process"], START, "created-process", Outcome::Success)
};
/// 4776: a domain controller checked NTLM credentials; the logon it serves is logged (4625,
/// 4624) where it happened, with its source.
pub static CREDENTIALS_VALIDATED: WindowsEventKind = by_status(
    WindowsEventKind {
        event_type: Some(EventTypeRule::RefusedCheck),
        ..kind(4776, AUTHENTICATION, START, "credentials-validated", Outcome::Unknown)
    },
    true,
);
/// 4740: an account was locked out.
pub static LOCKED_OUT: WindowsEventKind = kind(4740, IAM, USER_CHANGE, "user-locked-out", Outcome::Success);
/// 1102: the Security audit log was cleared.
pub static AUDIT_LOG_CLEARED: WindowsEventKind =
    kind(1102, IAM, &["admin", "deletion"], "audit-log-cleared", Outcome::Success);
/// 7045: a service was installed.
pub static SERVICE_INSTALLED: WindowsEventKind = kind(
    7045,
    &["configuration"],
    &["creation"],
    "service-installed",
    Outcome::Success,
);

const fn added_to_group(id: u32) -> WindowsEventKind {
    WindowsEventKind {
        subject: Subject::GroupMember,
        ..kind(id, IAM, GROUP_CHANGE, "user-added-to-group", Outcome::Success)
    }
}

const fn by_status(mut kind: WindowsEventKind, failure_detail: bool) -> WindowsEventKind {
    kind.outcome = OutcomeRule::FromStatus;
    kind.failure_detail = failure_detail;
    kind
}

/// The event ids a security engineer looks for.
pub static WINDOWS_EVENTS: &[WindowsEventKind] = &[
    kind(4634, AUTHENTICATION, END, "logged-out", Outcome::Success),
    kind(4647, AUTHENTICATION, END, "logged-out", Outcome::Success),
    kind(4648, AUTHENTICATION, START, "logged-in-explicit", Outcome::Success),
    kind(4720, IAM, &["user", "creation"], "user-created", Outcome::Success),
    kind(4722, IAM, USER_CHANGE, "user-enabled", Outcome::Success),
    kind(4724, IAM, USER_CHANGE, "password-reset", Outcome::Success),
    kind(4725, IAM, USER_CHANGE, "user-disabled", Outcome::Success),
    kind(4726, IAM, &["user", "deletion"], "user-deleted", Outcome::Success),
    added_to_group(4728),
    added_to_group(4732),
    added_to_group(4756),
    kind(4738, IAM, USER_CHANGE, "user-changed", Outcome::Success),
    kind(4767, IAM, USER_CHANGE, "user-unlocked", Outcome::Success),
    by_status(
        WindowsEventKind {
            event_type: Some(EventTypeRule::RefusedCheck),
            ..kind(
                4768,
                AUTHENTICATION,
                START,
                "kerberos-ticket-requested",
                Outcome::Unknown,
            )
        },
        false,
    ),
    by_status(
        kind(
            4769,
            AUTHENTICATION,
            START,
            "kerberos-service-ticket-requested",
            Outcome::Unknown,
        ),
        false,
    ),
    WindowsEventKind {
        failure_detail: true,
        event_type: Some(EventTypeRule::RefusedCheck),
        ..kind(4771, AUTHENTICATION, START, "kerberos-preauth-failed", Outcome::Failure)
    },
];

/// The named kinds above, which rules recognise, beside the rest of the table.
static NAMED: [&WindowsEventKind; 8] = [
    &CREDENTIALS_VALIDATED,
    &LOGGED_IN,
    &LOGON_FAILED,
    &SPECIAL_LOGON,
    &PROCESS_CREATED,
    &LOCKED_OUT,
    &AUDIT_LOG_CLEARED,
    &SERVICE_INSTALLED,
];

/// What event id `id` means, if it is one we name.
pub fn windows_event(id: u32) -> Option<&'static WindowsEventKind> {
    NAMED.iter().copied().chain(WINDOWS_EVENTS).find(|kind| kind.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_is_named_once() {
        let mut ids: Vec<u32> = NAMED
            .iter()
            .copied()
            .chain(WINDOWS_EVENTS)
            .map(|kind| kind.id)
            .collect();
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count, "an event id is in the table twice");
        assert_eq!(windows_event(4740).map(|kind| kind.action), Some("user-locked-out"));
        assert_eq!(
            windows_event(4776).map(|kind| kind.outcome),
            Some(OutcomeRule::FromStatus)
        );
        assert!(windows_event(9999).is_none());
    }
}
