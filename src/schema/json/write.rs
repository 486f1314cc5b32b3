//! Writing an [`Event`] as one NDJSON line: the only serialisation of the schema. Hand-written
//! because it is the hot loop of every parse: every key is written together with its
//! punctuation as one constant, strings that need no escaping (nearly all) are copied whole,
//! and the date part of `@timestamp` is cached per second. Escaping follows serde_json
//! exactly (`\"`, `\\`, `\n`, `\u0000`, ...).

use crate::schema::event::{Event, EventCode, EventType, Mysql, Outcome};
use crate::time::Timestamp;
use std::net::IpAddr;

/// Serialises events, remembering the last formatted second and the vocabulary part of
/// `event.*` for the few kinds of event a log holds.
#[derive(Clone, Debug, Default)]
pub struct EventWriter {
    cached: Option<(i64, i32)>,
    prefix: Vec<u8>,
    seconds_end: usize,
    vocabulary: Vec<(VocabularyKey, Vec<u8>)>,
}

/// Which static strings an event's kind, module, dataset, categories, types and action are,
/// by address and length: equal keys are equal strings.
type VocabularyKey = [(usize, usize); 6];

/// Enough for every action one parser knows; more distinct kinds start the cache afresh.
const MAX_VOCABULARY: usize = 64;

impl EventWriter {
    /// Appends `event` as a JSON object and a newline to `out`.
    pub fn write(&mut self, event: &Event<'_>, out: &mut Vec<u8>) {
        out.reserve(1024);
        self.timestamp(&event.timestamp, out);
        opt_string(out, b",\"message\":", event.message);
        self.event_info(event, out);

        let source = &event.source;
        if !source.is_empty() {
            let object = Object::open(out, b",\"source\":");
            if let Some(ip) = source.ip {
                out.extend_from_slice(b",\"ip\":");
                ip_string(ip, out);
            }
            opt_string(out, b",\"domain\":", source.domain);
            opt_string(out, b",\"address\":", source.address);
            opt_number(out, b",\"port\":", source.port.map(u64::from));
            object.close(out);
        }
        if !event.user.is_empty() {
            let object = Object::open(out, b",\"user\":");
            opt_string(out, b",\"name\":", event.user.name);
            opt_string(out, b",\"domain\":", event.user.domain);
            opt_string(out, b",\"id\":", event.user.id);
            single(out, b",\"effective\":{\"name\":", event.user.effective.name, b"}");
            object.close(out);
        }
        if event.group.name.is_some() || event.group.domain.is_some() {
            let object = Object::open(out, b",\"group\":");
            opt_string(out, b",\"name\":", event.group.name);
            opt_string(out, b",\"domain\":", event.group.domain);
            object.close(out);
        }
        single(out, b",\"host\":{\"hostname\":", event.host.hostname, b"}");
        let process = &event.process;
        if !process.is_empty() {
            let object = Object::open(out, b",\"process\":");
            opt_string(out, b",\"name\":", process.name);
            opt_number(out, b",\"pid\":", process.pid.map(u64::from));
            opt_string(out, b",\"command_line\":", process.command_line);
            opt_string(out, b",\"working_directory\":", process.working_directory);
            object.close(out);
        }
        let url = &event.url;
        if !url.is_empty() {
            let object = Object::open(out, b",\"url\":");
            opt_string(out, b",\"original\":", url.original);
            opt_string(out, b",\"path\":", url.path);
            opt_string(out, b",\"query\":", url.query);
            object.close(out);
        }
        let http = &event.http;
        if !http.is_empty() {
            let object = Object::open(out, b",\"http\":");
            if !http.request.is_empty() {
                let request = Object::open(out, b",\"request\":");
                opt_string(out, b",\"method\":", http.request.method);
                opt_string(out, b",\"referrer\":", http.request.referrer);
                request.close(out);
            }
            if !http.response.is_empty() {
                let response = Object::open(out, b",\"response\":");
                opt_number(out, b",\"status_code\":", http.response.status_code.map(u64::from));
                if let Some(bytes) = http.response.body.bytes {
                    out.extend_from_slice(b",\"body\":{\"bytes\":");
                    number(bytes, out);
                    out.push(b'}');
                }
                response.close(out);
            }
            opt_string(out, b",\"version\":", http.version);
            object.close(out);
        }
        single(out, b",\"user_agent\":{\"original\":", event.user_agent.original, b"}");
        if event.log.file.path.is_some() || event.log.level.is_some() {
            let object = Object::open(out, b",\"log\":");
            single(out, b",\"file\":{\"path\":", event.log.file.path, b"}");
            opt_string(out, b",\"level\":", event.log.level);
            object.close(out);
        }
        if !event.winlog.is_empty() {
            write_winlog(&event.winlog, out);
        }
        if !event.mysql.is_empty() {
            write_mysql(&event.mysql, out);
        }
        write_meta(event, out);
        out.extend_from_slice(b"}\n");
    }

