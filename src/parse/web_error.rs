//! Apache and nginx error logs: the lines fail2ban's apache-auth, nginx-http-auth and
//! nginx-limit-req filters read. A refused HTTP authentication is a login failure
//! (`logsentry.event_type`, so the brute-force rules count it), a request nginx's limit
//! refused an event of its own; every other well-formed error line is skipped.
//!
//! Apache: `[Thu Mar 13 19:04:13.123456 2014] [auth_basic:error] [pid 4205] [client
//! 192.0.2.1:51234] AH01617: user bob: authentication failure for "/": Password Mismatch`.
//! nginx: `2026/03/11 10:00:00 [error] 1234#0: *5 user "bob": password mismatch, client:
//! 192.0.2.1, server: x, request: "GET / HTTP/1.1", host: "x"`.

use super::clock::Clock;
use super::syslog::HeaderTime;
use super::{Emit, LineCtx, LineFormat, LineParser, Parsed, Reject};
use crate::schema::{Event, EventType, Outcome};
use crate::time::{month_from_abbrev, parse_digits};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// The format's entry in the registry.
pub static FORMAT: LineFormat = LineFormat {
    name: "apache-error",
    aliases: &["nginx-error"],
    help: "Apache and nginx error logs (refused HTTP authentication, request limiting)",
    describes: "web error",
    kinds: &[],
    new_parser: |clock, _| Box::new(WebErrorParser { clock }),
};

const AUTHENTICATION: &[&str] = &["authentication"];
const START: &[&str] = &["start"];
const WEB: &[&str] = &["web"];
const DENIED: &[&str] = &["denied"];

/// Reads Apache and nginx error logs.
pub struct WebErrorParser {
    clock: Clock,
}

/// What one error line says, borrowed from it.
#[derive(Debug, Default, PartialEq, Eq)]
struct ErrorLine<'a> {
    time: Option<NaiveDateTime>,
    level: Option<&'a str>,
    client: Option<&'a str>,
    message: &'a str,
}

/// What a message means to us.
#[derive(Debug, PartialEq, Eq)]
enum Meaning<'a> {
    /// HTTP authentication refused: the user tried (if the server says), whether the name
    /// exists, and the reason as logged.
    AuthFailed {
        user: Option<&'a str>,
        unknown_user: bool,
        reason: &'a str,
    },
    /// The server's configuration or an authorisation rule refused the client, whoever it
    /// is: no credential was guessed.
    AccessDenied { user: Option<&'a str> },
    /// nginx's `limit_req` or `limit_conn` refused (or delayed) a request.
    RateLimited,
}

impl LineParser for WebErrorParser {
    fn name(&self) -> &'static str {
        FORMAT.name
    }

    /// Apache's lines open with `[`, nginx's with a `YYYY/` date, here or after a syslog
    /// tag's `: `.
    fn sniff(&self, line: &str) -> bool {
        let bytes = line.as_bytes();
        let opens_a_line = |text: &[u8]| {
            text.first() == Some(&b'[')
                || (text.get(..4).is_some_and(|year| year.iter().all(u8::is_ascii_digit)) && text.get(4) == Some(&b'/'))
        };
        opens_a_line(bytes) || memchr::memmem::find_iter(bytes, b": ").any(|at| opens_a_line(&bytes[at + 2..]))
    }

    fn parse(&mut self, line: &str, ctx: &LineCtx<'_>, emit: &mut Emit<'_>) -> Result<Parsed, Reject> {
        let (error, header) = match apache_line(line).or_else(|| nginx_line(line)) {
            Some(error) => (error, None),
            // Through syslog (`httpd[22034]: [authz_core:error] ...`): the header has the time.
            None => {
                let header = super::syslog::parse_header(line)
                    .filter(|header| !header.program.is_empty())
                    .ok_or(Reject::new("not an Apache or nginx error log line"))?;
                let error = apache_fields(header.message, None)
                    .or_else(|| nginx_line(header.message))
                    .ok_or(Reject::new("not an Apache or nginx error log line"))?;
                (error, Some(header))
            }
        };
        let Some(meaning) = meaning(error.message) else {
            return Ok(Parsed::Skipped);
        };
        let (timestamp, time_meta) = match (error.time, header.as_ref().map(|header| header.time)) {
            (Some(time), _) => self.clock.naive(time),
            (None, Some(HeaderTime::Exact(stamp))) => self.clock.exact(stamp),
            (None, Some(HeaderTime::Naive(local))) => self.clock.naive(local),
            (None, Some(HeaderTime::YearLess { month, day, time })) => self
                .clock
                .yearless(month, day, time)
                .ok_or(Reject::new("impossible date in syslog timestamp"))?,
            (None, _) => return Err(Reject::new("bad timestamp in error log line")),
        };
        let mut event = Event::new(timestamp, "web", "web.error");
        ctx.stamp(&mut event, line);
        event.logsentry.time = time_meta;
        event.message = Some(error.message);
        event.log.level = error.level;
        if let Some(header) = &header {
            event.host.hostname = header.host;
            event.process.name = (!header.program.is_empty()).then_some(header.program);
            event.process.pid = header.pid;
        }
        if let Some(client) = error.client {
            event.source.set_host(client);
        }
        match meaning {
            Meaning::AuthFailed {
                user,
                unknown_user,
                reason,
            } => {
                event.event.action = "http-auth-failed";
                event.event.category = AUTHENTICATION;
                event.event.types = START;
                event.event.outcome = Outcome::Failure;
                event.event.reason = Some(reason);
                event.user.name = user.filter(|name| !name.is_empty());
                event.logsentry.event_type = Some(if unknown_user {
                    EventType::InvalidUser
                } else {
                    EventType::Failed
                });
            }
            Meaning::AccessDenied { user } => {
                event.event.action = "http-access-denied";
                event.event.category = WEB;
                event.event.types = DENIED;
                event.event.outcome = Outcome::Failure;
                event.user.name = user.filter(|name| !name.is_empty());
            }
            Meaning::RateLimited => {
                event.event.action = "http-rate-limited";
                event.event.category = WEB;
                event.event.types = DENIED;
                event.event.outcome = Outcome::Failure;
            }
        }
        emit(&event);
        Ok(Parsed::Events)
    }

    fn advance_clock_to_now(&mut self) {
        self.clock.advance_to_now();
    }
}

