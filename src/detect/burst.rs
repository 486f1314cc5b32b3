//! The running summary of one source's activity that an alert reports: how many, when, which
//! accounts, and where in the logs (bounded lists, so a million attempts cost no more memory
//! than twenty).

use super::{Observed, Rule, SourceKey};
use crate::schema::{and_list, module_title};
use crate::schema::{
    Alert, AlertHost, AlertInfo, AlertMeta, AlertSource, AlertUser, Evidence, RuleInfo, Threat, MAX_LISTED,
};
use crate::time::Timestamp;
use smallvec::{smallvec, SmallVec};
use std::rc::Rc;

/// A list that keeps its first entry inline: most sources are seen once or twice and never
/// alert, and a heap block per list per source was most of what counting them cost.
type Inline<T> = SmallVec<[T; 1]>;

/// What one source did in one burst of activity.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Burst {
    /// Events (attempts) counted.
    pub count: u64,
    /// When the first was.
    pub first_seen: Timestamp,
    /// When the last was.
    pub last_seen: Timestamp,
    /// The sources the events came from (`ssh`, `mysql`), first seen first: one address
    /// guessing at SSH and MySQL is one burst.
    modules: Inline<Rc<str>>,
    usernames: Inline<Rc<str>>,
    usernames_omitted: u64,
    /// File and line of the events, the file shared with the event.
    evidence: Inline<(Option<Rc<str>>, Option<u64>)>,
}

impl Burst {
    /// A burst that starts with `event`.
    pub fn new(event: &Observed<'_>) -> Self {
        Burst {
            count: 0,
            first_seen: event.time,
            last_seen: event.time,
            modules: smallvec![Rc::clone(&event.module)],
            usernames: SmallVec::new(),
            usernames_omitted: 0,
            evidence: SmallVec::new(),
        }
    }

    /// A burst of one event: what a rule that alerts on single events reports.
    pub fn single(event: &Observed<'_>) -> Self {
        let mut burst = Burst::new(event);
        burst.add(event);
        burst
    }

    /// Ends the burst in `slot` when its source has been quiet for a whole window, so the next
    /// event starts a new one; `true` when it did.
    pub fn end_if_quiet(slot: &mut Option<Burst>, now: i64, window: i64) -> bool {
        let quiet = slot
            .as_ref()
            .is_some_and(|burst| now - burst.last_seen.unix_seconds() > window);
        if quiet {
            *slot = None;
        }
        quiet
    }

    /// Counts `event`. Evidence keeps the first events and always the latest one.
    pub fn add(&mut self, event: &Observed<'_>) {
        self.count += 1;
        self.last_seen = event.time;
        if !self.modules.contains(&event.module) && self.modules.len() < MAX_LISTED {
            self.modules.push(Rc::clone(&event.module));
        }
        if let Some(user) = event.user() {
            if !self.usernames.iter().any(|known| &**known == user) {
                if self.usernames.len() < MAX_LISTED {
                    self.usernames.extend(event.shared_user());
                } else {
                    self.usernames_omitted += 1;
                }
            }
        }
        if self.evidence.len() >= MAX_LISTED {
            self.evidence.pop();
        }
        self.evidence.push((event.path.clone(), event.view.logsentry.line));
    }

    /// How many distinct accounts were tried.
    pub fn distinct_users(&self) -> u64 {
        self.usernames.len() as u64 + self.usernames_omitted
    }

    /// `root`, or `3 users`.
    pub fn who(&self) -> String {
        match (self.usernames.as_slice(), self.usernames_omitted) {
            ([only], 0) => only.to_string(),
            ([], 0) => "unknown users".to_owned(),
            _ => format!("{} users", self.distinct_users()),
        }
    }

    /// `SSH`, `Windows`, `SSH and MySQL`: the sources of the events, for a sentence.
    pub fn module_title(&self) -> String {
        match self.modules.as_slice() {
            [only] => module_title(only),
            modules => {
                let titles: Vec<String> = modules.iter().map(|module| module_title(module)).collect();
                and_list(&titles)
            }
        }
    }

    /// The seconds from first to last event.
    pub fn duration_seconds(&self) -> i64 {
        self.last_seen.unix_seconds() - self.first_seen.unix_seconds()
    }

    /// The alert for `rule`, fired by `event`.
    pub fn alert(
        &self,
        rule: &Rule,
        event: &Observed<'_>,
        source: Option<SourceKey>,
        message: String,
        risk: u8,
    ) -> Alert {
        // user.name is the account the alert concerns: with several tried there is none to
        // name (logsentry.usernames lists them), and naming the last one tried would mislead.
        let single_user = match (self.usernames.as_slice(), self.usernames_omitted) {
            ([only], 0) => Some(AlertUser { name: only.to_string() }),
            ([], 0) => event.user().map(|name| AlertUser { name: name.to_owned() }),
            _ => None,
        };
        let source = source.map(|source| source.to_string());
        Alert {
            timestamp: event.time,
            message,
            event: AlertInfo {
                kind: "alert",
                module: Some(Rc::clone(&event.module)),
                severity: rule.severity.number(),
                risk_score: risk,
            },
            rule: RuleInfo {
                id: rule.id,
                name: rule.name,
                description: rule.description,
            },
            threat: Threat {
                framework: "MITRE ATT&CK",
                technique: rule.technique,
                tactic: rule.tactic,
            },
            source: source.clone().map(|ip| AlertSource { ip }),
            user: single_user,
            host: event
                .view
                .host
                .hostname
                .as_deref()
                .filter(|name| !name.is_empty())
                .map(|name| AlertHost {
                    hostname: name.to_owned(),
                }),
            logsentry: AlertMeta {
                severity: rule.severity,
                count: self.count,
                first_seen: self.first_seen,
                last_seen: self.last_seen,
                usernames: self.usernames.to_vec(),
                usernames_omitted: self.usernames_omitted,
                sources: source.into_iter().collect(),
                // A compromise's successful login may come through a source the guessing
                // did not: it is part of the alert too.
                modules: self
                    .modules
                    .iter()
                    .chain((!self.modules.contains(&event.module)).then_some(&event.module))
                    .cloned()
                    .collect(),
                evidence: self
                    .evidence
                    .iter()
                    .map(|(path, line)| Evidence {
                        path: path.clone(),
                        line: *line,
                    })
                    .collect(),
                history: None,
            },
        }
    }
}
