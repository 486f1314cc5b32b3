//! auth.log, secure and journald: sshd's messages, plus the account events a Linux host logs
//! beside them (sudo, su, user and group management — see `accounts`).

mod accounts;
mod connections;
mod dropbear;
mod fact;
mod journal;
mod remote;

use super::clock::Clock;
use super::syslog::{parse_header, HeaderTime, SyslogLine};
use super::{Emit, LineCtx, LineFormat, LineParser, Parsed, Reject};
use crate::schema::{Event, EventType, Outcome};
use accounts::AccountState;
use connections::{Connection, Connections};
use dropbear::dropbear_message;
use fact::{ecs, Fact};
use journal::JournalRecord;
use remote::{split_from, split_trailing, strip_preauth, Remote};

/// The `ssh` format: syslog or journal JSON lines from an authentication log.
pub struct SshParser {
    clock: Clock,
    accounts: AccountState,
    connections: Connections,
}

/// The `ssh` format.
pub static FORMAT: LineFormat = LineFormat {
    name: "ssh",
    aliases: &[],
    help: "auth.log, secure, journald (syslog text or journalctl -o json)",
    describes: "syslog, journal JSON",
    kinds: &[],
    new_parser: |clock, _| Box::new(SshParser::new(clock)),
};

impl SshParser {
    /// A parser for one input.
    pub fn new(clock: Clock) -> Self {
        SshParser {
            clock,
            accounts: AccountState::default(),
            connections: Connections::default(),
        }
    }

    fn parse_syslog(
        &mut self,
        header: &SyslogLine<'_>,
        line: &str,
        ctx: &LineCtx<'_>,
        emit: &mut Emit<'_>,
    ) -> Result<Parsed, Reject> {
        // A header with no program tag is a line we cannot attribute: the user sees it among
        // the rejects rather than in a count of lines that were not ours.
        if header.program.is_empty() {
            return Err(Reject::new("syslog line without a program tag"));
        }
        let (message, repeat) = unfold_repeated(header.message);
        let sshd = is_sshd(header.program);
        let fact = if sshd {
            self.sshd_with_connection(header, message)
        } else {
            self.recognise_other(header, message)
        };
        let Some(fact) = fact else {
            return Ok(Parsed::Skipped);
        };
        let (timestamp, time_meta) = match header.time {
            HeaderTime::Exact(stamp) => self.clock.exact(stamp),
            HeaderTime::Naive(local) => self.clock.naive(local),
            HeaderTime::YearLess { month, day, time } => self
                .clock
                .yearless(month, day, time)
                .ok_or(Reject::new("impossible date in syslog timestamp"))?,
            HeaderTime::Missing => self.clock.missing(),
        };
        let (module, dataset) = if sshd || base_program(header.program) == "dropbear" {
            ("ssh", "ssh.auth")
        } else {
            ("system", "system.auth")
        };
        let mut event = Event::new(timestamp, module, dataset);
        ctx.stamp(&mut event, line);
        event.message = Some(message);
        event.host.hostname = header.host;
        event.process.name = (!header.program.is_empty()).then_some(header.program);
        event.process.pid = header.pid;
        event.logsentry.time = time_meta;
        fact.apply(&mut event);
        if sshd {
            if let Some(pid) = header.pid {
                self.track_connection(header.host, pid, &fact, &mut event);
            }
        }
        if let Some(times) = repeat {
            event.logsentry.repeated = Some(times);
            event.logsentry.repeated_capped = times > MAX_UNFOLDED;
        }
        for _ in 0..repeat.unwrap_or(1).min(MAX_UNFOLDED) {
            emit(&event);
        }
        Ok(Parsed::Events)
    }

    /// An sshd message; a line that is no event by itself may still be one in the light of
    /// its connection (see [`SshParser::connection_line`]).
    fn sshd_with_connection<'m>(&mut self, header: &SyslogLine<'_>, message: &'m str) -> Option<Fact<'m>> {
        match (sshd_message(message), header.pid) {
            (None, Some(pid)) => self.connection_line(header.host, pid, strip_noise(message)),
            (fact, _) => fact,
        }
    }

