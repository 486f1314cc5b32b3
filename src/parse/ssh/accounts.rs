//! The account events a Linux host logs beside sshd: sudo, su, user and group management and
//! password changes. Same schema as sshd events so the same detectors apply.

use super::fact::{ecs, Fact};
use super::pam_auth;
use crate::schema::Outcome;

/// su logs one attempt up to three times (`Successful su`, `+ tty a:b`, a PAM session line);
/// remembering the last su process's verdict lets each attempt become one event.
#[derive(Debug, Default)]
pub struct AccountState {
    last_su: Option<(u32, Outcome)>,
}

impl AccountState {
    /// The account event in a message of `program`, if it is one.
    pub fn recognise<'m>(&mut self, program: &str, pid: Option<u32>, message: &'m str) -> Option<Fact<'m>> {
        match program {
            "sudo" => sudo(message),
            "su" | "su-l" => {
                let fact = su(message)?;
                if let Some(pid) = pid {
                    if self.last_su == Some((pid, fact.outcome)) {
                        return None;
                    }
                    self.last_su = Some((pid, fact.outcome));
                }
                Some(fact)
            }
            "useradd" | "adduser" | "usermod" | "userdel" | "deluser" | "groupadd" | "addgroup" | "groupdel"
            | "delgroup" | "groupmod" | "gpasswd" => user_management(message),
            "chpasswd" | "passwd" | "chage" => password_change(message),
            _ => None,
        }
    }
}

/// `alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/bash`, or with a failure
/// first (`3 incorrect password attempts ;`, `user NOT in sudoers ;`).
fn sudo(message: &str) -> Option<Fact<'_>> {
    let message = message.trim_start();
    if let Some(rest) = message.strip_prefix("pam_unix(sudo:auth): ") {
        let mut fact = pam_auth(rest)?;
        fact.action = "sudo-auth-failure";
        fact.event_type = None;
        // PAM's user= is the account sudo authenticates: the invoking user.
        return Some(fact);
    }
    let (user, fields) = message.split_once(" : ")?;
    let mut fact = Fact::new("sudo-command", ecs::PROCESS, ecs::START, Outcome::Success).user(user.trim());
    for field in fields.split(" ; ") {
        if let Some(directory) = field.strip_prefix("PWD=") {
            fact.directory = Some(directory);
        } else if let Some(target) = field.strip_prefix("USER=") {
            fact.effective_user = Some(target);
        } else if let Some(command) = field.strip_prefix("COMMAND=") {
            fact.command = Some(command);
        } else if field.contains('=') {
            // GROUP=, ENV=, TSID=: not needed.
        } else if field.contains("incorrect password attempt") || field.contains("a password is required") {
            fact = Fact {
                action: "sudo-auth-failure",
                category: ecs::AUTHENTICATION,
                outcome: Outcome::Failure,
                ..fact
            }
            .reason(field);
        } else if field.contains("NOT in sudoers") || field.contains("not allowed") {
            fact = Fact {
                action: "sudo-not-allowed",
                outcome: Outcome::Failure,
                ..fact
            }
            .reason(field);
        } else {
            return None;
        }
    }
    fact.command?;
    Some(fact)
}

/// `Successful su for root by alice`, `FAILED su for root by alice`, util-linux's
/// `(to root) alice on pts/0`, and the PAM auth/session lines.
fn su(message: &str) -> Option<Fact<'_>> {
    let login = |outcome| Fact::new("su-login", ecs::AUTHENTICATION, ecs::START, outcome);
    if let Some(rest) = message
        .strip_prefix("Successful su for ")
        .or_else(|| message.strip_prefix("FAILED su for "))
    {
        let outcome = if message.starts_with('S') {
            Outcome::Success
        } else {
            Outcome::Failure
        };
        let (target, by) = rest.split_once(" by ")?;
        let mut fact = login(outcome).user(by.trim());
        fact.effective_user = Some(target);
        return Some(fact);
    }
    if let Some(rest) = message.strip_prefix("(to ") {
        let (target, rest) = rest.split_once(") ")?;
        let by = rest.split(' ').next()?;
        let mut fact = login(Outcome::Success).user(by);
        fact.effective_user = Some(target);
        return Some(fact);
    }
    let pam = message
        .strip_prefix("pam_unix(su:")
        .or_else(|| message.strip_prefix("pam_unix(su-l:"));
    let pam = match pam {
        Some(rest) => rest.split_once("): ")?,
        // Old RedHat tags the program `su(pam_unix)` and drops the prefix.
        None => ("session", message),
    };
    match pam {
        ("auth", rest) => {
            let fields = rest.strip_prefix("authentication failure;")?;
            let mut fact = login(Outcome::Failure);
            for field in fields.split_ascii_whitespace() {
                if let Some(by) = field.strip_prefix("ruser=") {
                    fact = fact.user(by);
                } else if let Some(target) = field.strip_prefix("user=") {
                    fact.effective_user = Some(target);
                }
            }
            Some(fact)
        }
        ("session", rest) => {
            let rest = rest.strip_prefix("session opened for user ")?;
            let (target, by) = rest.split_once(" by ")?;
            let target = target.split_once('(').map_or(target, |(name, _)| name);
            let by = by.split_once('(').map_or(by, |(name, _)| name);
            let mut fact = login(Outcome::Success).user(by);
            fact.effective_user = Some(target);
            Some(fact)
        }
        _ => None,
    }
}

