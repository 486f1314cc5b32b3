//! ATT&CK context on one record: fills in the `threat.*` fields ECS defines that the record
//! lacks (technique name and page, tactic names, ids and pages) and adds
//! `logsentry.attack` (the data's release, each technique's tactics, revoked or deprecated
//! and what replaced it). What the record already has is left exactly as it was.

use crate::attack::AttackTable;
use serde_json::{json, Map, Value};

/// Adds ATT&CK context to `record`; returns how many of its technique ids the table did not
/// know, or `None` when it names no technique.
pub fn add_attack_context(record: &mut Map<String, Value>, table: &AttackTable) -> Option<usize> {
    let (ids, single) = technique_ids(record)?;
    let known: Vec<Option<&crate::attack::TechniqueInfo>> = ids.iter().map(|id| table.technique(id)).collect();
    let unknown = known.iter().filter(|technique| technique.is_none()).count();
    // technique_ids found `threat.technique` to be objects.
    let threat = object_at(record, "threat")?;
    insert_missing(threat, "framework", json!("MITRE ATT&CK"));
    if let Some(technique) = (unknown == 0).then(|| object_at(threat, "technique")).flatten() {
        let found: Vec<&crate::attack::TechniqueInfo> = known.iter().flatten().copied().collect();
        let names: Vec<Value> = found.iter().map(|t| json!(full_name(table, t))).collect();
        let urls: Vec<Value> = found.iter().map(|t| json!(t.url)).collect();
        insert_missing(technique, "name", one_or_many(names, single));
        insert_missing(technique, "reference", one_or_many(urls, single));
    }
    // The tactics: the record's own, or every tactic of its techniques.
    let tactic_names: Vec<String> = match threat.get("tactic").and_then(|t| t.get("name")) {
        Some(Value::String(name)) => vec![name.clone()],
        Some(Value::Array(names)) => names.iter().filter_map(|n| n.as_str().map(str::to_owned)).collect(),
        _ => {
            let mut names: Vec<String> = Vec::new();
            for shortname in known.iter().flatten().flat_map(|t| &t.tactics) {
                if let Some(tactic) = table.tactic(shortname) {
                    if !names.contains(&tactic.name) {
                        names.push(tactic.name.clone());
                    }
                }
            }
            names
        }
    };
    let tactics: Vec<&crate::attack::TacticInfo> = tactic_names.iter().filter_map(|name| table.tactic(name)).collect();
    let complete = !tactic_names.is_empty() && tactics.len() == tactic_names.len();
    // `object_at` creates what it returns: asked only when there is something to put in it.
    if let Some(tactic) = complete.then(|| object_at(threat, "tactic")).flatten() {
        let one = tactics.len() == 1;
        insert_missing(
            tactic,
            "name",
            one_or_many(tactics.iter().map(|t| json!(t.name)).collect(), one),
        );
        insert_missing(
            tactic,
            "id",
            one_or_many(tactics.iter().map(|t| json!(t.id)).collect(), one),
        );
        insert_missing(
            tactic,
            "reference",
            one_or_many(tactics.iter().map(|t| json!(t.url)).collect(), one),
        );
    }
    let details: Vec<Value> = ids
        .iter()
        .zip(&known)
        .map(|(id, technique)| match technique {
            None => json!({"id": id, "known": false}),
            Some(technique) => {
                let mut detail = json!({
                    "id": technique.id,
                    "name": full_name(table, technique),
                    "tactics": technique.tactics.iter().filter_map(|s| table.tactic(s)).map(|t| t.name.clone()).collect::<Vec<_>>(),
                    "reference": technique.url,
                });
                if technique.revoked {
                    detail["revoked"] = json!(true);
                    if let Some(replacement) = &technique.revoked_by {
                        detail["revoked_by"] = json!(replacement);
                    }
                }
                if technique.deprecated {
                    detail["deprecated"] = json!(true);
                }
                detail
            }
        })
        .collect();
    if let Some(meta) = object_at(record, "logsentry") {
        insert_missing(meta, "attack", json!({"version": table.version, "techniques": details}));
    }
    Some(unknown)
}

/// `threat.technique.id`, and whether it is one id (not an array).
fn technique_ids(record: &Map<String, Value>) -> Option<(Vec<String>, bool)> {
    let (ids, single): (Vec<String>, bool) = match record.get("threat")?.get("technique")?.get("id")? {
        Value::String(id) => (vec![id.clone()], true),
        Value::Array(ids) => (
            ids.iter().filter_map(|id| id.as_str().map(str::to_owned)).collect(),
            false,
        ),
        _ => return None,
    };
    (!ids.is_empty()).then_some((ids, single))
}

/// `Brute Force: Password Guessing` for a sub-technique, as ATT&CK's pages title it.
fn full_name(table: &AttackTable, technique: &crate::attack::TechniqueInfo) -> String {
    table.full_name(technique)
}

fn one_or_many(mut values: Vec<Value>, one: bool) -> Value {
    if one && values.len() == 1 {
        values.remove(0)
    } else {
        Value::Array(values)
    }
}

fn insert_missing(object: &mut Map<String, Value>, key: &str, value: Value) {
    if !object.contains_key(key) {
        object.insert(key.to_owned(), value);
    }
}

/// The object at `key`, created when absent; `None` when the key holds something else,
/// which is left alone.
fn object_at<'m>(object: &'m mut Map<String, Value>, key: &str) -> Option<&'m mut Map<String, Value>> {
    object
        .entry(key.to_owned())
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
}