    /// One table lookup per sshd event: remember the peer this line names (already parsed
    /// into `source.ip` by [`Fact::apply`]), or give the line the peer named earlier.
    fn track_connection(&mut self, host: Option<&str>, pid: u32, fact: &Fact<'_>, event: &mut Event<'_>) {
        let connection = self.connections.entry(host, pid);
        match event.source.ip {
            Some(ip) => {
                // A line that names its peer is the truth about the connection: a different
                // peer under the same pid is a new connection that reused the pid.
                if connection.peer.map(|(known, _)| known) != Some(ip) {
                    *connection = Connection {
                        peer: Some((ip, event.source.port)),
                        ..Connection::default()
                    };
                }
            }
            None => {
                if fact.outcome == Outcome::Failure {
                    connection.failed_without_peer = true;
                }
                if let (None, Some((ip, port))) = (fact.remote, connection.peer) {
                    event.source.ip = Some(ip);
                    event.source.port = port;
                }
            }
        }
        if fact.event_type == Some(EventType::Success) {
            connection.authenticated = true;
        }
    }

    /// Lines that are events only in the light of the connection: `Connection from` names the
    /// peer (skipped itself); a plain `Connection closed by H` ends a connection that failed
    /// before authenticating and never logged its peer — that close is the failure's address.
    fn connection_line<'m>(&mut self, host: Option<&str>, pid: u32, message: &'m str) -> Option<Fact<'m>> {
        if let Some(rest) = message.strip_prefix("Connection from ") {
            let (peer, _) = rest.split_once(" on ").unwrap_or((rest, ""));
            if let Some((_, remote)) = split_trailing(peer) {
                if let Some(ip) = crate::schema::normalize_ip(remote.host) {
                    self.connections.entry(host, pid).peer = Some((ip, remote.port));
                }
            }
            return None;
        }
        if let Some(rest) = message.strip_prefix("SSH: Server;Ltype: ") {
            // Verbose-mode summary: `...;Remote: 127.0.0.1-1780;...`
            let remote = rest.split(';').find_map(|field| field.strip_prefix("Remote: "))?;
            let (address, port) = remote.rsplit_once('-')?;
            if let Some(ip) = crate::schema::normalize_ip(address) {
                self.connections.entry(host, pid).peer = Some((ip, port.parse().ok()));
            }
            return None;
        }
        let closed = message
            .strip_prefix("Connection closed by ")
            .or_else(|| message.strip_prefix("Connection reset by "))
            .or_else(|| message.strip_prefix("Disconnected from "))?;
        let connection = self.connections.close(host, pid)?;
        if !connection.failed_without_peer || connection.authenticated || connection.peer.is_some() {
            return None;
        }
        let (who, remote) = split_trailing(closed)?;
        who.is_empty()
            .then(|| auth_failure("ssh-preauth-disconnect").remote(remote))
    }

    fn recognise_other<'m>(&mut self, header: &SyslogLine<'_>, message: &'m str) -> Option<Fact<'m>> {
        match base_program(header.program) {
            "dropbear" => dropbear_message(message),
            program => self
                .accounts
                .recognise(program, header.pid, message)
                .or_else(|| pam_any_service(message)),
        }
    }
}

impl LineParser for SshParser {
    fn name(&self) -> &'static str {
        "ssh"
    }

    fn parse(&mut self, line: &str, ctx: &LineCtx<'_>, emit: &mut Emit<'_>) -> Result<Parsed, Reject> {
        if line.starts_with('{') {
            let record = JournalRecord::parse(line).ok_or(Reject::new("not a journal JSON record with a MESSAGE"))?;
            return self.parse_syslog(&record.as_syslog(), line, ctx, emit);
        }
        let header = parse_header(line).ok_or(Reject::new("not a syslog line"))?;
        self.parse_syslog(&header, line, ctx, emit)
    }

    fn advance_clock_to_now(&mut self) {
        self.clock.advance_to_now();
    }
}

fn is_sshd(program: &str) -> bool {
    matches!(base_program(program), "sshd" | "sshd-session" | "sshd-auth")
}

/// `sshd(pam_unix)` → `sshd`, `/usr/sbin/sshd` → `sshd`.
fn base_program(program: &str) -> &str {
    let name = match program.bytes().rposition(|b| b == b'/') {
        Some(slash) => &program[slash + 1..],
        None => program,
    };
    super::split_at_first(name, b'(').map_or(name, |(base, _)| base)
}