/// `[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] message` (2.2) or with
/// `[module:level] [pid N:tid M] [client ip:port]` (2.4).
fn apache_line(line: &str) -> Option<ErrorLine<'_>> {
    let rest = line.strip_prefix('[')?;
    let (stamp, rest) = rest.split_once("] ")?;
    apache_fields(rest, Some(apache_time(stamp)?))
}

/// The bracketed fields after the time (`[level] [pid ...] [client ...]`) and the message.
/// `[remote ip]` is the peer behind a proxy, the client when no `[client]` is logged.
fn apache_fields(mut rest: &str, time: Option<NaiveDateTime>) -> Option<ErrorLine<'_>> {
    let mut error = ErrorLine {
        time,
        ..ErrorLine::default()
    };
    let mut remote = None;
    while let Some(field) = rest.strip_prefix('[') {
        // An IPv6 client is bracketed inside its field: `[client [2001:db8::1]:443]`.
        let end = if field.starts_with("client [") {
            field
                .find("]:")
                .and_then(|at| field[at + 2..].find(']').map(|end| at + 2 + end))
        } else {
            field.find(']')
        }?;
        let content = &field[..end];
        let after = &field[end + 1..];
        rest = after.strip_prefix(' ').unwrap_or(after);
        if let Some(client) = content.strip_prefix("client ") {
            error.client = Some(without_port(client));
        } else if let Some(peer) = content.strip_prefix("remote ") {
            remote = Some(without_port(peer));
        } else if !content.starts_with("pid ") && error.level.is_none() {
            error.level = Some(content.rsplit_once(':').map_or(content, |(_, level)| level));
        }
    }
    error.level?;
    error.client = error.client.or(remote);
    error.message = strip_apache_code(rest);
    Some(error)
}

