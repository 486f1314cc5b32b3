//! ECS allows a field as nested objects (`{"source":{"ip":…}}`) or as one dotted key
//! (`{"source.ip":…}`), and producers mix the two (`{"source.geo":{"city_name":…}}`). Our
//! stages write nested objects only; a record from elsewhere is brought to that shape before
//! it is read, and a cheap scan of the line keeps our own records off that slow path.

use serde_json::{Map, Value};

/// A dotted key with more parts than this is left as it is: a hostile key such as `a.a.a…`
/// must not build a structure deeper than serde_json itself would parse.
const MAX_PARTS: usize = 8;

/// Whether the line may hold a member whose key has a dot. False positives (a dot in a string
/// value that ends just before a colon) cost only the slow path; a dotted key is never missed.
pub(crate) fn may_have_dotted_key(line: &str) -> bool {
    let bytes = line.as_bytes();
    memchr::memchr_iter(b':', bytes).any(|colon| {
        let before = bytes[..colon].trim_ascii_end();
        let Some(inside) = before.strip_suffix(b"\"") else {
            return false;
        };
        // The key's opening quote, unless the key holds an escaped quote: then its text runs
        // further back, and any dot in the line is reason enough.
        match memchr::memrchr(b'"', inside) {
            Some(open) => memchr::memchr(b'.', &inside[open..]).is_some() || inside[..open].ends_with(b"\\"),
            None => false,
        }
    })
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
    }
}
