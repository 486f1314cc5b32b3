//! Our generator of the ATT&CK table: reads a STIX 2 bundle as MITRE publishes it
//! (`enterprise-attack.json`, plain or gzipped) and keeps what enrichment needs: every
//! technique's id, name, tactics, page, sub-technique, deprecated and revoked flags (with the
//! replacement, from the bundle's `revoked-by` relationships), and the tactics in matrix order.

use super::{AttackTable, TacticInfo, TechniqueInfo};
use serde::Deserialize;
use std::collections::HashMap;
use std::io::Read;

/// Why a bundle could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StixError {
    /// Reading or decompressing failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Not a STIX bundle.
    #[error("not a STIX bundle: {0}")]
    Json(#[from] serde_json::Error),
    /// A bundle without ATT&CK techniques.
    #[error("the bundle holds no ATT&CK techniques (attack-pattern objects with a mitre-attack id)")]
    NoTechniques,
}

#[derive(Deserialize)]
struct Bundle {
    objects: Vec<StixObject>,
}

#[derive(Deserialize)]
struct StixObject {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    modified: String,
    #[serde(default)]
    external_references: Vec<ExternalReference>,
    #[serde(default)]
    kill_chain_phases: Vec<KillChainPhase>,
    #[serde(default)]
    x_mitre_is_subtechnique: bool,
    #[serde(default)]
    x_mitre_deprecated: bool,
    #[serde(default)]
    revoked: bool,
    #[serde(default)]
    x_mitre_shortname: String,
    #[serde(default)]
    tactic_refs: Vec<String>,
    #[serde(default)]
    relationship_type: String,
    #[serde(default)]
    source_ref: String,
    #[serde(default)]
    target_ref: String,
    #[serde(default)]
    x_mitre_version: String,
}

#[derive(Deserialize)]
struct ExternalReference {
    #[serde(default)]
    source_name: String,
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    url: String,
}

#[derive(Deserialize)]
struct KillChainPhase {
    #[serde(default)]
    kill_chain_name: String,
    #[serde(default)]
    phase_name: String,
}

impl StixObject {
    /// The ATT&CK id and page (`T1110.001`, `TA0006`).
    fn attack_reference(&self) -> Option<&ExternalReference> {
        self.external_references
            .iter()
            .find(|reference| reference.source_name == "mitre-attack" && !reference.external_id.is_empty())
    }
}

/// Reads a bundle (gzip is recognised by its magic bytes).
pub fn read_bundle(mut reader: impl Read) -> Result<AttackTable, StixError> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes)?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut plain = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice()).read_to_end(&mut plain)?;
        bytes = plain;
    }
    let bundle: Bundle = serde_json::from_slice(&bytes)?;
    from_objects(bundle.objects)
}