/// `Wed Oct 11 14:32:52 2000` or `Thu Mar 13 19:04:13.123456 2014`.
fn apache_time(stamp: &str) -> Option<NaiveDateTime> {
    let mut words = stamp.split_ascii_whitespace();
    let _weekday = words.next()?;
    let month = month_from_abbrev(words.next()?.as_bytes())?;
    let day = parse_digits(words.next()?.as_bytes())?;
    let clock = words.next()?;
    let year = i32::try_from(parse_digits(words.next()?.as_bytes())?).ok()?;
    let (hms, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    let time = NaiveTime::parse_from_str(hms, "%H:%M:%S").ok()?;
    let micros = if fraction.is_empty() {
        0
    } else {
        parse_digits(fraction.get(..fraction.len().min(6))?.as_bytes())?
    };
    let time = time.with_nanosecond(micros.saturating_mul(1000))?;
    Some(NaiveDate::from_ymd_opt(year, month, day)?.and_time(time))
}

use chrono::Timelike;

/// `192.0.2.1:51234` → `192.0.2.1`; `2001:db8::1` and `[2001:db8::1]:443` as the address.
fn without_port(client: &str) -> &str {
    if let Some(bracketed) = client.strip_prefix('[') {
        return bracketed.split_once(']').map_or(bracketed, |(address, _)| address);
    }
    match client.rsplit_once(':') {
        Some((address, port)) if !address.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => address,
        _ => client,
    }
}

/// Apache 2.4 numbers its messages (`AH01617: `).
fn strip_apache_code(message: &str) -> &str {
    let bytes = message.as_bytes();
    let numbered = bytes.starts_with(b"AH")
        && bytes
            .get(2..7)
            .is_some_and(|digits| digits.iter().all(u8::is_ascii_digit))
        && bytes.get(7..9) == Some(b": ");
    if numbered {
        &message[9..]
    } else {
        message
    }
}

/// `2026/03/11 10:00:00 [error] 1234#0: *5 message, client: 192.0.2.1, server: ...`.
fn nginx_line(line: &str) -> Option<ErrorLine<'_>> {
    let stamp = line.get(..19)?;
    let time = Some(NaiveDateTime::parse_from_str(stamp, "%Y/%m/%d %H:%M:%S").ok()?);
    let rest = line.get(19..)?.strip_prefix(" [")?;
    let (level, rest) = rest.split_once("] ")?;
    // `pid#tid: ` and, for a request's messages, `*connection `.
    let (_process, rest) = rest.split_once(": ")?;
    let rest = match rest.strip_prefix('*') {
        Some(numbered) => numbered.split_once(' ').map_or(numbered, |(_, message)| message),
        None => rest,
    };
    // nginx appends the request's context; the client is the first of it. A user name or
    // a request line could hold `, client: ` too, but inside their quotes.
    let (message, client) = match context_start(rest) {
        Some(at) => {
            let context = &rest[at + CLIENT.len()..];
            (
                &rest[..at],
                Some(context.split_once(", ").map_or(context, |(client, _)| client)),
            )
        }
        None => (rest, None),
    };
    Some(ErrorLine {
        time,
        level: Some(level),
        client: client.map(without_port),
        message,
    })
}

/// Where nginx's context begins.
const CLIENT: &str = ", client: ";

/// The first `, client: ` outside double quotes in `text`, where nginx's context begins.
fn context_start(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut quoted = false;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 1,
            b'"' => quoted = !quoted,
            b',' if !quoted && bytes[at..].starts_with(CLIENT.as_bytes()) => return Some(at),
            _ => {}
        }
        at += 1;
    }
    None
}

