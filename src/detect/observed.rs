//! One event as the detectors see it: the fields read once by the engine (time, source key,
//! authentication class) beside the borrowed record.

use super::SourceKey;
use crate::schema::{EventView, Evidence};
use crate::time::Timestamp;
use foldhash::HashMap;
use std::cell::OnceCell;
use std::rc::Rc;

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

    /// The class of a login event, as the rules count it. A refused public key is no guess:
    /// an ssh-agent offers every key it holds, and sshd (LogLevel VERBOSE) logs `Failed
    /// publickey` for each it refuses before the one it accepts; fail2ban counts it as no
    /// failure (NOFAIL), and so do we. Passwords, keyboard-interactive, invalid users and PAM
    /// failures are attempts.
    pub fn of(view: &EventView<'_>) -> Option<Self> {
        let class = view.logsentry.event_type.as_deref().and_then(EventClass::from_name)?;
        let key_refused = view.logsentry.ssh.method.as_deref() == Some("publickey");
        (!(class == EventClass::Failed && key_refused)).then_some(class)
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
    /// `event.module` (or `unknown`), shared: state that keeps it costs no allocation.
    pub module: Rc<str>,
    /// `log.file.path`, shared likewise.
    pub path: Option<Rc<str>>,
    /// `user.name` as a shared string, made when a detector first keeps it.
    pub(super) shared_user: OnceCell<Option<Rc<str>>>,
}

/// Shares the few distinct strings that many events repeat (modules, file paths), so the
/// state detectors keep per source does not copy them per event. Bounded: it starts afresh
/// when full.
#[derive(Debug, Default)]
pub struct Interner {
    known: HashMap<Box<str>, Rc<str>>,
    /// The last few strings handed out: a stream repeats a handful (one module and one file
    /// per input), and comparing with them is cheaper than hashing a path per event.
    recent: [Option<Rc<str>>; 4],
    next_recent: usize,
}

impl Interner {
    const MAX: usize = 4096;

    /// The shared copy of `text`.
    pub fn get(&mut self, text: &str) -> Rc<str> {
        if let Some(shared) = self.recent.iter().flatten().find(|shared| ***shared == *text) {
            return Rc::clone(shared);
        }
        let shared = self.lookup(text);
        self.recent[self.next_recent] = Some(Rc::clone(&shared));
        self.next_recent = (self.next_recent + 1) % self.recent.len();
        shared
    }

    fn lookup(&mut self, text: &str) -> Rc<str> {
        if let Some(shared) = self.known.get(text) {
            return Rc::clone(shared);
        }
        if self.known.len() >= Self::MAX {
            self.known.clear();
        }
        let shared: Rc<str> = Rc::from(text);
        self.known.insert(Box::from(text), Rc::clone(&shared));
        shared
    }
}

impl Observed<'_> {
    /// `user.name`, if any.
    pub fn user(&self) -> Option<&str> {
        self.view.user.name.as_deref().filter(|name| !name.is_empty())
    }

    /// `user.name`, shared: the detectors that remember it for this event share one copy.
    pub fn shared_user(&self) -> Option<Rc<str>> {
        self.shared_user.get_or_init(|| self.user().map(Rc::from)).clone()
    }

    /// Where the event came from, for an alert's evidence.
    pub fn evidence(&self) -> Evidence {
        Evidence {
            path: self.path.clone(),
            line: self.view.logsentry.line,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_is_one_shared_copy_however_many_others_come_between() {
        let mut interner = Interner::default();
        let first = interner.get("/var/log/auth.log");
        assert!(Rc::ptr_eq(&first, &interner.get("/var/log/auth.log")));
        let others: Vec<Rc<str>> = (0..10).map(|n| interner.get(&format!("module-{n}"))).collect();
        assert_eq!(&*others[3], "module-3");
        assert!(Rc::ptr_eq(&first, &interner.get("/var/log/auth.log")));
        assert!(Rc::ptr_eq(&others[0], &interner.get("module-0")));
        assert!(!Rc::ptr_eq(&others[0], &others[1]));
    }
}
