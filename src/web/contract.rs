//! Tests that hold the theme's contract (themes/README.md) to the code:
//! every template and every variable it receives is documented, and every
//! message catalogue has every key the templates and the Rust code use.
//!
//! Both read the sources as text. A page's context is a struct whose first
//! doc line names its template (`` /// `home.html`: … ``); its fields, with
//! the fields of the structs it flattens, are the template's variables.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `path` as the report shows it: from the crate's folder.
fn shown(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file under `dir` whose name ends with one of `exts`, sorted.
fn files(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| exts.iter().any(|x| p.to_string_lossy().ends_with(x)))
        .collect();
    out.sort();
    out
}

/// The default theme's templates, as Tera names them (`admin/base.html`).
fn template_names() -> Vec<String> {
    let dir = root().join("themes/default/templates");
    files(&dir, &[".html", ".xml"])
        .iter()
        .map(|p| {
            p.strip_prefix(&dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

/// A struct as the source declares it.
#[derive(Debug)]
struct Decl {
    file: PathBuf,
    name: String,
    /// Its first doc line.
    doc: String,
    /// (name, type, flattened) of each serialized field.
    fields: Vec<(String, String, bool)>,
}

/// The structs declared in `src/` (rustfmt's layout: one field a line).
fn structs() -> Vec<Decl> {
    let header = regex::Regex::new(r"^(\s*)(pub(\([^)]*\))?\s+)?struct\s+(\w+)[^;(]*\{$").unwrap();
    let field = regex::Regex::new(r"^\s*(pub(\([^)]*\))?\s+)?(\w+):\s*(.+?),?$").unwrap();
    let rename = regex::Regex::new(r#"rename\s*=\s*"([^"]+)""#).unwrap();
    let mut out = Vec::new();
    for file in files(&root().join("src"), &[".rs"]) {
        let text = read(&file);
        let lines: Vec<&str> = text.lines().collect();
        let mut doc: Vec<&str> = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i].trim();
            if let Some(d) = line.strip_prefix("///") {
                doc.push(d.trim());
                i += 1;
                continue;
            }
            if line.starts_with("#[") {
                i += 1;
                continue;
            }
            if let Some(c) = header.captures(lines[i]) {
                let end = format!("{}}}", &c[1]);
                let mut fields = Vec::new();
                let mut attrs = String::new();
                i += 1;
                while i < lines.len() && lines[i] != end {
                    let l = lines[i].trim();
                    if l.starts_with("#[") {
                        attrs.push_str(l);
                    } else if let Some(f) =
                        field.captures(lines[i]).filter(|_| !l.starts_with("//"))
                    {
                        if !attrs.contains("serde(skip)") {
                            // The name the template sees.
                            let name = rename
                                .captures(&attrs)
                                .map_or(&f[3], |r| r.get(1).unwrap().as_str());
                            fields.push((
                                name.to_owned(),
                                f[4].to_owned(),
                                attrs.contains("serde(flatten)"),
                            ));
                        }
                        attrs.clear();
                    }
                    i += 1;
                }
                out.push(Decl {
                    file: file.clone(),
                    name: c[4].to_owned(),
                    doc: doc.first().copied().unwrap_or("").to_owned(),
                    fields,
                });
            }
            doc.clear();
            i += 1;
        }
    }
    out
}

/// The templates a context struct's first doc line names: backquoted
/// names ending in `.html` or `.xml`, where `{kind}` stands for an entry
/// kind and any other `{part}` for any part of a name.
fn templates_named(doc: &str, all: &[String]) -> Vec<String> {
    let quoted = regex::Regex::new(r"`([\w/{}.-]+\.(?:html|xml))`").unwrap();
    let part = regex::Regex::new(r"\\\{\w+\\\}").unwrap();
    let mut out = Vec::new();
    for c in quoted.captures_iter(doc) {
        // `{kind}`: an entry kind's template; other parts: any name.
        let kinds = crate::domain::entry::EntryKind::ALL
            .map(|k| k.as_str())
            .join("|");
        let escaped = regex::escape(&c[1]).replace(r"\{kind\}", &format!("({kinds})"));
        let pattern = format!("^{}$", part.replace_all(&escaped, "[^/]+"));
        let pattern = regex::Regex::new(&pattern).unwrap();
        out.extend(all.iter().filter(|t| pattern.is_match(t)).cloned());
    }
    out
}

/// The bare name of a field's type: `Option<&'a Common<'a>>` → `Common`.
fn type_name(ty: &str) -> &str {
    let mut t = ty.trim();
    loop {
        let before = t;
        t = t.trim_start_matches('&').trim_start();
        if let Some(rest) = t.strip_prefix('\'') {
            t = rest
                .trim_start_matches(|c: char| c.is_alphanumeric() || c == '_')
                .trim_start();
        }
        for wrapper in ["Option<", "Vec<", "Box<"] {
            if let Some(rest) = t.strip_prefix(wrapper) {
                t = rest;
            }
        }
        if t == before {
            break;
        }
    }
    let t = t.rsplit("::").next().unwrap_or(t);
    t.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or(t)
}

/// Each documented template's variables: template → {variable}. The
/// fields of a flattened struct that is itself a template's context
/// (`Common` for `base.html`) are that template's, not repeated here.
fn contexts(decls: &[Decl], all: &[String]) -> BTreeMap<String, BTreeSet<String>> {
    fn collect(d: &Decl, decls: &[Decl], all: &[String], top: bool, out: &mut BTreeSet<String>) {
        if !top && !templates_named(&d.doc, all).is_empty() {
            return;
        }
        for (name, ty, flat) in &d.fields {
            if !flat {
                out.insert(name.clone());
                continue;
            }
            let ty = type_name(ty);
            // The struct of that name in the same file, else anywhere.
            let target = decls
                .iter()
                .find(|x| x.name == ty && x.file == d.file)
                .or_else(|| decls.iter().find(|x| x.name == ty))
                .unwrap_or_else(|| panic!("flattened type {ty} of {} not found", d.name));
            collect(target, decls, all, false, out);
        }
    }
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for d in decls {
        for template in templates_named(&d.doc, all) {
            collect(d, decls, all, true, out.entry(template).or_default());
        }
    }
    out
}

/// themes/README.md's sections: `` ### `template` `` → its text.
fn readme_sections() -> BTreeMap<String, String> {
    let text = read(&root().join("themes/README.md"));
    let heading = regex::Regex::new(r"^### `([^`]+)`").unwrap();
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(c) = heading.captures(line) {
            current = Some(c[1].to_owned());
            out.insert(c[1].to_owned(), String::new());
        } else if line.starts_with("## ") || line.starts_with("### ") {
            current = None;
        } else if let Some(name) = &current {
            let section: &mut String = out.get_mut(name).unwrap();
            section.push_str(line);
            section.push('\n');
        }
    }
    out
}

#[test]
fn themes_readme_documents_every_template_and_variable() {
    let all = template_names();
    let decls = structs();
    let contexts = contexts(&decls, &all);
    let sections = readme_sections();
    let mut problems = Vec::new();
    for template in &all {
        if !sections.contains_key(template) {
            problems.push(format!("{template}: no `### `{template}`` section"));
        }
    }
    for template in sections.keys() {
        if !all.contains(template) {
            problems.push(format!(
                "{template}: documented, but there is no such template"
            ));
        }
    }
    // The pages whose context is typed (checked) include these: if one
    // goes missing, the doc-line convention above broke, not the doc.
    for must in [
        "base.html",
        "admin/base.html",
        "home.html",
        "entries/entry.html",
    ] {
        assert!(
            contexts.contains_key(must),
            "no context struct names {must}"
        );
    }
    // Every admin page is rendered from a typed context (none is built
    // with `ctx.insert` any more): a new one must be too.
    for template in all.iter().filter(|t| t.starts_with("admin/")) {
        if !contexts.contains_key(template) {
            problems.push(format!(
                "{template}: no context struct names it (a `/// `{template}`: …` doc line)"
            ));
        }
    }
    for (template, vars) in &contexts {
        let Some(section) = sections.get(template) else {
            continue;
        };
        for var in vars {
            if !section.contains(&format!("`{var}`")) {
                problems.push(format!("{template}: `{var}` is not documented"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "themes/README.md is behind the code:\n{}",
        problems.join("\n")
    );
}

/// A key a template or the Rust code uses: a literal key, or a pattern
/// (`kind_*_plural`) for keys put together when the page is made.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Used {
    Key(String),
    /// Prefix and suffix around one part chosen at run time.
    Family(String, String),
}

/// What a `{% set x = … %}` or `t[…]` expression names: `"a" ~ v ~ "b"`
/// is the family `a*b`; a plain string the key; anything else nothing
/// (a key chosen by the code, checked where the code names it).
fn template_expr(expr: &str) -> Option<Used> {
    let parts: Vec<&str> = expr.split('~').map(str::trim).collect();
    let lit = |p: &str| {
        p.strip_prefix('"')
            .and_then(|p| p.strip_suffix('"'))
            .map(str::to_owned)
    };
    match parts.as_slice() {
        [one] => lit(one).map(Used::Key),
        [a, _] => Some(Used::Family(lit(a)?, String::new())),
        [a, _, b] => Some(Used::Family(lit(a)?, lit(b)?)),
        _ => None,
    }
}

/// The keys the templates use: `t.key`, `t["key"]`, and `t[var]` where
/// the template sets `var` from string pieces.
fn template_keys() -> BTreeMap<Used, String> {
    let dot = regex::Regex::new(r"(?:^|[^\w.])t\.(\w+)").unwrap();
    let index = regex::Regex::new(r"(?:^|[^\w.])t\[([^\]]+)\]").unwrap();
    let set = regex::Regex::new(r"set\s+(\w+)\s*=\s*([^%]+?)\s*-?%\}").unwrap();
    let mut out = BTreeMap::new();
    for dir in files(&root().join("themes"), &[".html", ".xml"]) {
        let text = read(&dir);
        let name = shown(&dir);
        let sets: BTreeMap<&str, &str> = set
            .captures_iter(&text)
            .map(|c| (c.get(1).unwrap().as_str(), c.get(2).unwrap().as_str()))
            .collect();
        for c in dot.captures_iter(&text) {
            out.insert(Used::Key(c[1].to_owned()), name.clone());
        }
        for c in index.captures_iter(&text) {
            let inner = c[1].trim();
            let expr = sets.get(inner).copied().unwrap_or(inner);
            if let Some(used) = template_expr(expr) {
                out.insert(used, name.clone());
            }
        }
    }
    out
}

/// The keys the Rust code uses, found where keys go: the argument of
/// `message(…)`, `messages.get(…)`, `msg(…)`, `Refuse(…)`,
/// `BadRequest(…)`, `Some(…)`; a `key:` field or `let key =`; the second of
/// a pair of literals (`("slug", "entry_slug_taken")`, `fail("content",
/// …)`); what a `…_key()` function returns. `format!("kind_{}_plural", …)`
/// is a family.
fn rust_keys() -> BTreeMap<Used, String> {
    let shaped = r#""([a-z][a-z0-9]*(?:_[a-z0-9-]+)+)""#;
    let format = regex::Regex::new(r#"format!\(\s*"([a-z0-9_]*)\{[^}]*\}([a-z0-9_]*)""#).unwrap();
    let call =
        regex::Regex::new(r"(?:\bmessage|messages\.get|\bmsg|\bRefuse|\bBadRequest|\bSome)\(")
            .unwrap();
    let others = [
        format!(r"\bkey:\s*{shaped}"),
        format!(r"\w_key:\s*{shaped}"),
        format!(r#"\(\s*"[a-z_]+",\s*{shaped}\s*[,)]"#),
    ]
    .map(|r| regex::Regex::new(&r).unwrap());
    let literal = regex::Regex::new(shaped).unwrap();
    let key_fn = regex::Regex::new(r"fn \w*key\w*\(").unwrap();
    let let_key = regex::Regex::new(r"let key =[^;]*;").unwrap();
    let mut out = BTreeMap::new();
    let take = |text: &str, name: &str, out: &mut BTreeMap<Used, String>| {
        for f in format.captures_iter(text) {
            out.insert(
                Used::Family(f[1].to_owned(), f[2].to_owned()),
                name.to_owned(),
            );
        }
        let without_formats = format.replace_all(text, "");
        for l in literal.captures_iter(&without_formats) {
            out.insert(Used::Key(l[1].to_owned()), name.to_owned());
        }
    };
    let mut sources = files(&root().join("src"), &[".rs"]);
    sources.extend(files(&root().join("tests"), &[".rs"]));
    for file in sources {
        // This file's own patterns are not uses.
        if file.ends_with("web/contract.rs") {
            continue;
        }
        let text = read(&file);
        let name = shown(&file);
        for m in call.find_iter(&text) {
            take(balanced(&text[m.end()..]), &name, &mut out);
        }
        for m in let_key.find_iter(&text) {
            take(m.as_str(), &name, &mut out);
        }
        for r in &others {
            for c in r.captures_iter(&text) {
                out.insert(Used::Key(c[1].to_owned()), name.clone());
            }
        }
        for m in key_fn.find_iter(&text) {
            let body = &text[m.end()..];
            let body = &body[body.find('{').unwrap_or(0)..];
            take(balanced_braces(body), &name, &mut out);
        }
    }
    out
}

/// `text` up to the `)` that closes a call already opened.
fn balanced(text: &str) -> &str {
    let mut depth = 1;
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth -= 1;
                if depth == 0 {
                    return &text[..i];
                }
            }
            _ => {}
        }
    }
    text
}

/// A block from its `{` to the matching `}`.
fn balanced_braces(text: &str) -> &str {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &text[..=i];
                }
            }
            _ => {}
        }
    }
    text
}

