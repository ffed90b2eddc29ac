//! Keeps `SECURITY.md` and the privacy pack (`docs/privacy/`) honest: every test they name
//! exists, every file or directory they name exists, and every row of the data inventory names
//! at least one proof.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn security_md() -> String {
    std::fs::read_to_string(root().join("SECURITY.md")).expect("SECURITY.md at the repository root")
}

/// Every `code span` in the text.
fn code_spans(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// A span written like a test function: lower-case words joined by at least three underscores.
fn looks_like_test_name(span: &str) -> bool {
    span.matches('_').count() >= 3 && span.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A span written like a path in the repository.
fn looks_like_repo_path(span: &str) -> bool {
    ["crates/", "tests/", "src-tauri/", "ui/", "fuzz/", "docs/", "xtask/"].iter().any(|p| span.starts_with(p))
}

/// The names of all functions in the Rust files under `dir`.
fn function_names(dir: &Path, names: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() && name != "target" && name != "node_modules" {
            function_names(&path, names);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for piece in text.split("fn ").skip(1) {
                let name: String = piece.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                names.push(name);
            }
        }
    }
}

/// The tests named in `text` (how many) and what it names that does not exist.
fn named_but_missing(text: &str) -> (usize, Vec<String>) {
    let mut functions = Vec::new();
    for dir in ["crates", "src-tauri", "tests", "xtask"] {
        function_names(&root().join(dir), &mut functions);
    }
    let mut missing = Vec::new();
    let mut tests_named = 0;
    for span in code_spans(text) {
        if looks_like_test_name(span) {
            tests_named += 1;
            if !functions.iter().any(|f| f == span) {
                missing.push(format!("test {span}"));
            }
        } else if looks_like_repo_path(span) && !root().join(span.trim_end_matches('/')).exists() {
            missing.push(format!("path {span}"));
        }
    }
    (tests_named, missing)
}

#[test]
fn every_test_and_file_named_in_security_md_exists() {
    let (tests_named, missing) = named_but_missing(&security_md());
    assert!(tests_named >= 30, "only {tests_named} tests named: did the format of SECURITY.md change?");
    assert!(missing.is_empty(), "SECURITY.md names what does not exist: {missing:#?}");
}

#[test]
fn every_test_and_file_named_in_the_privacy_pack_exists() {
    let dir = root().join("docs/privacy");
    let mut pages = 0;
    let mut tests_named = 0;
    for entry in std::fs::read_dir(&dir).expect("docs/privacy").flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let (named, missing) = named_but_missing(&text);
        assert!(missing.is_empty(), "{} names what does not exist: {missing:#?}", entry.path().display());
        pages += 1;
        tests_named += named;
    }
    assert!(pages >= 7, "the privacy pack has {pages} pages");
    assert!(tests_named >= 30, "only {tests_named} tests named in the privacy pack");
}

#[test]
fn every_row_of_the_data_inventory_names_a_proof() {
    let text = security_md();
    let inventory = text.split("## Data inventory").nth(1).expect("a '## Data inventory' section");
    let inventory = inventory.split("\n## ").next().unwrap_or_default();
    let rows: Vec<&str> = inventory.lines().filter(|l| l.starts_with("| **")).collect();
    assert!(rows.len() >= 15, "only {} inventory rows", rows.len());
    let unproved: Vec<&str> = rows
        .iter()
        .filter(|row| {
            let proof = row.trim_end_matches('|').rsplit('|').next().unwrap_or_default();
            let names_a_test = code_spans(proof).iter().any(|s| looks_like_test_name(s) || looks_like_repo_path(s));
            // Only what software cannot hold may go without a proof.
            !names_a_test && !row.contains("the school's staff")
        })
        .copied()
        .collect();
    assert!(unproved.is_empty(), "inventory rows without a test: {unproved:#?}");
}
