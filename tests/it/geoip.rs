//! ls-enrich --geoip / --geoip-asn on MaxMind DB files the test builds: source.geo.* and
//! source.as.* added where the record lacks them, nothing else changed, and the report
//! showing them as attacker context.

use crate::common::*;
use crate::mmdb_writer_support::{ipv4_database, Data};
use serde_json::Value;
use std::net::Ipv4Addr;

fn databases(dir: &std::path::Path) -> (String, String) {
    let city = ipv4_database(
        "GeoLite2-City",
        &[
            (
                Ipv4Addr::new(8, 8, 8, 0),
                24,
                Data::Map(vec![
                    (
                        "continent",
                        Data::Map(vec![
                            ("code", Data::Text("NA")),
                            ("names", Data::Map(vec![("en", Data::Text("North America"))])),
                        ]),
                    ),
                    (
                        "country",
                        Data::Map(vec![
                            ("iso_code", Data::Text("US")),
                            (
                                "names",
                                Data::Map(vec![("en", Data::Text("United States")), ("de", Data::Text("USA"))]),
                            ),
                        ]),
                    ),
                    (
                        "subdivisions",
                        Data::Array(vec![Data::Map(vec![
                            ("iso_code", Data::Text("CA")),
                            ("names", Data::Map(vec![("en", Data::Text("California"))])),
                        ])]),
                    ),
                    (
                        "city",
                        Data::Map(vec![("names", Data::Map(vec![("en", Data::Text("Mountain View"))]))]),
                    ),
                    (
                        "location",
                        Data::Map(vec![
                            ("latitude", Data::Double(37.386)),
                            ("longitude", Data::Double(-122.0838)),
                            ("time_zone", Data::Text("America/Los_Angeles")),
                        ]),
                    ),
                ]),
            ),
            (
                Ipv4Addr::new(1, 1, 1, 0),
                24,
                Data::Map(vec![(
                    "country",
                    Data::Map(vec![
                        ("iso_code", Data::Text("AU")),
                        ("names", Data::Map(vec![("en", Data::Text("Australia"))])),
                    ]),
                )]),
            ),
        ],
    );
    let asn = ipv4_database(
        "GeoLite2-ASN",
        &[(
            Ipv4Addr::new(8, 8, 0, 0),
            16,
            Data::Map(vec![
                ("autonomous_system_number", Data::U32(15169)),
                ("autonomous_system_organization", Data::Text("GOOGLE")),
            ]),
        )],
    );
    let (city_path, asn_path) = (dir.join("city.mmdb"), dir.join("asn.mmdb"));
    std::fs::write(&city_path, city).expect("write city db");
    std::fs::write(&asn_path, asn).expect("write asn db");
    (city_path.display().to_string(), asn_path.display().to_string())
}

#[test]
fn geoip_adds_location_and_network_where_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (city, asn) = databases(dir.path());
    let input = [
        r#"{"@timestamp":"2026-03-14T01:00:00Z","event":{"kind":"alert","module":"ssh","severity":73},"source":{"ip":"8.8.8.8"},"logsentry":{"severity":"HIGH"}}"#,
        r#"{"source":{"ip":"1.1.1.1"}}"#,
        r#"{"source":{"ip":"10.0.0.1"},"b":1}"#,
        r#"{"source":{"ip":"8.8.4.4","geo":{"country_iso_code":"XX"}}}"#,
        r#"{"message":"no source"}"#,
        r#"{"source":{"ip":"8.8.8.8","geo":{"city_name":"Springfield"},"as":"not an object"}}"#,
        r#"{"source":{"ip":"8.8.8.8","geo":{}}}"#,
    ]
    .join("\n")
        + "\n";
    let output = ls_enrich(&["--geoip", &city, "--geoip-asn", &asn], input.as_bytes());
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("5 records located with GeoLite2-City (built 2025-11-21) and GeoLite2-ASN"),
        "{}",
        stderr(&output)
    );
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    let records: Vec<Value> = lines
        .iter()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    let geo = &records[0]["source"]["geo"];
    assert_eq!(geo["country_iso_code"], "US");
    assert_eq!(geo["country_name"], "United States");
    assert_eq!(geo["continent_code"], "NA");
    assert_eq!(geo["region_name"], "California");
    assert_eq!(geo["city_name"], "Mountain View");
    assert_eq!(geo["location"]["lat"], 37.386);
    assert_eq!(geo["timezone"], "America/Los_Angeles");
    assert_eq!(records[0]["source"]["as"]["number"], 15169);
    assert_eq!(records[0]["source"]["as"]["organization"]["name"], "GOOGLE");
    assert_eq!(records[1]["source"]["geo"]["country_name"], "Australia");
    assert!(records[1]["source"].get("as").is_none(), "not in the ASN database");
    let input_lines: Vec<&str> = input.lines().collect();
    assert_eq!(lines[2], input_lines[2], "an address no database knows: unchanged");
    assert_eq!(lines[4], input_lines[4]);
    assert_eq!(
        records[3]["source"]["geo"]["country_iso_code"], "XX",
        "what the record had is kept"
    );
    assert_eq!(records[3]["source"]["as"]["number"], 15169, "what it lacked is added");
    assert_eq!(
        records[5]["source"]["geo"]["city_name"], "Springfield",
        "its own field is kept"
    );
    assert_eq!(
        records[5]["source"]["geo"]["country_name"], "United States",
        "the fields it lacked are added"
    );
    assert_eq!(records[6]["source"]["geo"], *geo, "an empty geo object is filled");
    assert_eq!(
        records[5]["source"]["as"], "not an object",
        "a value of another type is left alone"
    );

    let page = std::fs::read_to_string(repo_root().join("man/logsentry-schema.7")).expect("schema page");
    let mut fields: Vec<String> = geo
        .as_object()
        .expect("geo")
        .keys()
        .map(|key| format!("source.geo.{key}"))
        .collect();
    fields.extend(["source.as.number".to_owned(), "source.as.organization.name".to_owned()]);
    for field in fields {
        assert!(
            page.contains(&format!("\\fB{field}\\fR")),
            "the schema page documents {field}"
        );
    }

    let report = ls_report(&["--format", "json", "-q"], lines[0].as_bytes());
    let report: Value = serde_json::from_slice(&report.stdout).expect("report JSON");
    assert_eq!(report["context"][0]["country"], "United States");
    assert_eq!(report["context"][0]["city"], "Mountain View");
    assert_eq!(report["context"][0]["autonomous_system"], "AS15169 GOOGLE");
}

/// A database that is missing or is not one is a data error (exit 1), named in the message:
/// the command line itself was fine.
#[test]
fn a_file_that_is_not_a_database_is_a_data_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bogus = dir.path().join("bogus.mmdb");
    std::fs::write(&bogus, "not a database").expect("write");
    for database in [bogus, dir.path().join("missing.mmdb")] {
        let output = ls_enrich(&["--geoip", database.to_str().expect("path")], b"");
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        let name = database.file_name().and_then(|name| name.to_str()).expect("name");
        assert!(stderr(&output).contains(name), "{}", stderr(&output));
        assert!(
            !stderr(&output).contains("--help"),
            "not a usage error: {}",
            stderr(&output)
        );
    }
}