/// Events one `message repeated N times` line becomes at most: a hostile line cannot make us
/// write billions of events, and one that claims more is still an event, flagged.
pub const MAX_UNFOLDED: u32 = 100_000;

/// rsyslog folds identical lines into `message repeated N times: [ <message>]`: the message
/// and N (saturated at `u32::MAX` for a count beyond it).
fn unfold_repeated(message: &str) -> (&str, Option<u32>) {
    let Some(rest) = message.strip_prefix("message repeated ") else {
        return (message, None);
    };
    let Some((count, inner)) = rest.split_once(" times: [") else {
        return (message, None);
    };
    let times = match count.parse::<u32>() {
        Ok(times) => Some(times),
        Err(_) if !count.is_empty() && count.bytes().all(|b| b.is_ascii_digit()) => Some(u32::MAX),
        Err(_) => None,
    };
    match (times, inner.trim_end().strip_suffix(']')) {
        (Some(times), Some(inner)) if times >= 1 => (inner.trim_start(), Some(times)),
        _ => (message, None),
    }
}

/// Strips the prefixes sshd and syslog daemons put before the message proper.
pub(super) fn strip_noise(mut message: &str) -> &str {
    loop {
        let before = message;
        for prefix in ["error: ", "fatal: ", "debug1: "] {
            if let Some(rest) = message.strip_prefix(prefix) {
                message = rest;
            }
        }
        // Solaris: `[ID 800047 auth.info] Failed ...`
        if message.starts_with("[ID ") {
            if let Some(close) = message.find("] ") {
                message = &message[close + 2..];
            }
        }
        if message == before {
            return message;
        }
    }
}

const AUTH: &[&str] = ecs::AUTHENTICATION;

