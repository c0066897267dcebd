//! Runtime configuration: defaults < `loa.toml` < `LOA_*` environment < flags.
//!
//! The keys and defaults SPEC fixes are `bind`, `database`, `uploads`,
//! `themes`, `theme`, `content`, `language` and `timezone`. loa adds a few of
//! its own (`base_url`, `secret`, `per_page`, `dev_reload`, `chromium`, …),
//! documented in the
//! README.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Every setting the server and CLI read.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub bind: String,
    /// A SQLite file (created with its folder when missing) or a
    /// `postgres://` URL (several servers sharing one database).
    pub database: String,
    /// Folder for uploaded and imported media.
    pub uploads: PathBuf,
    /// Folder that holds the themes.
    pub themes: PathBuf,
    /// Active theme; templates it lacks come from `default`.
    pub theme: String,
    /// Seed content imported into an empty database by `serve`.
    pub content: PathBuf,
    /// Interface language: picks `messages.<language>.toml` in the theme.
    pub language: String,
    /// IANA zone in which times are shown.
    pub timezone: String,
    /// Public origin (e.g. `https://vhtt.hanoi.gov.vn`) for absolute links.
    /// When unset, links are built from the request's host.
    pub base_url: Option<String>,
    /// Key for signed cookies and form tokens. When unset, a random key is
    /// generated once and kept in the database, so every server that shares
    /// the database shares the key.
    pub secret: Option<String>,
    /// Entries per listing page.
    pub per_page: u32,
    /// Re-read templates on every request (theme development only).
    pub dev_reload: bool,
    /// Addresses of reverse proxies (e.g. the nginx in front of loa) whose
    /// `X-Forwarded-For` header is believed. Empty: the peer's address is
    /// the client's.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Memory for rendered public pages served to anonymous readers, in
    /// MiB (identity and compressed copies counted). 0 turns the page
    /// cache off.
    pub page_cache_mib: u32,
    /// On SIGTERM, seconds during which `/readyz` fails while pages are
    /// still served, so a load balancer's health check takes the server
    /// out before it stops listening. Then requests in flight finish.
    pub drain_seconds: u32,
    /// Seconds a shared cache in front of loa (nginx's `proxy_cache`, a
    /// CDN) may keep a public page (`s-maxage`). Above 0, an anonymous
    /// reader's entry page is the same bytes for everyone: its comment
    /// token is bound to the entry and the moment of rendering, not to the
    /// browser. 0 (the default): entry pages are private to each browser
    /// and only loa's own page cache keeps them.
    pub shared_cache_seconds: u32,
    /// Headless Chromium for PDF downloads of print pages; unset means
    /// `/usr/bin/chromium`. When the file is missing, staff are told to
    /// print from the browser instead.
    pub chromium: Option<PathBuf>,
    /// Requests to the JSON API (`/api/`) one address may make per minute
    /// on one server, in bursts of up to a tenth of it; more get `429`
    /// with `Retry-After`. 0 turns the limit off.
    pub api_per_minute: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            database: "data/loa.db".into(),
            uploads: "uploads".into(),
            themes: "themes".into(),
            theme: "default".into(),
            content: "content".into(),
            language: "vi".into(),
            timezone: "Asia/Ho_Chi_Minh".into(),
            base_url: None,
            secret: None,
            per_page: 10,
            dev_reload: false,
            trusted_proxies: Vec::new(),
            page_cache_mib: 16,
            drain_seconds: 5,
            shared_cache_seconds: 0,
            chromium: None,
            api_per_minute: 600,
        }
    }
}

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error("{name}: {message}")]
    Env { name: String, message: String },
    #[error("timezone {0:?} is not a known IANA zone")]
    Timezone(String),
    #[error("per_page must be between 1 and 100")]
    PerPage,
}

