//! Raw log lines → normalised [`Event`]s. One file per source format behind [`LineParser`];
//! [`Format`] is the explicit registry. A parser never judges: it says what the log says.

mod accounts;
mod auto;
mod clock;
mod connections;
mod dropbear;
pub mod evtx;
mod fact;
mod journal;
mod json_scan;
mod mysql;
mod remote;
mod ssh;
mod syslog;
mod web_access;

pub use auto::AutoParser;
pub use clock::{Clock, ClockConfig};
pub use mysql::{MysqlKind, MysqlParser};
pub use ssh::SshParser;
pub use web_access::WebAccessParser;

use crate::schema::Event;
use std::net::{IpAddr, Ipv6Addr};

/// The formats `ls-parse` understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// auth.log / secure / journald: sshd plus sudo, su and account management.
    Ssh,
    /// Apache/nginx access logs: Common, Combined, with or without a virtual host.
    WebAccess,
    /// Windows event logs (`.evtx`, binary): records, not lines (see `ingest::evtx`).
    Evtx,
    /// MySQL/MariaDB error, general and slow logs; the kind given, or sniffed per input.
    Mysql(Option<MysqlKind>),
    /// Sniff each input (an EVTX file by its header) and each line, remembering what the
    /// input turned out to be.
    Auto,
}

impl Format {
    /// A fresh line parser for one input: each input keeps its own clock and state. `None`
    /// for a binary format.
    pub fn line_parser(self, clock: Clock) -> Option<Box<dyn LineParser>> {
        Some(match self {
            Format::Ssh => Box::new(SshParser::new(clock)),
            Format::WebAccess => Box::new(WebAccessParser::new(clock)),
            Format::Mysql(kind) => Box::new(MysqlParser::new(clock, kind)),
            Format::Auto => Box::new(AutoParser::new(clock)),
            Format::Evtx => return None,
        })
    }
}

/// What a parser made of one line that it accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// One or more events were emitted.
    Events,
    /// A well-formed line of this format that is not security-relevant (CRON, a logout).
    Skipped,
}

/// A line the parser could not read as its format; the reason is shown to the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Reject {
    /// Why, in a few words (`not a syslog line`).
    pub reason: &'static str,
}

impl Reject {
    /// A rejection with a reason.
    pub const fn new(reason: &'static str) -> Self {
        Reject { reason }
    }
}

/// Where a line came from, and what every event from it carries.
#[derive(Clone, Copy, Debug)]
pub struct LineCtx<'a> {
    /// The input path (`None` for stdin).
    pub path: Option<&'a str>,
    /// 1-based line number within the input.
    pub line_no: u64,
    /// Keep the line as `event.original`.
    pub keep_original: bool,
    /// The line had invalid UTF-8 that was escaped.
    pub invalid_utf8: bool,
}

impl<'a> LineCtx<'a> {
    /// Fills the fields every event from this line carries.
    pub fn stamp<'l>(&self, event: &mut Event<'l>, line: &'l str)
    where
        'a: 'l,
    {
        event.log.file.path = self.path;
        event.logsentry.line = self.line_no;
        event.logsentry.invalid_utf8 = self.invalid_utf8;
        if self.keep_original {
            event.event.original = Some(line);
        }
    }
}

