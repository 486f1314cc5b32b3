//! Man pages and shell completions are generated from the clap definitions; this test fails
//! when the committed ones are stale (LOGSENTRY_BLESS=1 rewrites them). The schema page is
//! written by hand, and must name every field ls-parse emits.

use crate::common::*;
use clap_complete::Shell;
use std::collections::BTreeSet;

fn check_or_bless(path: &std::path::Path, generated: &[u8], stale: &mut Vec<String>) {
    if std::env::var_os("LOGSENTRY_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, generated).expect("bless");
        return;
    }
    match std::fs::read(path) {
        Ok(current) if current == generated => {}
        _ => stale.push(path.display().to_string()),
    }
}

#[test]
fn man_pages_and_completions_are_current() {
    let mut stale = Vec::new();
    for command in logsentry::cli::commands() {
        let name = command.get_name().to_string();
        let mut man = Vec::new();
        clap_mangen::Man::new(command.clone())
            .render(&mut man)
            .expect("render man page");
        if name == "ls-detect" {
            man.extend_from_slice(logsentry::cli::detect::rules_man_section().as_bytes());
        }
        check_or_bless(&repo_root().join("man").join(format!("{name}.1")), &man, &mut stale);
        for (shell, file) in [
            (Shell::Bash, format!("{name}.bash")),
            (Shell::Zsh, format!("_{name}")),
            (Shell::Fish, format!("{name}.fish")),
        ] {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command.clone(), name.clone(), &mut script);
            check_or_bless(&repo_root().join("completions").join(file), &script, &mut stale);
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated docs (run LOGSENTRY_BLESS=1 cargo test --test it docs): {stale:?}"
    );
}

/// Every rule `--list-rules` prints is in ls-detect's man page and in the README's table.
#[test]
fn every_rule_is_documented() {
    let page = std::fs::read_to_string(repo_root().join("man/ls-detect.1")).expect("man page");
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README");
    let listed = ls_detect(&["--list-rules"], b"");
    assert!(listed.status.success(), "{}", stderr(&listed));
    let ids: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .filter(|line| !line.starts_with(' '))
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .collect();
    assert!(ids.len() >= 29, "{ids:?}");
    for id in &ids {
        assert!(
            page.contains(&format!("\\fB{}\\fR", id.replace('-', "\\-"))),
            "{id} missing from man/ls-detect.1"
        );
        assert!(
            readme.contains(&format!("| `{id}` |")),
            "{id} missing from the README's rule table"
        );
    }
}

#[test]
fn schema_page_documents_every_alert_field() {
    let page = std::fs::read_to_string(repo_root().join("man/logsentry-schema.7")).expect("schema page");
    let alerts_section = page.split(".SH ALERTS").nth(1).expect("an ALERTS section");
    let events = ls_parse(&["auto", sample("").to_str().expect("path")], b"");
    let output = ls_detect(&[], &events.stdout);
    let missing = undocumented(&output.stdout, alerts_section, 20);
    assert!(
        missing.is_empty(),
        "alert fields missing from man/logsentry-schema.7: {missing:?}"
    );
}

#[test]
fn schema_page_documents_every_incident_field() {
    let page = std::fs::read_to_string(repo_root().join("man/logsentry-schema.7")).expect("schema page");
    let section = page
        .split(".SH INCIDENTS")
        .nth(1)
        .and_then(|rest| rest.split("\n.SH ").next())
        .expect("an INCIDENTS section");
    let alerts = sample_alerts();
    let mut records = Vec::new();
    for by in ["ip", "user", "host"] {
        let output = ls_correlate(&["--final", "--incidents-only", "--by", by], &alerts);
        assert!(output.status.success(), "{}", stderr(&output));
        records.extend_from_slice(&output.stdout);
    }
    let missing = undocumented(&records, section, 25);
    assert!(
        missing.is_empty(),
        "incident fields missing from man/logsentry-schema.7: {missing:?}"
    );
}

