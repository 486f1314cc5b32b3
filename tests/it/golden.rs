//! Golden cases: tests/golden/<case>/{cmd, input.*, expected.*}. `cmd` is one line: the stage
//! and its arguments. An argument that starts with `input` or `../` names a file relative to
//! the case (`../detect/expected.ndjson` chains one stage's golden output into the next), one
//! that starts with `sample_logs/` our binary samples, which are not copied. Set
//! LOGSENTRY_BLESS=1 to rewrite the expected files, then review the diff before committing.

use crate::common::*;
use std::path::Path;

#[test]
fn golden_cases() {
    let root = repo_root().join("tests/golden");
    let cases = sorted_entries(&root);
    assert!(cases.len() >= 9);
    let bless = std::env::var_os("LOGSENTRY_BLESS").is_some();
    let mut differ = Vec::new();
    // Chained cases read the output of earlier ones: run them in dependency order.
    for case in in_chain_order(cases) {
        let cmd = std::fs::read_to_string(case.join("cmd")).expect("cmd");
        let mut words = cmd.split_whitespace();
        let stage = words.next().expect("a stage");
        let program = match stage {
            "ls-parse" => LS_PARSE,
            "ls-detect" => LS_DETECT,
            "ls-correlate" => LS_CORRELATE,
            "ls-enrich" => LS_ENRICH,
            "ls-report" => LS_REPORT,
            other => panic!("{}: unknown stage {other}", case.display()),
        };
        let args: Vec<String> = words
            .map(|arg| {
                if arg.starts_with("input") || arg.starts_with("../") {
                    case.join(arg).to_string_lossy().into_owned()
                } else if arg.starts_with("sample_logs/") {
                    repo_root().join(arg).to_string_lossy().into_owned()
                } else {
                    arg.to_string()
                }
            })
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = run_with_stdin(program, &args, b"");
        assert!(output.status.success(), "{}: {}", case.display(), stderr(&output));
        // Paths differ per checkout: make them relative to the case directory, or to the
        // repository for the samples; a report's time of writing is not the case's.
        let prefix = format!("{}/", case.to_string_lossy());
        let root = format!("{}/", repo_root().to_string_lossy());
        let actual: String = String::from_utf8(output.stdout)
            .expect("utf8")
            .replace(&prefix, "")
            .replace(&root, "")
            .lines()
            .map(|line| match line.trim_start().strip_prefix("\"generated_at\": ") {
                Some(_) => "  \"generated_at\": \"(when it ran)\",\n".to_owned(),
                None => format!("{line}\n"),
            })
            .collect();
        let expected_path = expected_file(&case);
        if bless {
            std::fs::write(&expected_path, &actual).expect("bless");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{} (bless with LOGSENTRY_BLESS=1)", expected_path.display()));
        if actual != expected {
            differ.push(format!("{}:\n{}", case.display(), line_diff(&expected, &actual)));
        }
        if stage == "ls-parse" {
            let _ = events_of(&actual);
        }
    }
    assert!(differ.is_empty(), "golden cases differ:\n{}", differ.join("\n"));
}

/// `expected.json` for a case that writes one JSON document, else `expected.ndjson`.
fn expected_file(case: &Path) -> std::path::PathBuf {
    let json = case.join("expected.json");
    if json.exists() {
        json
    } else {
        case.join("expected.ndjson")
    }
}

/// The cases, each after the cases whose output its `cmd` reads.
fn in_chain_order(mut cases: Vec<std::path::PathBuf>) -> Vec<std::path::PathBuf> {
    let reads = |case: &Path| -> Vec<String> {
        std::fs::read_to_string(case.join("cmd"))
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|arg| arg.strip_prefix("../")?.split('/').next().map(str::to_owned))
            .collect()
    };
    let mut ordered: Vec<std::path::PathBuf> = Vec::new();
    while !cases.is_empty() {
        let done = |name: &str| ordered.iter().any(|case| case.ends_with(name));
        let ready = cases
            .iter()
            .position(|case| reads(case).iter().all(|name| done(name)))
            .expect("golden cases read each other in a cycle");
        ordered.push(cases.remove(ready));
    }
    ordered
}

/// The lines that differ, as `-expected` / `+actual` with their line numbers: at most 20.
fn line_diff(expected: &str, actual: &str) -> String {
    let (expected, actual): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut shown = Vec::new();
    for index in 0..expected.len().max(actual.len()) {
        let (want, got) = (expected.get(index), actual.get(index));
        if want != got {
            if let Some(want) = want {
                shown.push(format!("{:>5} - {want}", index + 1));
            }
            if let Some(got) = got {
                shown.push(format!("{:>5} + {got}", index + 1));
            }
        }
        if shown.len() >= 20 {
            shown.push("      ... (more lines differ)".to_owned());
            break;
        }
    }
    format!(
        "{} lines expected, {} written\n{}",
        expected.len(),
        actual.len(),
        shown.join("\n")
    )
}

/// Golden output must still satisfy the strict schema.
fn events_of(text: &str) -> Vec<Event> {
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}
