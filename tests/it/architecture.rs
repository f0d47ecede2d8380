//! The layer table of `docs/architecture.md`, enforced on every path that names a module of ours.
//
// Every `use` tree (grouped or not) and every inline `crate::`/`super::`/`self::` path in `src/`
// is resolved to the top-level module it reaches; an edge the table does not allow fails with
// the file and line. Comments and string literals are blanked first, so neither hides nor
// invents an edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

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

/// Every source file with its text, comments and literals blanked (offsets and lines kept).
fn sources() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            (f, blank(&text))
        })
        .collect()
}

/// The text with comments, strings and char literals replaced by spaces (newlines stay).
fn blank(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let keep = |ch: char| if ch == '\n' { '\n' } else { ' ' };
    while i < c.len() {
        let at = |k: usize| c.get(k).copied().unwrap_or('\0');
        if c[i] == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c[i] == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            loop {
                if at(i) == '/' && at(i + 1) == '*' {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else if i >= c.len() {
                    break;
                } else {
                    out.push(keep(c[i]));
                    i += 1;
                }
            }
        } else if c[i] == 'r' && (at(i + 1) == '"' || at(i + 1) == '#') && !ident(at_prev(&c, i)) {
            let mut hashes = 0;
            let mut k = i + 1;
            while at(k) == '#' {
                hashes += 1;
                k += 1;
            }
            if at(k) != '"' {
                out.push(c[i]);
                i += 1;
                continue;
            }
            let close: String = std::iter::once('"')
                .chain("#".repeat(hashes).chars())
                .collect();
            let body_start = k + 1;
            let mut end = body_start;
            while end < c.len() && !c[end..].iter().collect::<String>().starts_with(&close) {
                end += 1;
            }
            for &ch in &c[i..(end + close.len()).min(c.len())] {
                out.push(keep(ch));
            }
            i = end + close.len();
        } else if c[i] == '"' {
            out.push(' ');
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < c.len() {
                    out.push(keep(c[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c[i] == '\'' && (at(i + 1) == '\\' || at(i + 2) == '\'') {
            // A char literal; a lifetime (`'a`) has no closing quote after one char.
            out.push(' ');
            i += 1;
            while i < c.len() && c[i] != '\'' {
                if c[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                out.push(' ');
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

fn at_prev(c: &[char], i: usize) -> char {
    if i == 0 { '\0' } else { c[i - 1] }
}

fn ident(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || ch == '_'
}

/// `src/api/admin/groups.rs` is `api::admin::groups`; `mod.rs`, `lib.rs` and `main.rs` name
/// their folder.
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(root().join("src")).unwrap();
    let mut parts: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// Inline `mod name { … }` blocks: their name and byte range.
fn inline_modules(code: &str) -> Vec<(String, usize, usize)> {
    let bytes = code.as_bytes();
    let mut found = Vec::new();
    for (start, _) in code.match_indices("mod ") {
        if start > 0 && ident(bytes[start - 1] as char) {
            continue;
        }
        let rest = &code[start + 4..];
        let name: String = rest
            .trim_start()
            .chars()
            .take_while(|&c| ident(c))
            .collect();
        let after = rest.trim_start()[name.len()..].trim_start();
        if name.is_empty() || !after.starts_with('{') {
            continue;
        }
        let open = code.len() - after.len();
        let mut depth = 0;
        for (k, ch) in code[open..].char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        found.push((name.clone(), open, open + k));
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    found
}

/// A `use` tree as the paths it imports: `a::{b, c::{d, e}}` is `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(open) = tree.find('{') else {
        // `a::b as c` imports `a::b`.
        let path = tree.split(" as ").next().unwrap_or_default();
        return vec![path.replace(' ', "")];
    };
    let prefix = tree[..open].replace(' ', "");
    let prefix = prefix.trim_end_matches("::");
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut current) = (0, String::new());
    for ch in inner.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    parts.push(current);
    parts
        .iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(|p| expand(p))
        .map(|p| {
            if prefix.is_empty() {
                p
            } else {
                format!("{prefix}::{p}")
            }
        })
        .collect()
}

/// One use of a module of ours: where, and the top-level modules it goes from and to.
#[derive(Debug)]
struct Edge {
    from: String,
    to: String,
    file: PathBuf,
    line: usize,
    path: String,
}

/// Every path of every file that reaches another top-level module.
fn edges() -> Vec<Edge> {
    let tops = top_modules();
    let mut out = Vec::new();
    for (file, code) in sources() {
        let module = module_of(&file);
        let Some(from) = module.first().cloned() else {
            continue;
        };
        let inline = inline_modules(&code);
        let mut paths: Vec<(usize, String)> = Vec::new();
        for (at, _) in code.match_indices("use ") {
            if at > 0 && ident(code.as_bytes()[at - 1] as char) {
                continue;
            }
            let end = code[at..].find(';').map_or(code.len(), |e| at + e);
            for path in expand(&code[at + 4..end]) {
                paths.push((at, path));
            }
        }
        for word in ["crate::", "super::", "self::"] {
            for (at, _) in code.match_indices(word) {
                let before = if at == 0 {
                    ' '
                } else {
                    code.as_bytes()[at - 1] as char
                };
                if ident(before) || before == ':' {
                    continue;
                }
                let path: String = code[at..]
                    .chars()
                    .take_while(|&c| ident(c) || c == ':')
                    .collect();
                paths.push((at, path));
            }
        }
        for (at, path) in paths {
            let segments: Vec<&str> = path.split("::").collect();
            let mut here = module.clone();
            for (name, start, end) in &inline {
                if *start < at && at < *end {
                    here.push(name.clone());
                }
            }
            let target: Vec<String> = match segments[0] {
                "crate" => segments[1..].iter().map(|s| s.to_string()).collect(),
                "super" | "self" => {
                    let mut rest = segments.as_slice();
                    while let Some((first, tail)) = rest.split_first() {
                        match *first {
                            "super" => {
                                here.pop();
                            }
                            "self" => {}
                            _ => break,
                        }
                        rest = tail;
                    }
                    here.into_iter()
                        .chain(rest.iter().map(|s| s.to_string()))
                        .collect()
                }
                _ => continue,
            };
            let Some(to) = target.first() else { continue };
            if to != &from && tops.contains(to) {
                out.push(Edge {
                    from: from.clone(),
                    to: to.clone(),
                    line: code[..at].matches('\n').count() + 1,
                    file: file.clone(),
                    path,
                });
            }
        }
    }
    out
}

/// The top-level modules `lib.rs` declares.
fn top_modules() -> BTreeSet<String> {
    let lib = blank(&std::fs::read_to_string(root().join("src/lib.rs")).unwrap());
    lib.lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("pub mod ")
                .or(l.trim().strip_prefix("mod "))
        })
        .map(|m| m.trim_end_matches(';').trim().to_string())
        .collect()
}

/// The rows of the table in `docs/architecture.md` whose header starts with `header`: the
/// backticked names of each cell.
fn table(header: &str) -> Vec<Vec<Vec<String>>> {
    let doc = std::fs::read_to_string(root().join("docs/architecture.md")).unwrap();
    let mut rows = Vec::new();
    let mut inside = false;
    for line in doc.lines() {
        if line.starts_with(header) {
            inside = true;
            continue;
        }
        if inside && !line.starts_with('|') {
            break;
        }
        if inside && !line.starts_with("|---") {
            let cells = line.trim_matches('|').split('|');
            rows.push(cells.map(backticked).collect());
        }
    }
    assert!(
        !rows.is_empty(),
        "docs/architecture.md has no table headed `{header}`"
    );
    rows
}

fn backticked(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// What each module may use, from the layer table.
fn allowed() -> BTreeMap<String, BTreeSet<String>> {
    table("| module | may use |")
        .into_iter()
        .map(|cells| (cells[0][0].clone(), cells[1].iter().cloned().collect()))
        .collect()
}

#[test]
fn every_module_has_a_row_in_the_layer_table() {
    let allowed = allowed();
    for module in top_modules() {
        assert!(
            allowed.contains_key(&module),
            "src/{module} has no row in the layer table of docs/architecture.md"
        );
    }
    for (module, uses) in &allowed {
        for used in uses {
            assert!(
                top_modules().contains(used) && top_modules().contains(module),
                "the layer table names `{module}` -> `{used}`, but there is no such module"
            );
        }
    }
}

#[test]
fn every_path_follows_the_layer_table() {
    let allowed = allowed();
    let mut wrong = Vec::new();
    for edge in edges() {
        if allowed[&edge.from].contains(&edge.to) {
            continue;
        }
        wrong.push(format!(
            "{}:{}: `{}` uses `{}` ({}), which the layer table does not allow",
            edge.file.display(),
            edge.line,
            edge.from,
            edge.to,
            edge.path
        ));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_parser_sees_grouped_nested_and_inline_paths() {
    assert_eq!(
        expand("crate::{api::{self, Tag as T}, store :: Store}"),
        ["crate::api::self", "crate::api::Tag", "crate::store::Store"]
    );
    let code = blank("// crate::store\nlet s = \"crate::store\";\nfn f() { crate::app::x(); }\n");
    assert!(!code.contains("crate::store"));
    assert!(code.contains("crate::app::x"));
    assert_eq!(
        inline_modules("mod tests { use super::*; }"),
        [("tests".to_string(), 10, 26)]
    );
    let found = edges();
    assert!(
        found.iter().any(|e| e.from == "api" && e.to == "service"),
        "the API's uses of the service were not found"
    );
}

/// Tokens in code (not comments or strings) of the files under `src/<area>`.
fn mentions(area: &str, words: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (file, code) in sources() {
        if module_of(&file).first().map(String::as_str) != Some(area) {
            continue;
        }
        for (n, line) in code.lines().enumerate() {
            for word in words {
                let hit = line.match_indices(word).any(|(at, _)| {
                    let before = line[..at].chars().last().unwrap_or(' ');
                    !ident(before) && (before != ':' || word.contains("::"))
                });
                if hit {
                    found.push(format!("{}:{}: {word}", file.display(), n + 1));
                }
            }
        }
    }
    found
}

fn assert_absent(area: &str, forbidden: &[&str]) {
    let found = mentions(area, forbidden);
    assert!(
        found.is_empty(),
        "the layering forbids these in src/{area}:\n{}",
        found.join("\n")
    );
}

#[test]
fn driver_crates_stay_in_the_store() {
    let rows = table("| driver crates |");
    let drivers: Vec<&str> = rows[0][0].iter().map(String::as_str).collect();
    assert!(
        drivers.contains(&"rusqlite"),
        "the driver list lost rusqlite"
    );
    for area in top_modules().iter().filter(|m| *m != "store") {
        assert_absent(area, &drivers);
    }
}

#[test]
fn the_domain_does_no_io() {
    assert_absent("domain", &["tokio", "poem", "std::fs", "std::net"]);
}

#[test]
fn nothing_above_the_store_names_a_backend() {
    for area in ["api", "app", "cli", "config", "service", "snapshot"] {
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
    assert_absent("store", &["poem", "hyper"]);
}

#[test]
fn the_engine_is_pure() {
    assert_absent(
        "engine",
        &["tokio", "poem", "chrono", "std::fs", "std::net"],
    );
}

/// Every Rust file of `src/` and `tests/`, as written.
fn written_files() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    rust_files(&root().join("tests"), &mut files);
    files.sort();
    files
        .into_iter()
        .filter(|f| !f.components().any(|c| c.as_os_str() == "node_modules"))
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            (f, text)
        })
        .collect()
}

#[test]
fn every_file_opens_with_one_line_saying_what_it_holds() {
    let mut wrong = Vec::new();
    for (file, text) in written_files() {
        let mut lines = text.lines();
        let first = lines.next().unwrap_or_default();
        let second = lines.next().unwrap_or_default();
        if !first.starts_with("//! ") {
            wrong.push(format!("{}: opens without a //! line", file.display()));
        } else if second.starts_with("//!") {
            wrong.push(format!(
                "{}: the //! opening is more than one line",
                file.display()
            ));
        } else if first.chars().count() > 100 {
            wrong.push(format!(
                "{}: the //! line is over 100 columns",
                file.display()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_source_file_is_over_400_lines_before_its_tests() {
    let mut long = Vec::new();
    for (file, text) in written_files() {
        if !file.starts_with(root().join("src")) {
            continue;
        }
        let lines = text
            .lines()
            .take_while(|l| !l.starts_with("#[cfg(test)]"))
            .count();
        if lines > 400 {
            long.push(format!("{}: {lines} lines", file.display()));
        }
    }
    assert!(long.is_empty(), "split these by idea:\n{}", long.join("\n"));
}
