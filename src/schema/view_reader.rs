//! Reading an [`EventView`] from a line. serde_json's derived reader was nearly half of
//! ls-detect's time: it matches every key of every nested object against the struct's
//! fields through several layers of calls. Here the dozen fields detection needs are picked
//! out by one walk over the line with [`Cursor`], which skips the rest while checking it is
//! JSON. Anything the walk is not sure of goes to serde_json, so both readers accept, reject
//! and understand every line alike (a proptest below holds them to it).

use super::strict_json::{Cursor, Seen, Step};
use super::view::{
    EventDataView, EventInfoView, EventView, HttpView, LogView, LogonView, MetaView, ProcessView, SshMetaView,
    WinlogView,
};
use serde_json::Value;

impl<'a> EventView<'a> {
    /// The event fields of `line`, or serde_json's error if it is not JSON of that shape.
    pub fn read(line: &'a str) -> Result<Self, serde_json::Error> {
        // Filled in place: the view is a few hundred bytes, and each move of it is a copy.
        let mut view = EventView::default();
        match fast(line, &mut view) {
            Ok(()) => Ok(view),
            Err(_) => serde_json::from_str(line),
        }
    }
}

fn fast<'a>(line: &'a str, view: &mut EventView<'a>) -> Step<()> {
    let mut cursor = Cursor::new(line);
    let mut seen = Seen::default();
    let led = cursor.opens_with("@timestamp");
    if led {
        seen.first(0)?;
        view.timestamp = cursor.optional_string()?;
    }
    cursor.object_or_rest(led, |cursor, key| match key {
        "@timestamp" => {
            seen.first(0)?;
            view.timestamp = cursor.optional_string()?;
            Ok(())
        }
        "message" => {
            seen.first(1)?;
            view.message = cursor.optional_string()?;
            Ok(())
        }
        "event" => {
            seen.first(2)?;
            read_event(cursor, &mut view.event)
        }
        "source" => {
            seen.first(3)?;
            one_string(cursor, "ip", &mut view.source.ip)
        }
        "user" => {
            seen.first(4)?;
            one_string(cursor, "name", &mut view.user.name)
        }
        "group" => {
            seen.first(5)?;
            one_string(cursor, "name", &mut view.group.name)
        }
        "host" => {
            seen.first(6)?;
            one_string(cursor, "hostname", &mut view.host.hostname)
        }
        "process" => {
            seen.first(7)?;
            read_process(cursor, &mut view.process)
        }
        "url" => {
            seen.first(8)?;
            one_string(cursor, "original", &mut view.url.original)
        }
        "http" => {
            seen.first(9)?;
            read_http(cursor, &mut view.http)
        }
        "log" => {
            seen.first(10)?;
            read_log(cursor, &mut view.log)
        }
        "winlog" => {
            seen.first(11)?;
            read_winlog(cursor, &mut view.winlog)
        }
        "mysql" => {
            seen.first(12)?;
            one_string(cursor, "query", &mut view.mysql.query)
        }
        "logsentry" => {
            seen.first(13)?;
            read_meta(cursor, &mut view.logsentry)
        }
        _ => cursor.skip_value(),
    })?;
    cursor.finish()
}

/// An object of which one string member is wanted.
fn one_string<'a>(cursor: &mut Cursor<'a>, wanted: &str, slot: &mut Option<std::borrow::Cow<'a, str>>) -> Step<()> {
    let mut seen = Seen::default();
    let led = cursor.opens_with(wanted);
    if led {
        seen.first(0)?;
        *slot = cursor.optional_string()?;
    }
    cursor.object_or_rest(led, |cursor, key| {
        if key == wanted {
            seen.first(0)?;
            *slot = cursor.optional_string()?;
            Ok(())
        } else {
            cursor.skip_value()
        }
    })
}

fn read_event<'a>(cursor: &mut Cursor<'a>, event: &mut EventInfoView<'a>) -> Step<()> {
    let mut seen = Seen::default();
    let led = cursor.opens_with("kind");
    if led {
        seen.first(0)?;
        event.kind = cursor.optional_string()?;
    }
    cursor.object_or_rest(led, |cursor, key| {
        let (bit, slot) = match key {
            "kind" => (0, &mut event.kind),
            "module" => (1, &mut event.module),
            "action" => (2, &mut event.action),
            "outcome" => (3, &mut event.outcome),
            _ => return cursor.skip_value(),
        };
        seen.first(bit)?;
        *slot = cursor.optional_string()?;
        Ok(())
    })
}

