//! Golden cases: tests/golden/<case>/{cmd, input.*, expected.ndjson}. `cmd` holds the
//! arguments (one line, input files named relative to the case, or `sample_logs/...` for
//! our binary samples, which are not copied). Set LOGSENTRY_BLESS=1 to rewrite the expected
//! files, then review the diff before committing.

use crate::common::*;

#[test]
fn golden_cases() {
    let root = repo_root().join("tests/golden");
    let cases = sorted_entries(&root);
    assert!(!cases.is_empty());
    let bless = std::env::var_os("LOGSENTRY_BLESS").is_some();
    for case in cases {
        let cmd = std::fs::read_to_string(case.join("cmd")).expect("cmd");
        let args: Vec<String> = cmd
            .split_whitespace()
            .map(|arg| {
                if arg.starts_with("input") {
                    case.join(arg).to_string_lossy().into_owned()
                } else if arg.starts_with("sample_logs/") {
                    repo_root().join(arg).to_string_lossy().into_owned()
                } else {
                    arg.to_string()
                }
            })
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = ls_parse(&args, b"");
        assert!(output.status.success(), "{}: {}", case.display(), stderr(&output));
        // Paths differ per checkout: make them relative to the case directory, or to the
        // repository for the samples.
        let prefix = format!("{}/", case.to_string_lossy());
        let root = format!("{}/", repo_root().to_string_lossy());
        let actual = String::from_utf8(output.stdout)
            .expect("utf8")
            .replace(&prefix, "")
            .replace(&root, "");
        let expected_path = case.join("expected.ndjson");
        if bless {
            std::fs::write(&expected_path, &actual).expect("bless");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).expect("expected.ndjson (bless with LOGSENTRY_BLESS=1)");
        assert_eq!(actual, expected, "golden case {} differs", case.display());
        let _ = events_of(&actual);
    }
}

/// Golden output must still satisfy the strict schema.
fn events_of(text: &str) -> Vec<Event> {
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}
