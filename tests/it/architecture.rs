//! The layering of STYLE.md, checked by reading the source: driver types stay in `store/`,
//! the domain does no IO, and nothing above the store names a backend.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Source lines of every file under `src/<area>`, skipping comments.
fn code_of(area: &str) -> Vec<(PathBuf, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let start = root.join(area);
    if start.is_dir() {
        rust_files(&start, &mut files);
    } else {
        files.push(start.with_extension("rs"));
    }
    let mut lines = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
            lines.push((file.clone(), line.to_string()));
        }
    }
    lines
}

fn assert_absent(area: &str, forbidden: &[&str]) {
    for (file, line) in code_of(area) {
        for word in forbidden {
            assert!(
                !line.contains(word),
                "{} mentions `{word}`, which the layering forbids in src/{area}: {line}",
                file.display()
            );
        }
    }
}

#[test]
fn the_domain_does_no_io() {
    assert_absent(
        "domain",
        &[
            "crate::store",
            "crate::api",
            "crate::app",
            "tokio",
            "poem",
            "rusqlite",
            "tokio_postgres",
            "std::fs",
        ],
    );
}

#[test]
fn driver_types_never_leave_the_store() {
    for area in ["api", "app", "cli", "config", "domain"] {
        assert_absent(area, &["rusqlite", "tokio_postgres", "deadpool"]);
    }
}

#[test]
fn nothing_above_the_store_names_a_backend() {
    for area in ["api", "app", "cli", "config"] {
        assert_absent(
            area,
            &[
                "store::sqlite",
                "store::postgres",
                "SqliteStore",
                "PostgresStore",
            ],
        );
    }
}

#[test]
fn the_store_knows_nothing_of_http() {
    assert_absent("store", &["crate::api", "crate::app", "poem"]);
}

#[test]
fn the_engine_is_pure() {
    assert_absent(
        "engine",
        &[
            "crate::store",
            "crate::api",
            "crate::app",
            "crate::domain",
            "tokio",
            "poem",
            "rusqlite",
            "chrono",
        ],
    );
}