fn auth_failure(action: &'static str) -> Fact<'static> {
    Fact::new(action, AUTH, ecs::START, Outcome::Failure)
}

fn connection_failure(action: &'static str) -> Fact<'static> {
    Fact::new(action, ecs::NETWORK, ecs::CONNECTION_DENIED, Outcome::Failure)
}

/// sshd's messages that a defender counts; `None` for the rest (skipped, not rejected).
pub(super) fn sshd_message(message: &str) -> Option<Fact<'_>> {
    let message = strip_noise(message);
    let (first_word, rest) = super::split_at_first(message, b' ').unwrap_or((message, ""));
    match first_word {
        "Failed" => login_attempt(rest, Outcome::Failure),
        "Accepted" => login_attempt(rest, Outcome::Success),
        "Invalid" | "Illegal" => {
            let rest = rest.strip_prefix("user ")?;
            let (user, remote) = split_from(rest.trim_end())?;
            Some(
                auth_failure("ssh-invalid-user")
                    .class(EventType::InvalidUser)
                    .user(user)
                    .remote(remote),
            )
        }
        "User" => user_not_allowed(rest),
        "ROOT" => {
            let after = rest.strip_prefix("LOGIN REFUSED FROM ")?;
            Some(
                auth_failure("ssh-root-login-refused")
                    .class(EventType::Failed)
                    .user("root")
                    .remote(trailing_remote(after)?),
            )
        }
        "PAM:" => pam_error(rest),
        "pam_unix(sshd:auth):" | "(pam_unix)" => pam_auth(rest),
        // `sshd(pam_unix)[pid]:` tags (RedHat) log the PAM message without its prefix.
        "authentication" | "check" => pam_auth(message),
        "maximum" => {
            let rest = rest.strip_prefix("authentication attempts exceeded for ")?;
            let (rest, _) = strip_preauth(rest);
            let (user, remote) = split_from(rest)?;
            let user = user.strip_prefix("invalid user ").unwrap_or(user);
            Some(auth_failure("ssh-max-auth-attempts").user(user).remote(remote))
        }
        "Disconnecting:" | "Disconnecting" => disconnecting(message),
        "Connection" | "Disconnected" => preauth_close(message),
        "Received" => received_disconnect(rest),
        "Did" => {
            let rest = rest.strip_prefix("not receive identification string from ")?;
            let remote = trailing_remote(rest)?;
            Some(connection_failure("ssh-no-identification").remote(remote))
        }
        "Bad" => {
            let rest = rest.strip_prefix("protocol version identification ")?;
            let (version, remote) = split_from(rest)?;
            Some(connection_failure("ssh-bad-protocol").remote(remote).reason(version))
        }
        "Unable" => {
            let rest = rest.strip_prefix("to negotiate ")?;
            let (rest, _) = strip_preauth(rest);
            match rest.strip_prefix("with ") {
                Some(with) => {
                    let (who, why) = with.split_once(": ").unwrap_or((with, ""));
                    let reason = why.split_once(". Their offer").map_or(why, |(reason, _)| reason);
                    Some(
                        connection_failure("ssh-kex-failed")
                            .remote(trailing_remote(who)?)
                            .reason(reason),
                    )
                }
                None => Some(connection_failure("ssh-kex-failed").reason(rest)),
            }
        }
        "no" if rest.starts_with("matching ") => {
            let (rest, _) = strip_preauth(message);
            let reason = rest.split_once(':').map_or(rest, |(reason, _)| reason);
            Some(connection_failure("ssh-kex-failed").reason(reason))
        }
        "banner" => connection_from(rest.strip_prefix("exchange: ")?, "ssh-banner-error"),
        "kex_exchange_identification:" => {
            let (why, _) = strip_preauth(rest);
            Some(connection_failure("ssh-banner-error").reason(why))
        }
        "Read" if rest.starts_with("from socket failed") => {
            let (why, _) = strip_preauth(rest);
            Some(connection_failure("ssh-protocol-error").reason(why))
        }
        "ssh_dispatch_run_fatal:" => connection_from(rest, "ssh-protocol-error"),
        "Timeout" => {
            let rest = rest.strip_prefix("before authentication for ")?;
            let fact = connection_failure("ssh-auth-timeout");
            match rest.strip_prefix("connection from ") {
                Some(legacy) => {
                    let host = legacy.split(' ').next()?;
                    Some(fact.remote(Remote { host, port: None }))
                }
                None => Some(fact.remote(trailing_remote(rest)?)),
            }
        }
        "refused" => {
            // tcp_wrappers: `refused connect from name (address)`
            let rest = rest.strip_prefix("connect from ")?;
            let open = rest.rfind('(')?;
            let host = rest[open + 1..].trim_end().strip_suffix(')')?;
            Some(connection_failure("ssh-connection-refused").remote(Remote { host, port: None }))
        }
        _ => None,
    }
}

/// `Connection from <host> port <p>: <why>[ [preauth]]` as a connection-level failure.
fn connection_from<'m>(text: &'m str, action: &'static str) -> Option<Fact<'m>> {
    let rest = text.strip_prefix("Connection from ")?;
    let (who, why) = rest.split_once(": ")?;
    let (why, _) = strip_preauth(why);
    Some(connection_failure(action).remote(trailing_remote(who)?).reason(why))
}

/// A remote written as `host[ port N]` (after stripping `[preauth]`).
fn trailing_remote(text: &str) -> Option<Remote<'_>> {
    let (text, _) = strip_preauth(text);
    let (before, remote) = split_trailing(text)?;
    before.is_empty().then_some(remote)
}

/// `Failed|Accepted <method> for [invalid user ]<user> from <host> port <port> ssh2[: key]`.
fn login_attempt(rest: &str, outcome: Outcome) -> Option<Fact<'_>> {
    let (method, rest) = super::split_at_first(rest, b' ')?;
    let rest = rest.strip_prefix("for ")?;
    let (rest, _) = strip_preauth(rest);
    let (who, remote) = split_from(rest)?;
    let (user, invalid) = match who
        .strip_prefix("invalid user ")
        .or_else(|| who.strip_prefix("illegal user "))
    {
        Some(user) => (user, true),
        // Solaris hides the name it rejected.
        None if who == "<invalid username>" => ("", true),
        None => (who, false),
    };
    let class = match (outcome, invalid) {
        (Outcome::Success, _) => EventType::Success,
        (_, true) => EventType::InvalidUser,
        (_, false) => EventType::Failed,
    };
    let mut fact = Fact::new("ssh-login", AUTH, ecs::START, outcome)
        .class(class)
        .user(user)
        .remote(remote);
    fact.method = Some(method);
    Some(fact)
}

