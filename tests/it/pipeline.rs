//! `logsentry`, the one-command pipeline: the same results as the five stages piped, a
//! named report and a terminal summary; and the golden check of the whole pipeline on
//! sample_logs/, story by story, so a regression in any stage shows here.

use crate::common::*;
use serde_json::Value;

/// The report data of `ls-parse auto | ls-detect | ls-enrich | ls-correlate | ls-report`,
/// `ls-enrich` with `enrich_args`.
fn piped_report(enrich_args: &[&str]) -> Value {
    let run = |output: std::process::Output| {
        assert!(output.status.success(), "{}", stderr(&output));
        output.stdout
    };
    let events = run(ls_parse(
        &["auto", "-q", "--tz", "UTC", sample("").to_str().expect("path")],
        b"",
    ));
    let alerts = run(ls_detect(&["-q", "--tz", "UTC"], &events));
    let enriched = run(ls_enrich(&[&["-q"], enrich_args].concat(), &alerts));
    let correlated = run(ls_correlate(&["-q"], &enriched));
    let report = run(ls_report(&["-q", "--format", "json"], &correlated));
    serde_json::from_slice(&report).expect("JSON report")
}

fn logsentry_report() -> Value {
    let output = logsentry(
        &[
            "--tz",
            "UTC",
            "--format",
            "json",
            "-o",
            "-",
            "-q",
            sample("").to_str().expect("path"),
        ],
        b"",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).expect("JSON report")
}

/// What only one side can know: when it ran, what it read, and (for logsentry, which sees
/// the events ls-detect consumes in a pipe) the events per source.
fn without_run_facts(mut report: Value) -> Value {
    let object = report.as_object_mut().expect("an object");
    object.remove("generated_at");
    object.remove("provenance");
    report["summary"]["events"] = Value::Null;
    if let Some(sources) = report["summary"]["sources"].as_array_mut() {
        for source in sources {
            source["events"] = Value::Null;
        }
    }
    report
}

#[test]
fn logsentry_gives_the_same_report_as_the_pipe() {
    let piped = piped_report(&[]);
    let combined = logsentry_report();
    assert_eq!(
        combined["provenance"]["events"], 213,
        "logsentry counts the events it parsed"
    );
    let notes = combined["provenance"]["notes"].as_array().expect("notes");
    assert!(notes
        .iter()
        .any(|note| note.as_str().is_some_and(|n| n.starts_with("ls-parse: "))));
    assert_eq!(without_run_facts(piped), without_run_facts(combined));
}

#[test]
fn logsentry_names_its_report_and_prints_a_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("reports");
    let samples = sample("");
    let args = [
        "--tz",
        "UTC",
        "--out-dir",
        out.to_str().expect("path"),
        samples.to_str().expect("path"),
    ];
    let output = logsentry(&args, b"");
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = String::from_utf8(output.stdout.clone()).expect("utf-8");
    assert!(
        summary.starts_with("LogSentry: 213 events, 52 alerts, 3 incidents\n"),
        "{summary}"
    );
    assert!(
        summary.contains("  CRITICAL 203.0.113.47: Kill chain from 203.0.113.47"),
        "{summary}"
    );
    assert!(!summary.contains('\x1b'), "no colour when stdout is not a terminal");
    let written = summary
        .lines()
        .find_map(|line| line.strip_prefix("Report: "))
        .expect("where the report is");
    let path = std::path::Path::new(written);
    assert_eq!(path.parent(), Some(out.as_path()));
    assert!(path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("logsentry_report_") && n.ends_with(".html")));
    let html = std::fs::read_to_string(path).expect("the report");
    assert!(html.contains("Kill chain from 203.0.113.47"));
    assert_eq!(
        stderr(&output),
        "",
        "nothing on stderr when all went well (and it is no terminal)"
    );

    let coloured = logsentry(
        &[
            "--color",
            "always",
            "--format",
            "md",
            "-o",
            "-",
            sample("auth.log").to_str().expect("path"),
        ],
        b"",
    );
    assert!(coloured.status.success(), "{}", stderr(&coloured));
    let text = String::from_utf8(coloured.stdout.clone()).expect("utf-8");
    assert!(
        text.starts_with("# LogSentry incident report") && !text.contains("\x1b["),
        "the report alone on stdout"
    );
    assert!(
        stderr(&coloured).contains("\x1b[1;31m"),
        "the summary on stderr, CRITICAL in bold red"
    );
}