#[test]
fn schema_page_documents_every_field_enrichment_adds() {
    let page = std::fs::read_to_string(repo_root().join("man/logsentry-schema.7")).expect("schema page");
    let section = page
        .split(".SH ENRICHMENT")
        .nth(1)
        .and_then(|rest| rest.split("\n.SH ").next())
        .expect("an ENRICHMENT section");
    let alerts = sample_alerts();
    let incidents = ls_correlate(&["--final", "--incidents-only", "-q"], &alerts);
    let bare = b"{\"threat\":{\"technique\":{\"id\":\"T1110.001\"}}}\n";
    let mut enriched = Vec::new();
    for input in [&alerts[..], &incidents.stdout[..], &bare[..]] {
        let output = ls_enrich(&["-q"], input);
        assert!(output.status.success(), "{}", stderr(&output));
        enriched.extend_from_slice(&output.stdout);
    }
    let mut added = std::collections::BTreeSet::new();
    for line in String::from_utf8_lossy(&enriched).lines() {
        field_paths(&serde_json::from_str(line).expect("json"), "", &mut added);
    }
    let missing: Vec<String> = added
        .into_iter()
        .filter(|field| field.starts_with("threat.") || field.starts_with("logsentry.attack"))
        .filter(|field| !section.contains(&format!("\\fB{field}\\fR")))
        .collect();
    assert!(
        missing.is_empty(),
        "enrichment fields missing from man/logsentry-schema.7: {missing:?}"
    );
}

/// The fields of the NDJSON `records` that `page` does not name as `\fBfield\fR` (roff
/// escapes '-' as '\-' in text; field names have none, and '@' and '.' are plain).
fn undocumented(records: &[u8], page: &str, at_least: usize) -> Vec<String> {
    let mut fields = BTreeSet::new();
    for line in String::from_utf8_lossy(records).lines() {
        field_paths(&serde_json::from_str(line).expect("json"), "", &mut fields);
    }
    assert!(fields.len() > at_least, "{fields:?}");
    // A Windows record's EventData and UserData are copied whole: their members are the
    // record's own and are documented as the objects that hold them.
    let copied_whole = ["winlog.event_data", "winlog.user_data"];
    fields
        .into_iter()
        .map(|field| {
            match copied_whole
                .iter()
                .find(|object| field.starts_with(&format!("{object}.")))
            {
                Some(object) => (*object).to_owned(),
                None => field,
            }
        })
        .filter(|field| !page.contains(&format!("\\fB{field}\\fR")))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn field_paths(value: &serde_json::Value, prefix: &str, out: &mut BTreeSet<String>) {
    if let serde_json::Value::Object(map) = value {
        for (key, child) in map {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            if child.is_object() {
                field_paths(child, &path, out);
            } else {
                out.insert(path);
            }
        }
    }
}

#[test]
fn schema_page_documents_every_emitted_field() {
    let page = std::fs::read_to_string(repo_root().join("man/logsentry-schema.7")).expect("schema page");
    let output = ls_parse(&["auto", "--raw", sample("").to_str().expect("path")], b"");
    let missing = undocumented(&output.stdout, &page, 30);
    assert!(
        missing.is_empty(),
        "fields missing from man/logsentry-schema.7: {missing:?}"
    );
}

#[test]
fn help_examples_fit_an_80_column_terminal_unwrapped() {
    for program in [
        LS_PARSE,
        LS_DETECT,
        LS_CORRELATE,
        LS_ENRICH,
        LS_REPORT,
        LOGSENTRY,
        LS_HISTORY,
    ] {
        let output = std::process::Command::new(program)
            .arg("-h")
            .env("COLUMNS", "80")
            .output()
            .expect("run -h");
        let help = String::from_utf8_lossy(&output.stdout);
        let examples = help
            .split("Examples:\n")
            .nth(1)
            .and_then(|rest| rest.split("\n\n").next())
            .unwrap_or_else(|| panic!("{program} -h has examples"));
        for line in examples.lines() {
            // A wrapped command continues on a line that starts with its argument, not a command.
            let command = line.trim_start().split(' ').next().unwrap_or_default();
            assert!(
                line.len() <= 80
                    && line.starts_with("  ")
                    && command
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_=./".contains(c))
                    && !command.is_empty()
                    && !command.starts_with(['.', '-']),
                "{program} -h wraps an example: {line:?}"
            );
        }
    }
}
