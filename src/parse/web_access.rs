//! Apache and nginx access logs: Common and Combined Log Format, with or without a leading
//! virtual host, IPv6 clients, `-` for missing values, escaped quotes, and request lines that
//! are not HTTP at all (a TLS handshake sent to port 80 still is an event).

use super::clock::Clock;
use super::{Emit, LineCtx, LineFormat, LineParser, Parsed, Reject};
use crate::schema::{Event, Outcome};
use crate::time::{month_from_abbrev, parse_digits, parse_offset, Timestamp};
use chrono::{NaiveDate, NaiveTime};

/// The `apache` format (aliases `nginx`, `combined`).
pub struct WebAccessParser {
    clock: Clock,
    last_time: TimeCache,
}

/// The last `[time]` text and what it parsed to: a busy server logs many requests a second,
/// and comparing 26 bytes is far cheaper than parsing them.
#[derive(Default)]
struct TimeCache {
    text: [u8; 32],
    len: usize,
    parsed: Option<ClfTime>,
}

impl TimeCache {
    fn parse(&mut self, text: &str) -> Option<ClfTime> {
        let bytes = text.as_bytes();
        if self.parsed.is_some() && self.text.get(..self.len) == Some(bytes) {
            return self.parsed;
        }
        let parsed = parse_clf_time(text);
        if let (Some(slot), Some(_)) = (self.text.get_mut(..bytes.len()), parsed) {
            slot.copy_from_slice(bytes);
            self.len = bytes.len();
            self.parsed = parsed;
        }
        parsed
    }
}

/// One access-log line split into its fields, borrowing from the line.
#[derive(Debug, PartialEq)]
struct AccessLine<'a> {
    vhost: Option<&'a str>,
    client: &'a str,
    user: Option<&'a str>,
    time: &'a str,
    request: &'a str,
    status: Option<u16>,
    bytes: Option<u64>,
    referrer: Option<&'a str>,
    user_agent: Option<&'a str>,
}

const WEB: &[&str] = &["web"];
const ACCESS: &[&str] = &["access"];

/// The `apache` format.
pub static FORMAT: LineFormat = LineFormat {
    name: "apache",
    aliases: &["nginx", "combined"],
    help: "Apache/nginx access logs (Common, Combined, vhost_combined)",
    describes: "web access",
    kinds: &[],
    new_parser: |clock, _| Box::new(WebAccessParser::new(clock)),
};

impl WebAccessParser {
    /// A parser for one input.
    pub fn new(clock: Clock) -> Self {
        WebAccessParser {
            clock,
            last_time: TimeCache::default(),
        }
    }
}

impl LineParser for WebAccessParser {
    fn name(&self) -> &'static str {
        "apache"
    }

    /// Every access line, syslog-wrapped or not, has its time in brackets and its request
    /// in quotes.
    fn sniff(&self, line: &str) -> bool {
        memchr::memchr(b'[', line.as_bytes()).is_some() && memchr::memchr(b'"', line.as_bytes()).is_some()
    }

    fn parse(&mut self, line: &str, ctx: &LineCtx<'_>, emit: &mut Emit<'_>) -> Result<Parsed, Reject> {
        let fields = split_line(unwrap_quoted(line))
            .or_else(|| split_line(super::syslog::parse_header(line)?.message))
            .ok_or(Reject::new("not an access log line"))?;
        let (timestamp, time_meta) = match self.last_time.parse(fields.time) {
            Some(ClfTime::Exact(stamp)) => self.clock.exact(stamp),
            Some(ClfTime::Naive(date, time)) => self.clock.naive(date.and_time(time)),
            None => return Err(Reject::new("bad timestamp in access log line")),
        };
        let mut event = Event::new(timestamp, "web", "web.access");
        ctx.stamp(&mut event, line);
        event.logsentry.time = time_meta;
        event.event.action = "http-request";
        event.event.category = WEB;
        event.event.types = ACCESS;
        event.event.outcome = match fields.status {
            Some(status) if status < 400 => Outcome::Success,
            Some(_) => Outcome::Failure,
            None => Outcome::Unknown,
        };
        event.source.set_host(fields.client);
        event.user.name = fields.user;
        event.host.hostname = fields.vhost;
        split_request(fields.request, &mut event);
        event.http.response.status_code = fields.status;
        event.http.response.body.bytes = fields.bytes;
        event.http.request.referrer = fields.referrer;
        event.user_agent.original = fields.user_agent;
        emit(&event);
        Ok(Parsed::Events)
    }

    fn advance_clock_to_now(&mut self) {
        self.clock.advance_to_now();
    }
}