impl Config {
    /// Loads `file` (or `loa.toml` in the working folder when it exists),
    /// then applies `LOA_*` variables from `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut config = match file {
            Some(path) => Self::from_file(path)?,
            None if Path::new("loa.toml").exists() => Self::from_file(Path::new("loa.toml"))?,
            None => Self::default(),
        };
        config.apply_env(env)?;
        config.validate()?;
        Ok(config)
    }

    fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.to_owned(),
            source: Box::new(source),
        })
    }

    fn apply_env(
        &mut self,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(), ConfigError> {
        for (name, value) in env {
            match name.as_str() {
                "LOA_BIND" => self.bind = value,
                "LOA_DATABASE" => self.database = value,
                "LOA_UPLOADS" => self.uploads = value.into(),
                "LOA_THEMES" => self.themes = value.into(),
                "LOA_THEME" => self.theme = value,
                "LOA_CONTENT" => self.content = value.into(),
                "LOA_LANGUAGE" => self.language = value,
                "LOA_TIMEZONE" => self.timezone = value,
                "LOA_BASE_URL" => self.base_url = Some(value),
                "LOA_CHROMIUM" => self.chromium = Some(value.into()),
                "LOA_SECRET" => self.secret = Some(value),
                "LOA_PER_PAGE" => {
                    self.per_page = value.parse().map_err(|_| ConfigError::Env {
                        name,
                        message: "expected a whole number".into(),
                    })?
                }
                "LOA_PAGE_CACHE_MIB" => {
                    self.page_cache_mib = value.parse().map_err(|_| ConfigError::Env {
                        name,
                        message: "expected a whole number of MiB".into(),
                    })?
                }
                "LOA_DRAIN_SECONDS" => {
                    self.drain_seconds = value.parse().map_err(|_| ConfigError::Env {
                        name,
                        message: "expected a whole number of seconds".into(),
                    })?
                }
                "LOA_SHARED_CACHE_SECONDS" => {
                    self.shared_cache_seconds = value.parse().map_err(|_| ConfigError::Env {
                        name,
                        message: "expected a whole number of seconds".into(),
                    })?
                }
                "LOA_API_PER_MINUTE" => {
                    self.api_per_minute = value.parse().map_err(|_| ConfigError::Env {
                        name,
                        message: "expected a whole number of requests".into(),
                    })?
                }
                "LOA_DEV_RELOAD" => self.dev_reload = matches!(value.as_str(), "1" | "true"),
                "LOA_TRUSTED_PROXIES" => {
                    self.trusted_proxies = value
                        .split(',')
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(|v| {
                            v.parse().map_err(|_| ConfigError::Env {
                                name: name.clone(),
                                message: format!("{v:?} is not an IP address"),
                            })
                        })
                        .collect::<Result<_, _>>()?
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(ConfigError::Timezone(self.timezone.clone()));
        }
        if !(1..=100).contains(&self.per_page) {
            return Err(ConfigError::PerPage);
        }
        Ok(())
    }

    /// The display zone; `validate` has checked it parses.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone
            .parse()
            .unwrap_or(chrono_tz::Asia::Ho_Chi_Minh)
    }

    /// `Cache-Control` for a public page that browsers may keep
    /// `browser_secs`: with a shared cache configured, it may keep the page
    /// `shared_cache_seconds` (whatever the browser's lifetime), so that a
    /// change shows through it within that time.
    pub fn public_cache_control(&self, browser_secs: u32) -> String {
        match self.shared_cache_seconds {
            0 => format!("public, max-age={browser_secs}"),
            shared => format!("public, max-age={browser_secs}, s-maxage={shared}"),
        }
    }

    /// Whether cookies should carry `Secure`.
    pub fn is_https(&self) -> bool {
        self.base_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_match_the_spec() {
        let c = Config::default();
        assert_eq!(c.bind, "127.0.0.1:8080");
        assert_eq!(c.database, "data/loa.db");
        assert_eq!(c.theme, "default");
        assert_eq!(c.timezone, "Asia/Ho_Chi_Minh");
    }

    #[test]
    fn file_then_env_override() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("loa.toml");
        std::fs::write(&file, "bind = \"0.0.0.0:9000\"\ntheme = \"dark\"\n").unwrap();
        let c = Config::load(Some(&file), env(&[("LOA_THEME", "light")])).unwrap();
        assert_eq!(c.bind, "0.0.0.0:9000");
        assert_eq!(c.theme, "light");
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("loa.toml");
        std::fs::write(&file, "bnid = \"x\"\n").unwrap();
        let err = Config::load(Some(&file), env(&[])).unwrap_err();
        assert!(err.to_string().contains("bnid"), "{err}");
        std::fs::write(&file, "timezone = \"Mars/Olympus\"\n").unwrap();
        assert!(matches!(
            Config::load(Some(&file), env(&[])),
            Err(ConfigError::Timezone(_))
        ));
    }
}
