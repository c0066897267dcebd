//! Theme assets under `/static/` and media under `/uploads/`.
//!
//! Theme files are addressed by content hash (`/static/site.<hash>.css`,
//! printed by templates through `asset["site.css"]`) and served as
//! immutable for a year; plain names (`/static/logo.png`, linked from
//! JSON-LD and feeds) are still served, cached for an hour. Only files the
//! theme has are served: a request names a key, never a path.

use actix_files::{Files, NamedFile};
use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;
use crate::error::AppError;

/// `GET /static/{file}`
pub async fn asset(
    state: web::Data<AppState>,
    req: HttpRequest,
    file: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let assets = state.theme.assets();
    let (path, cache) = match (
        assets.hashed.get(file.as_str()),
        assets.plain.get(file.as_str()),
    ) {
        (Some(p), _) => (p.clone(), "public, max-age=31536000, immutable"),
        (None, Some(p)) => (p.clone(), "public, max-age=3600"),
        (None, None) => return Err(AppError::NotFound),
    };
    let mut res = NamedFile::open_async(&path)
        .await?
        .use_etag(true)
        .use_last_modified(true)
        .into_response(&req);
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    Ok(res)
}

/// `/uploads/…`: never a directory listing, never hidden files.
pub fn uploads(state: &web::Data<AppState>) -> Files {
    Files::new("/uploads", state.config.uploads.clone())
        .use_etag(true)
        .use_last_modified(true)
}