/// Some exporters wrap the whole line in quotes: `"1.2.3.4 - - [...] "GET / HTTP/1.1" ... "UA""`.
fn unwrap_quoted(line: &str) -> &str {
    match line.strip_prefix('"') {
        Some(inner)
            if inner
                .as_bytes()
                .first()
                .is_some_and(|b| b.is_ascii_hexdigit() || *b == b':') =>
        {
            inner.strip_suffix('"').unwrap_or(inner)
        }
        _ => line,
    }
}

/// `[vhost] client ident user [time] "request" status bytes ["referrer" "agent"]`.
fn split_line(line: &str) -> Option<AccessLine<'_>> {
    // One pass up to the `[`, remembering the spaces: the head is at most four tokens, each
    // followed by one space (the last one just before the `[`).
    let bytes = line.as_bytes();
    // Nearly every line starts `client - - [`: checked directly.
    if let Some(end) = bytes.iter().position(|&b| b == b' ') {
        if bytes.get(end..end + 6) == Some(b" - - [") {
            return split_rest(line, end + 5, None, &line[..end], "-");
        }
    }
    // Branch-free per byte, as spaces come at unpredictable places: every position is
    // written to the slot of the next space, and a space moves on to the next slot.
    let mut spaces = [0usize; 8];
    let mut count = 0usize;
    let mut open = None;
    for (index, &byte) in bytes.iter().enumerate() {
        if byte == b'[' {
            open = Some(index);
            break;
        }
        spaces[count & 7] = index;
        count += usize::from(byte == b' ');
    }
    let open = open?;
    if count == 0 || count > 4 || spaces[count - 1] + 1 != open {
        return None;
    }
    let token = |index: usize| {
        let start = if index == 0 { 0 } else { spaces[index - 1] + 1 };
        &line[start..spaces[index]]
    };
    let (vhost, client, user) = match count {
        // nginx `$remote_addr - [$time_local]`: no ident column.
        2 => (None, token(0), token(1)),
        3 => (None, token(0), token(2)),
        // A user name may contain spaces; only a leading vhost adds exactly one token.
        4 => (Some(token(0)), token(1), token(3)),
        _ => return None,
    };
    split_rest(line, open, vhost, client, user)
}

/// Everything from the `[time]` on.
fn split_rest<'a>(
    line: &'a str,
    open: usize,
    vhost: Option<&'a str>,
    client: &'a str,
    user: &'a str,
) -> Option<AccessLine<'a>> {
    if client.is_empty() || client == "-" {
        return None;
    }
    // `[10/Oct/2000:13:55:36 -0700]` is nearly always exactly this long.
    let close = match line.as_bytes().get(open + 27) {
        Some(b']') => open + 27,
        _ => open + memchr::memchr(b']', &line.as_bytes()[open..])?,
    };
    let time = &line[open + 1..close];
    let rest = line[close + 1..].strip_prefix(" \"")?;
    let (request, rest) = quoted_field_ending(rest, ends_request)?;
    let rest = rest.strip_prefix(' ')?;
    let (status, rest) = next_token(rest);
    let (bytes, rest) = next_token(rest);
    let status = match status {
        "-" => None,
        text => Some(text.parse::<u16>().ok().filter(|code| (100..=999).contains(code))?),
    };
    let bytes = match bytes {
        "-" | "" => None,
        text => Some(text.parse::<u64>().ok()?),
    };
    let (referrer, user_agent) = match rest.strip_prefix('"') {
        Some(after) => {
            let (referrer, rest) = quoted_field_ending(after, |after| after.starts_with(" \"") || after.is_empty())?;
            let user_agent = rest.strip_prefix(" \"").and_then(quoted_field).map(|(agent, _)| agent);
            (Some(referrer), user_agent)
        }
        None => (None, None),
    };
    Some(AccessLine {
        vhost,
        client,
        user: dash_is_none(Some(user)),
        time,
        request,
        status,
        bytes,
        referrer: dash_is_none(referrer),
        user_agent: dash_is_none(user_agent),
    })
}