/// The receiver of a parser's events; called once per event, in order. Events may borrow
/// from anything alive during the call (the line, a decoded journal record).
pub type Emit<'e> = dyn for<'x> FnMut(&Event<'x>) + 'e;

/// One source format. A parser is created per input and keeps per-input state (its clock).
pub trait LineParser {
    /// The format's name as the user types it.
    fn name(&self) -> &'static str;

    /// Parses one line (without its line terminator), emitting zero or more events.
    fn parse(&mut self, line: &str, ctx: &LineCtx<'_>, emit: &mut Emit<'_>) -> Result<Parsed, Reject>;

    /// The input has caught up with a live file: infer years relative to the wall clock
    /// from now on, not the file's old modification time.
    fn advance_clock_to_now(&mut self);

    /// Whether a record is still being assembled: formats whose records span lines (MySQL's)
    /// hold each one until the next begins.
    fn holds_record(&self) -> bool {
        false
    }

    /// Emits the record still being assembled, if any. Called at the end of an input, and
    /// when a followed input has been quiet for a moment.
    fn flush(&mut self, _ctx: &LineCtx<'_>, _emit: &mut Emit<'_>) {}
}

/// An IP address as text → normalised: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes IPv4,
/// brackets and an IPv6 zone (`%eth0`) are dropped. `None` if it is not an address.
pub fn normalize_ip(text: &str) -> Option<IpAddr> {
    if let Some(v4) = parse_ipv4(text.as_bytes()) {
        return Some(IpAddr::V4(v4));
    }
    if !text.contains(':') {
        return None;
    }
    let text = text
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .unwrap_or(text);
    let text = text.split_once('%').map_or(text, |(address, _zone)| address);
    match text.parse::<IpAddr>().ok()? {
        IpAddr::V6(v6) => Some(unmap(v6)),
        v4 => Some(v4),
    }
}

/// Dotted-quad IPv4, strictly (no leading zeros, as the standard parser): the common case,
/// parsed an octet at a time without the general parser's cost.
fn parse_ipv4(bytes: &[u8]) -> Option<std::net::Ipv4Addr> {
    if !(7..=15).contains(&bytes.len()) {
        return None;
    }
    let mut octets = [0u8; 4];
    let mut rest = bytes;
    for (index, octet) in octets.iter_mut().enumerate() {
        let (value, used) = parse_octet(rest)?;
        *octet = value;
        rest = rest.get(used..)?;
        if index < 3 {
            rest = rest.strip_prefix(b".")?;
        }
    }
    rest.is_empty().then(|| std::net::Ipv4Addr::from(octets))
}

/// One decimal octet at the start of `bytes`: its value and how many digits it took.
fn parse_octet(bytes: &[u8]) -> Option<(u8, usize)> {
    let digit = |at: usize| bytes.get(at).map(|b| b.wrapping_sub(b'0')).filter(|d| *d < 10);
    let first = digit(0)?;
    let Some(second) = digit(1) else {
        return Some((first, 1));
    };
    if first == 0 {
        return None;
    }
    let Some(third) = digit(2) else {
        return Some((first * 10 + second, 2));
    };
    let value = u16::from(first) * 100 + u16::from(second) * 10 + u16::from(third);
    if digit(3).is_some() {
        return None;
    }
    Some((u8::try_from(value).ok()?, 3))
}

fn unmap(v6: Ipv6Addr) -> IpAddr {
    match v6.to_ipv4_mapped() {
        Some(v4) => IpAddr::V4(v4),
        None => IpAddr::V6(v6),
    }
}

/// `text` split around the first `byte`, an ASCII byte (so both halves stay valid UTF-8).
/// A plain loop on purpose: the words this splits are a few bytes long, where a vectorised
/// search spends more on setting up than it saves.
pub(crate) fn split_at_first(text: &str, byte: u8) -> Option<(&str, &str)> {
    debug_assert!(byte.is_ascii());
    let at = text.bytes().position(|b| b == byte)?;
    Some((text.get(..at)?, text.get(at + 1..)?))
}

/// Whether text can be a DNS host name (letters, digits, `-`, `_`, `.`; not all digits).
pub fn looks_like_hostname(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 253
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
        && text.bytes().any(|b| b.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_normalisation() {
        assert_eq!(normalize_ip("::ffff:1.2.3.4"), "1.2.3.4".parse().ok());
        assert_eq!(normalize_ip("2001:DB8:0:0::1"), "2001:db8::1".parse().ok());
        assert_eq!(
            normalize_ip("[fe80::1%eth0]").map(|ip| ip.to_string()),
            Some("fe80::1".to_string())
        );
        assert_eq!(normalize_ip("192.030.0.6"), None);
        for text in [
            "0.0.0.0",
            "255.255.255.255",
            "10.0.0.1",
            "256.1.1.1",
            "1.2.3",
            "1.2.3.4.5",
            "01.2.3.4",
            "1..2.3",
            "1.2.3.",
            "a.b.c.d",
            "1.2.3.04",
            "1.2.3.255",
            "1.2.3.2555",
            "1.2.300.4",
            "9.99.199.249",
            "1.2.3.4 ",
            "+1.2.3.4",
        ] {
            assert_eq!(normalize_ip(text), text.parse().ok(), "{text}");
        }
        assert_eq!(normalize_ip("example.com"), None);
    }

    #[test]
    fn ipv4_fast_path_agrees_with_the_standard_parser() {
        const OCTETS: [&str; 17] = [
            "0", "00", "1", "01", "10", "99", "100", "199", "200", "249", "250", "255", "256", "300", "999", "1000", "",
        ];
        for a in OCTETS {
            for b in OCTETS {
                for c in OCTETS {
                    for d in OCTETS {
                        let text = format!("{a}.{b}.{c}.{d}");
                        let expected = text.parse::<std::net::Ipv4Addr>().ok();
                        assert_eq!(parse_ipv4(text.as_bytes()), expected, "{text}");
                    }
                }
            }
        }
    }

    #[test]
    fn hostnames() {
        assert!(looks_like_hostname("example.com"));
        assert!(looks_like_hostname("ip-10-77-20-248"));
        assert!(!looks_like_hostname("192.030.0.6"));
        assert!(!looks_like_hostname("a b"));
        assert!(!looks_like_hostname(""));
    }
}