/// `User <u> from <host> not allowed because <why>` / `User <u> not allowed because <why>`.
fn user_not_allowed(rest: &str) -> Option<Fact<'_>> {
    let (who, why) = rest.rsplit_once(" not allowed because ")?;
    let fact = auth_failure("ssh-user-not-allowed")
        .class(EventType::Failed)
        .reason(why);
    match split_from(who) {
        Some((user, remote)) => Some(fact.user(user).remote(remote)),
        None => Some(fact.user(who)),
    }
}

/// `PAM: Authentication failure for [illegal user ]<u> from <host>`, `PAM: User not known to
/// the underlying authentication module for ...`.
fn pam_error(rest: &str) -> Option<Fact<'_>> {
    if let Some(unknown) = rest.strip_prefix("User not known to the underlying authentication module for ") {
        let (who, remote) = split_from(unknown.trim_end())?;
        let user = who.strip_prefix("illegal user ").unwrap_or(who);
        return Some(
            auth_failure("ssh-auth-failure")
                .class(EventType::InvalidUser)
                .user(user)
                .remote(remote),
        );
    }
    let lower_prefix = rest.get(..15)?;
    if !lower_prefix.eq_ignore_ascii_case("authentication ") {
        return None;
    }
    let rest = rest[15..].split_once(" for ")?.1;
    let (who, remote) = split_from(rest.trim_end())?;
    let (user, class) = match who.strip_prefix("illegal user ") {
        Some(user) => (user, EventType::InvalidUser),
        None => (who, EventType::Failed),
    };
    Some(auth_failure("ssh-auth-failure").class(class).user(user).remote(remote))
}

/// `authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root`
/// and `check pass; user unknown`. `ruser` (before `rhost`) and `user` (last) are chosen by
/// the client, so the address is the last `rhost=` before the last ` user=`.
pub(super) fn pam_auth(rest: &str) -> Option<Fact<'_>> {
    if rest.starts_with("check pass; user unknown") {
        return Some(auth_failure("ssh-pam-user-unknown").class(EventType::InvalidUser));
    }
    let fields = rest.strip_prefix("authentication failure;")?;
    let mut fact = auth_failure("ssh-pam-auth-failure").class(EventType::Failed);
    let (before_user, user) = match fields.rfind(" user=") {
        Some(at) => (&fields[..at], Some(fields[at + 6..].trim())),
        None => (fields, None),
    };
    let rhost_field = before_user.rfind(" rhost=").or_else(|| fields.rfind(" rhost="));
    if let Some(at) = rhost_field {
        let host = fields[at + 7..].split_ascii_whitespace().next().unwrap_or("");
        if !host.is_empty() && !host.contains('=') {
            fact = fact.remote(Remote { host, port: None });
        }
    }
    if let Some(user) = user {
        fact = fact.user(user);
    }
    Some(fact)
}

/// A PAM authentication failure from any service (ftp, login, a daemon): a failed login
/// all the same, e.g. `pam_unix(proftpd:auth): authentication failure; ... rhost=h`.
fn pam_any_service(message: &str) -> Option<Fact<'_>> {
    let rest = match message.strip_prefix("pam_unix(") {
        Some(rest) => rest.split_once("): ")?.1,
        None => message.strip_prefix("(pam_unix) ")?,
    };
    let mut fact = pam_auth(rest)?;
    if fact.action == "ssh-pam-auth-failure" {
        fact.action = "pam-auth-failure";
    } else {
        fact.action = "pam-user-unknown";
    }
    Some(fact)
}