    fn event_info(&mut self, event: &Event<'_>, out: &mut Vec<u8>) {
        let key = vocabulary_key(event);
        let index = match self.vocabulary.iter().position(|(known, _)| *known == key) {
            Some(index) => index,
            None => {
                if self.vocabulary.len() >= MAX_VOCABULARY {
                    self.vocabulary.clear();
                }
                let mut rendered = Vec::with_capacity(160);
                write_vocabulary(event, &mut rendered);
                self.vocabulary.push((key, rendered));
                self.vocabulary.len() - 1
            }
        };
        write_event_info(event, &self.vocabulary[index].1, out);
    }

    /// `{"@timestamp":"2026-03-14T01:00:00Z"`. All of it but a fraction of a second changes
    /// at most once a second, so it is cached whole; a fraction goes before the offset.
    fn timestamp(&mut self, timestamp: &Timestamp, out: &mut Vec<u8>) {
        let key = (timestamp.unix_seconds(), timestamp.offset_seconds());
        if self.cached != Some(key) {
            let whole_second = Timestamp::from_unix_with_offset(key.0, 0, key.1);
            self.prefix.clear();
            self.prefix.extend_from_slice(b"{\"@timestamp\":\"");
            whole_second.write_date_time(&mut self.prefix);
            self.seconds_end = self.prefix.len();
            whole_second.write_suffix(&mut self.prefix);
            self.prefix.push(b'"');
            self.cached = Some(key);
        }
        if timestamp.nanos() == 0 {
            out.extend_from_slice(&self.prefix);
        } else {
            out.extend_from_slice(&self.prefix[..self.seconds_end]);
            timestamp.write_suffix(out);
            out.push(b'"');
        }
    }
}

/// `,"event":{...}`: the vocabulary part is copied from the cache, the outcome, reason and
/// original line are written each time.
fn write_event_info(event: &Event<'_>, vocabulary: &[u8], out: &mut Vec<u8>) {
    let info = &event.event;
    out.extend_from_slice(vocabulary);
    out.extend_from_slice(match info.outcome {
        Outcome::Success => b",\"outcome\":\"success\"".as_slice(),
        Outcome::Failure => b",\"outcome\":\"failure\"",
        Outcome::Unknown => b",\"outcome\":\"unknown\"",
    });
    opt_string(out, b",\"reason\":", info.reason);
    match info.code {
        // ECS makes `event.code` a keyword: the number as a string.
        Some(EventCode::Number(code)) => {
            out.extend_from_slice(b",\"code\":\"");
            number(u64::from(code), out);
            out.push(b'"');
        }
        Some(EventCode::Text(code)) => opt_string(out, b",\"code\":", Some(code)),
        None => {}
    }
    opt_string(out, b",\"provider\":", info.provider);
    opt_number(out, b",\"duration\":", info.duration);
    opt_string(out, b",\"original\":", info.original);
    out.push(b'}');
}

/// `,"winlog":{...}`. `event_data` and `user_data` are JSON the decoder wrote and the
/// mapping walked: copied as they are.
fn write_winlog(winlog: &crate::schema::event::Winlog<'_>, out: &mut Vec<u8>) {
    let object = Object::open(out, b",\"winlog\":");
    opt_number(out, b",\"event_id\":", winlog.event_id.map(u64::from));
    opt_string(out, b",\"channel\":", winlog.channel);
    opt_string(out, b",\"provider_name\":", winlog.provider_name);
    opt_string(out, b",\"computer_name\":", winlog.computer_name);
    opt_number(out, b",\"record_id\":", winlog.record_id);
    let logon = &winlog.logon;
    if !logon.is_empty() {
        let logon_object = Object::open(out, b",\"logon\":");
        opt_string(out, b",\"type\":", logon.kind);
        opt_string(out, b",\"id\":", logon.id);
        let failure = &logon.failure;
        if !failure.is_empty() {
            let failure_object = Object::open(out, b",\"failure\":");
            opt_string(out, b",\"status\":", failure.status);
            opt_string(out, b",\"sub_status\":", failure.sub_status);
            opt_string(out, b",\"reason\":", failure.reason);
            failure_object.close(out);
        }
        logon_object.close(out);
    }
    if let Some(json) = winlog.event_data_json {
        out.extend_from_slice(b",\"event_data\":");
        out.extend_from_slice(json.as_bytes());
    }
    if let Some(json) = winlog.user_data_json {
        out.extend_from_slice(b",\"user_data\":");
        out.extend_from_slice(json.as_bytes());
    }
    object.close(out);
}

