//! The theme: Tera templates and the message catalogue, loaded once at start.
//!
//! Templates come from `themes/<theme>/templates/`; any template the theme
//! lacks comes from `themes/default/templates/`. Messages come from
//! `themes/<theme>/messages/<language>.toml`, falling back key by key to the
//! default theme's. With `dev_reload`, both are read again for every page.

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
    /// `messages` and the asset URLs as template values (`t`, `asset`).
    messages_value: tera::Value,
    assets_value: tera::Value,
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
}

impl Assets {
    /// Every file under the static folders; earlier folders win.
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
                if assets.plain.contains_key(&rel) {
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
                assets.urls.insert(rel.clone(), format!("/static/{hashed}"));
                assets.hashed.insert(hashed, entry.path().to_owned());
                assets.plain.insert(rel, entry.path().to_owned());
            }
        }
        assets
    }
}

/// Loaded templates and messages; cheap to share between workers.
pub struct Theme {
    source: ThemeSource,
    loaded: RwLock<Arc<Loaded>>,
}

impl Theme {
    pub fn load(source: ThemeSource) -> Result<Self, ThemeError> {
        let loaded = Arc::new(load(&source)?);
        Ok(Self {
            source,
            loaded: RwLock::new(loaded),
        })
    }

    fn current(&self) -> Result<Arc<Loaded>, ThemeError> {
        if self.source.reload {
            let fresh = Arc::new(load(&self.source)?);
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

    /// Renders `template` with `context`; `t` holds the messages.
    pub fn render(&self, template: &str, mut context: Context) -> Result<String, ThemeError> {
        let loaded = self.current()?;
        // Converted to template values once, at load: only copied here.
        context.insert("t", &loaded.messages_value);
        context.insert("asset", &loaded.assets_value);
        Ok(loaded.tera.render(template, &context)?)
    }

    pub fn name(&self) -> &str {
        &self.source.theme
    }

    /// The theme's static folders, the active theme's first.
    pub fn static_dirs(&self) -> Vec<PathBuf> {
        let mut dirs = vec![
            self.source
                .themes_dir
                .join(&self.source.theme)
                .join("static"),
        ];
        if self.source.theme != "default" {
            dirs.push(self.source.themes_dir.join("default").join("static"));
        }
        dirs
    }
}

fn templates_of(dir: &Path, theme: &str) -> Result<Tera, ThemeError> {
    let root = dir.join(theme).join("templates");
    if !root.is_dir() {
        return Err(ThemeError::Missing(theme.to_owned(), root));
    }
    let glob = format!("{}/**/*", root.display());
    let mut tera = Tera::new(&glob)?;
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.set_escape_fn(escape);
    Ok(tera)
}

/// HTML escaping for templates: the five characters that matter (Tera's
/// default also escapes `/`, which bloats every URL for no safety gain).
pub(crate) fn escape(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

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
    let mut tera = templates_of(dir, "default")?;
    let mut messages = messages_of(dir, "default", &source.language)?.ok_or_else(|| {
        ThemeError::NoLanguage(
            source.language.clone(),
            dir.join("default/messages")
                .join(format!("{}.toml", source.language)),
        )
    })?;
    if source.theme != "default" {
        let mut own = templates_of(dir, &source.theme)?;
        // Tera::extend adds only templates `own` does not define.
        own.extend(&tera)?;
        own.build_inheritance_chains()?;
        tera = own;
        if let Some(own_messages) = messages_of(dir, &source.theme, &source.language)? {
            messages.extend(own_messages);
        }
    }
    let mut dirs = vec![dir.join(&source.theme).join("static")];
    if source.theme != "default" {
        dirs.push(dir.join("default").join("static"));
    }
    let assets = Assets::scan(&dirs);
    Ok(Loaded {
        tera,
        messages_value: tera::to_value(&messages).unwrap_or_default(),
        assets_value: tera::to_value(&assets.urls).unwrap_or_default(),
        messages: Arc::new(messages),
        assets: Arc::new(assets),
    })
}

/// The page shown when even the theme's error template cannot render.
pub const FALLBACK_ERROR_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Lỗi máy chủ</title></head>\
<body><main><h1>Đã có lỗi xảy ra</h1><p>Xin lỗi, trang này tạm thời không hiển thị được. \
Vui lòng thử lại sau ít phút.</p><p><a href=\"/\">Về trang chủ</a></p></main></body></html>\n";