/// `Disconnecting: Too many authentication failures [for <u>]` and
/// `Disconnecting (invalid|authenticating) user <u> <host> port <p>: <why>`.
fn disconnecting(message: &str) -> Option<Fact<'_>> {
    let (message, _) = strip_preauth(message);
    if let Some(why) = message.strip_prefix("Disconnecting: ") {
        let (why, user) = match why.split_once(" for ") {
            Some((why, user)) => (why, Some(user)),
            None => (why, None),
        };
        let action = if why.starts_with("Too many authentication failures") {
            "ssh-too-many-auth-failures"
        } else {
            "ssh-disconnect"
        };
        let fact = auth_failure(action).reason(why);
        return Some(match user {
            Some(user) => fact.user(user),
            None => fact,
        });
    }
    let rest = message.strip_prefix("Disconnecting ")?;
    let rest = rest
        .strip_prefix("invalid user ")
        .or_else(|| rest.strip_prefix("authenticating user "))?;
    let (who, why) = rest.split_once(": ")?;
    let (user, remote) = split_trailing(who)?;
    let action = if why.starts_with("Too many authentication failures") {
        "ssh-too-many-auth-failures"
    } else {
        "ssh-disconnect"
    };
    Some(auth_failure(action).user(user).remote(remote).reason(why))
}

/// `Connection closed by`, `Connection reset by`, `Disconnected from` — a failure only when
/// the client left before authenticating (`[preauth]`); a normal logout is skipped.
fn preauth_close(message: &str) -> Option<Fact<'_>> {
    let (message, preauth) = strip_preauth(message);
    if !preauth {
        return None;
    }
    let rest = message
        .strip_prefix("Connection closed by ")
        .or_else(|| message.strip_prefix("Connection reset by "))
        .or_else(|| message.strip_prefix("Disconnected from "))?;
    let (who, remote) = split_trailing(rest)?;
    let user = who
        .strip_prefix("invalid user ")
        .or_else(|| who.strip_prefix("authenticating user "))
        .or_else(|| who.strip_prefix("user "));
    let fact = auth_failure("ssh-preauth-disconnect").remote(remote);
    Some(match user {
        Some(user) => fact.user(user),
        None => fact,
    })
}