/// shadow-utils messages: `new user: name=bob, UID=1001, ...`, `add 'bob' to group 'sudo'`,
/// `delete user 'bob'`, `group added to /etc/group: name=devs, GID=1002`, ...
fn user_management(message: &str) -> Option<Fact<'_>> {
    let iam = |action, types, outcome| Fact::new(action, ecs::IAM, types, outcome);
    if let Some(fields) = message.strip_prefix("new user: ") {
        return Some(iam("user-created", ecs::USER_CREATION, Outcome::Success).user(key_value(fields, "name")?));
    }
    if let Some(rest) = message.strip_prefix("failed adding user ") {
        return Some(
            iam("user-created", ecs::USER_CREATION, Outcome::Failure)
                .user(quoted(rest)?)
                .reason(message),
        );
    }
    // groupadd also logs `group added to /etc/group: ...` for the same group: `new group` is
    // the one line both useradd and groupadd write.
    if let Some(fields) = message.strip_prefix("new group: ") {
        let mut fact = iam("group-created", ecs::GROUP_CREATION, Outcome::Success);
        fact.group = Some(key_value(fields, "name")?);
        return Some(fact);
    }
    if let Some(rest) = message.strip_prefix("add ") {
        // `add 'bob' to shadow group 'sudo'` repeats `add 'bob' to group 'sudo'`.
        if rest.contains(" to shadow group ") {
            return None;
        }
        let (user, group) = rest.split_once(" to group ")?;
        let mut fact = iam("user-added-to-group", ecs::GROUP_CHANGE, Outcome::Success).user(unquote(user));
        fact.group = Some(unquote(group));
        return Some(fact);
    }
    if let Some(rest) = message.strip_prefix("user ") {
        // gpasswd: `user bob added by root to group sudo`
        let (user, rest) = rest.split_once(" added by ")?;
        let group = rest.split_once(" to group ")?.1;
        let mut fact = iam("user-added-to-group", ecs::GROUP_CHANGE, Outcome::Success).user(user);
        fact.group = Some(group.trim());
        return Some(fact);
    }
    if let Some(rest) = message.strip_prefix("delete user ") {
        return Some(iam("user-deleted", ecs::USER_DELETION, Outcome::Success).user(unquote(rest)));
    }
    if let Some(rest) = message.strip_prefix("removed group ") {
        let mut fact = iam("group-deleted", ecs::GROUP_DELETION, Outcome::Success);
        fact.group = Some(quoted(rest)?);
        return Some(fact);
    }
    if let Some(rest) = message.strip_prefix("group ") {
        if rest.ends_with(" removed") || rest.contains(" removed from /etc/group") {
            let mut fact = iam("group-deleted", ecs::GROUP_DELETION, Outcome::Success);
            fact.group = Some(quoted(rest)?);
            return Some(fact);
        }
        return None;
    }
    for verb in ["change user ", "lock user ", "unlock user "] {
        if let Some(rest) = message.strip_prefix(verb) {
            let rest = rest.strip_prefix("name ").unwrap_or(rest);
            return Some(
                iam("user-modified", ecs::USER_CHANGE, Outcome::Success)
                    .user(quoted(rest)?)
                    .reason(message),
            );
        }
    }
    None
}

