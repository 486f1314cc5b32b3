//! ECS allows a field as nested objects (`{"source":{"ip":…}}`) or as one dotted key
//! (`{"source.ip":…}`), and producers mix the two (`{"source.geo":{"city_name":…}}`). Our
//! stages write nested objects only; a record from elsewhere is brought to that shape before
//! it is read, and a cheap scan of the line keeps our own records off that slow path.

use serde_json::{Map, Value};

/// A dotted key with more parts than this is left as it is: a hostile key such as `a.a.a…`
/// must not build a structure deeper than serde_json itself would parse.
const MAX_PARTS: usize = 8;

/// Whether the line may hold a member whose key has a dot. From each dot, the next quote
/// that is not escaped ends the string the dot is in, or opens the next one: only a key's
/// closing quote is followed by a colon. A colon after an opening quote (`80.5,":x"`) is a
/// false positive that costs only the slow path; a dotted key is never missed. Linear: the
/// dots before one quote share its answer.
pub(crate) fn may_have_dotted_key(line: &str) -> bool {
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(dot) = memchr::memchr(b'.', &bytes[from..]).map(|at| from + at) {
        let Some(quote) = unescaped_quote(bytes, dot) else {
            return false;
        };
        if bytes[quote + 1..].trim_ascii_start().first() == Some(&b':') {
            return true;
        }
        from = quote + 1;
    }
    false
}

/// The first quote at or after `from` that an odd run of backslashes does not escape.
fn unescaped_quote(bytes: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let quote = from + memchr::memchr(b'"', &bytes[from..])?;
        let backslashes = bytes[..quote].iter().rev().take_while(|&&byte| byte == b'\\').count();
        if backslashes % 2 == 0 {
            return Some(quote);
        }
        from = quote + 1;
    }
}

/// Rewrites every dotted key of every object in `value` as nested objects. Where a nested
/// object and a dotted key both give a field, the nested one wins; a dotted key that runs into
/// a field that is not an object is dropped.
pub(crate) fn expand(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let dotted: Vec<String> = map
                .keys()
                .filter(|key| {
                    key.contains('.') && key.split('.').count() <= MAX_PARTS && !key.split('.').any(str::is_empty)
                })
                .cloned()
                .collect();
            for key in dotted {
                if let Some(field) = map.remove(&key) {
                    insert(map, &key, field);
                }
            }
            map.values_mut().for_each(expand);
        }
        Value::Array(items) => items.iter_mut().for_each(expand),
        _ => {}
    }
}

fn insert(map: &mut Map<String, Value>, path: &str, field: Value) {
    match path.split_once('.') {
        None => {
            match map.get_mut(path) {
                None => {
                    map.insert(path.to_owned(), field);
                }
                // Both forms of an object: merge them, the nested members winning.
                Some(Value::Object(known)) => {
                    if let Value::Object(more) = field {
                        for (key, value) in more {
                            known.entry(key).or_insert(value);
                        }
                    }
                }
                Some(_) => {}
            }
        }
        Some((head, rest)) => {
            let slot = map.entry(head.to_owned()).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = slot {
                insert(inner, rest, field);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_keys_become_nested_objects_at_every_level() {
        let mut record = json!({
            "source.ip": "203.0.113.47",
            "source": {"geo.country_name": "Norway", "port": 22},
            "logsentry.incident": {"timeline": [{"rule.id": "x"}]},
            "user": {"name": "root"},
            "user.name": "ignored: the nested field wins",
            "host.name.first": "dropped: host.name is text"
        });
        record["host"] = json!({"name": "web-1"});
        expand(&mut record);
        assert_eq!(record["source"]["ip"], "203.0.113.47");
        assert_eq!(record["source"]["geo"]["country_name"], "Norway");
        assert_eq!(record["source"]["port"], 22);
        assert_eq!(record["logsentry"]["incident"]["timeline"][0]["rule"]["id"], "x");
        assert_eq!(record["user"]["name"], "root");
        assert_eq!(record["host"]["name"], "web-1");
        assert!(record.get("user.name").is_none() && record.get("source.ip").is_none());
    }

    #[test]
    fn odd_and_deep_keys_stay_as_they_are() {
        let deep = ["a"; MAX_PARTS + 1].join(".");
        let mut record = json!({ deep.clone(): 1, "a..b": 2, ".c": 3 });
        expand(&mut record);
        assert_eq!(record[&deep], 1);
        assert_eq!(record["a..b"], 2);
        assert_eq!(record[".c"], 3);
    }

    #[test]
    fn the_scan_finds_every_dotted_key_and_passes_our_own_lines() {
        assert!(may_have_dotted_key(r#"{"source.ip":"x"}"#));
        assert!(may_have_dotted_key(r#"{"a":{"geo.city_name" : "x"}}"#));
        assert!(may_have_dotted_key(r#"{"a\"b.c":1}"#));
        assert!(!may_have_dotted_key(
            r#"{"@timestamp":"2026-03-14T00:00:00Z","message":"GET /a.php: 404","url":{"original":"/x.y"}}"#
        ));
        assert!(!may_have_dotted_key(r#"{"message":"1.2.3.4:22","a":"b"}"#));
        assert!(!may_have_dotted_key(r#"{"risk":80.5,"ip":"203.0.113.47"}"#));
        assert!(may_have_dotted_key(r#"{"a.b\"c":1}"#), "an escaped quote in the key");
        assert!(
            !may_have_dotted_key(r#"{"message":"x.y: \"or 1=1\": z","a":1}"#),
            "escaped quotes in a value"
        );
        assert!(
            may_have_dotted_key(r#"{"m":"\\","a.b":1}"#),
            "an escaped backslash ends the value"
        );
        assert!(may_have_dotted_key(r#"{"x":1, "event.kind" :"alert"}"#));
        // Linear in a string of dots: each dot does not search to the string's end again.
        let dots = format!(r#"{{"message":"{}","a":1}}"#, ".".repeat(1 << 20));
        assert!(!may_have_dotted_key(&dots));
    }

    /// JSON values whose keys and strings hold what a hostile producer can put there: dots,
    /// quotes, backslashes, colons.
    fn record() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let text = || proptest::string::string_regex(r#"[a.:"\\ x]{0,6}"#).expect("regex");
        let leaf = prop_oneof![
            text().prop_map(Value::from),
            (0u32..1000).prop_map(|n| Value::from(f64::from(n) / 8.0))
        ];
        leaf.prop_recursive(3, 24, 4, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::vec((text(), inner), 0..4)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    fn has_dotted_key(value: &Value) -> bool {
        match value {
            Value::Object(map) => map
                .iter()
                .any(|(key, value)| key.contains('.') || has_dotted_key(value)),
            Value::Array(items) => items.iter().any(has_dotted_key),
            _ => false,
        }
    }

    proptest::proptest! {
        /// The scan is the only guard of the slow path: a record with a dotted key anywhere,
        /// compact or spaced, must never pass it.
        #[test]
        fn the_scan_never_misses_a_dotted_key(value in record(), pretty in proptest::bool::ANY) {
            let line = if pretty { serde_json::to_string_pretty(&value) } else { serde_json::to_string(&value) }
                .expect("a Value serialises");
            if has_dotted_key(&value) {
                proptest::prop_assert!(may_have_dotted_key(&line), "{line}");
            }
        }
    }
}