/// `,"mysql":{...}`.
fn write_mysql(mysql: &Mysql<'_>, out: &mut Vec<u8>) {
    let object = Object::open(out, b",\"mysql\":");
    opt_number(out, b",\"thread_id\":", mysql.thread_id);
    opt_string(out, b",\"command\":", mysql.command);
    opt_string(out, b",\"database\":", mysql.database);
    opt_string(out, b",\"subsystem\":", mysql.subsystem);
    opt_string(out, b",\"query\":", mysql.query);
    let slow = &mysql.slowlog;
    if !slow.is_empty() {
        let slow_object = Object::open(out, b",\"slowlog\":");
        for (key, value) in [
            (b",\"query_time\":{\"sec\":".as_slice(), slow.query_time),
            (b",\"lock_time\":{\"sec\":", slow.lock_time),
        ] {
            if let Some(seconds) = value {
                out.extend_from_slice(key);
                out.extend_from_slice(seconds.as_str().as_bytes());
                out.push(b'}');
            }
        }
        opt_number(out, b",\"rows_sent\":", slow.rows_sent);
        opt_number(out, b",\"rows_examined\":", slow.rows_examined);
        opt_number(out, b",\"rows_affected\":", slow.rows_affected);
        opt_number(out, b",\"bytes_sent\":", slow.bytes_sent);
        slow_object.close(out);
    }
    object.close(out);
}

/// `,"event":{"kind":...,"action":"..."`: our own static strings.
fn write_vocabulary(event: &Event<'_>, out: &mut Vec<u8>) {
    let info = &event.event;
    out.extend_from_slice(b",\"event\":{\"kind\":");
    known_string(info.kind, out);
    out.extend_from_slice(b",\"module\":");
    known_string(info.module, out);
    out.extend_from_slice(b",\"dataset\":");
    known_string(info.dataset, out);
    if !info.category.is_empty() {
        out.extend_from_slice(b",\"category\":");
        string_array(info.category, out);
    }
    if !info.types.is_empty() {
        out.extend_from_slice(b",\"type\":");
        string_array(info.types, out);
    }
    out.extend_from_slice(b",\"action\":");
    known_string(info.action, out);
}

fn vocabulary_key(event: &Event<'_>) -> VocabularyKey {
    let info = &event.event;
    let text = |value: &'static str| (value.as_ptr() as usize, value.len());
    let list = |values: &'static [&'static str]| (values.as_ptr() as usize, values.len());
    [
        text(info.action),
        text(info.kind),
        text(info.module),
        text(info.dataset),
        list(info.category),
        list(info.types),
    ]
}

/// `,"logsentry":{...}`, always present: it carries at least the line number.
fn write_meta(event: &Event<'_>, out: &mut Vec<u8>) {
    let meta = &event.logsentry;
    out.extend_from_slice(b",\"logsentry\":{\"line\":");
    number(meta.line, out);
    if let Some(event_type) = meta.event_type {
        out.extend_from_slice(match event_type {
            EventType::Failed => b",\"event_type\":\"failed\"".as_slice(),
            EventType::InvalidUser => b",\"event_type\":\"invalid_user\"",
            EventType::Success => b",\"event_type\":\"success\"",
        });
    }
    let time = &meta.time;
    if time.year_inferred || time.zone_assumed || time.missing {
        let object = Object::open(out, b",\"time\":");
        for (set, field) in [
            (time.year_inferred, b",\"year_inferred\":true".as_slice()),
            (time.zone_assumed, b",\"zone_assumed\":true"),
            (time.missing, b",\"missing\":true"),
        ] {
            if set {
                out.extend_from_slice(field);
            }
        }
        object.close(out);
    }
    single(out, b",\"ssh\":{\"method\":", meta.ssh.method, b"}");
    opt_number(out, b",\"repeated\":", meta.repeated.map(u64::from));
    if meta.repeated_capped {
        out.extend_from_slice(b",\"repeated_capped\":true");
    }
    if meta.invalid_utf8 {
        out.extend_from_slice(b",\"invalid_utf8\":true");
    }
    out.push(b'}');
}

