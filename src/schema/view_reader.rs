//! Reading an [`EventView`] from a line. serde_json's derived reader was nearly half of
//! ls-detect's time: it matches every key of every nested object against the struct's
//! fields through several layers of calls. Here the dozen fields detection needs are picked
//! out by one walk over the line with the fast reader [`record_view!`](super::json) derives
//! from the view's declaration, which skips the rest while checking it is JSON. Anything the
//! walk is not sure of goes to serde_json, so both readers accept, reject and understand every
//! line alike (a proptest below holds them to it).

use super::json::{Cursor, ReadFast, Step};
use super::view::EventView;

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
    view.read_object(&mut cursor)?;
    cursor.finish()
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
            Some(serde_json::Value::String("C:\\Temp\\x.exe".into()))
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
        // The keys the views declare, and one they do not.
        let mut keys = vec!["other"];
        EventView::keys(&mut keys);
        let names = prop::sample::select(keys);
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
