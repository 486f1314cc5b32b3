//! The crate's layering (docs/ARCHITECTURE.md): each module may use only the layers below
//! it, so there are no module cycles and a parser never reaches a detector. The test reads
//! every `crate::` path of a module's files and fails on one that leaves its allowed set.

use crate::common::repo_root;
use std::collections::BTreeSet;
use std::path::Path;

/// Each checked module and the top-level modules it may use.
const LAYERS: &[(&str, &[&str])] = &[
    ("time", &[]),
    ("output", &[]),
    ("text", &[]),
    ("diagnostics", &["text"]),
    ("attack", &[]),
    ("schema", &["time"]),
    ("parse", &["schema", "time", "text"]),
    ("ingest", &["parse", "schema", "time", "output", "diagnostics", "text"]),
    ("detect", &["schema", "time", "text"]),
    ("correlate", &["schema", "time", "attack", "text"]),
    ("enrich", &["schema", "time", "attack", "text"]),
    ("report", &["schema", "time", "attack", "text"]),
    ("state", &["schema", "time", "text"]),
];

fn rust_files(path: &Path, files: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("read dir").flatten() {
            rust_files(&entry.path(), files);
        }
    } else if path.is_file() && path.extension().is_some_and(|ext| ext == "rs") {
        files.push(path.to_path_buf());
    }
}

/// The top-level modules that `crate::` paths in `text` name (`crate::{a, b::c}` included).
fn used_modules(text: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let word = |rest: &str| -> String {
        rest.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        if let Some(list) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut start = true;
            for (offset, c) in list.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        start = true;
                        continue;
                    }
                    _ => {}
                }
                if start && depth == 0 && (c.is_ascii_alphanumeric() || c == '_') {
                    used.insert(word(&list[offset..]));
                    start = false;
                }
            }
        } else {
            used.insert(word(rest));
        }
    }
    used
}

#[test]
fn lower_layers_never_use_higher_ones() {
    let src = repo_root().join("src");
    let mut breaches = Vec::new();
    for (module, allowed) in LAYERS {
        let mut files = Vec::new();
        rust_files(&src.join(module), &mut files);
        rust_files(&src.join(format!("{module}.rs")), &mut files);
        assert!(!files.is_empty(), "no files for module {module}");
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read");
            for used in used_modules(&text) {
                if used != *module && !allowed.contains(&used.as_str()) {
                    breaches.push(format!("{} uses crate::{used}", file.display()));
                }
            }
        }
    }
    assert!(breaches.is_empty(), "layering broken: {breaches:#?}");
}

#[test]
fn the_scan_sees_every_form_of_path() {
    let used =
        used_modules("use crate::schema::Event;\nlet x = crate::time::now();\nuse crate::{parse::Format, detect};");
    let expected: BTreeSet<String> = ["schema", "time", "parse", "detect"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(used, expected);
}