fn read_process(cursor: &mut Cursor<'_>, process: &mut ProcessView) -> Step<()> {
    let mut seen = Seen::default();
    cursor.object(|cursor, key| {
        if key == "pid" {
            seen.first(0)?;
            process.pid = narrow(cursor.optional_unsigned(u64::from(u32::MAX))?);
            Ok(())
        } else {
            cursor.skip_value()
        }
    })
}

fn read_http(cursor: &mut Cursor<'_>, http: &mut HttpView) -> Step<()> {
    let mut seen = Seen::default();
    cursor.object(|cursor, key| {
        if key != "response" {
            return cursor.skip_value();
        }
        seen.first(0)?;
        let mut seen_status = Seen::default();
        cursor.object(|cursor, key| {
            if key == "status_code" {
                seen_status.first(0)?;
                http.response.status_code = narrow(cursor.optional_unsigned(u64::from(u16::MAX))?);
                Ok(())
            } else {
                cursor.skip_value()
            }
        })
    })
}

fn read_log<'a>(cursor: &mut Cursor<'a>, log: &mut LogView<'a>) -> Step<()> {
    let mut seen = Seen::default();
    let led = cursor.opens_with("file");
    if led {
        seen.first(0)?;
        one_string(cursor, "path", &mut log.file.path)?;
    }
    cursor.object_or_rest(led, |cursor, key| {
        if key == "file" {
            seen.first(0)?;
            one_string(cursor, "path", &mut log.file.path)
        } else {
            cursor.skip_value()
        }
    })
}

fn read_winlog(cursor: &mut Cursor<'_>, winlog: &mut WinlogView) -> Step<()> {
    let mut seen = Seen::default();
    cursor.object(|cursor, key| match key {
        "event_data" => {
            seen.first(0)?;
            read_event_data(cursor, &mut winlog.event_data)
        }
        "logon" => {
            seen.first(1)?;
            let mut kind = None;
            one_string(cursor, "type", &mut kind)?;
            winlog.logon = LogonView {
                kind: kind.map(String::from),
            };
            Ok(())
        }
        _ => cursor.skip_value(),
    })
}

fn read_event_data(cursor: &mut Cursor<'_>, data: &mut EventDataView) -> Step<()> {
    let mut seen = Seen::default();
    cursor.object(|cursor, key| {
        let (bit, slot) = match key {
            "ServiceName" => (0, &mut data.service_name),
            "ImagePath" => (1, &mut data.image_path),
            _ => return cursor.skip_value(),
        };
        seen.first(bit)?;
        // Other JSON types are kept by serde_json as they are; only text is read here.
        *slot = cursor.optional_string()?.map(|text| Value::String(text.into_owned()));
        Ok(())
    })
}

fn read_meta<'a>(cursor: &mut Cursor<'a>, meta: &mut MetaView<'a>) -> Step<()> {
    let mut seen = Seen::default();
    cursor.object(|cursor, key| match key {
        "line" => {
            seen.first(0)?;
            meta.line = cursor.optional_unsigned(u64::MAX)?;
            Ok(())
        }
        "event_type" => {
            seen.first(1)?;
            meta.event_type = cursor.optional_string()?;
            Ok(())
        }
        "repeated" => {
            seen.first(2)?;
            meta.repeated = narrow(cursor.optional_unsigned(u64::from(u32::MAX))?);
            Ok(())
        }
        "ssh" => {
            seen.first(3)?;
            read_ssh_meta(cursor, &mut meta.ssh)
        }
        _ => cursor.skip_value(),
    })
}

fn read_ssh_meta<'a>(cursor: &mut Cursor<'a>, ssh: &mut SshMetaView<'a>) -> Step<()> {
    let mut seen = Seen::default();
    cursor.object(|cursor, key| match key {
        "method" => {
            seen.first(0)?;
            ssh.method = cursor.optional_string()?;
            Ok(())
        }
        _ => cursor.skip_value(),
    })
}

