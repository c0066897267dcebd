//! The theme: Tera templates and the message catalogue, loaded once at start.
//!
//! A theme may name a parent in its `theme.toml` (`parent = "tuong-phan"`);
//! every theme's line ends with `default`. Templates come from
//! `themes/<theme>/templates/`, and any template the theme lacks from its
//! parent's, and so on up to `themes/default/templates/`. Messages
//! (`messages/<language>.toml`) and static files fall back the same way,
//! key by key and file by file. With `dev_reload`, all of it is read again
//! for every page.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use tera::{Context, Tera};

/// Why a theme could not be loaded or a page rendered.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("templates: {0}")]
    Tera(#[from] tera::Error),
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("{0}: {1}")]
    Messages(PathBuf, toml::de::Error),
    #[error("theme {0:?} has no templates folder at {1}")]
    Missing(String, PathBuf),
    #[error("no message catalogue for language {0:?} (expected {1})")]
    NoLanguage(String, PathBuf),
    #[error("{0}: {1}")]
    About(PathBuf, toml::de::Error),
    #[error("theme {0:?} names parent {1:?}, which is not a theme folder beside it")]
    NoParent(String, String),
    #[error("theme {0:?} is its own ancestor ({1})")]
    Cycle(String, String),
}

/// `themes/<name>/theme.toml`: how the admin names a theme, and the theme
/// it builds on.
#[derive(Debug, Default, serde::Deserialize)]
pub struct About {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The theme whose templates, messages and files this one lacks
    /// (`default` when absent).
    #[serde(default)]
    pub parent: Option<String>,
    /// The title and description in other languages: `[en]` tables with
    /// `title` and `description` (other keys are ignored).
    #[serde(flatten)]
    pub other: BTreeMap<String, toml::Value>,
}

impl About {
    /// The title and description in `lang`, falling back to the
    /// theme.toml's own (in the site's language) for either one missing.
    pub fn in_language(&self, lang: &str) -> (String, String) {
        let own = |key: &str| {
            self.other
                .get(lang)
                .and_then(|t| t.get(key))
                .and_then(toml::Value::as_str)
                .map(str::to_owned)
        };
        (
            own("title").unwrap_or_else(|| self.title.clone()),
            own("description").unwrap_or_else(|| self.description.clone()),
        )
    }
}

/// Theme `name`'s `theme.toml` (empty when it has none).
pub fn about(themes_dir: &Path, name: &str) -> Result<About, ThemeError> {
    let path = themes_dir.join(name).join("theme.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text).map_err(|e| ThemeError::About(path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(About::default()),
        Err(e) => Err(ThemeError::Read(path, e)),
    }
}

/// Theme `theme` and the themes it builds on, nearest first, ending with
/// `default`: `["mau-so", "tuong-phan", "default"]`.
pub fn lineage(themes_dir: &Path, theme: &str) -> Result<Vec<String>, ThemeError> {
    let mut line = vec![theme.to_owned()];
    while line.last().is_some_and(|t| t != "default") {
        let child = line.last().cloned().unwrap_or_default();
        let parent = about(themes_dir, &child)?
            .parent
            .unwrap_or_else(|| "default".to_owned());
        if !crate::domain::slug::is_valid(&parent) || !themes_dir.join(&parent).is_dir() {
            return Err(ThemeError::NoParent(child, parent));
        }
        if line.contains(&parent) {
            line.push(parent);
            return Err(ThemeError::Cycle(theme.to_owned(), line.join(" → ")));
        }
        line.push(parent);
    }
    Ok(line)
}

/// The themes under `themes_dir`: folders with a `templates` folder or a
/// `theme.toml`, sorted.
pub fn themes(themes_dir: &Path) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(themes_dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("templates").is_dir() || e.path().join("theme.toml").is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| crate::domain::slug::is_valid(n))
        .collect();
    found.sort();
    found
}