#[test]
fn logsentry_reports_usage_and_data_errors() {
    let output = logsentry(&["--tz", "Mars/Olympus", sample("").to_str().expect("path")], b"");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let dir = tempfile::tempdir().expect("tempdir");
    let output = logsentry(
        &[
            "--out-dir",
            dir.path().to_str().expect("path"),
            "/nonexistent/logs",
            sample("auth.log").to_str().expect("path"),
        ],
        b"",
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "a missing input is a data error: {}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("/nonexistent/logs"), "{}", stderr(&output));
    assert_eq!(sorted_entries(dir.path()).len(), 1, "the other input is still reported");
    let dir = tempfile::tempdir().expect("tempdir");
    let existing = dir.path().join("r.html");
    std::fs::write(&existing, "keep").expect("write");
    let output = logsentry(
        &[
            "-o",
            existing.to_str().expect("path"),
            sample("auth.log").to_str().expect("path"),
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&existing).expect("read"), "keep");
}

/// The incident for `ip`.
fn incident<'a>(report: &'a Value, ip: &str) -> &'a Value {
    report["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .find(|incident| incident["key"] == ip)
        .unwrap_or_else(|| panic!("an incident for {ip}"))
}

/// (source, rule, severity) of each alert from `ip`, in time order.
fn alerts_from(report: &Value, ip: &str) -> Vec<(String, String, String)> {
    let mut rows: Vec<(String, String, String, String)> = report["alert_tables"]
        .as_array()
        .expect("tables")
        .iter()
        .flat_map(|table| table["rows"].as_array().cloned().unwrap_or_default())
        .filter(|row| row["source_ip"] == ip)
        .map(|row| {
            let text = |key: &str| row[key].as_str().unwrap_or_default().to_owned();
            (text("time"), text("module"), text("rule"), text("severity"))
        })
        .collect();
    rows.sort();
    rows.into_iter()
        .map(|(_, module, rule, severity)| (module, rule, severity))
        .collect()
}

fn has(alerts: &[(String, String, String)], module: &str, rule: &str, severity: &str) -> bool {
    alerts.iter().any(|(m, r, s)| m == module && r == rule && s == severity)
}