/// A quoted field's content (the opening quote already consumed), honouring `\"` and `\\`
/// escapes, and the text after the closing quote.
fn quoted_field(text: &str) -> Option<(&str, &str)> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    loop {
        let found = pos + memchr::memchr2(b'"', b'\\', &bytes[pos..])?;
        if bytes[found] == b'\\' {
            pos = found + 2;
            if pos > bytes.len() {
                return None;
            }
            continue;
        }
        return Some((&text[..found], &text[found + 1..]));
    }
}

/// A quoted field whose closing quote is the first one `ends` accepts what follows of: some
/// servers write a `"` inside the request unescaped (`GET /?q="x" HTTP/1.1`), and the quote
/// that really closes the field is the one the next field follows. Without such a quote, the
/// first closing quote, as the format says. Each quote is looked at once.
fn quoted_field_ending(text: &str, ends: impl Fn(&str) -> bool) -> Option<(&str, &str)> {
    let first = quoted_field(text)?;
    let mut candidate = first;
    loop {
        let (field, after) = candidate;
        if ends(after) {
            return Some(candidate);
        }
        match quoted_field(after) {
            Some((more, rest)) => {
                let length = field.len() + 1 + more.len();
                candidate = (&text[..length], rest);
            }
            None => return Some(first),
        }
    }
}

/// What follows a request's closing quote: ` 200 ` or ` - ` (the status), or the line's end.
fn ends_request(after: &str) -> bool {
    let Some(after) = after.strip_prefix(' ') else {
        return after.is_empty();
    };
    let (status, _) = next_token(after);
    status == "-" || (status.len() == 3 && status.bytes().all(|byte| byte.is_ascii_digit()))
}

fn dash_is_none(value: Option<&str>) -> Option<&str> {
    value.filter(|text| *text != "-" && !text.is_empty())
}

/// The text up to the next space, and what follows it. The status and size are a few bytes
/// long: a plain loop finds their end sooner than a vectorised search.
fn next_token(text: &str) -> (&str, &str) {
    match text.bytes().position(|byte| byte == b' ') {
        Some(space) => (&text[..space], &text[space + 1..]),
        None => (text, ""),
    }
}

/// `GET /path?query HTTP/1.1` into method, url and version. A URL with raw spaces (scanners
/// send them) keeps them; a line that is not `METHOD TARGET [VERSION]` keeps nothing but the
/// fact that a request came.
fn split_request<'a>(request: &'a str, event: &mut Event<'a>) {
    if request.is_empty() || request == "-" {
        return;
    }
    let Some((method, rest)) = super::split_at_first(request, b' ') else {
        return;
    };
    if method.is_empty()
        || !method
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || b == b'-' || b == b'_')
    {
        return;
    }
    let (target, version) = match memchr::memrchr(b' ', rest.as_bytes()) {
        Some(space) if rest[space + 1..].starts_with("HTTP/") => (&rest[..space], Some(&rest[space + 6..])),
        _ => (rest, None),
    };
    event.http.request.method = Some(method);
    event.http.version = version.filter(|v| !v.is_empty());
    if target.is_empty() {
        return;
    }
    event.url.original = Some(target);
    match super::split_at_first(target, b'?') {
        Some((path, query)) => {
            event.url.path = Some(path);
            event.url.query = Some(query);
        }
        None => event.url.path = Some(target),
    }
}

#[derive(Clone, Copy)]
enum ClfTime {
    Exact(Timestamp),
    Naive(NaiveDate, NaiveTime),
}