/// The languages theme `theme` has a catalogue for
/// (`messages/<language>.toml`, in the theme or a theme it builds on), sorted.
pub fn languages(themes_dir: &Path, theme: &str) -> Vec<String> {
    let line = lineage(themes_dir, theme).unwrap_or_else(|_| vec!["default".to_owned()]);
    let mut found: Vec<String> = line
        .iter()
        .filter_map(|t| std::fs::read_dir(themes_dir.join(t).join("messages")).ok())
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let lang = name.strip_suffix(".toml")?;
            (lang.len() <= 8 && lang.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
                .then(|| lang.to_owned())
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Interface strings, by key (`comment_heading`, …).
pub type Messages = BTreeMap<String, String>;

/// Where the theme lives and what to load.
#[derive(Debug, Clone)]
pub struct ThemeSource {
    pub themes_dir: PathBuf,
    pub theme: String,
    pub language: String,
    pub reload: bool,
}

struct Loaded {
    tera: Tera,
    messages: Arc<Messages>,
    assets: Arc<Assets>,
    /// The asset URLs as a template value (`asset`).
    assets_value: tera::Value,
    /// `Assets::styles` as a template value (`theme_styles`).
    styles_value: tera::Value,
    /// Where static files come from, the theme's own first.
    static_dirs: Vec<PathBuf>,
}

/// The theme's static files, addressed by content hash so browsers may
/// keep them for a year: `site.css` is served as `/static/site.<hash>.css`.
#[derive(Debug, Default)]
pub struct Assets {
    /// `site.css` → `/static/site.1a2b3c4d5e.css` (what templates print).
    pub urls: BTreeMap<String, String>,
    /// `site.1a2b3c4d5e.css` → the file (what `/static/` serves, immutable).
    pub hashed: BTreeMap<String, PathBuf>,
    /// `site.css` → the file (plain names stay served, briefly cached).
    pub plain: BTreeMap<String, PathBuf>,
    /// The `theme.css` of every theme in the line that has one, the
    /// farthest ancestor's first: a child theme's sheet adds to its
    /// parent's instead of replacing it (`theme_styles`).
    pub styles: Vec<String>,
}

impl Assets {
    /// Every file under the static folders; earlier folders win a name,
    /// and a `theme.css` of a later one stays served for `styles`.
    fn scan(dirs: &[PathBuf]) -> Self {
        use sha2::{Digest, Sha256};
        let mut assets = Assets::default();
        for dir in dirs {
            for entry in walkdir::WalkDir::new(dir)
                .into_iter()
                .filter_map(Result::ok)
            {
                if !entry.file_type().is_file() {
                    continue;
                }
                let Ok(rel) = entry.path().strip_prefix(dir) else {
                    continue;
                };
                let rel = rel.to_string_lossy().replace('\\', "/");
                if assets.plain.contains_key(&rel) && rel != "theme.css" {
                    continue;
                }
                let Ok(bytes) = std::fs::read(entry.path()) else {
                    continue;
                };
                let hash: String = Sha256::digest(&bytes)
                    .iter()
                    .take(5)
                    .map(|b| format!("{b:02x}"))
                    .collect();
                let hashed = match rel.rsplit_once('.') {
                    Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
                    None => format!("{rel}.{hash}"),
                };
                let url = format!("/static/{hashed}");
                assets.hashed.insert(hashed, entry.path().to_owned());
                if rel == "theme.css" {
                    assets.styles.insert(0, url.clone());
                }
                if !assets.plain.contains_key(&rel) {
                    assets.urls.insert(rel.clone(), url);
                    assets.plain.insert(rel, entry.path().to_owned());
                }
            }
        }
        assets
    }
}

/// A theme loaded for [`Theme::install`].
pub struct Prepared {
    source: ThemeSource,
    loaded: Arc<Loaded>,
}

/// Loaded templates and messages; cheap to share between workers. An
/// admin may switch to another theme while pages are served
/// ([`Theme::prepare`], [`Theme::install`]).
pub struct Theme {
    source: RwLock<ThemeSource>,
    loaded: RwLock<Arc<Loaded>>,
}

impl Theme {
    pub fn load(source: ThemeSource) -> Result<Self, ThemeError> {
        let loaded = Arc::new(load(&source)?);
        Ok(Self {
            source: RwLock::new(source),
            loaded: RwLock::new(loaded),
        })
    }

    /// What the theme is loaded from (a copy).
    fn source(&self) -> ThemeSource {
        self.source
            .read()
            .map(|s| s.clone())
            .unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }

    /// Theme `name` in this theme's language, loaded and checked but not
    /// in use: [`Theme::install`] puts it in place.
    pub fn prepare(&self, name: &str) -> Result<Prepared, ThemeError> {
        let mut source = self.source();
        source.theme = name.to_owned();
        let loaded = Arc::new(load(&source)?);
        Ok(Prepared { source, loaded })
    }

    /// Serves a prepared theme from now on.
    pub fn install(&self, prepared: Prepared) {
        let mut slot = self.loaded.write().unwrap_or_else(|e| e.into_inner());
        let mut from = self.source.write().unwrap_or_else(|e| e.into_inner());
        *slot = prepared.loaded;
        *from = prepared.source;
    }

    fn current(&self) -> Result<Arc<Loaded>, ThemeError> {
        let source = self.source();
        if source.reload {
            let fresh = Arc::new(load(&source)?);
            if let Ok(mut slot) = self.loaded.write() {
                *slot = fresh.clone();
            }
            return Ok(fresh);
        }
        Ok(self
            .loaded
            .read()
            .map(|l| l.clone())
            .unwrap_or_else(|poisoned| poisoned.into_inner().clone()))
    }

    /// The theme's static files and their fingerprinted URLs.
    pub fn assets(&self) -> Arc<Assets> {
        self.current().map(|l| l.assets.clone()).unwrap_or_default()
    }

    /// The message catalogue.
    pub fn messages(&self) -> Arc<Messages> {
        self.current()
            .map(|l| l.messages.clone())
            .unwrap_or_default()
    }

    /// One message, or its key when the catalogue lacks it (visible, not fatal).
    pub fn message(&self, key: &str) -> String {
        self.messages()
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }

    /// A file size as the catalogue writes it (`size_kb`, `size_mb`,
    /// `decimal_mark`): `47 KB`, `2,4 MB`.
    pub fn file_size(&self, bytes: u64) -> String {
        let messages = self.messages();
        super::sizes::human_size(bytes, &size_formats(&messages))
    }

    /// Renders `template` with `context`. The messages (`t.key`) were
    /// written into the templates when they were loaded (see
    /// [`inline_messages`]); `t` itself is an empty map, for templates that
    /// hand it on to macros.
    ///
    /// The page comes as UTF-8 bytes, ready to be a response body: asking
    /// Tera for a `String` would check the whole page's UTF-8 again (3–4 %
    /// of an uncached entry page). The buffer starts at 16 KiB, the size
    /// of a typical entry page, so that it grows once at most.
    fn render(&self, template: &str, mut context: Context) -> Result<Vec<u8>, ThemeError> {
        let loaded = self.current()?;
        context.insert("t", &tera::Map::new());
        context.insert("asset", &loaded.assets_value);
        context.insert("theme_styles", &loaded.styles_value);
        let mut out = Vec::with_capacity(16 * 1024);
        loaded.tera.render_to(template, &context, &mut out)?;
        Ok(out)
    }

    /// Renders `template` with a page's typed context: `view`'s fields
    /// become the template's variables (themes/README.md lists them).
    pub fn render_view(
        &self,
        template: &str,
        view: &impl serde::Serialize,
    ) -> Result<Vec<u8>, ThemeError> {
        self.render(template, Context::from_serialize(view)?)
    }

    pub fn name(&self) -> String {
        self.source().theme
    }

    /// The theme's static folders, the active theme's first.
    pub fn static_dirs(&self) -> Vec<PathBuf> {
        self.current()
            .map(|l| l.static_dirs.clone())
            .unwrap_or_default()
    }
}

/// The templates of the themes in `line` (nearest first): each name from
/// the nearest theme that has it. Only `default` must have a `templates`
/// folder (a theme can be a stylesheet and messages).
fn templates_of(dir: &Path, line: &[String], messages: &Arc<Messages>) -> Result<Tera, ThemeError> {
    let mut sources = BTreeMap::new();
    for theme in line {
        let root = dir.join(theme).join("templates");
        if !root.is_dir() && theme == "default" {
            return Err(ThemeError::Missing(theme.to_owned(), root));
        }
        for (name, text) in template_files(&root)? {
            sources
                .entry(name)
                .or_insert_with(|| inline_messages(&text, messages));
        }
    }
    let mut tera = Tera::default();
    tera.add_raw_templates(sources)?;
    configured(tera, messages)
}

/// The template files under `root` (`.html`, `.xml`, `.txt`), by Tera name.
fn template_files(root: &Path) -> Result<Vec<(String, String)>, ThemeError> {
    let mut files = Vec::new();
    if !root.is_dir() {
        return Ok(files);
    }
    for entry in walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        // Templates only: a theme's folder may hold notes (README.md).
        .filter(|e| {
            matches!(
                e.path().extension().and_then(|x| x.to_str()),
                Some("html" | "xml" | "txt")
            )
        })
    {
        let path = entry.path();
        let name = path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let text =
            std::fs::read_to_string(path).map_err(|e| ThemeError::Read(path.to_owned(), e))?;
        files.push((name, text));
    }
    Ok(files)
}

/// Continues [`templates_of`]: the engine's settings and loa's filters.
fn configured(mut tera: Tera, messages: &Arc<Messages>) -> Result<Tera, ThemeError> {
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.set_escape_fn(escape);
    tera.register_function("msg", Msg(messages.clone()));
    tera.register_filter(
        "datetime",
        DateFilter {
            messages: messages.clone(),
            key: "format_datetime",
        },
    );
    tera.register_filter(
        "date",
        DateFilter {
            messages: messages.clone(),
            key: "format_date",
        },
    );
    tera.register_filter("filesize", SizeFilter(messages.clone()));
    Ok(tera)
}

/// The catalogue's size formats; a missing key shows as itself.
fn size_formats(messages: &Messages) -> super::sizes::SizeFormats<'_> {
    let get = |key: &'static str| messages.get(key).map_or(key, String::as_str);
    super::sizes::SizeFormats {
        kb: get("size_kb"),
        mb: get("size_mb"),
        decimal_mark: get("decimal_mark"),
    }
}

/// `{{ t | datetime }}`, `{{ t | date }}`: a `ShownTime` (or an RFC 3339
/// or `YYYY-MM-DD` string) in the catalogue's format (`format_datetime`,
/// `format_date`), or in `format="…"` when given.
struct DateFilter {
    messages: Arc<Messages>,
    key: &'static str,
}

impl tera::Filter for DateFilter {
    fn filter(
        &self,
        value: &tera::Value,
        args: &std::collections::HashMap<String, tera::Value>,
    ) -> tera::Result<tera::Value> {
        let text = value
            .get("iso")
            .unwrap_or(value)
            .as_str()
            .ok_or_else(|| tera::Error::msg(format!("{}: not a date: {value}", self.key)))?;
        let pattern = match args.get("format") {
            Some(f) => f
                .as_str()
                .ok_or_else(|| tera::Error::msg("date: `format` must be a string"))?,
            None => self.messages.get(self.key).ok_or_else(|| {
                tera::Error::msg(format!("no message `{}` in the catalogue", self.key))
            })?,
        };
        super::dates::format(text, pattern)
            .map(tera::Value::String)
            .map_err(|e| tera::Error::msg(e.to_string()))
    }
}

/// `{{ bytes | filesize }}`: `47 KB`, `2,4 MB` (see [`Theme::file_size`]).
struct SizeFilter(Arc<Messages>);

impl tera::Filter for SizeFilter {
    fn filter(
        &self,
        value: &tera::Value,
        _: &std::collections::HashMap<String, tera::Value>,
    ) -> tera::Result<tera::Value> {
        let bytes = value
            .as_u64()
            .ok_or_else(|| tera::Error::msg(format!("filesize: not a size: {value}")))?;
        Ok(tera::Value::String(super::sizes::human_size(
            bytes,
            &size_formats(&self.0),
        )))
    }
}

/// `msg(key=…)`: a message chosen while rendering (`t[expr]` in a
/// template's source becomes this call).
struct Msg(Arc<Messages>);

impl tera::Function for Msg {
    fn call(
        &self,
        args: &std::collections::HashMap<String, tera::Value>,
    ) -> tera::Result<tera::Value> {
        let key = args
            .get("key")
            .and_then(tera::Value::as_str)
            .ok_or_else(|| tera::Error::msg("msg: `key` must be a string"))?;
        self.0
            .get(key)
            .map(|m| tera::Value::String(m.clone()))
            .ok_or_else(|| tera::Error::msg(format!("no message `{key}` in the catalogue")))
    }
}

/// Writes the message catalogue into a template's source, before Tera
/// parses it: inside `{{ }}` and `{% %}`, `t.key` becomes the message as a
/// string literal, and `t[expr]` a call to `msg(key=expr)`.
///
/// Pages then carry no copy of the catalogue in their context. With some
/// 450 messages, copying it into every page's context (and once more for
/// each macro given `t=t`) was a tenth of the time an entry page took to
/// render. A key the catalogue lacks is left as `t.key`, which fails when
/// rendered, as it did before.
pub(crate) fn inline_messages(source: &str, messages: &Messages) -> String {
    let mut out = String::with_capacity(source.len() + source.len() / 4);
    let mut rest = source;
    while let Some(start) = rest.find(['{']) {
        let opens = rest[start..].starts_with("{{") || rest[start..].starts_with("{%");
        if !opens {
            out.push_str(&rest[..=start]);
            rest = &rest[start + 1..];
            continue;
        }
        out.push_str(&rest[..start + 2]);
        let tag = &rest[start + 2..];
        let end = tag_end(tag);
        out.push_str(&inline_in_tag(&tag[..end], messages));
        rest = &tag[end..];
    }
    out.push_str(rest);
    out
}

/// Where a tag's code ends (its `}}` or `%}`), quotes skipped.
fn tag_end(code: &str) -> usize {
    let bytes = code.as_bytes();
    let mut quote = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if matches!(b, b'"' | b'\'' | b'`') => quote = Some(b),
            None if (b == b'}' || b == b'%') && bytes.get(i + 1) == Some(&b'}') => return i,
            None => {}
        }
        i += 1;
    }
    code.len()
}