/// What the run-time part of a family ranges over, where the code knows
/// it: every value must have its key. Other families need one key at
/// least.
fn family_values(prefix: &str, suffix: &str) -> Option<Vec<&'static str>> {
    use crate::domain;
    let kinds = || domain::entry::EntryKind::ALL.map(|k| k.as_str()).to_vec();
    Some(match (prefix, suffix) {
        ("kind_", "" | "_plural" | "_description") | ("admin_new_", "") => kinds(),
        ("status_", "") => domain::entry::Status::ALL.map(|s| s.as_str()).to_vec(),
        ("document_status_", "") => domain::document::DocStatus::ALL
            .map(|s| s.as_str())
            .to_vec(),
        ("role_", "") => domain::user::Role::ALL.map(|r| r.as_str()).to_vec(),
        ("comment_state_", "") => domain::comment::CommentStatus::ALL
            .map(|s| s.as_str())
            .to_vec(),
        ("leaflet_format_", "") => {
            use domain::entry::LeafletFormat as F;
            [F::A4, F::A4Duplex, F::Trifold].map(F::as_str).to_vec()
        }
        ("print_side_", "") => vec!["front", "back", "outside", "inside"],
        _ => return None,
    })
}

/// Literals the search for keys finds in a key's place that are not keys
/// (a test's expected attribute value, a stored status).
const NOT_KEYS: [&str; 2] = ["in_force", "summary_large_image"];