/// An object whose fields are each written with a leading comma: closing it turns the first
/// field's comma into the opening brace, so no field has to ask whether it is the first.
struct Object {
    brace: usize,
}

impl Object {
    /// Writes the key (`,"name":`); the fields follow.
    #[inline]
    fn open(out: &mut Vec<u8>, key: &'static [u8]) -> Self {
        out.extend_from_slice(key);
        Object { brace: out.len() }
    }

    #[inline]
    fn close(self, out: &mut Vec<u8>) {
        match out.get_mut(self.brace) {
            Some(comma) => *comma = b'{',
            None => out.push(b'{'),
        }
        out.push(b'}');
    }
}

/// An object of one string field, written only when the field is present.
#[inline]
fn single(out: &mut Vec<u8>, open: &'static [u8], value: Option<&str>, close: &'static [u8]) {
    if let Some(value) = value {
        out.extend_from_slice(open);
        string(value, out);
        out.extend_from_slice(close);
    }
}

#[inline]
fn opt_string(out: &mut Vec<u8>, key: &'static [u8], value: Option<&str>) {
    if let Some(value) = value {
        out.extend_from_slice(key);
        string(value, out);
    }
}

#[inline]
fn opt_number(out: &mut Vec<u8>, key: &'static [u8], value: Option<u64>) {
    if let Some(value) = value {
        out.extend_from_slice(key);
        number(value, out);
    }
}

fn string_array(values: &[&'static str], out: &mut Vec<u8>) {
    out.push(b'[');
    for (index, value) in values.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        known_string(value, out);
    }
    out.push(b']');
}

pub(crate) fn number(value: u64, out: &mut Vec<u8>) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

fn ip_string(ip: IpAddr, out: &mut Vec<u8>) {
    match ip {
        IpAddr::V4(v4) => {
            // `"255.255.255.255"` at most, built on the stack without a branch per digit
            // (octets are as unpredictable as the addresses): each octet's text is copied
            // as four bytes from a table and the cursor moves by its real length.
            let mut text = [0u8; 20];
            text[0] = b'"';
            let mut len = 1;
            for octet in v4.octets() {
                let (digits, width) = OCTET_TEXT[usize::from(octet)];
                text[len..len + 4].copy_from_slice(&digits);
                len += usize::from(width);
            }
            // The last octet's `.` becomes the closing quote.
            text[len - 1] = b'"';
            out.extend_from_slice(&text[..len]);
        }
        IpAddr::V6(v6) => {
            use std::io::Write;
            out.push(b'"');
            // Writing to a Vec cannot fail.
            let _ = write!(out, "{v6}");
            out.push(b'"');
        }
    }
}

/// Every octet as text followed by a `.`, padded to four bytes, and the length of the text
/// with its dot.
const OCTET_TEXT: [([u8; 4], u8); 256] = {
    let mut table = [([0u8; 4], 0u8); 256];
    let mut octet = 0;
    while octet < 256 {
        let (hundreds, tens, ones) = ((octet / 100) as u8, (octet / 10 % 10) as u8, (octet % 10) as u8);
        table[octet] = if octet >= 100 {
            ([b'0' + hundreds, b'0' + tens, b'0' + ones, b'.'], 4)
        } else if octet >= 10 {
            ([b'0' + tens, b'0' + ones, b'.', 0], 3)
        } else {
            ([b'0' + ones, b'.', 0, 0], 2)
        };
        octet += 1;
    }
    table
};

const fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Whether any byte needs escaping. Blocks of 16 are tested without early exit inside the
/// block, which the compiler turns into a few vector compares per block; the tail is tested
/// as one more block (the string's last 16 bytes, or the tail padded with spaces).
fn any_needs_escape(bytes: &[u8]) -> bool {
    let blocks = bytes.chunks_exact(16);
    let rest = blocks.remainder();
    for block in blocks {
        if <&[u8; 16]>::try_from(block).is_ok_and(block_needs_escape) {
            return true;
        }
    }
    if rest.is_empty() {
        return false;
    }
    let mut last = [b' '; 16];
    match bytes.len().checked_sub(16) {
        Some(start) => last.copy_from_slice(&bytes[start..]),
        None => last[..rest.len()].copy_from_slice(rest),
    }
    block_needs_escape(&last)
}