fn inline_in_tag(code: &str, messages: &Messages) -> String {
    let bytes = code.as_bytes();
    let mut out = String::with_capacity(code.len());
    let mut quote = None;
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if matches!(b, b'"' | b'\'' | b'`') {
            quote = Some(b);
            i += 1;
            continue;
        }
        let starts_word = i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric() || matches!(bytes[i - 1], b'_' | b'.'));
        if b == b't' && starts_word {
            match bytes.get(i + 1) {
                Some(b'.') => {
                    let key_len = code[i + 2..]
                        .bytes()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
                        .count();
                    let key = &code[i + 2..i + 2 + key_len];
                    if let Some(message) = messages.get(key) {
                        out.push_str(&code[copied..i]);
                        out.push_str(&literal(key, message));
                        i += 2 + key_len;
                        copied = i;
                        continue;
                    }
                }
                Some(b'[') => {
                    if let Some(close) = closing_bracket(&code[i + 1..]) {
                        out.push_str(&code[copied..i]);
                        let inner = inline_in_tag(&code[i + 2..i + 1 + close], messages);
                        out.push_str(&format!("msg(key={inner})"));
                        i += 2 + close;
                        copied = i;
                        continue;
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    out.push_str(&code[copied..]);
    out
}

/// The offset of the `]` closing the `[` that `code` starts with.
fn closing_bracket(code: &str) -> Option<usize> {
    let mut depth = 0;
    let mut quote = None;
    for (i, b) in code.bytes().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'"' | b'\'' | b'`' => quote = Some(b),
                b'[' => depth += 1,
                b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            },
        }
    }
    None
}