#[test]
fn every_catalogue_has_every_key_the_theme_and_the_code_use() {
    let mut used = template_keys();
    let in_rust = rust_keys();

    let catalogues = files(&root().join("themes"), &[".toml"])
        .into_iter()
        .filter(|p| p.parent().is_some_and(|d| d.ends_with("messages")))
        .collect::<Vec<_>>();
    assert!(!catalogues.is_empty(), "no message catalogue found");
    let mut all_keys = BTreeSet::new();
    let mut problems = Vec::new();
    for path in &catalogues {
        let messages: BTreeMap<String, String> =
            toml::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        all_keys.extend(messages.keys().cloned());
        let rust_key = |k: &str| !NOT_KEYS.contains(&k);
        let check = |used: &Used, from: &str, problems: &mut Vec<String>| match used {
            Used::Key(k) if !messages.contains_key(k) => {
                problems.push(format!("{}: no `{k}` (used in {from})", shown(path)))
            }
            Used::Key(_) => {}
            Used::Family(p, s) => match family_values(p, s) {
                Some(values) => {
                    for v in values {
                        if !messages.contains_key(&format!("{p}{v}{s}")) {
                            problems.push(format!(
                                "{}: no `{p}{v}{s}` (`{p}…{s}` used in {from})",
                                shown(path)
                            ));
                        }
                    }
                }
                None => {
                    if !messages.keys().any(|k| {
                        k.len() > p.len() + s.len()
                            && k.starts_with(p.as_str())
                            && k.ends_with(s.as_str())
                    }) {
                        problems.push(format!(
                            "{}: no key like `{p}…{s}` (used in {from})",
                            shown(path)
                        ));
                    }
                }
            },
        };
        for (u, from) in &used {
            check(u, from, &mut problems);
        }
        for (u, from) in &in_rust {
            match u {
                Used::Key(k) if !rust_key(k) => {}
                _ => check(u, from, &mut problems),
            }
        }
    }
    // The reverse, for information: keys nothing names as such (families
    // and keys chosen by the code at run time account for many).
    used.extend(in_rust);
    let unused: Vec<&String> = all_keys
        .iter()
        .filter(|k| {
            !used.keys().any(|u| match u {
                Used::Key(key) => key == *k,
                Used::Family(p, s) => {
                    k.len() > p.len() + s.len()
                        && k.starts_with(p.as_str())
                        && k.ends_with(s.as_str())
                }
            })
        })
        .collect();
    if !unused.is_empty() {
        println!(
            "{} catalogue keys are named by no template or Rust literal found: {unused:?}",
            unused.len()
        );
    }
    assert!(
        problems.is_empty(),
        "message catalogues lack keys in use:\n{}",
        problems.join("\n")
    );
}
