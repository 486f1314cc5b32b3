//! ls-enrich: the ATT&CK table our generator makes from MITRE's real STIX bundle, checked
//! against the compact tables published beside it, and the embedded copy kept current.

use crate::common::*;
use logsentry::attack::{stix, AttackTable};
use std::collections::BTreeMap;

const BUNDLE: &str = "mitre-attack/enterprise-attack-subset.stix.json.gz";

fn bundle_table(corpus: &std::path::Path) -> AttackTable {
    let file = std::fs::File::open(corpus.join(BUNDLE)).expect("the STIX bundle");
    stix::read_bundle(file).expect("a readable bundle")
}

#[test]
#[cfg_attr(not(logsentry_corpus), ignore = "needs LOGSENTRY_CORPUS=../shared/corpus")]
fn the_generator_reads_the_real_bundle_as_the_compact_tables_say() {
    let corpus = corpus();
    let table = bundle_table(&corpus);
    let techniques = std::fs::read_to_string(corpus.join("mitre-attack/enterprise-techniques.jsonl")).expect("jsonl");
    let mut checked = 0;
    let mut revoked = 0;
    for line in techniques.lines() {
        let row: serde_json::Value = serde_json::from_str(line).expect("json");
        let id = row["technique_id"].as_str().expect("id");
        let ours = table.technique(id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(ours.name, row["name"].as_str().expect("name"), "{id}");
        let tactics: Vec<&str> = row["tactics"]
            .as_array()
            .expect("tactics")
            .iter()
            .filter_map(|t| t.as_str())
            .collect();
        assert_eq!(ours.tactics, tactics, "{id}");
        assert_eq!(ours.url, row["url"].as_str().expect("url"), "{id}");
        assert_eq!(ours.subtechnique, row["is_subtechnique"] == true, "{id}");
        assert_eq!(ours.deprecated, row["deprecated"] == true, "{id}");
        assert_eq!(ours.revoked, row["revoked"] == true, "{id}");
        // The bundle has no relationships, so no replacements: the published full bundle
        // has them (the unit tests read one such relationship).
        assert_eq!(ours.revoked_by, None, "{id}");
        revoked += usize::from(ours.revoked);
        checked += 1;
    }
    assert_eq!((checked, table.len(), revoked), (835, 835, 132));
    let tactics = std::fs::read_to_string(corpus.join("mitre-attack/enterprise-tactics.jsonl")).expect("tactics");
    let expected: Vec<(String, String, String)> = tactics
        .lines()
        .map(|line| {
            let row: serde_json::Value = serde_json::from_str(line).expect("json");
            let field = |name: &str| row[name].as_str().expect("field").to_owned();
            (field("tactic_id"), field("shortname"), field("name"))
        })
        .collect();
    let ours: Vec<(String, String, String)> = table
        .tactics
        .iter()
        .map(|tactic| (tactic.id.clone(), tactic.shortname.clone(), tactic.name.clone()))
        .collect();
    assert_eq!(ours, expected, "the 14 tactics in matrix order");
    // The corpus README's sanity rows.
    let tactics_of = |id: &str| table.technique(id).expect("known").tactics.join(",");
    assert_eq!(tactics_of("T1110.004"), "credential-access");
    assert_eq!(tactics_of("T1078").split(',').count(), 4);
    assert_eq!(tactics_of("T1098"), "persistence,privilege-escalation");
    assert_eq!(tactics_of("T1595.002"), "reconnaissance");
    assert!(
        table.version.starts_with("unversioned, latest change 2025-"),
        "{}",
        table.version
    );
}

#[test]
#[cfg_attr(not(logsentry_corpus), ignore = "needs LOGSENTRY_CORPUS=../shared/corpus")]
fn the_embedded_table_is_the_generators_output_for_the_real_bundle() {
    let corpus = corpus();
    let generated = bundle_table(&corpus).to_text();
    let path = repo_root().join("src/attack/enterprise.tsv");
    if std::env::var_os("LOGSENTRY_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("bless");
    }
    let committed = std::fs::read_to_string(&path).expect("enterprise.tsv");
    assert!(
        committed == generated,
        "src/attack/enterprise.tsv is stale (LOGSENTRY_BLESS=1 cargo test --test it enrich)"
    );
    // And it reads back as the table it was written from.
    let embedded = AttackTable::embedded();
    let from_bundle = bundle_table(&corpus);
    assert_eq!(embedded.len(), from_bundle.len());
    assert_eq!(embedded.version, from_bundle.version);
    let by_id = |table: &AttackTable| {
        table
            .tactics
            .iter()
            .map(|tactic| (tactic.id.clone(), tactic.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    assert_eq!(by_id(&embedded), by_id(&from_bundle));
    for id in ["T1110", "T1110.001", "T1066", "T1059.007"] {
        assert_eq!(embedded.technique(id), from_bundle.technique(id), "{id}");
    }
}

#[test]
fn every_technique_our_rules_name_is_in_the_embedded_table_and_active() {
    let table = AttackTable::embedded();
    assert!(table.len() > 800, "{}", table.len());
    let listed = ls_detect(&["--list-rules"], b"");
    let text = String::from_utf8_lossy(&listed.stdout);
    let ids: Vec<&str> = text
        .lines()
        .filter_map(|line| line.split_whitespace().nth(2))
        .filter(|id| id.starts_with('T'))
        .collect();
    assert!(ids.len() >= 15, "{ids:?}");
    for id in ids {
        let technique = table.technique(id).unwrap_or_else(|| panic!("{id} not in the table"));
        assert!(!technique.revoked && !technique.deprecated, "{id}");
    }
}

/// Every leaf of `original` is in `enriched` with the same value (arrays compared whole).
fn kept_everything(original: &serde_json::Value, enriched: &serde_json::Value, path: &str) {
    match (original, enriched) {
        (serde_json::Value::Object(before), serde_json::Value::Object(after)) => {
            let order: Vec<&String> = after.keys().filter(|key| before.contains_key(*key)).collect();
            assert_eq!(order, before.keys().collect::<Vec<_>>(), "{path}: key order kept");
            for (key, value) in before {
                kept_everything(value, &after[key], &format!("{path}.{key}"));
            }
        }
        _ => assert_eq!(original, enriched, "{path} changed"),
    }
}

#[test]
fn enrichment_adds_attack_context_and_changes_nothing_that_was_there() {
    let input = sample_alerts();
    let output = ls_enrich(&[], &input);
    assert!(output.status.success(), "{}", stderr(&output));
    let before: Vec<serde_json::Value> = String::from_utf8_lossy(&input)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let after: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(before.len(), after.len(), "no record dropped or created");
    let version = AttackTable::embedded().version;
    for (original, enriched) in before.iter().zip(&after) {
        kept_everything(original, enriched, "");
        assert_eq!(enriched["logsentry"]["attack"]["version"], version.as_str());
        let tactic = enriched["threat"]["tactic"]["name"].as_str().expect("tactic");
        let id = enriched["threat"]["tactic"]["id"].as_str().expect("tactic id added");
        let expected = match tactic {
            "Reconnaissance" => "TA0043",
            "Initial Access" => "TA0001",
            "Execution" => "TA0002",
            "Persistence" => "TA0003",
            "Privilege Escalation" => "TA0004",
            "Defense Evasion" => "TA0005",
            "Credential Access" => "TA0006",
            "Discovery" => "TA0007",
            other => panic!("unexpected tactic {other}"),
        };
        assert_eq!(id, expected, "{tactic}");
        assert_eq!(
            enriched["threat"]["tactic"]["reference"],
            format!("https://attack.mitre.org/tactics/{expected}").as_str()
        );
        let technique = &enriched["logsentry"]["attack"]["techniques"][0];
        assert_eq!(technique["id"], original["threat"]["technique"]["id"]);
        assert!(technique["tactics"]
            .as_array()
            .is_some_and(|tactics| !tactics.is_empty()));
    }
    // Events name no technique: they pass byte for byte.
    let events = ls_parse(&["ssh", sample("auth.log").to_str().expect("path")], b"");
    let passed = ls_enrich(&["-q"], &events.stdout);
    assert_eq!(passed.stdout, events.stdout);
}

#[test]
fn a_bare_technique_id_gets_its_names_and_revoked_or_unknown_ids_say_so() {
    let input = concat!(
        r#"{"threat":{"technique":{"id":"T1110.001"}},"note":"other producer"}"#,
        "\n",
        r#"{"threat":{"technique":{"id":"T1066"}}}"#,
        "\n",
        r#"{"threat":{"technique":{"id":"T9999"}},"logsentry":{"line":3}}"#,
        "\n",
        "not json, but kept\n",
        r#"{"threat":"not an object","technique":1}"#,
        "\n",
    );
    let output = ls_enrich(&[], input.as_bytes());
    assert_eq!(output.status.code(), Some(1), "a line that is not JSON makes exit 1");
    assert!(
        stderr(&output).contains("<stdin>:4: not a JSON record (written out unchanged)"),
        "{}",
        stderr(&output)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[3], "not json, but kept");
    assert_eq!(lines[4], r#"{"threat":"not an object","technique":1}"#);
    let guessing: serde_json::Value = serde_json::from_str(lines[0]).expect("json");
    assert_eq!(
        guessing["threat"]["technique"]["name"],
        "Brute Force: Password Guessing"
    );
    assert_eq!(
        guessing["threat"]["technique"]["reference"],
        "https://attack.mitre.org/techniques/T1110/001"
    );
    assert_eq!(guessing["threat"]["tactic"]["name"], "Credential Access");
    assert_eq!(guessing["threat"]["tactic"]["id"], "TA0006");
    assert_eq!(guessing["note"], "other producer");
    let revoked: serde_json::Value = serde_json::from_str(lines[1]).expect("json");
    assert_eq!(revoked["logsentry"]["attack"]["techniques"][0]["revoked"], true);
    let unknown: serde_json::Value = serde_json::from_str(lines[2]).expect("json");
    assert_eq!(unknown["logsentry"]["attack"]["techniques"][0]["known"], false);
    assert!(unknown["threat"]["technique"].get("name").is_none(), "nothing invented");
    assert_eq!(unknown["logsentry"]["line"], 3);
}

#[test]
fn a_newer_release_from_a_stix_bundle_names_replacements() {
    let bundle = r#"{"type":"bundle","objects":[
      {"type":"x-mitre-collection","x_mitre_version":"19.0"},
      {"type":"attack-pattern","id":"attack-pattern--new","name":"Brand New","kill_chain_phases":[{"kill_chain_name":"mitre-attack","phase_name":"impact"}],
       "external_references":[{"source_name":"mitre-attack","external_id":"T1110.001","url":"https://attack.mitre.org/techniques/T1110/001"}]},
      {"type":"attack-pattern","id":"attack-pattern--old","name":"Old","revoked":true,
       "external_references":[{"source_name":"mitre-attack","external_id":"T1066","url":"u"}]},
      {"type":"relationship","relationship_type":"revoked-by","source_ref":"attack-pattern--old","target_ref":"attack-pattern--new"}]}"#;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("enterprise-attack.json");
    std::fs::write(&path, bundle).expect("write");
    let path = path.to_str().expect("path");
    let output = ls_enrich(
        &["--attack-stix", path, "-q"],
        b"{\"threat\":{\"technique\":{\"id\":\"T1066\"}}}\n",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let record: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(record["logsentry"]["attack"]["version"], "19.0");
    assert_eq!(
        record["logsentry"]["attack"]["techniques"][0]["revoked_by"],
        "T1110.001"
    );
    for bad in [dir.path().join("missing.json"), dir.path().to_path_buf()] {
        let output = ls_enrich(&["--attack-stix", bad.to_str().expect("path")], b"");
        // A data file that cannot be read is a data error, not a mistake on the command line.
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert!(stderr(&output).contains("--attack-stix"), "{}", stderr(&output));
    }
}

#[test]
fn an_unknown_technique_adds_no_empty_objects() {
    let input = br#"{"event":{"kind":"alert"},"threat":{"technique":{"id":"T9999"}},"source":{"ip":"8.8.8.8"}}
"#;
    let output = ls_enrich(&["-q"], input);
    assert!(output.status.success(), "{}", stderr(&output));
    let record: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert!(record["threat"].get("tactic").is_none(), "{record}");
    assert_eq!(record["threat"]["technique"], serde_json::json!({"id": "T9999"}));
    assert_eq!(record["logsentry"]["attack"]["techniques"][0]["known"], false);
}