/// A number already checked against the target type's maximum.
fn narrow<T: TryFrom<u64>>(value: Option<u64>) -> Option<T> {
    value.and_then(|value| T::try_from(value).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Lines as ls-parse writes them, one per source.
    const PARSED: [&str; 4] = [
        r#"{"@timestamp":"2026-01-01T00:00:00Z","message":"Failed password for deploy from 21.14.178.123 port 22 ssh2","event":{"kind":"event","module":"ssh","dataset":"ssh.auth","category":["authentication"],"type":["start"],"action":"ssh-login","outcome":"failure"},"source":{"ip":"21.14.178.123","port":22},"user":{"name":"deploy"},"host":{"hostname":"bastion"},"process":{"name":"sshd","pid":1000},"log":{"file":{"path":"/var/log/auth.log"}},"logsentry":{"line":1,"event_type":"failed","ssh":{"method":"password"}}}"#,
        r#"{"@timestamp":"2026-03-14T09:12:01+00:00","message":"GET /search?q=%27%20OR%201%3D1 HTTP/1.1","event":{"kind":"event","module":"web","category":["web"],"outcome":"success"},"source":{"ip":"203.0.113.47"},"url":{"original":"/search?q=\"a\\b\"","path":"/search"},"http":{"request":{"method":"GET"},"response":{"status_code":200,"body":{"bytes":5120}},"version":"1.1"},"user_agent":{"original":"sqlmap/1.7"},"log":{"file":{"path":"access.log"}},"logsentry":{"line":7}}"#,
        r#"{"@timestamp":"2026-03-14T02:17:00Z","event":{"kind":"event","module":"windows","code":"7045","action":"service-installed"},"winlog":{"event_id":7045,"event_data":{"ServiceName":"evil","ImagePath":"C:\\Temp\\x.exe","StartType":null},"logon":{"type":"Network"}},"user":{"name":"svc"},"group":{"name":"Administrators"},"logsentry":{"repeated":3,"line":0}}"#,
        r#"{"@timestamp":"2026-03-14T02:17:00.123456Z","event":{"kind":"event","module":"mysql","duration":1.5e-3},"mysql":{"query":"SELECT * FROM users WHERE id=1 OR 1=1"},"logsentry":{"line":12}}"#,
    ];

    /// The fast path alone, as a value.
    fn fast(line: &str) -> Step<EventView<'_>> {
        let mut view = EventView::default();
        super::fast(line, &mut view).map(|()| view)
    }

    fn serde_reads(line: &str) -> Option<EventView<'_>> {
        serde_json::from_str(line).ok()
    }

    #[test]
    fn parsed_lines_take_the_fast_path_and_read_as_serde_json_reads_them() {
        for line in &PARSED[..3] {
            let fast = fast(line).unwrap_or_else(|_| panic!("fast path refused {line}"));
            assert_eq!(Some(&fast), serde_reads(line).as_ref(), "{line}");
        }
        // An exponent is serde_json's to read, and still reads.
        assert!(fast(PARSED[3]).is_err());
        let view = EventView::read(PARSED[3]).expect("reads");
        assert_eq!(
            view.mysql.query.as_deref(),
            Some("SELECT * FROM users WHERE id=1 OR 1=1")
        );
    }

    #[test]
    fn the_shortcut_for_first_members_reads_what_the_walk_reads() {
        for (compact, spaced) in [
            (
                r#"{"@timestamp":"2026-01-01T00:00:00Z","event":{"kind":"event","module":"ssh"},"source":{"ip":"192.0.2.1","port":22},"log":{"file":{"path":"a.log"},"offset":3},"logsentry":{"line":4}}"#,
                r#"{ "@timestamp" : "2026-01-01T00:00:00Z", "event": { "kind":"event", "module":"ssh"}, "source": {"ip" :"192.0.2.1","port":22}, "log":{ "file":{"path":"a.log"},"offset":3},"logsentry":{"line":4}}"#,
            ),
            // The wanted member second, or not there at all.
            (
                r#"{"event":{"module":"ssh","kind":"event"},"source":{"port":22,"ip":"192.0.2.1"},"log":{"offset":3,"file":{"path":"a.log"}},"user":{}}"#,
                r#"{"event":{ "module":"ssh","kind":"event"},"source":{ "port":22,"ip":"192.0.2.1"},"log":{"offset":3,"file":{ "path":"a.log"}},"user":{ }}"#,
            ),
        ] {
            let shortcut = fast(compact).expect("compact");
            assert_eq!(Some(&shortcut), serde_reads(compact).as_ref(), "{compact}");
            assert_eq!(Some(&shortcut), fast(spaced).ok().as_ref(), "{spaced}");
        }
        let view = fast(r#"{"source":{"ip":null},"log":{"file":{"path":"x"}}}"#).expect("reads");
        assert_eq!(view.source.ip, None);
        assert_eq!(view.log.file.path.as_deref(), Some("x"));
    }

    #[test]
    fn the_fields_land_where_they_belong() {
        let view = fast(PARSED[1]).expect("fast");
        assert_eq!(view.url.original.as_deref(), Some("/search?q=\"a\\b\""));
        assert_eq!(view.http.response.status_code, Some(200));
        assert_eq!(view.event.module.as_deref(), Some("web"));
        assert_eq!(view.logsentry.line, Some(7));
        let view = fast(PARSED[2]).expect("fast");
        assert_eq!(
            view.winlog.event_data.image_path,
            Some(Value::String("C:\\Temp\\x.exe".into()))
        );
        assert_eq!(view.winlog.logon.kind.as_deref(), Some("Network"));
        assert_eq!(view.group.name.as_deref(), Some("Administrators"));
        assert_eq!(view.logsentry.repeated, Some(3));
    }

    #[test]
    fn what_serde_json_rejects_is_never_read_here() {
        for line in [
            r#"{"message":"a","message":"b"}"#,
            r#"{"event":{"kind":"event","kind":"alert"}}"#,
            // The members our stages write first are found by a shortcut; a second one is
            // still a duplicate.
            r#"{"@timestamp":"a","@timestamp":"b"}"#,
            r#"{"source":{"ip":"a","ip":"b"}}"#,
            r#"{"log":{"file":{"path":"a"},"file":{}}}"#,
            r#"{"log":{"file":{"path":"a","path":"b"}}}"#,
            r#"{"source":{"ip":"a",}}"#,
            r#"{"source":{"ip":"a""#,
            r#"{"http":{"response":{"status_code":70000}}}"#,
            r#"{"process":{"pid":-1}}"#,
            r#"{"event":null}"#,
            r#"{"message":1}"#,
            r#"{"message":"a"} trailing"#,
            r#"{"message":"a",}"#,
            "{\"message\":\"tab\there\"}",
        ] {
            assert!(fast(line).is_err(), "{line}");
            assert!(serde_reads(line).is_none(), "{line}");
        }
    }

    /// A value of any JSON type, as text.
    fn any_value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("null".to_owned()),
            Just("true".to_owned()),
            any::<u32>().prop_map(|n| n.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            (-1e6f64..1e6).prop_map(|n| n.to_string()),
            "[a-z \\\\\"/\\t]{0,8}".prop_map(|text| serde_json::to_string(&text).unwrap_or_default()),
            Just(r#""\u00e9\ud83d\ude00""#.to_owned()),
            Just(r#"["x",{"y":[1,2]}]"#.to_owned()),
            Just("{}".to_owned()),
        ]
    }

    /// A member with one of the names detection reads, or another, nested or not.
    fn any_member() -> impl Strategy<Value = String> {
        let names = prop::sample::select(vec![
            "@timestamp",
            "message",
            "event",
            "kind",
            "module",
            "action",
            "outcome",
            "source",
            "ip",
            "user",
            "name",
            "group",
            "host",
            "hostname",
            "process",
            "pid",
            "url",
            "original",
            "http",
            "response",
            "status_code",
            "log",
            "file",
            "path",
            "winlog",
            "event_data",
            "ServiceName",
            "ImagePath",
            "logon",
            "type",
            "mysql",
            "query",
            "logsentry",
            "line",
            "event_type",
            "repeated",
            "ssh",
            "method",
            "other",
        ]);
        let leaf = (names.clone(), any_value()).prop_map(|(name, value)| format!("\"{name}\":{value}"));
        leaf.prop_recursive(3, 24, 4, move |inner| {
            (names.clone(), prop::collection::vec(inner, 0..4))
                .prop_map(|(name, members)| format!("\"{name}\":{{{}}}", members.join(",")))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// Whatever the record, the fast path either reads it exactly as serde_json does or
        /// leaves it to serde_json.
        #[test]
        fn agrees_with_serde_json(members in prop::collection::vec(any_member(), 0..8), spaced: bool, cut in 0usize..400) {
            let separator = if spaced { " , " } else { "," };
            let line = format!("{{{}}}", members.join(separator));
            for text in [line.as_str(), line.get(..cut.min(line.len())).unwrap_or("")] {
                if let Ok(view) = fast(text) {
                    let expected = serde_reads(text);
                    prop_assert_eq!(Some(&view), expected.as_ref(), "{}", text);
                }
            }
        }
    }
}