fn from_objects(objects: Vec<StixObject>) -> Result<AttackTable, StixError> {
    let mut collection_version = None;
    let mut latest_change = String::new();
    let mut tactic_order: Vec<String> = Vec::new();
    let mut tactics_by_stix: HashMap<String, TacticInfo> = HashMap::new();
    let mut revoked_by_stix: HashMap<String, String> = HashMap::new();
    let mut id_of_stix: HashMap<String, String> = HashMap::new();
    let mut techniques: Vec<(String, TechniqueInfo)> = Vec::new();
    for object in objects {
        if object.modified > latest_change {
            latest_change.clone_from(&object.modified);
        }
        match object.kind.as_str() {
            "x-mitre-collection" if !object.x_mitre_version.is_empty() => {
                collection_version = Some(object.x_mitre_version.clone());
            }
            "x-mitre-matrix" if tactic_order.is_empty() => tactic_order.clone_from(&object.tactic_refs),
            "relationship" if object.relationship_type == "revoked-by" => {
                revoked_by_stix.insert(object.source_ref, object.target_ref);
            }
            "x-mitre-tactic" => {
                if let Some(reference) = object.attack_reference() {
                    let tactic = TacticInfo {
                        id: reference.external_id.clone(),
                        shortname: object.x_mitre_shortname.clone(),
                        name: object.name.clone(),
                        url: reference.url.clone(),
                    };
                    tactics_by_stix.insert(object.id.clone(), tactic);
                }
            }
            "attack-pattern" => {
                let Some(reference) = object.attack_reference() else {
                    continue;
                };
                id_of_stix.insert(object.id.clone(), reference.external_id.clone());
                let technique = TechniqueInfo {
                    id: reference.external_id.clone(),
                    name: object.name.clone(),
                    tactics: object
                        .kill_chain_phases
                        .iter()
                        .filter(|phase| phase.kill_chain_name == "mitre-attack")
                        .map(|phase| phase.phase_name.clone())
                        .collect(),
                    url: reference.url.clone(),
                    subtechnique: object.x_mitre_is_subtechnique,
                    deprecated: object.x_mitre_deprecated,
                    revoked: object.revoked,
                    revoked_by: None,
                };
                techniques.push((object.id, technique));
            }
            _ => {}
        }
    }
    if techniques.is_empty() {
        return Err(StixError::NoTechniques);
    }
    let mut tactics: Vec<TacticInfo> = tactic_order
        .iter()
        .filter_map(|stix| tactics_by_stix.remove(stix))
        .collect();
    // Tactics the matrix does not list (a partial bundle) follow in id order.
    let mut rest: Vec<TacticInfo> = tactics_by_stix.into_values().collect();
    rest.sort_by(|a, b| a.id.cmp(&b.id));
    tactics.extend(rest);
    let mut table = AttackTable {
        version: collection_version.unwrap_or_else(|| match latest_change.get(..10) {
            Some(day) => format!("unversioned, latest change {day}"),
            None => "unversioned".to_owned(),
        }),
        tactics,
        techniques: HashMap::new(),
    };
    for (stix, mut technique) in techniques {
        technique.revoked_by = revoked_by_stix
            .get(&stix)
            .and_then(|target| id_of_stix.get(target))
            .cloned();
        table.insert(technique);
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bundle shaped as MITRE publishes the full one: a collection with its release, a
    /// matrix, relationships.
    const BUNDLE: &str = r#"{"type":"bundle","id":"bundle--1","objects":[
      {"type":"x-mitre-collection","id":"x-mitre-collection--1","name":"Enterprise ATT&CK","x_mitre_version":"19.0","modified":"2026-04-01T00:00:00.000Z"},
      {"type":"x-mitre-matrix","id":"x-mitre-matrix--1","tactic_refs":["x-mitre-tactic--b","x-mitre-tactic--a"]},
      {"type":"x-mitre-tactic","id":"x-mitre-tactic--a","name":"Credential Access","x_mitre_shortname":"credential-access",
       "external_references":[{"source_name":"mitre-attack","external_id":"TA0006","url":"https://attack.mitre.org/tactics/TA0006"}]},
      {"type":"x-mitre-tactic","id":"x-mitre-tactic--b","name":"Reconnaissance","x_mitre_shortname":"reconnaissance",
       "external_references":[{"source_name":"mitre-attack","external_id":"TA0043","url":"https://attack.mitre.org/tactics/TA0043"}]},
      {"type":"attack-pattern","id":"attack-pattern--new","name":"Password Guessing","x_mitre_is_subtechnique":true,
       "kill_chain_phases":[{"kill_chain_name":"mitre-attack","phase_name":"credential-access"},{"kill_chain_name":"other","phase_name":"x"}],
       "external_references":[{"source_name":"capec","external_id":"CAPEC-49"},{"source_name":"mitre-attack","external_id":"T1110.001","url":"https://attack.mitre.org/techniques/T1110/001"}]},
      {"type":"attack-pattern","id":"attack-pattern--old","name":"Old Guessing","revoked":true,
       "external_references":[{"source_name":"mitre-attack","external_id":"T1999","url":"https://attack.mitre.org/techniques/T1999"}]},
      {"type":"attack-pattern","id":"attack-pattern--dup","name":"Stale copy","x_mitre_deprecated":true,
       "external_references":[{"source_name":"mitre-attack","external_id":"T1110.001","url":"u"}]},
      {"type":"relationship","id":"relationship--1","relationship_type":"revoked-by","source_ref":"attack-pattern--old","target_ref":"attack-pattern--new"},
      {"type":"relationship","id":"relationship--2","relationship_type":"uses","source_ref":"intrusion-set--1","target_ref":"attack-pattern--new"},
      {"type":"attack-pattern","id":"attack-pattern--nomitre","name":"No ATT&CK id","external_references":[]}
    ]}"#;

    #[test]
    fn a_full_bundle_gives_release_tactic_order_and_replacements() {
        let table = read_bundle(BUNDLE.as_bytes()).expect("bundle");
        assert_eq!(table.version, "19.0");
        let order: Vec<&str> = table.tactics.iter().map(|tactic| tactic.id.as_str()).collect();
        assert_eq!(order, ["TA0043", "TA0006"], "matrix order");
        let guessing = table.technique("t1110.001").expect("any case");
        assert_eq!(
            guessing.name, "Password Guessing",
            "the active copy wins over the deprecated one"
        );
        assert_eq!(guessing.tactics, ["credential-access"], "only ATT&CK's kill chain");
        assert!(guessing.subtechnique);
        let old = table.technique("T1999").expect("revoked ones are kept");
        assert!(old.revoked);
        assert_eq!(old.revoked_by.as_deref(), Some("T1110.001"));
        assert_eq!(table.len(), 2);
        assert_eq!(table.tactic("credential access").map(|t| t.id.as_str()), Some("TA0006"));
        assert_eq!(table.tactic("TA0043").map(|t| t.name.as_str()), Some("Reconnaissance"));
        // The compact text reads back as the same table.
        let again = AttackTable::from_text(&table.to_text()).expect("text");
        assert_eq!(again.technique("T1999"), table.technique("T1999"));
        assert_eq!(again.tactics, table.tactics);
        assert_eq!(again.version, table.version);
    }

    #[test]
    fn gzip_is_read_and_what_is_not_a_bundle_is_an_error() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(BUNDLE.as_bytes()).expect("gzip");
        let compressed = gz.finish().expect("gzip");
        assert_eq!(read_bundle(compressed.as_slice()).expect("gz bundle").len(), 2);
        assert!(matches!(
            read_bundle(&b"{\"objects\":[]}"[..]),
            Err(StixError::NoTechniques)
        ));
        assert!(matches!(read_bundle(&b"[1,2"[..]), Err(StixError::Json(_))));
    }
}