#[inline]
fn block_needs_escape(block: &[u8; 16]) -> bool {
    let mut found = false;
    for &byte in block {
        found |= needs_escape(byte);
    }
    found
}

/// One of our own vocabulary strings (module, action, category): never needs escaping.
fn known_string(value: &'static str, out: &mut Vec<u8>) {
    debug_assert!(!any_needs_escape(value.as_bytes()));
    out.push(b'"');
    out.extend_from_slice(value.as_bytes());
    out.push(b'"');
}

/// A JSON string, escaped exactly as serde_json does.
pub fn string(value: &str, out: &mut Vec<u8>) {
    let bytes = value.as_bytes();
    out.push(b'"');
    if !any_needs_escape(bytes) {
        out.extend_from_slice(bytes);
    } else {
        let mut start = 0;
        for (index, &byte) in bytes.iter().enumerate() {
            if !needs_escape(byte) {
                continue;
            }
            out.extend_from_slice(&bytes[start..index]);
            match byte {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x0c => out.extend_from_slice(b"\\f"),
                _ => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    out.extend_from_slice(b"\\u00");
                    out.push(HEX[usize::from(byte >> 4)]);
                    out.push(HEX[usize::from(byte & 0xf)]);
                }
            }
            start = index + 1;
        }
        out.extend_from_slice(&bytes[start..]);
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_like_serde_json() {
        for text in [
            "plain",
            "quote \" back \\ slash",
            "ctl \u{0} \u{1f} \n\r\t\u{8}\u{c} \u{7f}",
            "ünï€😀",
            "",
        ] {
            let mut ours = Vec::new();
            string(text, &mut ours);
            assert_eq!(ours, serde_json::to_vec(text).expect("serde"), "{text:?}");
        }
    }

    #[test]
    fn escape_detection_in_every_position() {
        for special in [b'"', b'\\', 0u8, 0x1f, b'\n'] {
            for len in 1..20 {
                for at in 0..len {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = special;
                    assert!(any_needs_escape(&bytes), "{special} at {at} of {len}");
                }
            }
        }
        assert!(!any_needs_escape(
            "plain ascii and ünïcode €, quotes: none; 0x20 \u{7f} ok".as_bytes()
        ));
    }

    #[test]
    fn addresses_as_the_standard_library_writes_them() {
        let mut addresses: Vec<IpAddr> = (0..=255u8).map(|o| IpAddr::from([o, 255 - o, o / 2, o % 10])).collect();
        addresses.push("2001:db8::1".parse().expect("ipv6"));
        for ip in addresses {
            let mut out = Vec::new();
            ip_string(ip, &mut out);
            assert_eq!(out, format!("\"{ip}\"").into_bytes(), "{ip}");
        }
    }

    #[test]
    fn cached_vocabulary_follows_each_event() {
        // More distinct actions than the cache holds, written twice in turn: every line
        // must still name its own action, outcome and categories.
        let actions: Vec<&'static str> = (0..MAX_VOCABULARY + 5)
            .map(|n| &*Box::leak(format!("action-{n}").into_boxed_str()))
            .collect();
        let mut writer = EventWriter::default();
        for round in 0..2 {
            for (n, action) in actions.iter().enumerate() {
                let mut event = Event::new(Timestamp::from_unix(1_773_450_000, 0), "ssh", "ssh.auth");
                event.event.action = action;
                event.event.category = if n % 2 == 0 { &["authentication"] } else { &[] };
                event.event.outcome = if round == 0 { Outcome::Success } else { Outcome::Failure };
                let mut out = Vec::new();
                writer.write(&event, &mut out);
                let value: serde_json::Value = serde_json::from_slice(&out).expect("valid json");
                assert_eq!(value["event"]["action"], *action);
                assert_eq!(
                    value["event"]["outcome"],
                    if round == 0 { "success" } else { "failure" }
                );
                assert_eq!(value["event"].get("category").is_some(), n % 2 == 0, "{action}");
            }
        }
        assert!(writer.vocabulary.len() <= MAX_VOCABULARY);
    }

    #[test]
    fn empty_objects_are_omitted_and_nested_ones_open_their_parent() {
        let mut event = Event::new(Timestamp::from_unix(1_773_450_000, 0), "web", "web.access");
        event.event.action = "http-request";
        event.http.response.status_code = Some(404);
        let mut out = Vec::new();
        EventWriter::default().write(&event, &mut out);
        let value: serde_json::Value = serde_json::from_slice(&out).expect("valid json");
        assert_eq!(value["http"]["response"]["status_code"], 404);
        assert!(value.get("source").is_none() && value.get("url").is_none());
        assert_eq!(value["@timestamp"], "2026-03-14T01:00:00Z");
        assert_eq!(out.last(), Some(&b'\n'));
    }

    /// Strings with what a log can hold: quotes, backslashes, control bytes, any Unicode.
    fn text() -> impl proptest::strategy::Strategy<Value = Option<String>> {
        proptest::option::of(proptest::string::string_regex("(?s).{0,24}").expect("regex"))
    }

    proptest::proptest! {
        /// The event writer's serde oracle: whatever the event holds, the line is compact
        /// JSON that serde_json reads and writes back byte for byte (so escaping, numbers and
        /// punctuation are serde_json's), and every value set is read back at its ECS path.
        #[test]
        fn writes_what_serde_json_reads_and_writes_back(
            strings in proptest::collection::vec(text(), 16),
            port in proptest::option::of(proptest::num::u16::ANY),
            pid in proptest::option::of(proptest::num::u32::ANY),
            status in proptest::option::of(100u16..600),
            bytes in proptest::option::of(proptest::num::u64::ANY),
            seconds in 0i64..4_102_444_800,
            nanos in 0u32..1_000_000_000,
            line in proptest::num::u64::ANY,
        ) {
            let field = |index: usize| strings[index].as_deref();
            let mut event = Event::new(Timestamp::from_unix(seconds, nanos), "web", "web.access");
            event.message = field(0);
            event.source.domain = field(1);
            event.source.port = port;
            event.user.name = field(2);
            event.user.domain = field(3);
            event.host.hostname = field(4);
            event.process.name = field(5);
            event.process.pid = pid;
            event.process.command_line = field(6);
            event.url.original = field(7);
            event.url.path = field(8);
            event.url.query = field(9);
            event.http.request.method = field(10);
            event.http.request.referrer = field(11);
            event.http.response.status_code = status;
            event.http.response.body.bytes = bytes;
            event.http.version = field(12);
            event.user_agent.original = field(13);
            event.log.file.path = field(14);
            event.group.name = field(15);
            event.logsentry.line = line;
            let mut out = Vec::new();
            EventWriter::default().write(&event, &mut out);
            proptest::prop_assert_eq!(out.pop(), Some(b'\n'));
            proptest::prop_assert!(!out.contains(&b'\n'));
            let value: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
            let again = serde_json::to_vec(&value).expect("serde writes");
            proptest::prop_assert_eq!(String::from_utf8_lossy(&again), String::from_utf8_lossy(&out));
            let paths = [
                "/message", "/source/domain", "/user/name", "/user/domain", "/host/hostname",
                "/process/name", "/process/command_line", "/url/original", "/url/path", "/url/query",
                "/http/request/method", "/http/request/referrer", "/http/version", "/user_agent/original",
                "/log/file/path", "/group/name",
            ];
            for (index, path) in paths.iter().enumerate() {
                proptest::prop_assert_eq!(value.pointer(path).and_then(|v| v.as_str()), field(index), "{}", path);
            }
            proptest::prop_assert_eq!(value.pointer("/source/port").and_then(|v| v.as_u64()), port.map(u64::from));
            proptest::prop_assert_eq!(value.pointer("/process/pid").and_then(|v| v.as_u64()), pid.map(u64::from));
            proptest::prop_assert_eq!(value.pointer("/http/response/status_code").and_then(|v| v.as_u64()), status.map(u64::from));
            proptest::prop_assert_eq!(value.pointer("/http/response/body/bytes").and_then(|v| v.as_u64()), bytes);
            proptest::prop_assert_eq!(value.pointer("/logsentry/line").and_then(|v| v.as_u64()), Some(line));
            let stamp = value.pointer("/@timestamp").and_then(|v| v.as_str()).unwrap_or_default();
            proptest::prop_assert_eq!(Timestamp::parse_rfc3339(stamp), Some(Timestamp::from_unix(seconds, nanos)));
        }
    }
}