/// `Received disconnect from <host>[ port <p>]:<code>: <text>[ [preauth]]`. Counted when the
/// client gave up before authenticating, or said why (3: auth fail, 14: no methods).
fn received_disconnect(rest: &str) -> Option<Fact<'_>> {
    let rest = rest.strip_prefix("disconnect from ")?;
    let (rest, preauth) = strip_preauth(rest);
    let (remote, after) = match rest.split_once(" port ") {
        Some((host, after)) => {
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            let port = after[..digits].parse().ok();
            (Remote { host, port }, &after[digits..])
        }
        None => {
            let (host, after) = rest.split_once(": ")?;
            (Remote { host, port: None }, after)
        }
    };
    let after = after.trim_start_matches([':', ' ']);
    let (code, text) = after.split_once(':').unwrap_or((after, ""));
    let counted = preauth || matches!(code.trim(), "3" | "14");
    // Its own action: sshd follows it with `Disconnected from` for the same connection, and
    // two kinds of message from one process are one attempt.
    counted.then(|| auth_failure("ssh-disconnect-received").remote(remote).reason(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(message: &str) -> Fact<'_> {
        sshd_message(message).unwrap_or_else(|| panic!("not recognised: {message}"))
    }

    #[test]
    fn login_attempts() {
        let failed = fact("Failed password for invalid user ROOT from 194.117.26.69 port 50273 ssh2");
        assert_eq!(
            (failed.event_type, failed.user),
            (Some(EventType::InvalidUser), Some("ROOT"))
        );
        assert_eq!(
            failed.remote,
            Some(Remote {
                host: "194.117.26.69",
                port: Some(50273)
            })
        );
        assert_eq!(failed.method, Some("password"));
        let accepted = fact("Accepted publickey for git from 192.0.2.1 port 57904 ssh2: DSA 36:48:xx");
        assert_eq!(
            (accepted.event_type, accepted.outcome),
            (Some(EventType::Success), Outcome::Success)
        );
        let solaris = fact("[ID 800047 auth.info] Failed keyboard-interactive for <invalid username> from 205.186.180.55 port 42742 ssh2");
        assert_eq!((solaris.event_type, solaris.user), (Some(EventType::InvalidUser), None));
        let empty = fact("Invalid user  from 192.0.2.68 port 34916");
        assert_eq!((empty.user, empty.event_type), (None, Some(EventType::InvalidUser)));
    }

    #[test]
    fn refusals_and_connection_failures() {
        let refused = fact("ROOT LOGIN REFUSED FROM ::ffff:1.2.3.4");
        assert_eq!(refused.remote.map(|r| r.host), Some("::ffff:1.2.3.4"));
        let not_allowed =
            fact("User root from 10.0.0.40 not allowed because none of user's groups are listed in AllowGroups");
        assert_eq!(
            (not_allowed.user, not_allowed.reason),
            (Some("root"), Some("none of user's groups are listed in AllowGroups"))
        );
        let closed =
            fact("Connection closed by authenticating user test 127.0.0.1 port 12345 192.0.2.11 port 46039 [preauth]");
        assert_eq!(
            closed.remote,
            Some(Remote {
                host: "192.0.2.11",
                port: Some(46039)
            })
        );
        assert_eq!(closed.user, Some("test 127.0.0.1 port 12345"));
        let kex = fact("fatal: Unable to negotiate with 192.0.2.2 port 55419: no matching key exchange method found. Their offer: dh");
        assert_eq!(kex.reason, Some("no matching key exchange method found"));
        let disconnect = fact("error: Received disconnect from 192.168.2.92 port 1684:14: No supported authentication methods available [preauth]");
        assert_eq!(
            disconnect.remote,
            Some(Remote {
                host: "192.168.2.92",
                port: Some(1684)
            })
        );
        let old = fact("Received disconnect from 94.249.236.6: 3: com.jcraft.jsch.JSchException: Auth fail");
        assert_eq!(old.remote.map(|r| r.host), Some("94.249.236.6"));
        let wrappers = fact("refused connect from _U2Fsd_@::ffff:218.249.210.161 (::ffff:218.249.210.161)");
        assert_eq!(wrappers.remote.map(|r| r.host), Some("::ffff:218.249.210.161"));
        let bad =
            fact("Bad protocol version identification 'dummy string' from 192.0.2.1' from 69.61.56.115 port 31778");
        assert_eq!(bad.remote.map(|r| r.host), Some("69.61.56.115"));
    }

    #[test]
    fn skipped_messages() {
        for message in [
            "Connection closed by 192.0.2.5",
            "Postponed publickey for git from 192.0.2.1 port 57904 ssh2 [preauth]",
            "pam_unix(sshd:session): session opened for user known by (uid=0)",
            "Received disconnect from 10.0.0.1 port 22:11: disconnected by user",
            "Server listening on 0.0.0.0 port 22.",
            "Address 1.2.3.4 maps to x, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!",
        ] {
            assert_eq!(sshd_message(message), None, "{message}");
        }
    }

    #[test]
    fn pam_address_resists_injection() {
        let ruser_injected = pam_auth(
            "authentication failure; logname= uid=0 euid=0 tty=xxx ruser=test rhost=192.0.2.151 rhost=192.0.2.1",
        )
        .expect("pam");
        assert_eq!(ruser_injected.remote.map(|r| r.host), Some("192.0.2.1"));
        let user_injected = pam_auth(
            "authentication failure; logname= uid=0 euid=0 tty=xxx ruser= rhost=192.0.2.2 user=test rhost=192.0.2.152",
        )
        .expect("pam");
        assert_eq!(user_injected.remote.map(|r| r.host), Some("192.0.2.2"));
        let generic = pam_any_service(
            "(pam_unix) authentication failure; logname= uid=0 euid=0 tty= ruser= rhost=66.232.129.62  user=mark",
        )
        .expect("pam");
        assert_eq!((generic.action, generic.user), ("pam-auth-failure", Some("mark")));
    }

    #[test]
    fn repeated_messages_unfold() {
        assert_eq!(
            unfold_repeated("message repeated 5 times: [ Failed password for root from 1.2.3.4 port 22 ssh2]"),
            ("Failed password for root from 1.2.3.4 port 22 ssh2", Some(5))
        );
        assert_eq!(
            unfold_repeated("message repeated 9999999 times: [ x]"),
            ("x", Some(9_999_999))
        );
        assert_eq!(
            unfold_repeated("message repeated 99999999999999999999999 times: [ x]"),
            ("x", Some(u32::MAX))
        );
        assert_eq!(unfold_repeated("message repeated 0 times: [ x]").1, None);
        assert_eq!(base_program("sshd(pam_unix)"), "sshd");
        assert_eq!(base_program("/usr/sbin/sshd"), "sshd");
    }
}