/// `message` as a Tera string literal, in the first quote it does not
/// contain (Tera literals have no escapes); otherwise a `msg` call.
fn literal(key: &str, message: &str) -> String {
    match ['"', '\'', '`'].into_iter().find(|q| !message.contains(*q)) {
        Some(q) => format!("{q}{message}{q}"),
        None => format!("msg(key=\"{key}\")"),
    }
}

/// HTML escaping for templates (`domain::html::escape`: the five
/// characters that matter). Tera calls it on every value it prints and on
/// every string it tests in `{% if %}`, so it copies runs, not characters.
pub(crate) use crate::domain::html::escape;

fn messages_of(dir: &Path, theme: &str, language: &str) -> Result<Option<Messages>, ThemeError> {
    let path = dir
        .join(theme)
        .join("messages")
        .join(format!("{language}.toml"));
    match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text)
            .map(Some)
            .map_err(|e| ThemeError::Messages(path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ThemeError::Read(path, e)),
    }
}

fn load(source: &ThemeSource) -> Result<Loaded, ThemeError> {
    let dir = &source.themes_dir;
    let line = lineage(dir, &source.theme)?;
    let mut messages = messages_of(dir, "default", &source.language)?.ok_or_else(|| {
        ThemeError::NoLanguage(
            source.language.clone(),
            dir.join("default/messages")
                .join(format!("{}.toml", source.language)),
        )
    })?;
    // Nearer themes' messages win: apply them last.
    for theme in line.iter().rev().skip(1) {
        if let Some(own_messages) = messages_of(dir, theme, &source.language)? {
            messages.extend(own_messages);
        }
    }
    let messages = Arc::new(messages);
    let tera = templates_of(dir, &line, &messages)?;
    let static_dirs: Vec<PathBuf> = line.iter().map(|t| dir.join(t).join("static")).collect();
    let assets = Assets::scan(&static_dirs);
    Ok(Loaded {
        tera,
        assets_value: tera::to_value(&assets.urls).unwrap_or_default(),
        styles_value: tera::to_value(&assets.styles).unwrap_or_default(),
        static_dirs,
        messages,
        assets: Arc::new(assets),
    })
}