#[test]
fn golden_the_whole_pipeline_finds_the_sample_stories() {
    let report = logsentry_report();
    let sources: Vec<&str> = report["summary"]["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .filter(|source| source["alerts"].as_u64().unwrap_or(0) > 0)
        .filter_map(|source| source["module"].as_str())
        .collect();
    for module in ["ssh", "web", "windows", "mysql"] {
        assert!(sources.contains(&module), "{module} alerts: {sources:?}");
    }

    // 203.0.113.47: web recon → SQLi → traversal (passwd served) → command injection → SSH
    // stuffing and brute force → root compromise → back as dbadmin at 02:17 on a Saturday.
    let attacker = alerts_from(&report, "203.0.113.47");
    for (module, rule, severity) in [
        ("web", "scanner", "MEDIUM"),
        ("web", "sql-injection", "HIGH"),
        ("web", "directory-traversal-served", "CRITICAL"),
        ("web", "command-injection", "CRITICAL"),
        ("ssh", "credential-stuffing", "HIGH"),
        ("ssh", "brute-force", "HIGH"),
        ("ssh", "compromise-after-brute-force", "CRITICAL"),
        ("ssh", "weekend-login", "CRITICAL"),
    ] {
        assert!(
            has(&attacker, module, rule, severity),
            "{module} {rule} {severity} in {attacker:?}"
        );
    }
    let kill_chain = incident(&report, "203.0.113.47");
    assert_eq!(kill_chain["severity"], "CRITICAL");
    assert_eq!(kill_chain["stage"], "kill-chain");
    let steps: Vec<&str> = kill_chain["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|step| step["rule"].as_str())
        .collect();
    let order = [
        "scanner",
        "sql-injection",
        "directory-traversal-served",
        "brute-force",
        "compromise-after-brute-force",
        "weekend-login",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|rule| {
            steps
                .iter()
                .position(|step| step == rule)
                .unwrap_or_else(|| panic!("{rule} in {steps:?}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "the story in order: {steps:?}"
    );
    let last = kill_chain["timeline"]
        .as_array()
        .and_then(|steps| steps.last())
        .expect("a last step");
    assert!(
        last["message"]
            .as_str()
            .is_some_and(|m| m.contains("dbadmin") && m.contains("02:17")),
        "{last}"
    );
    let traversal = kill_chain["timeline"]
        .as_array()
        .and_then(|steps| steps.iter().find(|step| step["rule"] == "directory-traversal-served"))
        .expect("the traversal");
    assert!(traversal["message"]
        .as_str()
        .is_some_and(|m| m.contains("/etc/passwd") && m.contains("200")));

    // 198.51.100.22: stuffing, brute force, SQLi and traversal, never a success: HIGH.
    let second = alerts_from(&report, "198.51.100.22");
    for (module, rule) in [
        ("ssh", "credential-stuffing"),
        ("ssh", "brute-force"),
        ("web", "sql-injection"),
        ("web", "directory-traversal"),
    ] {
        assert!(has(&second, module, rule, "HIGH"), "{module} {rule} in {second:?}");
    }
    assert!(
        second.iter().all(|(_, _, severity)| severity != "CRITICAL"),
        "{second:?}"
    );
    assert_eq!(incident(&report, "198.51.100.22")["severity"], "HIGH");

    // 45.33.32.156: a pure scanner on the web (MEDIUM) and a simple SSH brute force (HIGH).
    let third = alerts_from(&report, "45.33.32.156");
    assert!(
        has(&third, "web", "scanner", "MEDIUM") && has(&third, "ssh", "brute-force", "HIGH"),
        "{third:?}"
    );
    assert_eq!(incident(&report, "45.33.32.156")["severity"], "HIGH");

    // 192.168.x.x: legitimate weekend logins, flagged (the false-positive demo), no incident.
    let internal: Vec<&Value> = report["summary"]["top_attackers"]
        .as_array()
        .expect("attackers")
        .iter()
        .filter(|attacker| attacker["ip"].as_str().is_some_and(|ip| ip.starts_with("192.168.")))
        .collect();
    assert!(!internal.is_empty());
    for attacker in internal {
        assert_eq!(attacker["rules"], serde_json::json!(["weekend-login"]), "{attacker}");
    }
    assert_eq!(
        report["incidents"].as_array().map(Vec::len),
        Some(3),
        "three attackers did more than one thing"
    );

    // MySQL: guessing and injection in queries; Windows: the same attacker's logins.
    let mysql = alerts_from(&report, "10.0.0.5");
    assert!(
        mysql
            .iter()
            .any(|(module, rule, _)| module == "mysql" && rule == "sql-injection-in-query"),
        "{mysql:?}"
    );
    assert!(has(&attacker, "mysql", "brute-force", "HIGH"), "{attacker:?}");
    assert!(
        has(&attacker, "windows", "compromise-after-brute-force", "CRITICAL"),
        "{attacker:?}"
    );
}

#[test]
fn logsentry_locates_attackers_as_the_pipe_does() {
    use crate::mmdb_writer_support::{ipv4_database, Data};
    let dir = tempfile::tempdir().expect("tempdir");
    let city = dir.path().join("city.mmdb");
    let country = |code: &'static str, name: &'static str| {
        Data::Map(vec![(
            "country",
            Data::Map(vec![
                ("iso_code", Data::Text(code)),
                ("names", Data::Map(vec![("en", Data::Text(name))])),
            ]),
        )])
    };
    let database = ipv4_database(
        "Test-City",
        &[
            (
                std::net::Ipv4Addr::new(203, 0, 113, 0),
                24,
                country("NL", "Netherlands"),
            ),
            (std::net::Ipv4Addr::new(198, 51, 100, 0), 24, country("BR", "Brazil")),
        ],
    );
    std::fs::write(&city, database).expect("write database");
    let city = city.to_str().expect("path");
    let samples = sample("");
    let samples = samples.to_str().expect("path");

    let output = logsentry(
        &[
            "--tz", "UTC", "--geoip", city, "--format", "json", "-o", "-", "-q", samples,
        ],
        b"",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let combined: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let piped = piped_report(&["--geoip", city]);
    let context = |report: &Value, ip: &str| {
        report["context"]
            .as_array()
            .and_then(|entries| entries.iter().find(|entry| entry["ip"] == ip).cloned())
            .unwrap_or(Value::Null)
    };
    assert_eq!(context(&combined, "203.0.113.47")["country"], "Netherlands");
    assert_eq!(context(&combined, "198.51.100.22")["country"], "Brazil");
    assert_eq!(without_run_facts(combined), without_run_facts(piped));
}