/// What `message` (an error line's text) means, if it is one we count.
fn meaning(message: &str) -> Option<Meaning<'_>> {
    // nginx: `user "bob": password mismatch`, `user "bob" was not found in "/etc/..."`.
    if let Some(rest) = message.strip_prefix("user \"") {
        if let Some((user, reason)) = rest.rsplit_once("\": ") {
            return Some(Meaning::AuthFailed {
                user: Some(user),
                unknown_user: false,
                reason,
            });
        }
        if let Some((user, _file)) = rest.rsplit_once("\" was not found in \"") {
            return Some(Meaning::AuthFailed {
                user: Some(user),
                unknown_user: true,
                reason: "user not found",
            });
        }
    }
    if message.starts_with("no user/password was provided for basic authentication") {
        return Some(Meaning::AuthFailed {
            user: None,
            unknown_user: false,
            reason: "no user/password was provided",
        });
    }
    if ["limiting requests", "delaying request", "limiting connections"]
        .iter()
        .any(|start| message.starts_with(start))
    {
        return Some(Meaning::RateLimited);
    }
    // nginx through PAM: `PAM: user 'bob' - not authenticated: Authentication failure`.
    if let Some(rest) = message.strip_prefix("PAM: user '") {
        let (user, reason) = rest.rsplit_once("' - not authenticated: ")?;
        return Some(Meaning::AuthFailed {
            user: Some(user),
            unknown_user: false,
            reason,
        });
    }
    if message.starts_with("client denied by server configuration") {
        return Some(Meaning::AccessDenied { user: None });
    }
    if let Some(rest) = message.strip_prefix("Authorization of user ") {
        let (user, _) = rest.split_once(" to access ")?;
        return Some(Meaning::AccessDenied { user: Some(user) });
    }
    if message.starts_with("client used wrong authentication scheme") {
        return Some(Meaning::AuthFailed {
            user: None,
            unknown_user: false,
            reason: "wrong authentication scheme",
        });
    }
    // Digest authentication: `Digest: user `bob' in realm `x' not found`, and the nonce,
    // realm, qop and algorithm a forged answer gets wrong.
    let digest = message.strip_prefix("Digest: ").unwrap_or(message);
    if let Some(rest) = digest.strip_prefix("user `") {
        let (user, after) = rest.split_once('\'')?;
        if after.ends_with("not found") || after.contains(" not found:") {
            return Some(Meaning::AuthFailed {
                user: Some(user),
                unknown_user: true,
                reason: "user not found",
            });
        }
    }
    const DIGEST_FAILURES: &[&str] = &["invalid nonce", "invalid qop", "realm mismatch", "unknown algorithm"];
    if DIGEST_FAILURES.iter().any(|start| digest.starts_with(start)) {
        return Some(Meaning::AuthFailed {
            user: None,
            unknown_user: false,
            reason: digest.split_once(' ').map_or(digest, |(first, _)| first),
        });
    }
    // Apache: `user bob: authentication failure for "/x": Password Mismatch`,
    // `user bob not found: /x`.
    let rest = message.strip_prefix("user ")?;
    if let Some((user, after)) = rest.split_once(": authentication failure for ") {
        let reason = after
            .rsplit_once("\": ")
            .map_or("authentication failure", |(_, reason)| reason);
        return Some(Meaning::AuthFailed {
            user: Some(user),
            unknown_user: false,
            reason,
        });
    }
    if let Some((user, _)) = rest.split_once(": authorization failure for ") {
        return Some(Meaning::AccessDenied { user: Some(user) });
    }
    if let Some((user, _)) = rest.split_once(": password mismatch") {
        return Some(Meaning::AuthFailed {
            user: Some(user),
            unknown_user: false,
            reason: "password mismatch",
        });
    }
    let (user, _) = rest.split_once(" not found")?;
    Some(Meaning::AuthFailed {
        user: Some(user),
        unknown_user: true,
        reason: "user not found",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apache_lines_of_both_generations() {
        let old = apache_line(
            "[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] user bob: authentication failure for \"/private\": Password Mismatch",
        )
        .expect("2.2");
        assert_eq!((old.level, old.client), (Some("error"), Some("127.0.0.1")));
        assert_eq!(
            meaning(old.message),
            Some(Meaning::AuthFailed {
                user: Some("bob"),
                unknown_user: false,
                reason: "Password Mismatch"
            })
        );
        let new = apache_line(
            "[Thu Mar 13 19:04:13.123456 2014] [auth_basic:error] [pid 4205:tid 3075] [client 192.0.2.1:51234] AH01618: user alice not found: /x",
        )
        .expect("2.4");
        assert_eq!(new.client, Some("192.0.2.1"));
        assert_eq!(new.level, Some("error"));
        assert_eq!(
            new.time.map(|time| time.to_string()).as_deref(),
            Some("2014-03-13 19:04:13.123456")
        );
        assert!(matches!(
            meaning(new.message),
            Some(Meaning::AuthFailed { unknown_user: true, .. })
        ));
        let ipv6 = apache_line("[Thu Mar 13 19:04:13 2014] [core:error] [client 2001:db8::1] AH00126: Invalid URI")
            .expect("ipv6");
        assert_eq!(ipv6.client, Some("2001:db8::1"));
        assert_eq!(meaning(ipv6.message), None);
    }

    #[test]
    fn nginx_lines_and_the_client_nginx_wrote() {
        let mismatch = nginx_line(
            "2026/03/11 10:00:00 [error] 1234#0: *5 user \"bob\": password mismatch, client: 192.0.2.1, server: x, request: \"GET / HTTP/1.1\", host: \"x\"",
        )
        .expect("nginx");
        assert_eq!(mismatch.client, Some("192.0.2.1"));
        assert_eq!(
            meaning(mismatch.message),
            Some(Meaning::AuthFailed {
                user: Some("bob"),
                unknown_user: false,
                reason: "password mismatch"
            })
        );
        let missing = nginx_line("2026/03/11 10:00:01 [error] 1234#0: *6 user \"eve\" was not found in \"/etc/nginx/.htpasswd\", client: 192.0.2.2, server: x").expect("nginx");
        assert!(matches!(
            meaning(missing.message),
            Some(Meaning::AuthFailed { unknown_user: true, .. })
        ));
        let limited = nginx_line("2026/03/11 10:00:02 [error] 1234#0: *7 limiting requests, excess: 10.520 by zone \"one\", client: 192.0.2.3, server: x").expect("nginx");
        assert_eq!(
            (meaning(limited.message), limited.client),
            (Some(Meaning::RateLimited), Some("192.0.2.3"))
        );
        // A user name or a request that carries a fake client: nginx's is outside quotes.
        let forged = nginx_line("2026/03/11 10:00:03 [error] 1#0: *8 user \"x, client: 6.6.6.6\": password mismatch, client: 192.0.2.4, server: x").expect("nginx");
        assert_eq!(forged.client, Some("192.0.2.4"));
        let in_request = nginx_line("2026/03/11 10:00:04 [error] 1#0: *9 no user/password was provided for basic authentication, client: 192.0.2.5, server: x, request: \"GET /?, client: 6.6.6.6 HTTP/1.1\"").expect("nginx");
        assert_eq!(in_request.client, Some("192.0.2.5"));
        assert_eq!(nginx_line("2026/03/11 [error] x"), None);
    }
}