/// The page shown when even the theme's error template cannot render.
pub const FALLBACK_ERROR_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Lỗi máy chủ</title></head>\
<body><main><h1>Đã có lỗi xảy ra</h1><p>Xin lỗi, trang này tạm thời không hiển thị được. \
Vui lòng thử lại sau ít phút.</p><p><a href=\"/\">Về trang chủ</a></p></main></body></html>\n";

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Messages {
        [
            ("home", "Trang chủ"),
            ("quoted", "Nói \"có\""),
            ("all_quotes", "a\"b'c`d"),
            ("kind_article", "Bài viết"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    #[test]
    fn messages_become_literals_inside_tags_only() {
        let m = catalogue();
        assert_eq!(
            inline_messages(
                "<a>t.home {{ t.home }}</a>{% if x %}{{ t.quoted | upper }}{% endif %}",
                &m
            ),
            "<a>t.home {{ \"Trang chủ\" }}</a>{% if x %}{{ 'Nói \"có\"' | upper }}{% endif %}"
        );
        // A message with every quote is looked up when rendered.
        assert_eq!(
            inline_messages("{{ t.all_quotes }}", &m),
            "{{ msg(key=\"all_quotes\") }}"
        );
        // Unknown keys, other variables ending in `t`, and string
        // literals are left alone.
        assert_eq!(
            inline_messages(
                "{{ t.nope }}{{ at.home }}{{ e.t.home }}{{ \"t.home\" }}",
                &m
            ),
            "{{ t.nope }}{{ at.home }}{{ e.t.home }}{{ \"t.home\" }}"
        );
    }

    #[test]
    fn dynamic_lookups_become_calls() {
        let m = catalogue();
        assert_eq!(
            inline_messages("{% set k = t[\"kind_\" ~ e.kind] %}{{ t[f.label] }}", &m),
            "{% set k = msg(key=\"kind_\" ~ e.kind) %}{{ msg(key=f.label) }}"
        );
    }

    #[test]
    fn escape_replaces_the_five_and_keeps_vietnamese_text() {
        assert_eq!(
            escape("Đường <b>\"số 1\"</b> & 'Hà Nội'"),
            "Đường &lt;b&gt;&quot;số 1&quot;&lt;/b&gt; &amp; &#39;Hà Nội&#39;"
        );
        assert_eq!(escape("Sở Văn hóa"), "Sở Văn hóa");
        assert_eq!(escape("<"), "&lt;");
        assert_eq!(escape(""), "");
    }

    #[test]
    fn inlined_templates_render_as_before() {
        let m = Arc::new(catalogue());
        let mut tera = Tera::default();
        tera.add_raw_template(
            "p.html",
            &inline_messages("{{ t.quoted }}|{{ t[key] }}|{{ t.all_quotes }}", &m),
        )
        .unwrap();
        tera.set_escape_fn(escape);
        tera.register_function("msg", Msg(m.clone()));
        let mut ctx = Context::new();
        ctx.insert("key", "kind_article");
        ctx.insert("t", &tera::Map::new());
        assert_eq!(
            tera.render("p.html", &ctx).unwrap(),
            "Nói &quot;có&quot;|Bài viết|a&quot;b&#39;c`d"
        );
    }
}
