//! What every page shares: the site's identity, the category navigation,
//! the page's own URL; and the themed error page.

use std::collections::BTreeMap;

use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use actix_web::web;
use diesel::SqliteConnection;
use serde::Serialize;
use tera::Context;

use super::AppState;
pub use super::views::Link;
use super::views::category_url;
use crate::domain::entry::EntryKind;
use crate::render::templates::FALLBACK_ERROR_PAGE;
use crate::storage::{categories, settings};

/// Site identity and navigation, read once per page.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Base {
    /// `site.name`, `site.tagline`, … from `content/site.toml`.
    pub site: BTreeMap<String, String>,
    pub categories: Vec<Link>,
    /// The categories as stored, for pages that show one of them (saves
    /// reading it again).
    #[serde(skip)]
    pub sections: Vec<categories::Category>,
}

impl Base {
    /// Category `id`, from those read for the navigation.
    pub fn category(&self, id: i32) -> Option<categories::Category> {
        self.sections.iter().find(|c| c.id == id).cloned()
    }
}

pub use crate::storage::settings::SITE_PREFIX;

pub fn load_base(conn: &mut SqliteConnection) -> diesel::QueryResult<Base> {
    let site = settings::with_prefix(conn, SITE_PREFIX)?
        .into_iter()
        .map(|(k, v)| (k[SITE_PREFIX.len()..].to_owned(), v))
        .collect();
    let sections = categories::all(conn)?;
    let categories = sections
        .iter()
        .map(|c| Link {
            url: category_url(&c.slug),
            name: c.name.clone(),
        })
        .collect();
    Ok(Base {
        site,
        categories,
        sections,
    })
}

#[derive(Serialize)]
struct KindNav {
    kind: EntryKind,
    url: String,
}

/// The context every template starts from.
pub fn context(state: &AppState, req: &HttpRequest, base: Base) -> Context {
    let mut ctx = Context::new();
    let path = req.path().to_owned();
    let origin = origin(state, req);
    ctx.insert("canonical_url", &format!("{origin}{path}"));
    ctx.insert("origin", &origin);
    ctx.insert("path", &path);
    ctx.insert("lang", &state.config.language);
    // Head metadata; pages with their own title, summary or image override.
    let site_name = base
        .site
        .get("name")
        .cloned()
        .unwrap_or_else(|| "loa".into());
    ctx.insert("meta_title", &site_name);
    ctx.insert(
        "meta_description",
        base.site.get("description").map_or("", String::as_str),
    );
    ctx.insert("og_type", "website");
    ctx.insert("site", &base.site);
    ctx.insert("categories", &base.categories);
    let kinds: Vec<KindNav> = EntryKind::ALL
        .into_iter()
        .map(|kind| KindNav {
            kind,
            url: format!("/{}", kind.path_segment()),
        })
        .collect();
    ctx.insert("kinds", &kinds);
    let local = chrono::TimeZone::from_utc_datetime(&state.config.tz(), &state.now());
    ctx.insert("year", &chrono::Datelike::year(&local));
    ctx
}

/// `https://host` for absolute links: the configured base URL, else the
/// request's own scheme and host.
pub fn origin(state: &AppState, req: &HttpRequest) -> String {
    match &state.config.base_url {
        Some(base) => base.trim_end_matches('/').to_owned(),
        None => format!("http://{}", request_host(req)),
    }
}

/// Without `base_url`, the host links are built for: the `Host` header
/// (not `X-Forwarded-*`, which any client can send), or `localhost` when
/// it is missing or not a plain host name. The page cache keys pages by
/// the same value. Production sites set `base_url`.
pub fn request_host(req: &HttpRequest) -> &str {
    req.headers()
        .get(actix_web::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost")
}

/// The theme's page for an error status, with a link to sign in again
/// when `sign_in` is given; never fails (falls back to a built-in page if
/// the theme or the database cannot help).
pub async fn error_page(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    status: StatusCode,
    key: &str,
    sign_in: Option<&str>,
) -> Vec<u8> {
    let base = super::db::run(state, |conn| Ok(load_base(conn)?))
        .await
        .unwrap_or_default();
    let mut ctx = context(state, req, base);
    ctx.insert("status", &status.as_u16());
    ctx.insert("message", &state.theme.message(key));
    if let Some(url) = sign_in {
        ctx.insert("sign_in_url", url);
    }
    let messages = state.theme.messages();
    // A title of the error's own (`error_session_title` beside
    // `error_session_text`), else the status's.
    let title = key
        .strip_suffix("_text")
        .and_then(|k| messages.get(&format!("{k}_title")))
        .or_else(|| messages.get(&format!("error_{}_title", status.as_u16())))
        .or_else(|| messages.get("error_title"))
        .cloned()
        .unwrap_or_default();
    ctx.insert("title", &title);
    let specific = format!("errors/{}.html", status.as_u16());
    state
        .theme
        .render(&specific, ctx.clone())
        .or_else(|_| state.theme.render("errors/error.html", ctx))
        .unwrap_or_else(|e| {
            tracing::error!(error = %crate::error::chain(&e), "error template failed");
            FALLBACK_ERROR_PAGE.as_bytes().to_vec()
        })
}
