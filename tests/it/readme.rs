//! The README's examples really run: every command between tested-examples markers (and
//! every `rm -f ...` line that starts one afresh) is run through bash (with pipefail) from
//! the repository root, with the built binaries first on PATH, and must succeed and print
//! something.

use crate::common::*;
use std::process::Command;

#[test]
fn readme_examples_run() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let blocks: Vec<&str> = readme
        .split("<!-- tested-examples -->")
        .skip(1)
        .filter_map(|rest| rest.split("<!-- /tested-examples -->").next())
        .collect();
    assert!(blocks.len() >= 2, "a tested-examples block per stage");
    let commands: Vec<&str> = blocks
        .iter()
        .flat_map(|block| block.lines())
        .map(str::trim)
        // A line may start afresh (`rm -f ...; ls-parse ...`): it runs too.
        .filter(|l| l.starts_with("ls-") || l.starts_with("logsentry ") || l.starts_with("rm -f "))
        .collect();
    assert!(commands.len() >= 8, "{commands:?}");
    assert!(commands.iter().any(|command| command.contains("ls-detect")));
    let bin_dir = std::path::Path::new(LS_PARSE).parent().expect("bin dir");
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    for command in commands {
        let output = Command::new("bash")
            .args(["-o", "pipefail", "-c", command])
            .current_dir(repo_root())
            .env("PATH", &path)
            .env("TZ", "UTC")
            .output()
            .expect("bash");
        // `head` may close the pipe early: that is the quiet end we promise, exit 0.
        assert!(
            output.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!output.stdout.is_empty(), "{command} printed nothing");
    }
}

#[test]
fn readme_config_example_is_a_valid_config_with_the_defaults() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let block = readme
        .split("<!-- tested-config -->")
        .nth(1)
        .and_then(|rest| rest.split("<!-- /tested-config -->").next())
        .and_then(|block| block.split("```toml").nth(1))
        .and_then(|block| block.split("```").next())
        .expect("a tested-config toml block");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("detect.toml");
    std::fs::write(&path, block).expect("write config");
    let listed = |args: &[&str]| {
        let output = ls_detect(args, b"");
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let path = path.to_str().expect("path");
    // The example spells out the defaults: the rules read as they do without a file.
    assert_eq!(listed(&["--config", path, "--list-rules"]), listed(&["--list-rules"]));
    // A flag wins over the file.
    let with_flag = listed(&["--config", path, "--brute-force-threshold", "9", "--list-rules"]);
    assert!(with_flag.contains("9 failed or invalid-user logins"), "{with_flag}");
    // A mistake in the file is a usage error that names the file and the key.
    std::fs::write(dir.path().join("bad.toml"), "brute-force-treshold = 5\n").expect("write");
    let bad = ls_detect(&["--config", dir.path().join("bad.toml").to_str().expect("p")], b"");
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("bad.toml") && stderr(&bad).contains("brute-force-treshold"),
        "{}",
        stderr(&bad)
    );
}