/// `pam_unix(chpasswd:chauthtok): password changed for bob`.
fn password_change(message: &str) -> Option<Fact<'_>> {
    let rest = match message.split_once("): ") {
        Some((prefix, rest)) if prefix.starts_with("pam_unix(") => rest,
        _ => message,
    };
    let user = rest.strip_prefix("password changed for ")?;
    Some(Fact::new("password-changed", ecs::IAM, ecs::USER_CHANGE, Outcome::Success).user(user.trim()))
}

/// The value of `key=` in a `key=value, key=value` list.
fn key_value<'a>(fields: &'a str, key: &str) -> Option<&'a str> {
    fields
        .split(", ")
        .find_map(|field| field.strip_prefix(key)?.strip_prefix('='))
}

/// The first `'quoted'` word.
fn quoted(text: &str) -> Option<&str> {
    let start = text.find('\'')? + 1;
    let len = text[start..].find('\'')?;
    Some(&text[start..start + len])
}

fn unquote(text: &str) -> &str {
    let text = text.trim();
    text.strip_prefix('\'')
        .and_then(|t| t.strip_suffix('\''))
        .unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recognise<'m>(program: &str, message: &'m str) -> Option<Fact<'m>> {
        AccountState::default().recognise(program, Some(1), message)
    }

    #[test]
    fn sudo_commands_and_failures() {
        let command = recognise(
            "sudo",
            "  ubuntu : TTY=pts/0 ; PWD=/etc/filebeat ; USER=root ; COMMAND=/usr/bin/vim /etc/filebeat/filebeat.yml",
        )
        .expect("sudo command");
        assert_eq!(
            (command.action, command.user, command.effective_user),
            ("sudo-command", Some("ubuntu"), Some("root"))
        );
        assert_eq!(command.command, Some("/usr/bin/vim /etc/filebeat/filebeat.yml"));
        let failed = recognise(
            "sudo",
            "alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/bash",
        )
        .expect("sudo failure");
        assert_eq!((failed.action, failed.outcome), ("sudo-auth-failure", Outcome::Failure));
        let denied = recognise(
            "sudo",
            "mallory : user NOT in sudoers ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/sh",
        )
        .expect("sudo denied");
        assert_eq!(denied.action, "sudo-not-allowed");
        assert!(recognise(
            "sudo",
            "pam_unix(sudo:session): session opened for user root by ubuntu(uid=0)"
        )
        .is_none());
    }

    #[test]
    fn su_is_one_event_per_attempt() {
        let mut state = AccountState::default();
        let first = state
            .recognise("su", Some(7), "Successful su for root by alice")
            .expect("su");
        assert_eq!(
            (first.user, first.effective_user, first.outcome),
            (Some("alice"), Some("root"), Outcome::Success)
        );
        assert!(state
            .recognise(
                "su",
                Some(7),
                "pam_unix(su:session): session opened for user root by alice(uid=1000)"
            )
            .is_none());
        let redhat = state
            .recognise("su", Some(9), "session opened for user cyrus by (uid=0)")
            .expect("su");
        assert_eq!((redhat.user, redhat.effective_user), (None, Some("cyrus")));
    }

    #[test]
    fn user_and_group_management() {
        let created = recognise(
            "useradd",
            "new user: name=bob, UID=1001, GID=1001, home=/home/bob, shell=/bin/bash",
        )
        .expect("created");
        assert_eq!((created.action, created.user), ("user-created", Some("bob")));
        let failed = recognise("useradd", "failed adding user 'elastic_user_2', data deleted").expect("failed");
        assert_eq!(
            (failed.outcome, failed.user),
            (Outcome::Failure, Some("elastic_user_2"))
        );
        let added = recognise("usermod", "add 'bob' to group 'sudo'").expect("added");
        assert_eq!((added.user, added.group), (Some("bob"), Some("sudo")));
        assert!(recognise("usermod", "add 'bob' to shadow group 'sudo'").is_none());
        let group = recognise("groupadd", "new group: name=elastic_users, GID=1011").expect("group");
        assert_eq!(group.group, Some("elastic_users"));
        assert!(recognise("groupadd", "group added to /etc/group: name=elastic_users, GID=1011").is_none());
        let password = recognise(
            "chpasswd",
            "pam_unix(chpasswd:chauthtok): password changed for elastic_user_2",
        )
        .expect("pw");
        assert_eq!(
            (password.action, password.user),
            ("password-changed", Some("elastic_user_2"))
        );
        let deleted = recognise("userdel", "delete user 'bob'").expect("deleted");
        assert_eq!(deleted.user, Some("bob"));
    }
}
