//! The README's examples really run: every command between tested-examples markers is
//! run through bash (with pipefail) from the repository root, with the built binaries first
//! on PATH, and must succeed and print something.

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
        .filter(|l| l.starts_with("ls-"))
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
