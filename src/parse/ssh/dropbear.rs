//! Dropbear, the SSH server of routers and small systems: its messages in auth logs.

use super::fact::{ecs, Fact};
use super::remote::Remote;
use crate::schema::{EventType, Outcome};

/// Dropbear's authentication messages; `None` for the rest.
pub fn dropbear_message(message: &str) -> Option<Fact<'_>> {
    let message = strip_inner_header(message);
    let lower_first = |prefix: &str| {
        message.len() >= prefix.len()
            && message.is_char_boundary(prefix.len())
            && message[..prefix.len()].eq_ignore_ascii_case(prefix)
    };
    let login = |outcome| Fact::new("ssh-login", ecs::AUTHENTICATION, ecs::START, outcome);
    if lower_first("bad password attempt for ") {
        let rest = &message[25..];
        let (user, peer) = rest.rsplit_once(" from ")?;
        let mut fact = login(Outcome::Failure)
            .class(EventType::Failed)
            .user(unquote(user))
            .remote(host_port(peer)?);
        fact.method = Some("password");
        return Some(fact);
    }
    if lower_first("login attempt for nonexistent user") {
        let (who, peer) = message.rsplit_once(" from ")?;
        let user = who
            .strip_prefix("Login attempt for nonexistent user")
            .or_else(|| who.get(34..))
            .unwrap_or("");
        return Some(
            login(Outcome::Failure)
                .class(EventType::InvalidUser)
                .user(unquote(user.trim()))
                .remote(host_port(peer)?),
        );
    }
    if let Some(rest) = message.strip_prefix("Exit before auth") {
        let max_tries = rest.contains("Max auth tries reached");
        let action = if max_tries {
            "ssh-max-auth-attempts"
        } else {
            "ssh-preauth-disconnect"
        };
        let fact = Fact::new(action, ecs::AUTHENTICATION, ecs::START, Outcome::Failure);
        // `Exit before auth from <h:p>: ...` or `Exit before auth (...): ... from h:p`
        if let Some(bracketed) = rest.strip_prefix(" from <") {
            let (peer, _) = bracketed.split_once('>')?;
            return Some(fact.remote(host_port(peer)?));
        }
        let (_, peer) = rest.rsplit_once(" from ")?;
        return Some(fact.remote(host_port(peer.trim())?));
    }
    for (prefix, method) in [
        ("Password auth succeeded for ", "password"),
        ("Pubkey auth succeeded for ", "publickey"),
    ] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let (who, peer) = rest.rsplit_once(" from ")?;
            let user = who.split(" with ").next().unwrap_or(who);
            let mut fact = login(Outcome::Success)
                .class(EventType::Success)
                .user(unquote(user))
                .remote(host_port(peer)?);
            fact.method = Some(method);
            return Some(fact);
        }
    }
    None
}

/// Some builds log `[pid] Mon dd hh:mm:ss message` inside the syslog message.
fn strip_inner_header(message: &str) -> &str {
    if let Some(rest) = message.strip_prefix('[') {
        if let Some((pid, after)) = rest.split_once("] ") {
            if pid.bytes().all(|b| b.is_ascii_digit()) && after.len() > 16 && after.as_bytes()[15] == b' ' {
                return &after[16..];
            }
        }
    }
    message
}

/// `1.2.3.4:5678`, `::ffff:1.2.3.4:5678`.
fn host_port(text: &str) -> Option<Remote<'_>> {
    let (host, port) = text.rsplit_once(':')?;
    Some(Remote {
        host,
        port: port.parse().ok(),
    })
}

fn unquote(text: &str) -> &str {
    text.strip_prefix('\'')
        .and_then(|t| t.strip_suffix('\''))
        .unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropbear_messages() {
        let bad = dropbear_message("bad password attempt for 'root' from 198.51.100.87:5543").expect("bad");
        assert_eq!(
            (bad.user, bad.remote),
            (
                Some("root"),
                Some(Remote {
                    host: "198.51.100.87",
                    port: Some(5543)
                })
            )
        );
        let unknown =
            dropbear_message("Login attempt for nonexistent user from ::ffff:198.51.100.215:60495").expect("unknown");
        assert_eq!(
            (unknown.event_type, unknown.remote.map(|r| r.host)),
            (Some(EventType::InvalidUser), Some("::ffff:198.51.100.215"))
        );
        let exit = dropbear_message("[825] Jul 10 23:57:29 Exit before auth from <192.0.2.3:52289>: (user 'root', 10 fails): Max auth tries reached - user 'root'").expect("exit");
        assert_eq!(
            (exit.action, exit.remote.map(|r| r.host)),
            ("ssh-max-auth-attempts", Some("192.0.2.3"))
        );
        let ok = dropbear_message("Password auth succeeded for 'root' from 192.0.2.9:2222").expect("ok");
        assert_eq!(ok.event_type, Some(EventType::Success));
        assert!(dropbear_message("Child connection from 1.2.3.4:5").is_none());
    }
}