/// `10/Oct/2000:13:55:36 -0700` (offset optional, fraction optional).
fn parse_clf_time(text: &str) -> Option<ClfTime> {
    let bytes = text.as_bytes();
    if bytes.len() < 20 || bytes[2] != b'/' || bytes[6] != b'/' || bytes[11] != b':' {
        return None;
    }
    let day = parse_digits(&bytes[0..2])?;
    let month = month_from_abbrev(&bytes[3..6])?;
    let year = parse_digits(&bytes[7..11])? as i32;
    let hour = parse_digits(&bytes[12..14])?;
    let minute = parse_digits(&bytes[15..17])?;
    let second = parse_digits(&bytes[18..20])?;
    if bytes[14] != b':' || bytes[17] != b':' {
        return None;
    }
    let mut rest = &text[20..];
    let mut nanos = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        nanos = crate::time::parse_fraction(&fraction.as_bytes()[..digits])?;
        rest = &fraction[digits..];
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second.min(59), nanos)?;
    match rest.trim() {
        "" => Some(ClfTime::Naive(date, time)),
        offset => Some(ClfTime::Exact(Timestamp::from_local(
            date.and_time(time),
            parse_offset(offset)?,
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combined_line_fields() {
        let line = r#"83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh)""#;
        let fields = split_line(line).expect("access line");
        assert_eq!(fields.client, "83.149.9.216");
        assert_eq!((fields.status, fields.bytes), (Some(200), Some(203_023)));
        assert_eq!(fields.user_agent, Some("Mozilla/5.0 (Macintosh)"));
        assert_eq!(
            fields.referrer,
            Some("http://semicomplete.com/presentations/logstash-monitorama-2013/")
        );
    }

    #[test]
    fn a_quote_left_unescaped_in_the_request_stays_in_the_request() {
        let line = r#"198.51.100.7 - - [14/Mar/2026:00:45:01 +0000] "GET /search?q="><script>alert(1)</script> HTTP/1.1" 200 512 "http://x/?a="b"" "curl/8.5""#;
        let fields = split_line(line).expect("access line");
        assert_eq!(fields.request, r#"GET /search?q="><script>alert(1)</script> HTTP/1.1"#);
        assert_eq!((fields.status, fields.bytes), (Some(200), Some(512)));
        assert_eq!(fields.referrer, Some(r#"http://x/?a="b""#));
        assert_eq!(fields.user_agent, Some("curl/8.5"));
        let common = r#"198.51.100.7 - - [14/Mar/2026:00:45:01 +0000] "GET /"a" HTTP/1.0" - -"#;
        let fields = split_line(common).expect("common line");
        assert_eq!((fields.request, fields.status), (r#"GET /"a" HTTP/1.0"#, None));
        // Still no access line: no quote is followed by a status.
        assert!(split_line(r#"198.51.100.7 - - [14/Mar/2026:00:45:01 +0000] "GET /"a" x"#).is_none());
    }

    #[test]
    fn vhost_escapes_and_common_format() {
        let vhost = r#"www.example.com:443 2001:db8::1 - alice [10/Oct/2000:13:55:36 -0700] "GET /a\"b HTTP/1.0" 404 - "-" "curl \"x\"""#;
        let fields = split_line(vhost).expect("vhost line");
        assert_eq!(
            (fields.vhost, fields.client, fields.user),
            (Some("www.example.com:443"), "2001:db8::1", Some("alice"))
        );
        assert_eq!(fields.request, r#"GET /a\"b HTTP/1.0"#);
        assert_eq!(
            (fields.bytes, fields.referrer, fields.user_agent),
            (None, None, Some(r#"curl \"x\""#))
        );
        let common = r#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326"#;
        let fields = split_line(common).expect("common line");
        assert_eq!((fields.user, fields.referrer), (Some("frank"), None));
        let wrapped = r#""192.168.4.25 - - [22/Dec/2016:16:18:56 +0300] "GET / HTTP/1.1" 200 7 "-" "UA""#;
        assert_eq!(
            split_line(unwrap_quoted(wrapped)).map(|f| f.client),
            Some("192.168.4.25")
        );
        let no_ident =
            r#"192.168.1.1 - [08/Jun/2020:08:04:43 +0000] "GET /api/test HTTP/1.1" 200 100 "-" "curl/7.68.0""#;
        assert_eq!(
            split_line(no_ident).map(|f| (f.client, f.user)),
            Some(("192.168.1.1", None))
        );
    }

    #[test]
    fn rejects_what_is_not_an_access_line() {
        assert!(split_line("[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok").is_none());
        assert!(split_line("Mar 29 02:14:33 host sshd[1]: x").is_none());
        assert!(split_line(r#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /" abc 1"#).is_none());
    }

    #[test]
    fn clf_time() {
        match parse_clf_time("10/Oct/2000:13:55:36 -0700") {
            Some(ClfTime::Exact(stamp)) => assert_eq!(stamp.to_string(), "2000-10-10T13:55:36-07:00"),
            _ => panic!("expected an exact time"),
        }
        assert!(parse_clf_time("10/Foo/2000:13:55:36 -0700").is_none());
        assert!(parse_clf_time("10/Oct/2000:13:55:36 +9999").is_none());
    }
}
