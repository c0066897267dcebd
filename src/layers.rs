//! The layer rule of ARCHITECTURE.md, checked on the sources: which
//! top-level module may name which (`crate::…`, in `use` or inline), that
//! the table modules of `storage/` are leaves, and that the admin's
//! modules import each other in one direction only.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What each layer may import of loa, lowest first. Every top-level
/// module must be listed.
const RULES: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("config", &[]),
    ("auth", &[]),
    ("render", &["domain"]),
    ("media", &["domain"]),
    ("storage", &["domain"]),
    ("service", &["domain", "render", "media", "storage"]),
    (
        "content",
        &["domain", "render", "media", "storage", "service"],
    ),
    ("error", &["render"]),
    (
        "web",
        &[
            "domain", "render", "media", "storage", "service", "content", "config", "error", "auth",
        ],
    ),
];

/// Files of `storage/` that every table module may use: the schema, the
/// pool, shared row types and SQL helpers.
const STORAGE_SHARED: &[&str] = &["schema", "pool", "cards", "prepared", "types"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without comments (doc links name paths too) and
/// without its `#[cfg(test)]` module (tests may reach across layers).
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("read source");
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    text.lines()
        .map(|l| match l.find("//") {
            // A `//` inside a string ("http://…") ends the line early; the
            // paths this looks for are not in strings.
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first segments after each `prefix` in `code`: `crate::a::b` and
/// `crate::{a, b::c}` name `a` (and `b`).
fn named_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().last();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // The top-level names of a `{…}` group.
            let mut depth = 0;
            let mut start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && (c.is_alphanumeric() || c == '_') => {
                        let name: String = group[j..]
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        out.insert(name);
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

/// The top-level module a file belongs to (`src/storage/x.rs` → storage).
fn layer_of(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src()).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main" | "layers")).then(|| name.to_owned())
}

#[test]
fn every_layer_imports_only_those_below_it() {
    let rules: BTreeMap<&str, &[&str]> = RULES.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut broken = Vec::new();
    for file in &files {
        let Some(layer) = layer_of(file) else {
            continue;
        };
        let allowed = rules
            .get(layer.as_str())
            .unwrap_or_else(|| panic!("{layer} is missing from RULES"));
        for named in named_after(&code(file), "crate::") {
            if named != layer && !allowed.contains(&named.as_str()) {
                broken.push(format!("{}: {layer} → {named}", file.display()));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "imports against the layer rule:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_table_modules_of_storage_are_leaves() {
    let mut files = Vec::new();
    rust_files(&src().join("storage"), &mut files);
    let mut broken = Vec::new();
    for file in &files {
        let name = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if name == "mod" || STORAGE_SHARED.contains(&name) {
            continue;
        }
        let code = code(file);
        let mut named = named_after(&code, "super::");
        for path in named_after(&code, "crate::") {
            if path == "storage" {
                named.extend(named_after(&code, "storage::"));
            }
        }
        for n in named {
            let sibling = files
                .iter()
                .any(|f| f.file_stem().is_some_and(|s| s == n.as_str()));
            if sibling && n != name && !STORAGE_SHARED.contains(&n.as_str()) {
                broken.push(format!("storage::{name} → storage::{n}"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "table modules calling each other:\n{}",
        broken.join("\n")
    );
}

/// Follows `super::sibling` references between the modules of `dir`
/// (files, or folders with their own files) and fails on a cycle.
fn assert_no_cycle(dir: &Path) {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let modules: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| {
            let p = e.ok()?.path();
            let stem = p.file_stem()?.to_str()?.to_owned();
            (stem != "mod").then_some(stem)
        })
        .collect();
    for m in &modules {
        let mut files = Vec::new();
        let folder = dir.join(m);
        if folder.is_dir() {
            rust_files(&folder, &mut files);
        } else {
            files.push(dir.join(format!("{m}.rs")));
        }
        let edges = graph.entry(m.clone()).or_default();
        for f in files {
            let code = code(&f);
            // From a folder's files the siblings are `super::super::x`.
            let prefix = if folder.is_dir() {
                "super::super::"
            } else {
                "super::"
            };
            for n in named_after(&code, prefix) {
                if n != *m && modules.contains(&n) {
                    edges.insert(n);
                }
            }
        }
    }
    fn visit(
        g: &BTreeMap<String, BTreeSet<String>>,
        n: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if let Some(i) = path.iter().position(|p| p == n) {
            panic!("import circle: {} → {n}", path[i..].join(" → "));
        }
        if done.contains(n) {
            return;
        }
        path.push(n.to_owned());
        for next in g.get(n).into_iter().flatten() {
            visit(g, next, path, done);
        }
        path.pop();
        done.insert(n.to_owned());
    }
    let mut done = BTreeSet::new();
    for n in graph.keys() {
        visit(&graph, n, &mut Vec::new(), &mut done);
    }
}

#[test]
fn no_import_circle_among_the_admin_modules_or_the_storage_modules() {
    assert_no_cycle(&src().join("web").join("admin"));
    assert_no_cycle(&src().join("storage"));
    assert_no_cycle(&src().join("service"));
}

#[test]
fn the_checker_sees_grouped_and_inline_paths() {
    let code = "use crate::{domain::slug, render::{a, b}};\nfn f() { crate::storage::x(); }";
    assert_eq!(
        named_after(code, "crate::"),
        ["domain", "render", "storage"].map(String::from).into()
    );
    assert!(named_after("my_crate::web", "crate::").is_empty());
}
