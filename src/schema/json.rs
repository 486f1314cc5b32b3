//! Writing an [`Event`] as one NDJSON line: the only serialisation of the schema. Hand-written
//! because it is the hot loop of every parse: static keys are copied as bytes, strings that
//! need no escaping (nearly all) are copied whole, and the date part of `@timestamp` is cached
//! per second. Escaping follows serde_json exactly (`\"`, `\\`, `\n`, `\u0000`, ...).

use super::event::{Event, EventType, Outcome};
use crate::time::Timestamp;
use std::net::IpAddr;

/// Serialises events, remembering the last formatted second.
#[derive(Debug, Default)]
pub struct EventWriter {
    cached: Option<(i64, i32)>,
    prefix: Vec<u8>,
}

impl EventWriter {
    /// Appends `event` as a JSON object and a newline to `out`.
    pub fn write(&mut self, event: &Event<'_>, out: &mut Vec<u8>) {
        out.reserve(1024);
        out.extend_from_slice(b"{\"@timestamp\":\"");
        self.timestamp(&event.timestamp, out);
        out.push(b'"');
        if let Some(message) = event.message {
            out.extend_from_slice(b",\"message\":");
            string(message, out);
        }
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
        out.extend_from_slice(b",\"outcome\":\"");
        out.extend_from_slice(match info.outcome {
            Outcome::Success => b"success".as_slice(),
            Outcome::Failure => b"failure",
            Outcome::Unknown => b"unknown",
        });
        out.push(b'"');
        opt_string(out, b",\"reason\":", info.reason);
        opt_string(out, b",\"original\":", info.original);
        out.push(b'}');

        let source = &event.source;
        if !source.is_empty() {
            let mut fields = Fields::open(out, b"source");
            if let Some(ip) = source.ip {
                fields.key(out, b"ip");
                ip_string(ip, out);
            }
            fields.string(out, b"domain", source.domain);
            fields.string(out, b"address", source.address);
            fields.number(out, b"port", source.port.map(u64::from));
            out.push(b'}');
        }
        if !event.user.is_empty() {
            let mut fields = Fields::open(out, b"user");
            fields.string(out, b"name", event.user.name);
            if let Some(name) = event.user.effective.name {
                fields.key(out, b"effective");
                out.extend_from_slice(b"{\"name\":");
                string(name, out);
                out.push(b'}');
            }
            out.push(b'}');
        }
        single(out, b",\"group\":{\"name\":", event.group.name, b"}");
        single(out, b",\"host\":{\"hostname\":", event.host.hostname, b"}");
        let process = &event.process;
        if !process.is_empty() {
            let mut fields = Fields::open(out, b"process");
            fields.string(out, b"name", process.name);
            fields.number(out, b"pid", process.pid.map(u64::from));
            fields.string(out, b"command_line", process.command_line);
            fields.string(out, b"working_directory", process.working_directory);
            out.push(b'}');
        }
        let url = &event.url;
        if !url.is_empty() {
            let mut fields = Fields::open(out, b"url");
            fields.string(out, b"original", url.original);
            fields.string(out, b"path", url.path);
            fields.string(out, b"query", url.query);
            out.push(b'}');
        }
        let http = &event.http;
        if !http.is_empty() {
            let mut fields = Fields::open(out, b"http");
            if !http.request.is_empty() {
                fields.key(out, b"request");
                let mut request = Fields::inner(out);
                request.string(out, b"method", http.request.method);
                request.string(out, b"referrer", http.request.referrer);
                out.push(b'}');
            }
            if !http.response.is_empty() {
                fields.key(out, b"response");
                let mut response = Fields::inner(out);
                response.number(out, b"status_code", http.response.status_code.map(u64::from));
                if let Some(bytes) = http.response.body.bytes {
                    response.key(out, b"body");
                    out.extend_from_slice(b"{\"bytes\":");
                    number(bytes, out);
                    out.push(b'}');
                }
                out.push(b'}');
            }
            fields.string(out, b"version", http.version);
            out.push(b'}');
        }
        single(out, b",\"user_agent\":{\"original\":", event.user_agent.original, b"}");
        single(out, b",\"log\":{\"file\":{\"path\":", event.log.file.path, b"}}");

        let meta = &event.logsentry;
        out.extend_from_slice(b",\"logsentry\":{\"line\":");
        number(meta.line, out);
        if let Some(event_type) = meta.event_type {
            out.extend_from_slice(b",\"event_type\":\"");
            out.extend_from_slice(match event_type {
                EventType::Failed => b"failed".as_slice(),
                EventType::InvalidUser => b"invalid_user",
                EventType::Success => b"success",
            });
            out.push(b'"');
        }
        let time = &meta.time;
        if time.year_inferred || time.zone_assumed || time.missing {
            out.extend_from_slice(b",\"time\":{");
            let mut first = true;
            for (set, key) in [
                (time.year_inferred, b"\"year_inferred\":true".as_slice()),
                (time.zone_assumed, b"\"zone_assumed\":true"),
                (time.missing, b"\"missing\":true"),
            ] {
                if set {
                    if !first {
                        out.push(b',');
                    }
                    out.extend_from_slice(key);
                    first = false;
                }
            }
            out.push(b'}');
        }
        if let Some(method) = meta.ssh.method {
            out.extend_from_slice(b",\"ssh\":{\"method\":");
            string(method, out);
            out.push(b'}');
        }
        if let Some(repeated) = meta.repeated {
            out.extend_from_slice(b",\"repeated\":");
            number(u64::from(repeated), out);
        }
        if meta.invalid_utf8 {
            out.extend_from_slice(b",\"invalid_utf8\":true");
        }
        out.extend_from_slice(b"}}\n");
    }

    fn timestamp(&mut self, timestamp: &Timestamp, out: &mut Vec<u8>) {
        let key = (timestamp.unix_seconds(), timestamp.offset_seconds());
        if self.cached != Some(key) {
            // The part up to the seconds changes at most once a second.
            self.prefix.clear();
            Timestamp::from_unix_with_offset(key.0, 0, key.1).write_date_time(&mut self.prefix);
            self.cached = Some(key);
        }
        out.extend_from_slice(&self.prefix);
        timestamp.write_suffix(out);
    }
}

/// The fields of one object, comma-separated.
struct Fields {
    first: bool,
}

impl Fields {
    /// Writes `,"name":{` and starts its fields.
    fn open(out: &mut Vec<u8>, name: &[u8]) -> Self {
        out.extend_from_slice(b",\"");
        out.extend_from_slice(name);
        out.extend_from_slice(b"\":{");
        Fields { first: true }
    }

    /// Starts the fields of an object whose key is already written.
    fn inner(out: &mut Vec<u8>) -> Self {
        out.push(b'{');
        Fields { first: true }
    }

    fn key(&mut self, out: &mut Vec<u8>, key: &[u8]) {
        if !self.first {
            out.push(b',');
        }
        self.first = false;
        out.push(b'"');
        out.extend_from_slice(key);
        out.extend_from_slice(b"\":");
    }

    fn string(&mut self, out: &mut Vec<u8>, key: &[u8], value: Option<&str>) {
        if let Some(value) = value {
            self.key(out, key);
            string(value, out);
        }
    }

    fn number(&mut self, out: &mut Vec<u8>, key: &[u8], value: Option<u64>) {
        if let Some(value) = value {
            self.key(out, key);
            number(value, out);
        }
    }
}

/// An object of one string field, written only when the field is present.
fn single(out: &mut Vec<u8>, open: &[u8], value: Option<&str>, close: &[u8]) {
    if let Some(value) = value {
        out.extend_from_slice(open);
        string(value, out);
        out.extend_from_slice(close);
    }
}

fn opt_string(out: &mut Vec<u8>, key: &[u8], value: Option<&str>) {
    if let Some(value) = value {
        out.extend_from_slice(key);
        string(value, out);
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

fn number(value: u64, out: &mut Vec<u8>) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

fn ip_string(ip: IpAddr, out: &mut Vec<u8>) {
    out.push(b'"');
    match ip {
        IpAddr::V4(v4) => {
            for (index, octet) in v4.octets().iter().enumerate() {
                if index > 0 {
                    out.push(b'.');
                }
                out.extend_from_slice(itoa::Buffer::new().format(*octet).as_bytes());
            }
        }
        IpAddr::V6(v6) => {
            use std::io::Write;
            // Writing to a Vec cannot fail.
            let _ = write!(out, "{v6}");
        }
    }
    out.push(b'"');
}

const fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Whether any byte needs escaping, eight bytes at a time: a byte below 0x20, a quote or a
/// backslash shows up as a set high bit in the classic "has zero/less-than byte" tests.
fn any_needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word_bytes = [0u8; 8];
        word_bytes.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word_bytes);
        let control = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
        if control | has_zero(word ^ (ONES * u64::from(b'"'))) | has_zero(word ^ (ONES * u64::from(b'\\'))) != 0 {
            return true;
        }
    }
    chunks.remainder().iter().any(|&b| needs_escape(b))
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
}
